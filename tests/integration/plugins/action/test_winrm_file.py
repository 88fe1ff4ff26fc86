"""The file provisioner on a Windows build host, against our WS-Management server.

Ansible's winrm connection uploads into (and downloads from) the server's in-memory file
system; every PowerShell command we send is recorded and decoded, so the tests see exactly
what a Windows guest would be asked to do.
"""

from __future__ import annotations

import re

import pytest

from ansible_collections.cattle.images.plugins.plugin_utils.remote import ps_quote
from tests.fixtures.winrm_server import WinRMServer
from tests.integration.plugins.action.test_winrm_provisioners import PASSWORD, connect_tasks, run_playbook


@pytest.fixture(scope="module")
def file_run(tmp_path_factory):
    directory = tmp_path_factory.mktemp("winrm-file")
    updir = directory / "updir"
    (updir / "sub").mkdir(parents=True)
    (updir / "a.txt").write_bytes(b"A\r\n")
    (updir / "sub" / "b.txt").write_bytes(b"B\n")
    (directory / "plain.txt").write_bytes(b"plain \x00\xff bytes\n")
    down = directory / "down"
    with WinRMServer(username="packer", password=PASSWORD) as server:
        # What the "guest" has: an existing directory and a file, and a tree to download.
        for path in ("C:/exists", "C:/exists2", "C:/srv/tree"):
            server.add_rule(re.escape(f"Test-Path -LiteralPath '{path}' -PathType Container"), stdout="dir\r\n")
        server.add_rule(re.escape("Test-Path -LiteralPath 'C:/a-file' -PathType Container"), stdout="file\r\n")
        server.add_rule(r"Get-ChildItem", stdout="a.txt\r\nempty/\r\nsub/\r\nsub/b.txt\r\n")
        # A path that is not there: the probe prints nothing; directories are made as asked.
        server.add_rule(r"if \(Test-Path -LiteralPath '[^']*' -PathType Container\)")
        server.add_rule(r"^\$ErrorActionPreference = 'Stop'; .*New-Item -ItemType Directory -Force -Path ")
        server.files.update({"c:/srv/version.txt": b"10.0.17763\r\n", "c:/srv/tree/a.txt": b"tree A",
                             "c:/srv/tree/sub/b.txt": b"tree B"})
        steps = {
            "file": {"source": str(directory / "plain.txt"), "destination": "C:/Users/packer/renamed.txt"},
            "into-slash": {"source": str(directory / "plain.txt"), "destination": "C:/Windows/Temp/"},
            "into-existing": {"source": str(directory / "plain.txt"), "destination": "C:/exists"},
            "dir-into-existing": {"source": str(updir), "destination": "C:/exists2"},
            "dir-contents": {"source": str(updir) + "/", "destination": "C:/new dir"},
            "content": {"content": "made of content\n", "destination": "C:/content.txt"},
            "dir-onto-file": {"source": str(updir), "destination": "C:/a-file"},
            "download": {"source": "C:/srv/version.txt", "destination": str(down) + "/", "direction": "download"},
            "download-tree": {"source": "C:/srv/tree", "destination": str(down / "tree"),
                              "direction": "download"},
        }
        tasks = connect_tasks(server) + [{"name": name, "cattle.images.file": {"config": config}}
                                         for name, config in steps.items()]
        results, output = run_playbook(directory, tasks)
    return server, results, output, directory


def scripts(server):
    """The PowerShell we sent ourselves (not Ansible's transfer wrappers)."""
    return [c.script for c in server.commands if c.script is not None and not c.action and "WinRM connected" not in c.script]


def test_uploads_succeed(file_run):
    _server, results, output, _directory = file_run
    for name in ("file", "into-slash", "into-existing", "dir-into-existing", "dir-contents", "content"):
        assert not results[name].get("failed"), (name, results[name].get("msg"))
    assert PASSWORD not in output


def test_file_upload_bytes_and_placement(file_run):
    server, results, _output, _directory = file_run
    data = b"plain \x00\xff bytes\n"
    assert server.file("C:/Users/packer/renamed.txt") == data
    assert server.file("C:/Windows/Temp/plain.txt") == data  # destination ending in "/" is a directory
    assert server.file("C:/exists/plain.txt") == data  # an existing directory receives the file
    assert server.file("C:/exists") is None
    assert server.file("C:/content.txt") == b"made of content\n"
    assert "Uploading content => C:/content.txt" in "\n".join(text for _kind, text in results["content"]["ui"])


def test_directory_uploads_follow_the_trailing_slash_rule(file_run):
    server, _results, _output, _directory = file_run
    # Without a slash the directory itself goes inside the existing destination...
    assert server.file("C:/exists2/updir/a.txt") == b"A\r\n"
    assert server.file("C:/exists2/updir/sub/b.txt") == b"B\n"
    # ...with a slash its contents become the (new) destination.
    assert server.file("C:/new dir/a.txt") == b"A\r\n"
    assert server.file("C:/new dir/sub/b.txt") == b"B\n"
    sent = scripts(server)
    assert ("$ErrorActionPreference = 'Stop'; $ProgressPreference = 'SilentlyContinue'; "
            "New-Item -ItemType Directory -Force -Path 'C:/exists2/updir', 'C:/exists2/updir/sub' | Out-Null") in sent
    assert any(s.endswith("New-Item -ItemType Directory -Force -Path 'C:/new dir', 'C:/new dir/sub' | Out-Null")
               for s in sent)


def test_powershell_commands_only(file_run):
    server, _results, _output, _directory = file_run
    sent = scripts(server)
    assert ("$ErrorActionPreference = 'Stop'; $ProgressPreference = 'SilentlyContinue'; "
            "if (Test-Path -LiteralPath 'C:/exists' -PathType Container) { 'dir' } "
            "elseif (Test-Path -LiteralPath 'C:/exists') { 'file' }") in sent
    assert all(c.line.startswith("powershell.exe -EncodedCommand ") for c in server.commands if not c.action)
    for script in sent:
        assert not re.search(r"\b(chmod|chown|mkdir -p|find \.|sh -c)\b|\[ -d ", script), script
    # A file destination is never probed when it ends in "/".
    assert not any("C:/Windows/Temp'" in s for s in sent)


def test_directory_onto_a_file_fails_clearly(file_run):
    _server, results, _output, directory = file_run
    result = results["dir-onto-file"]
    assert result["failed"] is True
    assert result["msg"] == f"Error uploading {directory / 'updir'}: destination C:/a-file exists and is not a directory"


def test_downloads(file_run):
    _server, results, _output, directory = file_run
    for name in ("download", "download-tree"):
        assert not results[name].get("failed"), (name, results[name].get("msg"))
    assert (directory / "down" / "version.txt").read_bytes() == b"10.0.17763\r\n"
    assert (directory / "down" / "tree" / "a.txt").read_bytes() == b"tree A"
    assert (directory / "down" / "tree" / "sub" / "b.txt").read_bytes() == b"tree B"
    assert (directory / "down" / "tree" / "empty").is_dir()


def test_ps_quote_doubles_single_quotes():
    assert ps_quote("C:/it's here") == "'C:/it''s here'"
    assert ps_quote("a\u2019b") == "'a\u2019\u2019b'"  # PowerShell also ends strings at typographic quotes
