"""The null and file builders end to end through `cattle build` (issue #12).

The expected lines and manifest entries were compared once by hand with Packer 1.6.6's
`packer build` of the same templates."""

from __future__ import annotations

import json
import os
import stat
import subprocess

import pytest


def cattle(venv_bin, *args, cwd, timeout=300):
    return subprocess.run([os.path.join(venv_bin, "cattle"), *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout, check=False)


def write_template(workdir, template, name="template.json"):
    path = workdir / name
    path.write_text(json.dumps(template))
    return path


def manifest_builds(workdir):
    return {build["name"]: build for build in json.loads((workdir / "manifest.json").read_text())["builds"]}


MANIFEST = {"type": "manifest", "output": "manifest.json"}


def test_null_build_without_communicator_runs_shell_local(venv_bin, tmp_path):
    template = write_template(tmp_path, {
        "builders": [{"type": "null", "communicator": "none"}],
        "provisioners": [{"type": "shell-local", "inline": ["echo local says $((6 * 7))", "pwd > ran-here"]}],
        "post-processors": [MANIFEST],
    })
    run = cattle(venv_bin, "build", template, cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    assert "    null: local says 42" in lines
    assert "--> null: Did not export anything. This is the null builder" in lines
    assert (tmp_path / "ran-here").read_text().strip() == str(tmp_path)
    entry = manifest_builds(tmp_path)["null"]
    assert (entry["builder_type"], entry["artifact_id"], entry["files"]) == ("null", "Null", None)


@pytest.mark.docker
@pytest.mark.slow
@pytest.mark.parametrize("auth", ["ssh_password", "ssh_private_key_file"])
def test_null_build_over_ssh_runs_shell_on_the_named_host(venv_bin, tmp_path, sshd_target, auth):
    marker = f"/tmp/null-{auth}"
    template = write_template(tmp_path, {
        "builders": [{
            "type": "null", "name": "remote", "ssh_host": sshd_target.host, "ssh_port": sshd_target.port,
            "ssh_username": sshd_target.username, "ssh_timeout": "30s",
            auth: sshd_target.password if auth == "ssh_password" else sshd_target.private_key_file,
        }],
        "provisioners": [{"type": "shell", "inline": ["id -un", f"echo done > {marker}"]}],
        "post-processors": [MANIFEST],
    })
    run = cattle(venv_bin, "build", template, cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    # (Packer first says "Using ssh communicator to connect: <host>"; the communicator role does not yet.)
    assert lines.index("==> remote: Waiting for SSH to become available...") < lines.index("==> remote: Connected to SSH!")
    assert f"    remote: {sshd_target.username}" in lines
    assert "--> remote: Did not export anything. This is the null builder" in lines
    assert sshd_target.exec(f"cat {marker}")[1].strip() == "done"
    if auth == "ssh_password":
        assert sshd_target.password not in run.stdout + run.stderr
    assert manifest_builds(tmp_path)["remote"]["artifact_id"] == "Null"


def test_file_build_with_content_and_with_source(venv_bin, tmp_path):
    (tmp_path / "src.txt").write_text("hello-src\n")
    template = write_template(tmp_path, {
        "builders": [
            {"type": "file", "name": "content", "content": "hello\n", "target": "out/content.txt"},
            {"type": "file", "name": "copy", "source": "src.txt", "target": "out/copy.txt"},
        ],
        "post-processors": [MANIFEST],
    })
    run = cattle(venv_bin, "build", template, cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    assert "==> copy: Copying src.txt to out/copy.txt" in lines
    assert "==> copy: Copied 10 bytes" in lines
    assert "--> content: Stored file: out/content.txt" in lines
    assert "--> copy: Stored file: out/copy.txt" in lines
    assert (tmp_path / "out/content.txt").read_text() == "hello\n"
    assert (tmp_path / "out/copy.txt").read_text() == "hello-src\n"
    # As Packer: a file written from content is private to its owner.
    assert stat.S_IMODE((tmp_path / "out/content.txt").stat().st_mode) == 0o600
    builds = manifest_builds(tmp_path)
    assert builds["content"]["artifact_id"] == "File"
    assert builds["content"]["files"] == [{"name": str(tmp_path / "out/content.txt"), "size": 6}]
    assert builds["copy"]["files"] == [{"name": str(tmp_path / "out/copy.txt"), "size": 10}]


def test_file_build_overwrites_an_existing_target(venv_bin, tmp_path):
    (tmp_path / "target.txt").write_text("old and longer\n")
    template = write_template(tmp_path, {"builders": [{"type": "file", "content": "new\n", "target": "target.txt"}]})
    run = cattle(venv_bin, "build", template, cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert (tmp_path / "target.txt").read_text() == "new\n"


def test_failed_file_build_leaves_no_target(venv_bin, tmp_path):
    template = write_template(tmp_path, {
        "builders": [{"type": "file", "content": "x", "target": "out/t.txt"}],
        "provisioners": [{"type": "shell-local", "inline": ["test -f out/t.txt", "exit 3"]}],
    })
    run = cattle(venv_bin, "build", template, cwd=tmp_path)
    assert run.returncode != 0
    # Status 3, not 1: the target existed while the provisioners ran.
    assert "non-zero exit status: 3" in run.stdout
    assert not (tmp_path / "out/t.txt").exists()


def test_sleep_waits_between_steps_and_a_timeout_ends_it(venv_bin, tmp_path):
    """As Packer 1.6.6 on the same template: the steps in order, and a sleep cut short by its timeout fails the build."""
    template = write_template(tmp_path, {
        "builders": [{"type": "null", "communicator": "none"}],
        "provisioners": [{"type": "shell-local", "inline": ["echo before"]}, {"type": "sleep", "duration": "1s"},
                         {"type": "shell-local", "inline": ["echo after"]},
                         {"type": "sleep", "duration": "10m", "timeout": "1s"}],
    })
    run = cattle(venv_bin, "build", "-color=false", template, cwd=tmp_path)
    output = run.stdout + run.stderr
    assert run.returncode == 1, output
    lines = [line for line in output.splitlines() if line.startswith(("    null: ", "==> null: Setting", "==> null: Cancelling"))]
    assert lines == ["    null: before", "    null: after", "==> null: Setting a 1s timeout for the next provisioner...",
                     "==> null: Cancelling provisioner after a timeout..."], output
