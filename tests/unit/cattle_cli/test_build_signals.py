"""`cattle build`'s signal handling: it acts in the handler itself, and says how ansible-playbook ended."""

from __future__ import annotations

import subprocess
import sys
from types import SimpleNamespace

import pytest

from cattle_cli.commands import build

# The handler kills every process below the one it runs in. Run in the test process itself, that
# is the test run's own servers too: under pytest-xdist it once took the worker's moto server.
HANDLER_SCRIPT = """
import signal, subprocess, sys
from ansible_collections.cattle.images.plugins.module_utils import ledger
from cattle_cli.commands import build
run_dir = sys.argv[1]
child = subprocess.Popen(["sleep", "60"])
interrupted = build._Interrupted(run_dir)
assert not interrupted and not interrupted.cancel()
interrupted(signal.SIGTERM, None)
# No polling needed: by the time the handler returns, the marker is set and the child is gone.
assert ledger.cancelled(run_dir + "/plan.json")
assert child.poll() == -signal.SIGKILL, child.poll()
assert interrupted and interrupted.cancel()
print("handled")
"""


def test_the_handler_sets_the_cancel_marker_and_stops_the_tree_at_once(tmp_path):
    completed = subprocess.run([sys.executable, "-c", HANDLER_SCRIPT, str(tmp_path)], capture_output=True,
                               text=True, timeout=60, check=False)
    assert completed.returncode == 0 and completed.stdout == "handled\n", completed.stdout + completed.stderr


@pytest.mark.parametrize("rc, expected", [
    (None, "ansible-playbook was killed by a signal"),
    (-9, "ansible-playbook was killed by SIGKILL"),
    (137, "ansible-playbook was killed by SIGKILL"),
    (143, "ansible-playbook was killed by SIGTERM"),
])
def test_a_killed_playbook_is_named(rc, expected):
    assert expected in build._abnormal_end(SimpleNamespace(rc=rc))


@pytest.mark.parametrize("rc", [0, 1, 2, 4, 8, 99])
def test_ansible_playbooks_own_exit_statuses_need_no_explanation(rc):
    assert build._abnormal_end(SimpleNamespace(rc=rc)) is None
