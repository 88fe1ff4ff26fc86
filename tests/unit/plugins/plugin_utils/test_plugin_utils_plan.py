"""Reading the plan from action plugins."""

from __future__ import annotations

import json

import pytest

from ansible_collections.cattle.images.plugins.plugin_utils.plan import (
    PlanError,
    find_build,
    find_post_processor,
    find_provisioner,
    load_plan,
)

PLAN = {
    "run_uuid": "u",
    "sensitive_values": [],
    "builds": [
        {"name": "one", "type": "docker", "config": {},
         "provisioners": [{"type": "shell", "config": {"inline": ["a"]}}],
         "error_cleanup_provisioner": {"type": "shell-local", "config": {"command": "x"}},
         "post_processors": [[{"type": "manifest", "config": {}}, {"type": "checksum", "config": {}}]]},
        {"name": "two", "type": "null", "config": {}, "provisioners": [], "error_cleanup_provisioner": None,
         "post_processors": []},
    ],
}


@pytest.fixture
def plan_file(tmp_path):
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(PLAN))
    return str(path)


def test_load_and_find(plan_file):
    plan = load_plan(plan_file)
    assert find_build(plan, "two")["type"] == "null"
    assert find_provisioner(plan, "one", 0)["type"] == "shell"
    assert find_provisioner(plan, "one", "0")["type"] == "shell"
    assert find_provisioner(plan, "one", "error-cleanup")["type"] == "shell-local"
    assert find_post_processor(plan, "one", 0, 1)["type"] == "checksum"


@pytest.mark.parametrize("call, message", [
    (lambda p: find_build(p, "three"), "build 'three' is not in the plan (builds: 'one', 'two')"),
    (lambda p: find_provisioner(p, "one", 1), "build 'one' has 1 provisioner(s); step 1 does not exist"),
    (lambda p: find_provisioner(p, "one", "first"), "step must be an integer index, not 'first'"),
    (lambda p: find_provisioner(p, "two", "error-cleanup"), "build 'two' has no error-cleanup-provisioner"),
    (lambda p: find_post_processor(p, "one", 1, 0), "build 'one' has 1 post-processor chain(s); chain 1 does not exist"),
    (lambda p: find_post_processor(p, "one", 0, 2),
     "post-processor chain 0 of build 'one' has 2 step(s); index 2 does not exist"),
])
def test_wrong_references_are_explained(plan_file, call, message):
    with pytest.raises(PlanError) as caught:
        call(load_plan(plan_file))
    assert str(caught.value) == message


def test_unreadable_plans(tmp_path):
    with pytest.raises(PlanError, match="does not exist"):
        load_plan(str(tmp_path / "nope.json"))
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(PlanError, match="cannot be read as JSON"):
        load_plan(str(tmp_path / "bad.json"))
    (tmp_path / "list.json").write_text("[]")
    with pytest.raises(PlanError, match="is not a plan"):
        load_plan(str(tmp_path / "list.json"))
