"""The docker builder's config checks and the commit-time ENTRYPOINT/CMD rule (no Docker needed)."""

from __future__ import annotations

import pytest

from ansible_collections.cattle.images.plugins.module_utils.docker.builder import container_spec
from ansible_collections.cattle.images.plugins.module_utils.docker.capture import commit_settings
from ansible_collections.cattle.images.plugins.module_utils.docker.client import DockerError
from ansible_collections.cattle.images.plugins.module_utils.docker.config import ConfigError, changes_set, normalize


def test_packer_defaults():
    config = normalize({"image": "img", "commit": True})
    assert config["pull"] is True
    assert config["fix_upload_owner"] is True
    assert config["container_dir"] == "/packer-files"
    assert config["run_command"] == ["-d", "-i", "-t", "--entrypoint=/bin/sh", "--", "{{.Image}}"]


def test_pull_false_and_weak_typing():
    config = normalize({"image": "img", "discard": "true", "pull": "false", "cap_add": "A,B", "privileged": 1})
    assert config["discard"] is True and config["pull"] is False
    assert config["cap_add"] == ["A", "B"] and config["privileged"] is True


@pytest.mark.parametrize(
    "raw, message",
    [
        ({"commit": True}, "Image must be specified"),
        ({"image": "i"}, "No instructions given for handling the artifact"),
        ({"image": "i", "commit": True, "discard": True}, "Cannot specify more than one of commit, discard, and export_path"),
        ({"image": "i", "commit": True, "export_path": "x.tar"}, "Cannot specify more than one"),
        ({"image": "i", "commit": True, "changes": ["RUN apt-get update"]}, "changes[0]: 'RUN apt-get update' is not a supported"),
        ({"image": "i", "commit": True, "bogus": 1}, "unknown configuration key: 'bogus'"),
        ({"image": "i", "commit": "perhaps"}, "commit: expected a boolean"),
        ({"image": "i", "commit": True, "volumes": ["/a:/b"]}, "volumes: expected a mapping"),
        ({"image": "i", "commit": True, "communicator": "ssh"}, "communicator 'ssh' is not supported"),
        ({"image": "i", "commit": True, "ecr_login": True}, "ecr_login is not supported"),
    ],
)
def test_mistakes(raw, message):
    with pytest.raises(ConfigError) as caught:
        normalize(raw, where="template.json: builders[docker]")
    assert message in str(caught.value)
    assert str(caught.value).startswith("template.json: builders[docker]: ")


def test_all_problems_reported_at_once():
    with pytest.raises(ConfigError) as caught:
        normalize({"bogus": 1, "commit": "x"})
    assert len(caught.value.problems) >= 3


def test_export_path_relative_to_cwd_and_not_a_directory(tmp_path):
    assert normalize({"image": "i", "export_path": "out.tar"}, cwd=str(tmp_path))["export_path"] == str(tmp_path / "out.tar")
    with pytest.raises(ConfigError, match="export_path must be a file, not a directory"):
        normalize({"image": "i", "export_path": str(tmp_path)})


def test_communicator_and_packer_keys_are_accepted_and_dropped():
    plain = normalize({"image": "i", "commit": True, "communicator": "docker"})
    with_extras = normalize({"image": "i", "commit": True, "ssh_username": "x", "packer_build_name": "d",
                             "communicator": "docker"})
    assert with_extras == plain
    assert "ssh_username" not in with_extras and "packer_build_name" not in with_extras


def test_changes_set_is_case_insensitive():
    assert changes_set(["entrypoint [\"/x\"]", "ENV A=1"], "ENTRYPOINT")
    assert not changes_set(["ENV CMD=1"], "CMD")


BASE = {"Entrypoint": None, "Cmd": ["/bin/bash"]}
CONTAINER = {"Entrypoint": ["/bin/sh"], "Cmd": None, "Env": ["A=1"], "Labels": {"x": "y"}}


def test_commit_restores_base_entrypoint_and_cmd():
    conf = commit_settings(BASE, CONTAINER, ["ENV B=2"])
    assert conf["Entrypoint"] == [] and conf["Cmd"] == ["/bin/bash"]
    assert conf["Env"] == ["A=1"] and conf["Labels"] == {"x": "y"}  # the rest of the container's config stays


def test_commit_keeps_users_cmd_and_restores_entrypoint():
    conf = commit_settings({"Entrypoint": ["/docker-entrypoint.sh"], "Cmd": ["nginx"]}, CONTAINER, ['CMD ["/app"]'])
    assert conf["Entrypoint"] == ["/docker-entrypoint.sh"]
    assert conf["Cmd"] is None  # the container's; the user's CMD change applies on top


def test_commit_users_entrypoint_leaves_cmd_to_docker():
    conf = commit_settings(BASE, CONTAINER, ['ENTRYPOINT ["/x"]'])
    assert conf["Entrypoint"] == ["/bin/sh"] and conf["Cmd"] is None  # untouched: the change wins


def test_container_spec_adds_builder_options_and_labels():
    config = normalize({
        "image": "img", "commit": True, "volumes": {"/h": "/c"}, "privileged": True, "cap_add": ["A"],
        "device": ["/dev/fuse"], "tmpfs": ["/run"], "runtime": "runc", "container_dir": "/pf",
        "run_command": ["-d", "-i", "-t", "-v", "/x:/y", "--cap-add", "B", "--", "{{ .Image }}"],
    })
    kwargs, warnings = container_spec(config, "abc", "web", "/tmp/cattle-docker-abc-1")
    assert kwargs["name"] == "cattle-abc"
    assert kwargs["labels"] == {"cattle.build_id": "abc", "cattle.build_name": "web"}
    assert kwargs["volumes"] == ["/h:/c", "/tmp/cattle-docker-abc-1:/pf", "/x:/y"]
    assert kwargs["cap_add"] == ["A", "B"] and kwargs["devices"] == ["/dev/fuse"]
    assert kwargs["tmpfs"] == {"/run": ""} and kwargs["privileged"] and kwargs["runtime"] == "runc"
    assert kwargs["image"] == "img" and warnings == []


def test_container_spec_bad_run_command_is_a_docker_error():
    config = normalize({"image": "img", "commit": True, "run_command": ["--cidfile", "/x", "img"]})
    with pytest.raises(DockerError, match="--cidfile"):
        container_spec(config, "abc", "web", "/tmp/x")
