"""The file provisioner over a real community.docker.docker_api connection."""

from __future__ import annotations

import os

import pytest
from provisioner_harness import in_container, run_tasks, ui_text, write_plan

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def file_run(container, tmp_path_factory):
    directory = tmp_path_factory.mktemp("file")
    updir = directory / "updir"
    (updir / "sub").mkdir(parents=True)
    (updir / "a.txt").write_text("A\n")
    (updir / "sub" / "b.txt").write_text("B\n")
    (directory / "tool.sh").write_text("#!/bin/sh\necho tool\n")
    os.chmod(directory / "tool.sh", 0o755)
    (directory / "plain.txt").write_text("plain\n")
    os.chmod(directory / "plain.txt", 0o644)
    assert in_container(container, "mkdir -p /tmp/exists /tmp/exists2 /srv/multi")[0] == 0
    provisioners = [
        {"type": "file", "config": {"source": "plain.txt", "destination": "/tmp/renamed.txt"}},            # 0
        {"type": "file", "config": {"source": "tool.sh", "destination": "/srv/"}},                          # 1
        {"type": "file", "config": {"sources": ["plain.txt", "tool.sh"], "destination": "/srv/multi/"}},    # 2
        {"type": "file", "config": {"source": "updir", "destination": "/tmp/exists"}},                      # 3
        {"type": "file", "config": {"source": "updir", "destination": "/tmp/nodir"}},                       # 4
        {"type": "file", "config": {"source": "updir/", "destination": "/tmp/exists2"}},                    # 5
        {"type": "file", "config": {"content": "made of content\n", "destination": "/tmp/content.txt"}},    # 6
        {"type": "file", "config": {"source": "/etc/debian_version", "destination": "down/version.txt",
                                    "direction": "download"}},                                              # 7
        {"type": "file", "config": {"source": "/tmp/exists/updir/", "destination": "down/tree/",
                                    "direction": "download"}},                                              # 8
        {"type": "file", "config": {"source": "missing.txt", "destination": "/tmp/x"}},                     # 9
        {"type": "file", "config": {"sources": ["plain.txt", "tool.sh"], "destination": "/srv/nodir"}},     # 10
        {"type": "file", "config": {"source": "plain.txt", "destination": "/tmp/check-mode.txt"}},          # 11
        {"type": "file", "config": {"source": "plain.txt", "destination": "/tmp/exists"}},                  # 12
        {"type": "file", "config": {"source": "/no/such/file.txt", "destination": "down/none.txt",
                                    "direction": "download"}},                                              # 13
        {"type": "file", "config": {"source": "plain.txt", "destination": "/no/such/dir/plain.txt"}},      # 14
        {"type": "file", "config": {"content": "c", "destination": "/no/such/dir/c.txt"}},                  # 15
    ]
    build_config = {"image": "local/debian:bookworm", "commit": True, "pull": False, "exec_user": "nobody"}
    plan = write_plan(directory, provisioners, build_config=build_config)
    tasks = [{"cattle.images.file": {"plan_file": plan, "build": "docker", "step": i}} for i in range(11)]
    tasks.append({"cattle.images.file": {"plan_file": plan, "build": "docker", "step": 11}, "check_mode": True})
    tasks += [{"cattle.images.file": {"plan_file": plan, "build": "docker", "step": i}} for i in range(12, 16)]
    return directory, run_tasks(directory, tasks, container_name=container.name, plan_file=plan)


def cat(container, path):
    code, output = in_container(container, f"cat {path}")
    assert code == 0, output
    return output


def test_every_upload_succeeded(file_run):
    _directory, results = file_run
    for index in range(9):
        assert not results[index].get("failed"), (index, results[index]["msg"])


def test_single_file_uploads(file_run, container):
    _directory, results = file_run
    assert cat(container, "/tmp/renamed.txt") == "plain\n"
    assert ui_text(results[0], "say").endswith("plain.txt => /tmp/renamed.txt")
    assert ui_text(results[0], "say").startswith("Uploading ")
    # A destination ending in / receives the file under its own name, with its mode.
    assert in_container(container, "stat -c %a /srv/tool.sh")[1].strip() == "755"
    assert in_container(container, "stat -c %a /tmp/renamed.txt")[1].strip() == "644"
    assert cat(container, "/srv/multi/plain.txt") == "plain\n"
    assert cat(container, "/srv/multi/tool.sh").endswith("echo tool\n")
    # onto an existing directory without a trailing slash: inside it, like cp
    assert not results[12].get("failed"), results[12]["msg"]
    assert cat(container, "/tmp/exists/plain.txt") == "plain\n"


def test_directory_rules(file_run, container):
    # no trailing slash, destination exists: the directory goes inside it
    assert cat(container, "/tmp/exists/updir/a.txt") == "A\n"
    assert cat(container, "/tmp/exists/updir/sub/b.txt") == "B\n"
    # no trailing slash, destination missing: the directory becomes it
    assert cat(container, "/tmp/nodir/a.txt") == "A\n"
    assert cat(container, "/tmp/nodir/sub/b.txt") == "B\n"
    # trailing slash: the contents go into the destination
    assert cat(container, "/tmp/exists2/a.txt") == "A\n"
    assert in_container(container, "test -e /tmp/exists2/updir")[0] != 0


def test_content(file_run, container):
    assert cat(container, "/tmp/content.txt") == "made of content\n"


def test_uploads_belong_to_the_exec_user(file_run, container):
    assert in_container(container, "stat -c %U /tmp/renamed.txt /tmp/nodir/sub/b.txt")[1].split() == ["nobody"] * 2


def test_downloads(file_run, container):
    directory, _results = file_run
    assert (directory / "down" / "version.txt").read_text() == cat(container, "/etc/debian_version")
    assert (directory / "down" / "tree" / "a.txt").read_text() == "A\n"
    assert (directory / "down" / "tree" / "sub" / "b.txt").read_text() == "B\n"


def test_mistakes(file_run):
    _directory, results = file_run
    assert results[9]["failed"] is True
    assert "provisioners[9] (file): Bad source '" in results[9]["msg"]
    assert results[10]["msg"].endswith("Destination must be a directory when using multiple sources.")


def test_missing_remote_paths_are_named_in_the_users_words(file_run):
    directory, results = file_run
    # Not Ansible's "Could not find file on the Ansible Controller", not a raw Docker API 404.
    assert results[13]["msg"] == "Error downloading /no/such/file.txt: no such file or directory on the build host"
    assert not (directory / "down" / "none.txt").exists()
    hint = ("the directory /no/such/dir does not exist on the build host (the file provisioner does not create "
            "directories: create it first, e.g. in a shell provisioner)")
    assert results[14]["msg"] == f"Error uploading {directory}/plain.txt to /no/such/dir/plain.txt: {hint}"
    assert results[15]["msg"] == f"Error uploading content to /no/such/dir/c.txt: {hint}"


def test_check_mode(file_run, container):
    _directory, results = file_run
    assert "Check mode: would be Uploading" in ui_text(results[11])
    assert in_container(container, "test -e /tmp/check-mode.txt")[0] != 0
