"""Uploads over community.docker's docker_api connection: one archive carrying the mode, when commands run as root."""

from __future__ import annotations

import io
import os
import tarfile
from types import SimpleNamespace

import pytest

from ansible_collections.cattle.images.plugins.plugin_utils import remote as remote_module
from ansible_collections.cattle.images.plugins.plugin_utils.remote import (
    DockerRemote,
    Remote,
    _tar_stream,
    posix_remote_for,
)


class FakeApi:
    def __init__(self, user=""):
        self.user = user
        self.archives = []

    def inspect_container(self, container):
        return {"Config": {"User": self.user}}

    def put_archive(self, container, path, data):
        self.archives.append((container, path, b"".join(data)))
        return True


class FakeConnection:
    transport = "community.docker.docker_api"

    def __init__(self, remote_user=None):
        self.options = {"remote_addr": "cattle-build", "remote_user": remote_user}
        self.put_files = []
        self.commands = []

    def _connect(self):
        return self

    def get_option(self, name):
        return self.options[name]

    def put_file(self, local_path, remote_path):
        self.put_files.append((local_path, remote_path))

    def exec_command(self, command, in_data=None, sudoable=False):
        self.commands.append(command)
        return 0, b"", b""


@pytest.fixture
def script(tmp_path):
    path = tmp_path / "step.sh"
    path.write_bytes(b"#!/bin/sh\necho hi\n" * 50)
    os.chmod(path, 0o640)
    return path


def use_api(monkeypatch, api):
    from ansible_collections.cattle.images.plugins.module_utils.docker import client

    monkeypatch.setattr(client, "connect", lambda: SimpleNamespace(api=api))


def archive_members(data):
    assert len(data) % tarfile.RECORDSIZE == 0
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        return [(member, tar.extractfile(member).read()) for member in tar.getmembers()]


def test_the_tar_stream_is_one_complete_member(script):
    entry = tarfile.TarInfo("script.sh")
    entry.size, entry.mode = os.path.getsize(script), 0o755
    with open(script, "rb") as source:
        [(member, content)] = archive_members(b"".join(_tar_stream(entry, source)))
    assert (member.name, member.mode, content) == ("script.sh", 0o755, script.read_bytes())


def test_as_root_one_archive_with_the_mode_and_no_exec(monkeypatch, script):
    api = FakeApi(user="")
    use_api(monkeypatch, api)
    connection = FakeConnection()
    remote = posix_remote_for(connection)
    assert isinstance(remote, DockerRemote)
    assert remote.put(str(script), "/tmp/script.sh", 0o755) is True
    [(container, directory, data)] = api.archives
    [(member, content)] = archive_members(data)
    assert (container, directory, member.name) == ("cattle-build", "/tmp", "script.sh")
    assert (member.mode, member.uid, member.gid, content) == (0o755, 0, 0, script.read_bytes())
    assert member.mtime == int(os.stat(script).st_mtime)
    assert connection.commands == [] and connection.put_files == []


def test_without_a_mode_the_owner_bits_as_the_connection_gives(monkeypatch, script):
    api = FakeApi(user="root")
    use_api(monkeypatch, api)
    assert DockerRemote(FakeConnection()).put(str(script), "relative/f.txt") is False
    [(_container, directory, data)] = api.archives
    [(member, _content)] = archive_members(data)
    assert (directory, member.mode) == ("/relative", 0o600)


@pytest.mark.parametrize("connection_user, image_user", [("nobody", ""), (None, "nobody"), (None, "1000:1000")])
def test_any_other_user_gets_the_connections_own_upload(monkeypatch, script, connection_user, image_user):
    api = FakeApi(user=image_user)
    use_api(monkeypatch, api)
    connection = FakeConnection(remote_user=connection_user)
    assert DockerRemote(connection).put(str(script), "/tmp/script.sh", 0o755) is False  # the caller chmods
    assert connection.put_files == [(str(script), "/tmp/script.sh")]
    assert api.archives == []


def test_a_failed_upload_is_a_remote_error(monkeypatch, script):
    class Refusing(FakeApi):
        def put_archive(self, container, path, data):
            raise OSError("no such directory")

    use_api(monkeypatch, Refusing())
    with pytest.raises(remote_module.RemoteError, match=r"uploading .*step.sh to /no/dir/x: .*no such directory"):
        DockerRemote(FakeConnection()).put(str(script), "/no/dir/x", 0o755)


def test_other_connections_keep_the_generic_remote():
    connection = FakeConnection()
    connection.transport = "ssh"
    remote = posix_remote_for(connection)
    assert isinstance(remote, Remote) and not isinstance(remote, DockerRemote)
