from __future__ import annotations

import pytest

from ansible_collections.cattle.images.plugins.module_utils import ledger as ledger_mod
from ansible_collections.cattle.images.plugins.module_utils.ledger import Ledger

removed = []


def fake_cleaner(entry):
    if entry["name"] == "broken":
        raise RuntimeError("engine said no")
    removed.append(entry["name"])


@pytest.fixture
def ledger(tmp_path, monkeypatch):
    removed.clear()
    monkeypatch.setitem(ledger_mod.CLEANERS, "fake", f"{__name__}:fake_cleaner")
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
