"""The Docker slice end to end: `cattle build` and `ansible-playbook cattle.images.build_image`
against the real daemon, including failures and signals that must leave nothing behind."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import uuid

import pytest

from tests.fixtures.interrupt import interrupted_build

pytestmark = [pytest.mark.docker, pytest.mark.slow]


def docker(*args, check=True):
    return subprocess.run(["docker", *args], capture_output=True, text=True, check=check)


def containers_of(build_name):
    out = docker("ps", "-aq", "--filter", f"label=cattle.build_name={build_name}").stdout.split()
    return out


def image_config(ref):
    return json.loads(docker("image", "inspect", ref).stdout)[0]["Config"]


def run_in(ref, *cmd):
    return docker("run", "--rm", "--entrypoint", "", ref, *cmd).stdout


@pytest.fixture
def workdir(tmp_path, shared_dir):
    for name in ("payload.txt", "step.sh", "docker-reference.json", "docker-parallel.json"):
        shutil.copy(os.path.join(shared_dir, "bench", name), tmp_path / name)
    return tmp_path


@pytest.fixture
def repo_name():
    name = f"local/cattle-it-{uuid.uuid4().hex[:8]}"
    yield name
    refs = docker("images", "-q", name, check=False).stdout.split()
    if refs:
        docker("rmi", "-f", *set(refs), check=False)


def named_reference(workdir, build_name):
    """docker-reference.json with a unique build name, so leftovers can be found by label."""
    template = json.loads((workdir / "docker-reference.json").read_text())
    template["builders"][0]["name"] = build_name
    path = workdir / f"{build_name}.json"
    path.write_text(json.dumps(template))
    return path


def cattle(venv_bin, *args, cwd, timeout=300):
    return subprocess.run([os.path.join(venv_bin, "cattle"), *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout, check=False)


def assert_reference_image(ref):
    config = image_config(ref)
    assert "FOO=bar" in config["Env"]
    assert config["Labels"]["built-by"] == "bench"
    # The base image's ENTRYPOINT and CMD survive (Packer would bake in /bin/sh).
    base = image_config("local/debian:bookworm")
    # (an unset entrypoint comes back as [] — Docker cannot commit a null one; both mean none)
    assert (config["Entrypoint"] or None) == (base["Entrypoint"] or None)
    assert config["Cmd"] == base["Cmd"]
    assert run_in(ref, "cat", "/greeting").strip() == "hello"
    assert run_in(ref, "cat", "/opt/app/payload.txt").strip() == "payload for the reference build"
    assert run_in(ref, "cat", "/opt/app/done").strip() == "done"


def test_cattle_build_reference(venv_bin, workdir, repo_name):
    build = f"it-{uuid.uuid4().hex[:8]}"
    template = named_reference(workdir, build)
    result = cattle(venv_bin, "build", "-color=false", "-var", f"out_repo={repo_name}", template, cwd=workdir)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"==> {build}:" in result.stdout
    assert f"    {build}: A=1" in result.stdout
    assert f"Build '{build}' finished" in result.stdout
    assert "Builds finished. The artifacts of successful builds are:" in result.stdout
    assert_reference_image(f"{repo_name}:v1")
    manifest = json.loads((workdir / "manifest.json").read_text())
    entry = manifest["builds"][-1]
    assert entry["name"] == build and entry["builder_type"] == "docker"
    assert entry["artifact_id"].startswith("sha256:")
    assert manifest["last_run_uuid"] == entry["packer_run_uuid"]
    assert containers_of(build) == []


def test_ansible_playbook_entry_point_builds_the_same_image(venv_bin, workdir, repo_name):
    build = f"it-{uuid.uuid4().hex[:8]}"
    template = named_reference(workdir, build)
    extra = json.dumps({"template": str(template), "template_vars": {"out_repo": repo_name}})
    result = subprocess.run(
        [os.path.join(venv_bin, "ansible-playbook"), "cattle.images.build_image", "-e", extra],
        cwd=workdir, capture_output=True, text=True, timeout=300,
        env=dict(os.environ, ANSIBLE_LOCALHOST_WARNING="False", ANSIBLE_INVENTORY_UNPARSED_WARNING="False"),
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert_reference_image(f"{repo_name}:v1")
    assert containers_of(build) == []


def failing_template(workdir, build, inline):
    path = workdir / f"{build}.json"
    path.write_text(json.dumps({
        "builders": [{"type": "docker", "name": build, "image": "local/debian:bookworm",
                      "pull": False, "commit": True}],
        "provisioners": [{"type": "shell", "inline": inline}],
    }))
    return path


def test_failing_provisioner_fails_the_build_and_leaves_nothing(venv_bin, workdir):
    build = f"it-{uuid.uuid4().hex[:8]}"
    template = failing_template(workdir, build, ["echo before", "false", "echo never"])
    result = cattle(venv_bin, "build", "-color=false", template, cwd=workdir)
    assert result.returncode == 1
    assert "never" not in result.stdout.replace("echo never", "")
    assert f"Build '{build}' errored" in result.stdout
    # the summary names the provisioner's own error, not Ansible's "One or more items failed"
    assert f"--> {build}: Script exited with non-zero exit status: 1" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert containers_of(build) == []


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_signal_while_provisioning_leaves_nothing(venv_bin, workdir, signum):
    build = f"it-{uuid.uuid4().hex[:8]}"
    template = failing_template(workdir, build, ["sleep 120"])
    returncode, output = interrupted_build(template, workdir, lambda: containers_of(build), "the build container",
                                           signum=signum, settle=1)
    assert returncode == 1, output
    assert "Cleanly cancelled builds after being interrupted." in output
    assert containers_of(build) == []


def test_existing_tag_is_not_overwritten_without_force(venv_bin, workdir, repo_name):
    docker("tag", "local/debian:bookworm", f"{repo_name}:v1")
    before = image_config(f"{repo_name}:v1")
    build = f"it-{uuid.uuid4().hex[:8]}"
    template = named_reference(workdir, build)
    result = cattle(venv_bin, "build", "-color=false", "-var", f"out_repo={repo_name}", template, cwd=workdir)
    assert result.returncode == 1, result.stdout
    assert "-force" in result.stdout + result.stderr
    assert image_config(f"{repo_name}:v1") == before
    assert containers_of(build) == []

    forced = cattle(venv_bin, "build", "-force", "-color=false", "-var", f"out_repo={repo_name}", template,
                    cwd=workdir)
    assert forced.returncode == 0, forced.stdout + forced.stderr
    assert_reference_image(f"{repo_name}:v1")


def test_parallel_builds(venv_bin, workdir, repo_name):
    result = cattle(venv_bin, "build", "-color=false", "-var", f"out_repo={repo_name}", "docker-parallel.json",
                    cwd=workdir)
    try:
        assert result.returncode == 0, result.stdout + result.stderr
        for node in ("node1", "node2", "node3", "node4"):
            assert_reference_image(f"{repo_name}-{node}:v1")
            assert f"Build '{node}' finished" in result.stdout
    finally:
        for node in ("node1", "node2", "node3", "node4"):
            docker("rmi", "-f", f"{repo_name}-{node}:v1", check=False)


def test_missing_base_image_is_one_clear_error(venv_bin, workdir):
    build = f"it-{uuid.uuid4().hex[:8]}"
    path = workdir / "missing.json"
    path.write_text(json.dumps({"builders": [{"type": "docker", "name": build, "image": "local/nope:never",
                                              "pull": False, "commit": True}]}))
    result = cattle(venv_bin, "build", "-color=false", path, cwd=workdir)
    assert result.returncode == 1
    assert "local/nope:never" in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert containers_of(build) == []


def test_sensitive_values_never_reach_the_output(venv_bin, workdir):
    build = f"it-{uuid.uuid4().hex[:8]}"
    path = workdir / "secret.json"
    path.write_text(json.dumps({
        "variables": {"password": "hunter2-not-shown"},
        "sensitive-variables": ["password"],
        "builders": [{"type": "docker", "name": build, "image": "local/debian:bookworm",
                      "pull": False, "discard": True}],
        "provisioners": [
            {"type": "shell", "inline": ["echo the password is {{user `password`}}"]},
            {"type": "shell-local", "inline": ["echo local {{user `password`}}"]},
            {"type": "shell", "inline": ["echo failing with {{user `password`}}; exit 7"]},
        ],
    }))
    result = cattle(venv_bin, "build", "-color=false", path, cwd=workdir)
    assert result.returncode == 1
    output = result.stdout + result.stderr
    assert "hunter2-not-shown" not in output
    assert f"    {build}: the password is <sensitive>" in output
    assert "local <sensitive>" in output
    assert containers_of(build) == []


def test_machine_readable_build_output(venv_bin, workdir):
    build = f"it-{uuid.uuid4().hex[:8]}"
    path = workdir / "mr.json"
    path.write_text(json.dumps({
        "builders": [{"type": "docker", "name": build, "image": "local/debian:bookworm",
                      "pull": False, "discard": True}],
        "provisioners": [{"type": "shell", "inline": ["echo hello, world"]}],
    }))
    result = cattle(venv_bin, "build", "-machine-readable", path, cwd=workdir)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [line.split(",", 1)[1] for line in result.stdout.splitlines() if line[:1].isdigit()]
    assert f",ui,message,    {build}: hello%!(PACKER_COMMA) world" in lines
    # A build without artifacts is not listed, as in Packer
    assert not any(line.startswith(f"{build},artifact") for line in lines)
    assert ",ui,say,\\n==> Builds finished but no artifacts were created." in lines
    assert all(line.split(",")[0].isdigit() for line in result.stdout.splitlines() if line)
