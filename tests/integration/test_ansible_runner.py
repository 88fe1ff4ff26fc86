"""Builds run by ansible-runner as AWX runs them (#16): `ansible-runner run`, the
`transmit | worker | process` pipeline, and a job cancelled mid-provisioner.

Relative outputs land below ansible-playbook's working directory (the job's project dir) and,
through cattle.images.job_outputs, come back with the job's artifacts under `cattle/`: the only
way back from a worker, whose private data dir is a temp dir deleted after the job."""

from __future__ import annotations

import json
import os
import subprocess
import time
import uuid

import ansible_runner
import pytest

from tests.conftest import VENV_BIN
from tests.fixtures.docker_cli import build_name, containers_of, docker, write_docker_template

pytestmark = [pytest.mark.docker, pytest.mark.slow]

PLAYBOOK = "cattle.images.build_image"


def private_data_dir(root, build, provisioner, repository=None, own_tmp=True):
    """A runner private data dir whose project holds a docker template of ``build``; extra vars
    and the PATH of this venv in env/, as AWX writes them. With ``own_tmp`` the job's temp dir is its
    own (``root/tmp``): no other run's sweep of the system temp dir takes what this one leaves."""
    project = root / "project"
    project.mkdir(parents=True)
    post_processors = [[{"type": "docker-tag", "repository": repository, "tag": ["v1"]},
                        {"type": "manifest", "output": "out/manifest.json"}]] if repository else []
    write_docker_template(project / "template.json", build, commit=True, sections={
        "provisioners": [{"type": "shell", "inline": [provisioner]}], "post-processors": post_processors})
    (root / "env").mkdir()
    (root / "env" / "extravars").write_text(json.dumps({"template": "template.json"}))
    envvars = {"PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}"}
    if own_tmp:
        (root / "tmp").mkdir()
        envvars["TMPDIR"] = str(root / "tmp")
    (root / "env" / "envvars").write_text(json.dumps(envvars))
    return root


def assert_built(repository, build, manifest_path):
    assert docker("run", "--rm", "--entrypoint", "", f"{repository}:v1", "cat", "/built.txt").stdout == "built\n"
    manifest = json.loads(manifest_path.read_text())
    assert [entry["name"] for entry in manifest["builds"]] == [build]


@pytest.fixture
def repository():
    name = f"local/awx16-runner-{uuid.uuid4().hex[:8]}"
    yield name
    docker("rmi", "-f", f"{name}:v1", check=False)


def test_ansible_runner_run_leaves_outputs_in_the_project_and_the_artifacts(tmp_path, repository):
    with build_name("awx16-run") as build:
        job = private_data_dir(tmp_path / "job", build, "echo built > /built.txt", repository)
        runner = ansible_runner.run(private_data_dir=str(job), playbook=PLAYBOOK, ident="run1", quiet=True)
        assert runner.status == "successful", runner.stdout.read()
        # Where the template says, relative to the working directory: the project dir.
        assert_built(repository, build, job / "project" / "out" / "manifest.json")
        returned = job / "artifacts" / "run1" / "cattle"
        assert sorted(p.relative_to(returned).as_posix() for p in returned.rglob("*") if p.is_file()) == \
            ["out/manifest.json"]  # the template, older than the job, is no output of it
        assert (returned / "out" / "manifest.json").read_text() == (job / "project" / "out" / "manifest.json").read_text()


def runner_cli(*args, stdin=None, env=None):
    return subprocess.run([os.path.join(VENV_BIN, "ansible-runner"), *args], input=stdin, capture_output=True,
                          env=env, timeout=600, check=False)


def test_transmit_worker_process_returns_the_outputs_with_the_artifacts(tmp_path, repository):
    worker_tmp = tmp_path / "worker-tmp"
    worker_tmp.mkdir()
    with build_name("awx16-worker") as build:
        # The worker's own TMPDIR (below) holds its private data dir and the cattle run dir.
        job = private_data_dir(tmp_path / "job", build, "echo built > /built.txt", repository, own_tmp=False)
        transmit = runner_cli("transmit", str(job), "-p", PLAYBOOK, "-i", "job1")
        assert transmit.returncode == 0, transmit.stderr
        # The worker unpacks the job into a temp dir of its own (here below worker_tmp) and deletes it.
        worker = runner_cli("worker", stdin=transmit.stdout, env={**os.environ, "TMPDIR": str(worker_tmp)})
        assert worker.returncode == 0, worker.stderr
        processed = runner_cli("process", str(job), "-i", "job1", stdin=worker.stdout)
        assert processed.returncode == 0, processed.stdout + processed.stderr
        assert (job / "artifacts" / "job1" / "status").read_text() == "successful"
        assert not (job / "project" / "out").exists()  # it was written in the worker's temp dir
        assert_built(repository, build, job / "artifacts" / "job1" / "cattle" / "out" / "manifest.json")
        assert os.listdir(worker_tmp) == []  # neither the worker's private data dir nor a cattle run dir stays


def test_a_cancelled_job_leaves_no_container_and_no_run_dir(tmp_path):
    run_dirs, provisioning = [], []

    def on_event(event):
        data = event.get("event_data", {})
        if event.get("event") == "runner_on_ok" and "run_dir" in data.get("res", {}):
            run_dirs.append(data["res"]["run_dir"])
        if event.get("event") == "playbook_on_task_start" and data.get("task") == "Provision":
            provisioning.append(True)
        return True

    with build_name("awx16-cancel") as build:
        job = private_data_dir(tmp_path / "job", build, "sleep 30")
        # As AWX cancels: its cancel callback turns true; runner kills ansible-playbook's process group.
        runner = ansible_runner.run(private_data_dir=str(job), playbook=PLAYBOOK, quiet=True, event_handler=on_event,
                                    cancel_callback=lambda: bool(provisioning and containers_of(build)))
        assert runner.status == "canceled", runner.stdout.read()
        (run_dir,) = run_dirs
        # The run's guard sweeps once ansible-playbook is gone; wait for it, bounded.
        for _attempt in range(300):
            if not containers_of(build) and not os.path.exists(run_dir):
                break
            time.sleep(0.2)
        assert containers_of(build) == []
        assert not os.path.exists(run_dir)
        assert os.listdir(job / "tmp") == []  # the build container's temp dir too
        assert docker("ps", "-a", "--filter", f"label=cattle.build_name={build}", "-q").stdout.strip() == ""
