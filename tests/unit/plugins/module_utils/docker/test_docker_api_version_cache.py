"""connect() asks each daemon for its API version once per process tree, not once per task.

The daemon here is a small HTTP server on a Unix socket that answers the two calls a connection
makes and counts them, so the test sees exactly what the Docker SDK sends.
"""

from __future__ import annotations

import http.server
import json
import socketserver
import threading

import pytest

from ansible_collections.cattle.images.plugins.module_utils.docker import client as docker_client


class _Daemon(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        self.server.calls.append(self.path)
        if self.path == "/version":
            body, kind = json.dumps({"ApiVersion": "1.41", "Version": "20.10.24"}).encode(), "application/json"
        elif self.path.endswith("/_ping"):
            body, kind = b"OK", "text/plain"
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def daemon(tmp_path, monkeypatch):
    path = str(tmp_path / "docker.sock")
    server = _Daemon(path, _Handler)
    server.calls = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("DOCKER_HOST", f"unix://{path}")
    monkeypatch.delenv("DOCKER_TLS_VERIFY", raising=False)
    monkeypatch.delenv("DOCKER_CERT_PATH", raising=False)
    monkeypatch.setattr(docker_client, "_API_VERSIONS", {})
    yield server
    server.shutdown()
    server.server_close()


def test_the_first_connection_asks_for_the_version_and_later_ones_only_ping(daemon):
    first = docker_client.connect()
    assert first.api.api_version == "1.41"
    assert daemon.calls == ["/version"]  # the version answer shows the daemon is there: no ping
    second = docker_client.connect()
    assert second.api.api_version == "1.41"
    assert daemon.calls == ["/version", "/v1.41/_ping"]
    first.close()
    second.close()


def test_learning_the_version_up_front_spares_every_later_connection(daemon):
    docker_client.learn_api_version()  # ansible-playbook's main process, before it forks the workers
    for _task in range(3):
        docker_client.connect().close()
    assert daemon.calls == ["/version"] + ["/v1.41/_ping"] * 3


def test_another_daemon_is_asked_for_its_own_version(daemon, tmp_path, monkeypatch):
    docker_client.connect().close()
    other = str(tmp_path / "other.sock")
    server = _Daemon(other, _Handler)
    server.calls = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("DOCKER_HOST", f"unix://{other}")
        docker_client.connect().close()
        assert server.calls == ["/version"]
    finally:
        server.shutdown()
        server.server_close()


def test_a_daemon_gone_since_its_version_was_learnt_is_reported_as_unreachable(daemon):
    docker_client.learn_api_version()
    daemon.shutdown()
    daemon.server_close()
    with pytest.raises(docker_client.DockerError, match="Cannot reach the Docker daemon"):
        docker_client.connect(timeout=5)


def test_learning_the_version_of_no_daemon_is_no_error(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/none.sock")
    monkeypatch.setattr(docker_client, "_API_VERSIONS", {})
    docker_client.learn_api_version()
    assert docker_client._API_VERSIONS == {}
