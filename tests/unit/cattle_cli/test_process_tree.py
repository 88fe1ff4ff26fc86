"""Freezing and killing what a cancelled run left below the wrapper."""

from __future__ import annotations

import os
import subprocess
import time

from cattle_cli import process_tree


def _state(pid):
    with open(f"/proc/{pid}/stat", encoding="utf-8") as handle:
        return handle.read().rsplit(")", 1)[1].split()[0]


def _wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_freeze_stops_the_whole_tree_even_a_new_session_and_kill_ends_it():
    # A parent whose child starts its own session (as Ansible's workers do) and a grandchild.
    parent = subprocess.Popen(["sh", "-c", "setsid sh -c 'sleep 300 & sleep 300' & wait"])
    try:
        assert _wait_for(lambda: len(process_tree.descendants(parent.pid)) >= 3)
        frozen = process_tree.freeze(parent.pid)
        assert len(frozen) >= 3
        assert all(_state(pid) == "T" for pid in frozen)
        process_tree.kill(frozen)
        assert not any(os.path.exists(f"/proc/{pid}") and _state(pid) != "Z" for pid in frozen)
    finally:
        parent.kill()
        parent.wait()


def test_a_reused_pid_is_not_killed():
    sleeper = subprocess.Popen(["sleep", "300"])
    try:
        # Recorded with another start time: it is not the process that was frozen.
        process_tree.kill({sleeper.pid: -1}, timeout=0.2)
        assert sleeper.poll() is None
    finally:
        sleeper.kill()
        sleeper.wait()
