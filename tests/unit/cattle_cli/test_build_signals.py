"""`cattle build`'s signal handling: it acts in the handler itself, and says how ansible-playbook ended."""

from __future__ import annotations

import signal
import subprocess
from types import SimpleNamespace

import pytest

from ansible_collections.cattle.images.plugins.module_utils import ledger
from cattle_cli.commands import build


def test_the_handler_sets_the_cancel_marker_and_stops_the_tree_at_once(tmp_path):
    child = subprocess.Popen(["sleep", "60"])
    try:
        interrupted = build._Interrupted(str(tmp_path))
        assert not interrupted and not interrupted.cancel()
        interrupted(signal.SIGTERM, None)
        # No polling needed: by the time the handler returns, the marker is set and the child is gone.
        assert ledger.cancelled(str(tmp_path / "plan.json"))
        assert child.poll() == -signal.SIGKILL
        assert interrupted and interrupted.cancel()
    finally:
        if child.poll() is None:
            child.kill()
        child.wait()


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
