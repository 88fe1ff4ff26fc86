"""`cattle build` piped into a file, as CI runs it: Packer's lines, clean, in Packer's order."""

from __future__ import annotations

import os
import re
import subprocess
import uuid

import pytest

from tests.fixtures.docker_cli import write_docker_template

pytestmark = [pytest.mark.docker, pytest.mark.slow]

MACHINE_LINE = re.compile(r"\d+,[^,]*,[a-z-]+(,.*)?")


@pytest.fixture
def tagged_build(tmp_path):
    """A docker build that commits, says something with a comma, and tags the image."""
    build = f"output-{uuid.uuid4().hex[:8]}"
    repo = f"local/cattle-output-{uuid.uuid4().hex[:8]}"
    path = write_docker_template(tmp_path / "template.json", build, {
        "provisioners": [{"type": "shell", "inline": ["echo hello, world"]}],
        "post-processors": [{"type": "docker-tag", "repository": repo, "tags": ["v1"]}],
    }, commit=True)
    yield build, path
    subprocess.run(["docker", "rmi", "-f", f"{repo}:v1"], capture_output=True, check=False)


def cattle(venv_bin, *args, cwd):
    # capture_output: stdout is a pipe, not a terminal
    return subprocess.run([os.path.join(venv_bin, "cattle"), *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=300, check=False)


def test_piped_build_prints_packers_lines_without_carriage_returns(venv_bin, tagged_build, tmp_path):
    build, template = tagged_build
    result = cattle(venv_bin, "build", template, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "\r" not in result.stdout and "\x1b[" not in result.stdout
    lines = result.stdout.splitlines()
    assert lines[:2] == [f"{build}: output will be in this color.", ""]
    assert f"    {build}: hello, world" in lines
    running = lines.index(f"==> {build}: Running post-processor: docker-tag")
    assert lines[running + 1].startswith(f"    {build} (docker-tag): Tagging image: sha256:")
    finished = next(i for i, line in enumerate(lines) if line.startswith(f"Build '{build}' finished after "))
    assert running < finished
    tail = lines[finished + 1:]
    assert tail[0] == "" and tail[1].startswith("==> Wait completed after ")
    assert tail[2:4] == ["", "==> Builds finished. The artifacts of successful builds are:"]
    assert [line.split(":")[0] for line in tail[4:]] == [f"--> {build}", f"--> {build}"]


def test_piped_machine_readable_build_is_packers_format(venv_bin, tagged_build, tmp_path):
    build, template = tagged_build
    result = cattle(venv_bin, "build", "-machine-readable", template, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "\r" not in result.stdout
    lines = result.stdout.splitlines()
    assert all(MACHINE_LINE.fullmatch(line) for line in lines), result.stdout
    fields = [line.split(",", 1)[1] for line in lines]
    assert f",ui,message,    {build}: hello%!(PACKER_COMMA) world" in fields
    assert f",ui,say,==> {build}: Running post-processor: docker-tag" in fields
    assert any(f.startswith(f",ui,message,    {build} (docker-tag): Tagging image: ") for f in fields)
    summary = fields.index(",ui,say,\\n==> Builds finished. The artifacts of successful builds are:")
    assert fields[summary + 1] == f"{build},artifact-count,2"
    assert fields[summary + 2].startswith(f"{build},artifact,0,builder-id,")
    assert fields[-1].startswith(f",ui,say,--> {build}: ")
    assert not any("output will be in this color" in f for f in fields)


@pytest.mark.parametrize("args", [["-h"], ["build", "-h"], ["build", "-help"]])
def test_help_exits_zero(venv_bin, tmp_path, args):
    result = cattle(venv_bin, *args, cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.lower().startswith("usage: cattle")
