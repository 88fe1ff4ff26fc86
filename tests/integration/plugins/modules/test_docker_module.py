"""cattle.images.docker as Ansible runs it: one playbook on localhost, results read from the json callback."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid

import pytest
import yaml

from tests.fixtures.plans import build, write_plan

BASE_IMAGE = os.environ.get("CATTLE_BASE_IMAGE", "local/debian:bookworm")
VENV_BIN = os.path.dirname(sys.executable)
SECRET = "pa55-" + uuid.uuid4().hex[:8]
pytestmark = pytest.mark.docker


def run_playbook(tmp_path, tasks):
    playbook = tmp_path / "play.yml"
    playbook.write_text(yaml.safe_dump([{
        "hosts": "localhost", "gather_facts": False, "connection": "local",
        "vars": {"ansible_python_interpreter": "{{ ansible_playbook_python }}"},
        "tasks": tasks,
    }]))
    env = dict(os.environ, ANSIBLE_STDOUT_CALLBACK="json", ANSIBLE_NOCOLOR="1", ANSIBLE_LOCALHOST_WARNING="0")
    proc = subprocess.run([os.path.join(VENV_BIN, "ansible-playbook"), "-i", "localhost,", str(playbook)],
                          capture_output=True, text=True, env=env, cwd=str(tmp_path), timeout=240, check=False)
    report = json.loads(proc.stdout)
    results = {}
    for task in report["plays"][0]["tasks"]:
        results[task["task"]["name"]] = task["hosts"]["localhost"]
    return results, proc.stdout + proc.stderr


def no_traceback(result):
    # ansible-core 2.19 puts "(traceback unavailable)" in every failed result; a real one names Python frames.
    return "Traceback" not in str(result.get("exception", "")) and "File \"" not in str(result.get("exception", ""))


@pytest.fixture(scope="module")
def outcome(tmp_path_factory):
    import docker

    client = docker.from_env()
    tmp_path = tmp_path_factory.mktemp("module")
    build_id = "t" + uuid.uuid4().hex[:10]
    write_plan(tmp_path,
               build("exp", "docker", config={"image": BASE_IMAGE, "pull": False, "export_path": "exported.tar",
                                              "message": SECRET}),
               build("bad", "docker", config={"image": BASE_IMAGE, "commit": True, "discard": True, "colour": 1}),
               sensitive=[SECRET])
    plan_file, ledger = str(tmp_path / "plan.json"), str(tmp_path / "ledger.jsonl")
    common = {"build_id": build_id, "build_name": "exp"}
    background_build, background_ledger = {"build_id": build_id + "b", "build_name": "exp"}, str(tmp_path / "bg.jsonl")
    tasks = [
        {"name": "check", "cattle.images.docker": dict(common, state="started", plan_file=plan_file, build="exp", ledger=ledger),
         "check_mode": True},
        {"name": "exists after check", "ansible.builtin.command": f"docker ps -aq --filter label=cattle.build_id={build_id}",
         "changed_when": False},
        {"name": "start", "cattle.images.docker": dict(common, state="started", plan_file=plan_file, build="exp", ledger=ledger)},
        {"name": "start again", "cattle.images.docker": dict(common, state="started", plan_file=plan_file, build="exp", ledger=ledger)},
        {"name": "capture", "cattle.images.docker": dict(common, state="captured", plan_file=plan_file, build="exp")},
        {"name": "remove", "cattle.images.docker": dict(common, state="absent", ledger=ledger)},
        {"name": "remove again", "cattle.images.docker": dict(common, state="absent", ledger=ledger)},
        {"name": "start another", "cattle.images.docker": dict(
            background_build, state="started", plan_file=plan_file, build="exp", ledger=background_ledger)},
        {"name": "remove in the background", "cattle.images.docker": dict(
            background_build, state="absent", ledger=background_ledger, background=True)},
        {"name": "sweep", "cattle.images.sweep": {"ledger": background_ledger}},
        {"name": "exists after sweep", "changed_when": False,
         "ansible.builtin.command": f"docker ps -aq --filter label=cattle.build_id={build_id}b"},
        {"name": "bad config", "cattle.images.docker": dict(common, state="started", plan_file=plan_file, build="bad"),
         "ignore_errors": True},
        {"name": "dead daemon", "cattle.images.docker": dict(common, state="absent"),
         "environment": {"DOCKER_HOST": f"unix://{tmp_path}/none.sock"}, "ignore_errors": True},
        {"name": "windows", "ignore_errors": True, "cattle.images.docker": {
            "state": "started", "build_id": build_id + "w",
            "config": {"image": BASE_IMAGE, "pull": False, "commit": True, "windows_container": True}}},
        {"name": "login fails", "ignore_errors": True,
         "cattle.images.docker": {"state": "started", "build_id": build_id + "l", "config": {
             "image": BASE_IMAGE, "commit": True, "login": True, "login_server": "127.0.0.1:9",
             "login_username": "u", "login_password": SECRET}}},
    ]
    try:
        results, output = run_playbook(tmp_path, tasks)
    finally:
        for label in (build_id, build_id + "b"):
            for container in client.containers.list(all=True, filters={"label": f"cattle.build_id={label}"}):
                container.remove(force=True)
        for name in os.listdir(tempfile.gettempdir()):
            if name.startswith(f"cattle-docker-{build_id}"):
                shutil.rmtree(os.path.join(tempfile.gettempdir(), name), ignore_errors=True)
    return {"results": results, "output": output, "tmp": tmp_path, "build_id": build_id, "ledger": ledger,
            "background_ledger": background_ledger}


def test_check_mode_creates_nothing(outcome):
    check = outcome["results"]["check"]
    assert check["changed"] is True and check["source"]["container_id"] is None
    assert check["source"]["container_name"] == f"cattle-{outcome['build_id']}"
    assert outcome["results"]["exists after check"]["stdout"] == ""


def test_start_returns_the_source_and_is_idempotent(outcome):
    start, again = outcome["results"]["start"], outcome["results"]["start again"]
    assert start["changed"] is True and again["changed"] is False
    assert start["source"]["container_id"] == again["source"]["container_id"]
    assert start["source"]["container_dir"] == "/packer-files" and start["source"]["fix_upload_owner"] is True


def test_capture_exports_relative_to_the_plan_cwd(outcome):
    artifact = outcome["results"]["capture"]["artifact"]
    path = str(outcome["tmp"] / "exported.tar")
    assert artifact["builder_id"] == "packer.docker" and artifact["files"] == [path]
    assert os.path.getsize(path) > 1_000_000


def test_remove_then_remove_again(outcome):
    assert outcome["results"]["remove"]["changed"] is True
    assert outcome["results"]["remove again"]["changed"] is False
    from ansible_collections.cattle.images.plugins.module_utils.ledger import Ledger

    assert Ledger(outcome["ledger"]).entries() == []


def test_remove_in_the_background_is_done_by_a_child_the_sweep_waits_for(outcome):
    from ansible_collections.cattle.images.plugins.module_utils.ledger import Ledger

    results = outcome["results"]
    assert results["start another"]["changed"] is True
    assert results["remove in the background"]["changed"] is True
    ledger = Ledger(outcome["background_ledger"])
    [releasing] = [entry for entry in ledger._lines() if entry.get("op") == "releasing"]
    assert releasing["name"] == f"cattle-{outcome['build_id']}b" and releasing["pid"] > 0
    # The child released the container before the sweep looked: the sweep had nothing left to remove.
    assert results["sweep"]["removed"] == [] and results["sweep"].get("failed") is not True
    assert results["exists after sweep"]["stdout"] == ""
    assert ledger.entries() == []


def test_bad_config_names_the_plan_build_and_keys(outcome):
    bad = outcome["results"]["bad config"]
    assert bad["failed"] is True and no_traceback(bad)
    assert "plan.json: builds[bad]: " in bad["msg"]
    assert "unknown configuration key: 'colour'" in bad["msg"]
    assert "Cannot specify more than one of commit, discard, and export_path" in bad["msg"]


def test_dead_daemon_fails_in_one_paragraph(outcome):
    dead = outcome["results"]["dead daemon"]
    assert dead["failed"] is True and dead["msg"].startswith("Cannot reach the Docker daemon at unix://")
    assert "\n" not in dead["msg"] and no_traceback(dead) and "module_stderr" not in dead


def test_login_failure_hides_the_password(outcome):
    failed = outcome["results"]["login fails"]
    assert failed["failed"] is True and no_traceback(failed) and "log in to 127.0.0.1:9 as 'u'" in failed["msg"]
    assert SECRET not in outcome["output"]


def test_windows_containers_are_refused(outcome):
    windows = outcome["results"]["windows"]
    assert windows["failed"] is True and "this Docker daemon runs Linux containers" in windows["msg"]
