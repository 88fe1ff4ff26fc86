"""Detached processes found by their marker; the ledger's process cleaner; the KVM choice."""

from __future__ import annotations

import sys
import time

from ansible_collections.cattle.images.plugins.module_utils import process
from ansible_collections.cattle.images.plugins.module_utils.ledger import Ledger
from ansible_collections.cattle.images.plugins.module_utils.qemu import accel


def started(child, marker):
    """Wait until the child runs its own command line (a busy machine may take a moment)."""
    for _attempt in range(800):  # up to 20 s: under load a fresh interpreter can be slow to exec
        if process.alive(child.pid, marker):
            return child
        time.sleep(0.025)
    raise AssertionError(f"{marker} did not start")


def test_spawn_find_and_stop(tmp_path):
    marker = str(tmp_path / "marker-abc")
    child = process.spawn([sys.executable, "-c", "import time; time.sleep(60)", marker], str(tmp_path / "log"))
    try:
        started(child, marker)
        assert process.find(marker) == [child.pid]
        assert process.alive(child.pid, marker)
        assert not process.alive(child.pid, "another-marker")  # a reused pid is not ours
        assert process.stop(marker, pid=child.pid, grace=2) is True
        child.wait(timeout=5)
        assert process.find(marker) == []
        assert process.stop(marker) is False
    finally:
        if child.poll() is None:
            child.kill()


def test_a_process_that_ignores_term_is_killed(tmp_path):
    marker = str(tmp_path / "stubborn")
    code = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); open(%r, 'w').close(); time.sleep(60)"
    ready = tmp_path / "ready"
    child = process.spawn([sys.executable, "-c", code % str(ready), marker], str(tmp_path / "log"))
    for _attempt in range(200):
        if ready.exists():
            break
        time.sleep(0.05)
    process.stop(marker, grace=0.3)
    assert child.wait(timeout=5) != 0


def test_the_ledger_cleaner_stops_a_recorded_process(tmp_path):
    marker = str(tmp_path / "swept")
    ledger = Ledger(str(tmp_path / "ledger.jsonl"))
    ledger.record(build="b", kind=process.LEDGER_KIND, name="p", marker=marker)
    child = started(process.spawn([sys.executable, "-c", "import time; time.sleep(60)", marker],
                                  str(tmp_path / "log")), marker)
    assert ledger.sweep() == []
    assert child.wait(timeout=20) is not None
    assert ledger.entries() == []
    # A second sweep of an already stopped process is fine too.
    ledger.record(build="b", kind=process.LEDGER_KIND, name="p", marker=marker, pid=child.pid)
    assert ledger.sweep() == []


def test_accelerator_choice():
    assert accel.choose("kvm") == ("kvm", "")
    assert accel.choose("", probe=lambda binary: (True, "ok"))[0] == "kvm"
    chosen, note = accel.choose("", probe=lambda binary: (False, "it hangs"))
    assert chosen == "tcg" and "it hangs" in note


def test_the_probe_boot_sector_is_one_sector():
    assert len(accel._BOOT_SECTOR) == 512 and accel._BOOT_SECTOR.endswith(b"\x55\xaa")
