"""cattle build hands ansible-playbook the plan: the plan task's result and a host per build."""

from __future__ import annotations

import json

import yaml

from cattle_cli.commands import build as build_command
from tests.fixtures.plans import build, write_plan

OPTS = {"force": True, "on-error": "cleanup", "debug": False, "cache": True}


def test_the_playbook_gets_the_plan_result_and_a_host_per_build(tmp_path):
    plan_file = write_plan(tmp_path, build("docker"), build("vm-1.2", type_="qemu"))
    arguments = build_command._planned_run(str(plan_file), str(tmp_path), OPTS)
    assert arguments[0] == "-e" and arguments[2] == "-i"
    planned = json.loads((tmp_path / "planned.json").read_text())["cattle_plan"]
    assert arguments[1] == f"@{tmp_path / 'planned.json'}"
    assert planned["owns_run_dir"] is False and planned["plan_file"] == str(plan_file)
    assert planned["ledger"] == str(tmp_path / "ledger.jsonl")
    assert [entry["name"] for entry in planned["builds"]] == ["docker", "vm-1.2"]
    docker, vm = planned["builds"]
    assert docker["cache"] is True and vm["cache"] is False  # the step cache is docker's alone
    assert docker["force"] is True and docker["on_error"] == "cleanup" and len(docker["id"]) == 12
    inventory = yaml.safe_load((tmp_path / "inventory.yml").read_text())  # what the yaml inventory plugin reads
    hosts = inventory["cattle_builds"]["hosts"]
    assert list(hosts) == ["docker", "vm-1.2"]
    assert hosts["docker"]["cattle_build"] == docker  # the same entry (same build id) as the plan result's
    assert hosts["docker"]["ansible_connection"] == "local"
    assert (tmp_path / "inventory.yml").stat().st_mode & 0o777 == 0o600


def test_a_build_name_the_inventory_would_misread_leaves_the_planning_to_the_playbook(tmp_path):
    for name in ("web:8080", "node[1:2]", "two words"):
        directory = tmp_path / name.replace(" ", "_").replace(":", "_").replace("[", "_").replace("]", "_")
        directory.mkdir()
        plan_file = write_plan(directory, build("docker"), build(name, type_="docker"))
        assert build_command._planned_run(str(plan_file), str(directory), OPTS) == []
        assert not (directory / "inventory.yml").exists()
