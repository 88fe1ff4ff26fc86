"""Resources left on purpose (-on-error=abort, or abort at the -on-error=ask prompt): which ones
the final sweep keeps, and what of the run directory stays with them."""

from __future__ import annotations

import json
import os
import subprocess

from ansible_collections.cattle.images.plugins.module_utils import cleaners
from ansible_collections.cattle.images.plugins.module_utils import ledger as ledger_mod
from ansible_collections.cattle.images.plugins.module_utils.ledger import Ledger

_REMOVED = []


def _no_op(entry):
    _REMOVED.append(entry["name"])


def _names(entries):
    return [entry["name"] for entry in entries]


def test_builds_answered_abort_are_kept_and_the_others_removed(tmp_path):
    ledger = Ledger(str(tmp_path / "ledger.jsonl"))
    ledger.record(build="aborted", kind="fake", name="a-container")
    ledger.record(build="cleaned", kind="fake", name="c-container")
    ledger.record(build="aborted", kind="fake", name="a-key")
    ledger.keep_build("aborted")
    assert ledger.kept_builds() == {"aborted"}
    kept, to_remove = ledger.to_keep()
    assert _names(kept) == ["a-container", "a-key"]
    assert _names(to_remove) == ["c-container"]
    # The keep mark is not a resource.
    assert _names(ledger.entries()) == ["a-container", "c-container", "a-key"]


def test_abort_and_run_cleanup_provisioner_keep_every_build(tmp_path):
    ledger = Ledger(str(tmp_path / "ledger.jsonl"))
    ledger.record(build="one", kind="fake", name="x")
    ledger.record(build="two", kind="fake", name="y")
    kept, to_remove = ledger.to_keep("abort")
    assert _names(kept) == ["x", "y"] and to_remove == []
    assert ledger.to_keep("run-cleanup-provisioner") == (kept, [])
    assert ledger.to_keep("ask") == ([], ledger.entries())
    assert ledger.to_keep("cleanup") == ([], ledger.entries())


def test_sweep_of_some_entries_leaves_the_others_live(tmp_path, monkeypatch):
    _REMOVED.clear()
    monkeypatch.setitem(cleaners.CLEANERS, "fake", _no_op)
    ledger = Ledger(str(tmp_path / "ledger.jsonl"))
    ledger.record(build="a", kind="fake", name="keep-me")
    ledger.record(build="b", kind="fake", name="remove-me")
    ledger.keep_build("a")
    _kept, to_remove = ledger.to_keep()
    assert ledger.sweep(entries=to_remove) == []
    assert _REMOVED == ["remove-me"]
    assert _names(ledger.entries()) == ["keep-me"]


def _run_with_files(tmp_path):
    run = tmp_path / f"{ledger_mod.RUN_DIR_PREFIX}x"
    (run / "tmp" / "cattle-docker-b1-abc").mkdir(parents=True)
    (run / "tmp" / "cattle-docker-b1-abc" / "uploaded").write_text("kept")
    (run / "tmp" / "cattle-docker-b2-def").mkdir()
    (run / "tmp" / "packer-shell-1").write_text("inline script")
    (run / "runner" / "env").mkdir(parents=True)
    (run / "runner" / "env" / "extravars").write_text("{}")
    (run / "plan.json").write_text('{"sensitive_values": ["hunter2"]}')
    (run / "ledger.jsonl").write_text("")
    ledger_mod.claim_run_dir(str(run))
    return run


def test_a_kept_run_keeps_only_the_kept_resources_files(tmp_path):
    run = _run_with_files(tmp_path)
    kept_dir = str(run / "tmp" / "cattle-docker-b1-abc")
    kept = [{"kind": "docker_container", "name": "cattle-b1", "build": "b1", "temp_dir": kept_dir},
            {"kind": "ec2_key_pair", "name": "packer-1", "build": "b1"}]
    assert ledger_mod.keep_run_dir(str(run), kept) == str(run)
    left = sorted(os.path.relpath(os.path.join(top, name), run)
                  for top, dirs, files in os.walk(run) for name in dirs + files)
    assert left == ["kept.json", "tmp", "tmp/cattle-docker-b1-abc", "tmp/cattle-docker-b1-abc/uploaded"]
    assert json.loads((run / "kept.json").read_text()) == [os.path.realpath(kept_dir)]
    assert ledger_mod.is_kept(str(run))
    ledger_mod.discard_run_dir(str(run))
    assert run.exists()


def test_a_run_keeping_nothing_local_is_deleted(tmp_path):
    run = _run_with_files(tmp_path)
    outside = tmp_path / "cattle-docker-b1-out"
    outside.mkdir()
    kept = [{"kind": "docker_container", "name": "cattle-b1", "build": "b1", "temp_dir": str(outside)}]
    assert ledger_mod.keep_run_dir(str(run), kept) is None
    assert not run.exists()
    assert outside.exists()


def test_a_run_keeping_ec2_resources_stays_marked_kept(tmp_path):
    # Kept EC2 resources carry this run directory in their cattle.run tag: a sweep -region that
    # found it gone would take them for a lost run's leftovers.
    run = _run_with_files(tmp_path)
    kept = [{"kind": "ec2_instance", "name": "cattle-b1", "build": "b1", "region": "us-east-1"}]
    assert ledger_mod.keep_run_dir(str(run), kept) == str(run)
    assert ledger_mod.is_kept(str(run))
    assert sorted(os.listdir(run)) == ["kept.json"]


def test_no_sweep_touches_a_kept_run(tmp_path, monkeypatch):
    monkeypatch.setitem(cleaners.CLEANERS, "fake", _no_op)
    run = _run_with_files(tmp_path)
    Ledger(str(run / "ledger.jsonl")).record(build="b1", kind="fake", name="kept")
    ledger_mod.keep_run_dir(str(run), [{"kind": "docker_container", "name": "c", "build": "b1",
                                        "temp_dir": str(run / "tmp" / "cattle-docker-b1-abc")}])
    # Its owner is long gone (keep_run_dir removed owner.json; pretend a dead one is there).
    proc = subprocess.Popen(["true"])
    proc.wait()
    (run / "owner.json").write_text(json.dumps({"pid": proc.pid, "start": 1, "boot": ""}))
    _REMOVED.clear()
    assert ledger_mod.sweep_dead_runs(str(tmp_path)) == []
    assert _REMOVED == []
    assert (run / "tmp" / "cattle-docker-b1-abc" / "uploaded").exists()


def test_local_files_of_each_kind():
    assert ledger_mod.local_files({"kind": "docker_container", "name": "c", "temp_dir": "/t/d"}) == ["/t/d"]
    assert ledger_mod.local_files({"kind": "process", "name": "p", "remove_paths": ["/a", "/b"]}) == ["/a", "/b"]
    assert ledger_mod.local_files({"kind": "qemu_output_directory", "name": "/out"}) == ["/out"]
    assert ledger_mod.local_files({"kind": "ec2_instance", "name": "i-1"}) == []
    assert ledger_mod.local_files({"kind": "docker_commit", "name": "sha256:1"}) == []
