"""Crashes and cancellation (issue #13), through `cattle build` as a subprocess on the real daemon.

`cattle` killed (SIGKILL: nothing of it runs) or hung up (SIGHUP: a closed terminal) at each
phase of a docker build — launch, provisioning, capture, post-processing. Afterwards nothing of
the run may be left once `cattle sweep` (or the next `cattle build`) has run: no process, no
container, no image of an unfinished commit, no run directory or temp file. Each test runs with
a private TMPDIR, so its sweeps see only its own runs.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import uuid

import pytest

from tests.fixtures.docker_cli import build_name, containers_of, docker, images_of, write_docker_template
from tests.fixtures.interrupt import CATTLE, processes_with, run_build, running_build, sweep, wait_for

pytestmark = [pytest.mark.docker, pytest.mark.slow]

PHASES = ("launch", "provisioning", "capture", "post-processing")


def paused(build):
    ids = containers_of(build)
    return bool(ids) and docker("inspect", "-f", "{{.State.Paused}}", ids[0], check=False).stdout.strip() == "true"


@pytest.fixture
def run_root(tmp_path):
    root = tmp_path / "tmp"
    root.mkdir()
    return root


@pytest.fixture
def env(run_root):
    return dict(os.environ, TMPDIR=str(run_root))


@pytest.fixture
def build():
    with build_name("crash-it") as name:
        yield name


def template_for(tmp_path, build, phase):
    """A docker build that dwells in ``phase`` long enough to be hit there."""
    step = {"provisioning": ["sleep 120"],
            # a big layer, so the commit takes a while (the container is paused meanwhile)
            "capture": ["dd if=/dev/zero of=/ballast bs=1M count=300 status=none"]}.get(phase, ["true"])
    sections = {"provisioners": [{"type": "shell", "inline": step}]}
    if phase == "post-processing":
        sections["post-processors"] = [{"type": "shell-local",
                                        "inline": [f"touch {tmp_path}/post-processing", "sleep 20"]}]
    return write_docker_template(tmp_path / f"{build}.json", build, sections, commit=True)


def reach(proc, tmp_path, build, phase, signum=None):
    """Wait until the build is in ``phase``, then send it ``signum`` if given."""
    if phase == "launch":
        wait_for(proc, lambda: containers_of(build), "the launch")
    elif phase == "provisioning":
        wait_for(proc, lambda: containers_of(build), "the launch")
        time.sleep(1.5)
    elif phase == "capture":
        wait_for(proc, lambda: paused(build), "the commit", poll=0.02)
    else:
        wait_for(proc, (tmp_path / "post-processing").exists, "the post-processor")
    if signum is not None:
        proc.send_signal(signum)


def assert_nothing_left(run_root, build, phase):
    assert containers_of(build) == []
    if phase != "post-processing":  # by then the image is the build's artifact
        assert images_of(build) == [], "an image of an unfinished commit was left"
    assert os.listdir(run_root) == [], "run directory or temp files left"


@pytest.mark.parametrize("phase", PHASES)
def test_sigkill_of_cattle_leaves_nothing_after_cattle_sweep(tmp_path, run_root, env, build, phase):
    with running_build(template_for(tmp_path, build, phase), tmp_path, env) as proc:
        reach(proc, tmp_path, build, phase, signal.SIGKILL)
        proc.wait(timeout=30)
        killed = time.monotonic()
        # ansible-playbook, its workers and what they run (a post-processor's local script) die
        # with cattle, not later.
        while processes_with(str(run_root)) and time.monotonic() - killed < 10:
            time.sleep(0.01)
        assert processes_with(str(run_root)) == [], "processes of the killed run live on"
        print(f"\nSIGKILL at {phase}: every process of the run gone after {time.monotonic() - killed:.2f}s")
    assert len(os.listdir(run_root)) == 1, "the killed run's directory should still be there to sweep"
    result = sweep(tmp_path, env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "of a dead run" in result.stdout
    if phase != "post-processing":
        assert "Removed docker_container cattle-" in result.stdout
        assert f"of build '{build}' left by a dead run" in result.stdout
    assert_nothing_left(run_root, build, phase)
    again = sweep(tmp_path, env)
    assert "Nothing to remove" in again.stdout


def test_the_next_cattle_build_sweeps_a_killed_run_and_says_so(tmp_path, run_root, env, build):
    with running_build(template_for(tmp_path, build, "provisioning"), tmp_path, env) as proc:
        reach(proc, tmp_path, build, "provisioning", signal.SIGKILL)
        proc.communicate(timeout=30)
    other = f"{build}-next"
    next_template = write_docker_template(tmp_path / "next.json", other, discard=True)
    result = run_build(next_template, tmp_path, env=env)
    assert result.returncode == 0, result.stdout
    assert "Removed docker_container cattle-" in result.stdout
    assert f"of build '{build}' left by a dead run" in result.stdout
    assert_nothing_left(run_root, build, "provisioning")
    assert containers_of(other) == []


@pytest.mark.parametrize("phase", PHASES)
def test_sighup_of_cattle_cleans_up_at_once(tmp_path, run_root, env, build, phase):
    with running_build(template_for(tmp_path, build, phase), tmp_path, env) as proc:
        reach(proc, tmp_path, build, phase, signal.SIGHUP)
        sent = time.monotonic()
        while processes_with(f"{run_root}/cattle-run-") and time.monotonic() - sent < 30:
            time.sleep(0.01)
        stopped = time.monotonic() - sent
        output = proc.communicate(timeout=120)[0]
        print(f"\nSIGHUP at {phase}: playbook and workers gone after {stopped:.2f}s, "
              f"cattle done (cleaned up) after {time.monotonic() - sent:.2f}s")
    assert proc.returncode == 1, output
    assert "Cleanly cancelled builds after being interrupted." in output
    assert_nothing_left(run_root, build, phase)
    assert "Nothing to remove" in sweep(tmp_path, env).stdout


def test_no_capture_or_post_processor_starts_after_an_interrupt(tmp_path, run_root, env, build):
    template = template_for(tmp_path, build, "post-processing")
    data = json.loads(template.read_text())
    data["provisioners"] = [{"type": "shell", "inline": ["sleep 2"]}]
    template.write_text(json.dumps(data))
    with running_build(template, tmp_path, env) as proc:
        wait_for(proc, lambda: containers_of(build), "the launch")
        time.sleep(1.0)
        proc.send_signal(signal.SIGINT)
        sent = time.monotonic()
        # The provisioner's sleep would end within a second or so; nothing after it may run.
        output = proc.communicate(timeout=120)[0]
    print(f"\nSIGINT while provisioning: cattle done after {time.monotonic() - sent:.2f}s")
    assert proc.returncode == 1, output
    assert "Cleanly cancelled builds after being interrupted." in output
    assert images_of(build) == [], "the container was committed after the interrupt"
    assert not (tmp_path / "post-processing").exists(), "a post-processor ran after the interrupt"
    assert_nothing_left(run_root, build, "provisioning")


def test_a_killed_ansible_playbook_is_reported(tmp_path, run_root, env, build):
    with running_build(template_for(tmp_path, build, "provisioning"), tmp_path, env) as proc:
        reach(proc, tmp_path, build, "provisioning")
        playbook = [pid for pid in processes_with("bin/ansible-playbook")
                    if open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[1] == str(proc.pid)]
        assert len(playbook) == 1
        os.kill(playbook[0], signal.SIGKILL)
        output = proc.communicate(timeout=120)[0]
    assert proc.returncode == 1
    assert "ansible-playbook was killed" in output, output
    assert_nothing_left(run_root, build, "provisioning")


def test_ansible_playbook_sweeps_when_every_build_fails_and_check_mode_leaves_nothing(
        tmp_path, run_root, env, build):
    failing = write_docker_template(tmp_path / "failing.json", build,
                                    {"provisioners": [{"type": "shell", "inline": ["false"]}]}, commit=True)
    playbook = os.path.join(os.path.dirname(CATTLE), "ansible-playbook")
    result = subprocess.run([playbook, "cattle.images.build_image", "-e", f"template={failing}"], cwd=tmp_path,
                            env=env, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 2, result.stdout
    assert "Sweep what the builds left" in result.stdout
    assert_nothing_left(run_root, build, "provisioning")
    result = subprocess.run([playbook, "--check", "cattle.images.build_image", "-e", f"template={failing}"],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert os.listdir(run_root) == [], "check mode left a run directory"


def test_cattle_sweep_finds_a_dead_runs_container_that_no_ledger_lists(tmp_path, run_root, env, build):
    # A run whose directory lost its ledger (deleted by hand, a disk error): only the label and the
    # container's private temp dir, inside the dead run's directory, tie the container to it.
    lost_id, live_id = uuid.uuid4().hex[:12], uuid.uuid4().hex[:12]
    run_dir = run_root / "cattle-run-lost"
    temp_dir = run_dir / "tmp" / f"cattle-docker-{lost_id}-x"
    temp_dir.mkdir(parents=True)
    (run_dir / "owner.json").write_text(json.dumps({"pid": 1, "start": -1, "boot": ""}))
    docker("run", "-d", "--name", f"cattle-{lost_id}", "--label", f"cattle.build_id={lost_id}",
           "--label", f"cattle.build_name={build}", "-v", f"{temp_dir}:/packer-files",
           "local/debian:bookworm", "sleep", "300")
    # A container of a live run (this process owns it) is left alone.
    live_dir = run_root / "cattle-run-live"
    (live_dir / "tmp" / f"cattle-docker-{live_id}-x").mkdir(parents=True)
    from ansible_collections.cattle.images.plugins.module_utils import ledger

    ledger.claim_run_dir(str(live_dir))
    live = f"{build}-live"
    docker("run", "-d", "--name", f"cattle-{live_id}", "--label", f"cattle.build_id={live_id}",
           "--label", f"cattle.build_name={live}", "-v",
           f"{live_dir / 'tmp' / f'cattle-docker-{live_id}-x'}:/packer-files", "local/debian:bookworm", "sleep", "300")
    try:
        result = sweep(tmp_path, env)
        assert result.returncode == 0, result.stdout + result.stderr
        assert f"Removed docker container cattle-{lost_id} of a dead run" in result.stdout
        assert containers_of(build) == []
        assert not run_dir.exists()
        assert len(containers_of(live)) == 1 and live_dir.exists()
    finally:
        docker("rm", "-f", f"cattle-{live_id}", check=False)
