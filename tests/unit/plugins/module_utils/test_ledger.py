from __future__ import annotations

import json
import os
import time

import pytest

from ansible_collections.cattle.images.plugins.module_utils import cleaners
from ansible_collections.cattle.images.plugins.module_utils import ledger as ledger_mod
from ansible_collections.cattle.images.plugins.module_utils.ledger import Ledger, process_start
from cattle_cli import process_tree

removed = []


def fake_cleaner(entry):
    if entry["name"] == "broken":
        raise RuntimeError("engine said no")
    removed.append(entry["name"])


@pytest.fixture
def ledger(tmp_path, monkeypatch):
    removed.clear()
    monkeypatch.setitem(cleaners.CLEANERS, "fake", fake_cleaner)
    return Ledger(str(tmp_path / "ledger.jsonl"))


def test_recorded_and_not_released_entries_are_live(ledger):
    ledger.record(build="a", kind="fake", name="one", build_id="x")
    ledger.record(build="a", kind="fake", name="two")
    ledger.release(kind="fake", name="one")
    assert [e["name"] for e in ledger.entries()] == ["two"]
    assert ledger.entries()[0]["build"] == "a"


def test_missing_ledger_has_no_entries(tmp_path):
    assert Ledger(str(tmp_path / "none.jsonl")).entries() == []


def test_torn_last_line_is_ignored(ledger):
    ledger.record(build="a", kind="fake", name="one")
    with open(ledger.path, "a") as handle:
        handle.write('{"op": "rec')
    assert [e["name"] for e in ledger.entries()] == ["one"]


def test_sweep_removes_newest_first_and_reports_failures(ledger):
    for name in ("first", "broken", "last"):
        ledger.record(build="a", kind="fake", name=name)
    ledger.record(build="a", kind="unknown-kind", name="mystery")
    errors = ledger.sweep()
    assert removed == ["last", "first"]
    assert any("engine said no" in e for e in errors)
    assert any("no cleaner for unknown-kind" in e for e in errors)
    assert sorted(e["name"] for e in ledger.entries()) == ["broken", "mystery"]


def test_ledger_file_is_private(ledger):
    import os
    import stat

    ledger.record(build="a", kind="fake", name="one")
    assert stat.S_IMODE(os.stat(ledger.path).st_mode) == 0o600


# --- run ownership: which runs are dead, and sweeping them --------------------------------


def _run_dir(root, name):
    path = root / f"{ledger_mod.RUN_DIR_PREFIX}{name}"
    path.mkdir()
    return path


def _dead_pid():
    """The pid of a process that has ended and been reaped."""
    import subprocess

    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_a_run_owned_by_a_live_process_is_live(tmp_path):
    run = _run_dir(tmp_path, "live")
    ledger_mod.claim_run_dir(str(run))
    assert ledger_mod.run_is_live(str(run))


def _claimed_run(tmp_path, name, **owner_changes):
    """A run directory claimed by this process, then with ``owner_changes`` written over its owner record
    (a callable value is applied to the recorded value)."""
    run = _run_dir(tmp_path, name)
    ledger_mod.claim_run_dir(str(run))
    owner = json.loads((run / "owner.json").read_text())
    for key, change in owner_changes.items():
        owner[key] = change(owner[key]) if callable(change) else change
    (run / "owner.json").write_text(json.dumps(owner))
    return run


def test_a_run_whose_owner_is_gone_is_dead(tmp_path):
    assert not ledger_mod.run_is_live(str(_claimed_run(tmp_path, "dead", pid=_dead_pid())))


def test_a_reused_pid_does_not_keep_a_run_alive(tmp_path):
    run = _claimed_run(tmp_path, "reused", start=lambda start: start - 1)  # same pid, another process
    assert not ledger_mod.run_is_live(str(run))


def test_a_run_from_before_a_reboot_is_dead(tmp_path):
    assert not ledger_mod.run_is_live(str(_claimed_run(tmp_path, "rebooted", boot="another-boot")))


def test_an_unclaimed_run_is_never_judged_dead(tmp_path):
    assert ledger_mod.run_is_live(str(_run_dir(tmp_path, "unclaimed")))


def test_sweep_dead_runs_empties_their_ledgers_and_deletes_them_and_spares_live_ones(tmp_path, monkeypatch):
    removed.clear()
    monkeypatch.setitem(cleaners.CLEANERS, "fake", fake_cleaner)
    live, dead = _run_dir(tmp_path, "live"), _run_dir(tmp_path, "dead")
    for run, name in ((live, "live-one"), (dead, "dead-one")):
        ledger_mod.claim_run_dir(str(run))
        Ledger(str(run / "ledger.jsonl")).record(build="b", kind="fake", name=name)
    (dead / "tmp").mkdir()
    (dead / "tmp" / "packer-shell123").write_text("echo inline script")
    owner = json.loads((dead / "owner.json").read_text())
    owner["pid"] = _dead_pid()
    (dead / "owner.json").write_text(json.dumps(owner))
    (tmp_path / "not-a-run").mkdir()

    reports = []
    errors = ledger_mod.sweep_dead_runs(str(tmp_path), report=lambda run, entry: reports.append(
        (os.path.basename(run), entry and entry["name"])))
    assert errors == []
    assert removed == ["dead-one"]
    assert reports == [(dead.name, "dead-one"), (dead.name, None)]
    assert not dead.exists()
    assert live.exists() and (tmp_path / "not-a-run").exists()


def test_a_dead_run_whose_cleanup_fails_keeps_its_directory_for_the_next_sweep(tmp_path, monkeypatch):
    monkeypatch.setitem(cleaners.CLEANERS, "fake", fake_cleaner)
    dead = _run_dir(tmp_path, "dead")
    (dead / "owner.json").write_text(json.dumps({"pid": _dead_pid(), "start": 1, "boot": ""}))
    Ledger(str(dead / "ledger.jsonl")).record(build="b", kind="fake", name="broken")
    errors = ledger_mod.sweep_dead_runs(str(tmp_path))
    assert len(errors) == 1 and "engine said no" in errors[0]
    assert dead.exists()


def test_excluded_runs_are_left_alone(tmp_path):
    dead = _run_dir(tmp_path, "mine")
    (dead / "owner.json").write_text(json.dumps({"pid": _dead_pid(), "start": 1, "boot": ""}))
    assert ledger_mod.sweep_dead_runs(str(tmp_path), exclude=(str(dead),)) == []
    assert dead.exists()


def test_the_cancel_marker_is_seen_from_any_file_of_the_run(tmp_path):
    plan = tmp_path / "plan.json"
    assert not ledger_mod.cancelled(str(plan))
    ledger_mod.cancel(str(tmp_path))
    assert ledger_mod.cancelled(str(plan)) and ledger_mod.cancelled(str(tmp_path / "ledger.jsonl"))
    assert not ledger_mod.cancelled("")


def test_cleaners_of_a_run_see_its_private_temp_dir(tmp_path):
    import tempfile

    run = _run_dir(tmp_path, "private")
    (run / "tmp").mkdir()
    before = tempfile.gettempdir()
    with ledger_mod.temp_dir_of(str(run)):
        assert tempfile.gettempdir() == str(run / "tmp")
    assert tempfile.gettempdir() == before


# -- Ledger.release_in_background: a removal that goes on while the build does, and the sweep that waits for it

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
        assert removed == []
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
        assert removed == ["volume"]
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
        assert removed == ["container"]
        assert ledger.entries() == []
    finally:
        _reap(pid)


def test_the_child_outlives_the_worker_that_started_it(ledger, tmp_path, monkeypatch):
    """Under cattle build every process forked below ansible-playbook is set to die with its parent;
    the removal must go on after the Ansible worker that started it has ended, however soon."""
    ledger.record(build="a", kind="fake", name="container")
    outlive = ledger_mod._outlive_parent

    def late_outlive():
        time.sleep(0.3)  # a child scheduled late: its parent must not end before it stops dying with it
        outlive()

    monkeypatch.setattr(ledger_mod, "_outlive_parent", late_outlive)
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
    assert removed == []
    assert ledger.entries() == []
