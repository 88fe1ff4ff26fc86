"""Ledger.release_in_background: a removal that goes on while the build does, and the sweep that waits for it."""

from __future__ import annotations

import os
import time

import pytest

from ansible_collections.cattle.images.plugins.module_utils import cleaners
from ansible_collections.cattle.images.plugins.module_utils import ledger as ledger_module
from ansible_collections.cattle.images.plugins.module_utils.ledger import Ledger, process_start
from cattle_cli import process_tree

swept = []


def sweeping_cleaner(entry):
    swept.append(entry["name"])


@pytest.fixture
def ledger(tmp_path, monkeypatch):
    swept.clear()
    monkeypatch.setitem(cleaners.CLEANERS, "fake", sweeping_cleaner)
    return Ledger(str(tmp_path / "ledger.jsonl"))


def _slow_removal(marker, seconds=0.5):
    def remove():
        time.sleep(seconds)
        with open(marker, "w", encoding="utf-8") as handle:
            handle.write(str(os.getpid()))
    return remove


def _reap(pid):
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


def test_the_removal_runs_in_a_child_and_the_sweep_waits_for_it(ledger, tmp_path):
    ledger.record(build="a", kind="fake", name="container")
    marker = tmp_path / "removed-by"
    started = time.monotonic()
    pid = ledger.release_in_background("fake", "container", _slow_removal(marker))
    try:
        assert time.monotonic() - started < 0.4  # back at once, not after the removal
        assert pid != os.getpid()
        assert [entry["name"] for entry in ledger.entries()] == ["container"]  # not released yet

        assert ledger.sweep() == []
        # The sweep waited for the child, which released the entry: the sweep's own cleaner never ran.
        assert marker.read_text() == str(pid)
        assert swept == []
        assert ledger.entries() == []
    finally:
        _reap(pid)


def test_a_sweep_given_entries_before_the_release_skips_what_the_child_released(ledger, tmp_path):
    ledger.record(build="a", kind="fake", name="container")
    ledger.record(build="a", kind="fake", name="volume")
    to_remove = ledger.entries()  # as the sweep action lists them, before it sweeps
    pid = ledger.release_in_background("fake", "container", _slow_removal(tmp_path / "marker", 0.2))
    try:
        assert ledger.sweep(entries=to_remove) == []
        assert swept == ["volume"]
        assert ledger.entries() == []
    finally:
        _reap(pid)


def test_a_failed_background_removal_is_left_to_the_sweep(ledger):
    ledger.record(build="a", kind="fake", name="container")

    def fail():
        raise RuntimeError("the daemon said no")

    pid = ledger.release_in_background("fake", "container", fail)
    try:
        assert ledger.sweep() == []
        assert swept == ["container"]
        assert ledger.entries() == []
    finally:
        _reap(pid)


def test_the_child_outlives_the_worker_that_started_it(ledger, tmp_path, monkeypatch):
    """Under cattle build every process forked below ansible-playbook is set to die with its parent;
    the removal must go on after the Ansible worker that started it has ended, however soon."""
    ledger.record(build="a", kind="fake", name="container")
    outlive = ledger_module._outlive_parent

    def late_outlive():
        time.sleep(0.3)  # a child scheduled late: its parent must not end before it stops dying with it
        outlive()

    monkeypatch.setattr(ledger_module, "_outlive_parent", late_outlive)
    marker = tmp_path / "removed-by"
    worker = os.fork()
    if worker == 0:  # the Ansible worker: starts the removal and ends at once
        code = 1
        try:
            process_tree.die_with_parents_from_here_on()
            ledger.release_in_background("fake", "container", _slow_removal(marker, 0.3))
            code = 0
        finally:
            os._exit(code)
    _pid, status = os.waitpid(worker, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    [releasing] = [entry for entry in ledger._lines() if entry.get("op") == "releasing"]
    assert releasing["started"] == process_start(releasing["pid"])  # still at work after its parent ended

    assert ledger.sweep() == []
    assert marker.read_text() == str(releasing["pid"])
    assert swept == []
    assert ledger.entries() == []
