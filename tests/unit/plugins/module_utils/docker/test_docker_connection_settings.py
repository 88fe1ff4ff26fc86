"""The docker_api connection's settings follow the variables the docker CLI and the Docker SDK read."""

from __future__ import annotations

from ansible_collections.cattle.images.plugins.module_utils.docker.client import connection_settings


def test_no_variables_mean_the_local_socket_without_tls():
    assert connection_settings({"HOME": "/root"}) == {
        "docker_host": "unix:///var/run/docker.sock", "tls": False, "validate_certs": False}


def test_docker_host_is_used_as_given():
    assert connection_settings({"DOCKER_HOST": "tcp://127.0.0.1:2375"})["docker_host"] == "tcp://127.0.0.1:2375"


def test_tls_verify_verifies_with_the_certificates_in_the_users_docker_directory():
    settings = connection_settings({"DOCKER_TLS_VERIFY": "1", "HOME": "/home/builder"})
    assert settings["tls"] is True and settings["validate_certs"] is True
    assert settings["ca_path"] == "/home/builder/.docker/ca.pem"
    assert settings["client_cert"] == "/home/builder/.docker/cert.pem"
    assert settings["client_key"] == "/home/builder/.docker/key.pem"


def test_a_cert_path_alone_is_tls_without_verification():
    # As docker-py's from_env: DOCKER_TLS_VERIFY unset (or empty) does not verify.
    settings = connection_settings({"DOCKER_CERT_PATH": "/certs", "DOCKER_TLS_VERIFY": ""})
    assert settings["tls"] is True and settings["validate_certs"] is False
    assert settings["ca_path"] == "/certs/ca.pem"
