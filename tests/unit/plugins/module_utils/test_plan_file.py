"""Reading one build of a plan file, checked to be of the type(s) a module serves."""

from __future__ import annotations

import json

import pytest

from ansible_collections.cattle.images.plugins.module_utils.plan_file import PlanError, read_plan_build


@pytest.fixture
def plan(tmp_path):
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({"cwd": "/w", "builds": [{"name": "a", "type": "virtualbox-ovf", "config": {}},
                                                        {"name": "d", "type": "docker", "config": {}}]}))
    return str(path)


def test_one_type(plan):
    build, whole = read_plan_build(plan, "a", "virtualbox-ovf")
    assert build["name"] == "a" and whole["cwd"] == "/w"
    with pytest.raises(PlanError, match=r"'a' in .* is a 'virtualbox-ovf' build, not virtualbox-iso$"):
        read_plan_build(plan, "a", "virtualbox-iso")


def test_any_of_several_types(plan):
    build, _plan = read_plan_build(plan, "a", ("virtualbox-iso", "virtualbox-ovf"))
    assert build["type"] == "virtualbox-ovf"
    with pytest.raises(PlanError, match=r"is a 'docker' build, not virtualbox-iso or virtualbox-ovf$"):
        read_plan_build(plan, "d", ("virtualbox-iso", "virtualbox-ovf"))


def test_missing_build_and_unreadable_plan(plan, tmp_path):
    with pytest.raises(PlanError, match="'x' is not in the plan"):
        read_plan_build(plan, "x", "docker")
    with pytest.raises(PlanError, match="cannot be read"):
        read_plan_build(str(tmp_path / "nothing.json"), "a", "docker")
