"""VM processes of a dead run found by their command line (no ledger): a real QEMU (``-machine
none``, so it is cheap) whose work dir lies in a dead run is stopped; a live run's, or one whose
work dir names no run, is left running."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
import uuid

import pytest

from ansible_collections.cattle.images.plugins.module_utils import process
from ansible_collections.cattle.images.plugins.module_utils.ledger import RUN_DIR_PREFIX
from ansible_collections.cattle.images.plugins.module_utils.orphans import stop_orphaned_vms

QEMU = shutil.which("qemu-system-x86_64")
pytestmark = pytest.mark.skipif(not QEMU, reason="qemu-system-x86_64 is not installed")


@pytest.fixture
def vms():
    """Start idle QEMUs whose -pidfile lies in a work dir under ``parent``; all stopped at the end."""
    started = []

    def start(parent):
        work = os.path.join(parent, "tmp", "cattle-qemu-" + uuid.uuid4().hex[:12])
        os.makedirs(work)
        pidfile = os.path.join(work, "qemu.pid")
        child = subprocess.Popen([QEMU, "-machine", "none", "-nodefaults", "-display", "none", "-S",  # noqa: S603
                                  "-pidfile", pidfile], stdin=subprocess.DEVNULL,
                                 stdout=subprocess.DEVNULL)
        started.append((child, parent))
        for _attempt in range(100):  # the pidfile is written once QEMU has set up: then its command line is readable
            if os.path.exists(pidfile) and process.find(pidfile):
                break
            time.sleep(0.05)
        assert process.find(pidfile) == [child.pid]
        return child, work

    yield start
    for child, parent in started:
        child.kill()
        child.wait()
        shutil.rmtree(parent, ignore_errors=True)


def test_a_dead_runs_qemu_is_stopped_and_its_work_dir_removed(vms):
    dead_run = tempfile.mkdtemp(prefix=RUN_DIR_PREFIX)
    child, work = vms(dead_run)

    stopped = stop_orphaned_vms(lambda run_dir: run_dir == dead_run)

    assert stopped == [work]
    assert child.wait(timeout=10) is not None
    assert not os.path.exists(work)


def test_a_live_runs_qemu_and_one_outside_any_run_keep_running(vms):
    live_run = tempfile.mkdtemp(prefix=RUN_DIR_PREFIX)
    live, live_work = vms(live_run)
    outside, outside_work = vms(tempfile.mkdtemp(prefix="sweep2-norun-"))

    stopped = stop_orphaned_vms(lambda run_dir: run_dir != live_run)

    assert live_work not in stopped and outside_work not in stopped
    assert live.poll() is None and outside.poll() is None
    assert os.path.isdir(live_work) and os.path.isdir(outside_work)
