"""Packer's pause_before / timeout / max_retries wrapping, on a provisioner that only counts."""

from __future__ import annotations

import pytest

from ansible_collections.cattle.images.plugins.module_utils.ui import Ui
from ansible_collections.cattle.images.plugins.plugin_utils import provisioner as provisioner_module
from ansible_collections.cattle.images.plugins.plugin_utils.context import BuildContext
from ansible_collections.cattle.images.plugins.plugin_utils.provisioner import ProvisionerAction, ProvisionError


class Scripted(ProvisionerAction):
    """Attempt n raises outcomes[n] (an error text) or succeeds (None); may sleep first."""

    PROVISIONER_TYPE = "scripted"

    def __init__(self, outcomes, sleep=0.0):  # no Ansible plumbing needed for the wrapping
        self.outcomes = list(outcomes)
        self.sleep = sleep
        self.attempts = 0
        self.cancelled = []

    def provision(self, config, context, ui, cancel):
        self.attempts += 1
        if self.sleep:
            self.cancelled.append(cancel.wait(self.sleep))
        outcome = self.outcomes[min(self.attempts, len(self.outcomes)) - 1]
        if isinstance(outcome, Exception):
            raise outcome
        if outcome:
            raise ProvisionError(outcome)


CONTEXT = BuildContext(build_name="b", build_type="null")


def run(action, pause_before=0.0, timeout=0.0, max_retries=0):
    ui = Ui()
    error = action._run_with_policies({}, CONTEXT, ui, pause_before, timeout, max_retries)
    return error, ui.lines


def test_success_runs_once():
    action = Scripted([None])
    assert run(action, max_retries=3) == (None, [])
    assert action.attempts == 1


def test_retries_are_immediate_and_report_the_first_error(monkeypatch):
    sleeps = []
    monkeypatch.setattr(provisioner_module.time, "sleep", sleeps.append)
    action = Scripted(["first", "second", "third"])
    error, lines = run(action, max_retries=2)
    assert sleeps == []  # no back-off between attempts, as in Packer
    assert error == "first"
    assert action.attempts == 3
    assert lines == [
        ["say", 'Provisioner failed with "first", retrying with 2 trie(s) left'],
        ["say", 'Provisioner failed with "first", retrying with 1 trie(s) left'],
        ["say", "retry limit reached."],
    ]


def test_a_retry_can_succeed():
    action = Scripted(["boom", None])
    assert run(action, max_retries=5) == (None, [["say", 'Provisioner failed with "boom", retrying with 5 trie(s) left']])


def test_no_retries_no_limit_message():
    assert run(Scripted(["boom"])) == ("boom", [])


def test_timeout_cancels(monkeypatch):
    monkeypatch.setattr(provisioner_module, "CANCEL_GRACE_SECONDS", 2.0)
    action = Scripted([None], sleep=60)
    error, lines = run(action, timeout=0.2)
    assert "200ms timeout" in error
    assert lines == [["say", "Setting a 200ms timeout for the next provisioner..."],
                     ["error", "Cancelling provisioner after a timeout..."]]
    # The provisioner was told to stop and had stopped when the wrapper returned: its 60 s wait
    # ended early because of the cancel, within the grace period.
    assert action.cancelled == [True]


def test_pause_before_disables_timeout():
    action = Scripted([None], sleep=0.5)
    error, lines = run(action, pause_before=0.1, timeout=0.1)
    assert error is None
    assert lines == [["say", "Pausing 100ms before the next provisioner..."]]


def test_each_retry_pauses_again():
    action = Scripted(["x", None])
    error, lines = run(action, pause_before=0.05, max_retries=1)
    assert error is None
    assert [text for _kind, text in lines].count("Pausing 50ms before the next provisioner...") == 2


@pytest.mark.parametrize("exception, text", [
    (ValueError("bad value"), "ValueError: bad value"),
    (provisioner_module.UserError("config: wrong"), "config: wrong"),
])
def test_unexpected_exceptions_become_errors(exception, text):
    assert run(Scripted([exception]))[0] == text
