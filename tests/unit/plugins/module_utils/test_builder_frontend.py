"""The builder front-end: plan → secrets → normalise → state → result, the same for every builder."""

from __future__ import annotations

import json
import os

import pytest

from ansible_collections.cattle.images.plugins.module_utils import ledger
from ansible_collections.cattle.images.plugins.module_utils.builder_frontend import (
    BUILD_ID_ARGUMENT,
    BuilderDriver,
    TaskFailed,
    run_task,
)
from ansible_collections.cattle.images.plugins.module_utils.errors import CattleError

SECRET = "s3cret-value"


class Broken(CattleError):
    pass


def make_driver(events):
    def normalize(raw, step):
        if raw.get("bad"):
            raise Broken(f"{step.where}: bad is bad")
        return dict(raw, normalized=True)

    def started(step):
        events.append(("started", step.config))
        step.ui.say("Starting")
        step.result.update(changed=True, source={"thing": step.build_id, "dir": "/somewhere"})

    def captured(step):
        events.append(("captured", step.source))
        if step.config.get("fail_capture"):
            raise Broken("capture went wrong")
        step.result["artifact"] = {"id": step.source["thing"]}

    def absent(step):
        events.append(("absent", step.source, step.config))
        step.result["changed"] = True

    return BuilderDriver(
        types=("fake", "fake-too"),
        states={"started": started, "captured": captured, "absent": absent},
        normalize=normalize,
        arguments=dict(BUILD_ID_ARGUMENT, type={"type": "str"}),
        secret_options=("password",),
        config_free_states=("absent",),
        begin=lambda step: events.append(("begin", step.state)),
        end=lambda step: events.append(("end", step.state)),
        build_name="fakebuild",
    )


def params(**given):
    base = {"state": "started", "build_id": "b1", "build_name": "fakebuild", "config": None, "plan_file": None,
            "build": None, "ledger": None, "type": None}
    return dict(base, **given)


@pytest.fixture
def plan_file(tmp_path):
    plan = {"cwd": str(tmp_path), "sensitive_values": [SECRET, ""], "builds": [
        {"name": "one", "type": "fake-too", "config": {"password": "pw1", "x": 1}},
        {"name": "bad", "type": "fake", "config": {"bad": True}},
        {"name": "nope", "type": "other", "config": {}},
    ]}
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    return str(path)


def run(driver, given, check_mode=False):
    hidden, warnings = [], []
    try:
        result = run_task(driver, given, check_mode, warnings.append, hidden.extend)
    except TaskFailed as exc:
        return {"failed": str(exc), **exc.result}, hidden
    return result, hidden


def test_the_argument_spec_is_the_common_one_plus_the_drivers():
    driver = make_driver([])
    spec = driver.argument_spec
    assert spec["state"] == {"type": "str", "choices": ["started", "captured", "absent"], "default": "started"}
    assert spec["build_name"]["default"] == "fakebuild"
    assert set(spec) == {"state", "build_name", "config", "plan_file", "build", "ledger", "build_id", "type"}
    assert driver.required_if == [("state", "started", ("config", "plan_file"), True),
                                  ("state", "captured", ("config", "plan_file"), True)]


def test_plan_config_is_read_secrets_hidden_and_normalised(plan_file):
    events = []
    result, hidden = run(make_driver(events), params(plan_file=plan_file, build="one"))
    assert "failed" not in result
    assert set(hidden) == {SECRET, "pw1"}  # the plan's sensitive values and the builder's secret options
    assert events[0] == ("begin", "started")
    assert events[1] == ("started", {"password": "pw1", "x": 1, "normalized": True})
    assert events[2] == ("end", "started")
    assert result["ui"] == [["say", "Starting"]] and result["changed"] is True


def test_the_type_comes_from_the_plan(plan_file):
    seen = []
    driver = make_driver([])
    driver.states["started"] = lambda step: seen.append(step.type)
    run(driver, params(plan_file=plan_file, build="one"))
    assert seen == ["fake-too"]


def test_a_bad_config_names_the_plan_build_and_runs_no_state(plan_file):
    events = []
    result, _hidden = run(make_driver(events), params(plan_file=plan_file, build="bad"))
    assert result["failed"] == f"{plan_file}: builds[bad]: bad is bad"
    assert events == []


def test_without_a_plan_the_config_is_named_by_the_builder_type():
    result, _hidden = run(make_driver([]), params(config={"bad": True}))
    assert result["failed"] == "fake builder: bad is bad"


def test_a_build_of_another_type_is_refused(plan_file):
    result, _hidden = run(make_driver([]), params(plan_file=plan_file, build="nope"))
    assert "is a 'other' build, not fake or fake-too" in result["failed"]


def test_the_launchs_source_reaches_capture_and_cleanup_through_the_state_file(plan_file, tmp_path):
    events = []
    driver = make_driver(events)
    led = str(tmp_path / "ledger.jsonl")
    run(driver, params(plan_file=plan_file, build="one"))
    state_file = tmp_path / "build-b1.json"
    assert oct(os.stat(state_file).st_mode & 0o777) == "0o600"
    captured, _hidden = run(driver, params(state="captured", plan_file=plan_file, build="one"))
    assert captured["artifact"] == {"id": "b1"}
    # Cleanup is given the ledger only (no config): the run directory is the same.
    cleaned, _hidden = run(driver, params(state="absent", ledger=led))
    assert ("absent", {"thing": "b1", "dir": "/somewhere"}, None) in events
    assert cleaned["changed"] is True and not state_file.exists()


def test_check_mode_keeps_no_state(plan_file, tmp_path):
    run(make_driver([]), params(plan_file=plan_file, build="one"), check_mode=True)
    assert not (tmp_path / "build-b1.json").exists()


def test_a_failing_state_returns_its_result_and_still_ends(plan_file, tmp_path):
    events = []
    plan = json.loads(open(plan_file, encoding="utf-8").read())
    plan["builds"][0]["config"]["fail_capture"] = True
    (tmp_path / "plan.json").write_text(json.dumps(plan))
    result, _hidden = run(make_driver(events), params(state="captured", plan_file=plan_file, build="one"))
    assert result["failed"] == "capture went wrong" and result["ui"] == []
    assert events[-1] == ("end", "captured")


def test_no_capture_starts_once_the_run_is_cancelled(plan_file, tmp_path):
    events = []
    ledger.cancel(str(tmp_path))
    result, _hidden = run(make_driver(events), params(state="captured", plan_file=plan_file, build="one"))
    assert result["failed"] == ledger.CAPTURE_CANCELLED and result["artifact"] is None
    assert events == []


def test_options_left_out_of_a_task_config_stay_unset():
    # Ansible sets every suboption the task left out to None; the builder must not see them.
    events = []
    result, _hidden = run(make_driver(events), params(config={"x": 1, "password": None}))
    assert "failed" not in result
    assert events[1] == ("started", {"x": 1, "normalized": True})
