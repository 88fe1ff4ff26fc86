"""The run guard sweeps a run whose owner died and leaves every other run alone."""

from __future__ import annotations

import os
import subprocess
import time

import pytest

from ansible_collections.cattle.images.plugins.module_utils import cleaners
from ansible_collections.cattle.images.plugins.module_utils.ledger import KEPT_MARKER, Ledger, claim_run_dir
from ansible_collections.cattle.images.plugins.plugin_utils import run_guard

removed = []


@pytest.fixture
def run_dir(tmp_path, monkeypatch):
    removed.clear()
    monkeypatch.setitem(cleaners.CLEANERS, "fake", lambda entry: removed.append(entry["name"]))
    path = tmp_path / "cattle-run-test"
    path.mkdir()
    Ledger(str(path / "ledger.jsonl")).record(build="b", kind="fake", name="container-1")
    return path


def claim_for_a_dead_owner(run_dir):
    """Claim ``run_dir`` for a process that then dies (as ansible-playbook killed mid-run)."""
    owner = subprocess.Popen(["sleep", "60"])
    claim_run_dir(str(run_dir), owner.pid)
    owner.kill()
    owner.wait()


def test_a_run_whose_owner_died_is_swept(run_dir):
    claim_for_a_dead_owner(run_dir)
    run_guard.watch(str(run_dir), poll=0)
    assert removed == ["container-1"]
    assert not run_dir.exists()


def test_a_run_kept_on_purpose_is_left_alone(run_dir):
    claim_for_a_dead_owner(run_dir)
    (run_dir / KEPT_MARKER).write_text("[]")
    run_guard.watch(str(run_dir), poll=0)
    assert removed == [] and run_dir.exists()


def test_a_run_that_ended_normally_needs_nothing(tmp_path):
    run_guard.watch(str(tmp_path / "cattle-run-gone"), poll=0)
    assert removed == []


def test_the_guard_process_sweeps_after_its_owner_is_killed(tmp_path):
    run_dir = tmp_path / "cattle-run-owned"
    run_dir.mkdir()
    owner = subprocess.Popen(["sleep", "60"])
    try:
        claim_run_dir(str(run_dir), owner.pid)
        guard = run_guard.start_guard(str(run_dir))
        assert os.getsid(guard) == guard  # a session of its own: a killed process group spares it
        assert run_dir.exists()
    finally:
        owner.kill()
        owner.wait()
    for _attempt in range(200):
        if not run_dir.exists():
            break
        time.sleep(0.05)
    assert not run_dir.exists()
