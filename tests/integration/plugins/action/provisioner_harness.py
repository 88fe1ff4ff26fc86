"""Shared by the provisioner/post-processor integration tests: a plan writer and a playbook runner.

The plugins are driven the way the build play drives them: a plan file, an inventory host
whose connection is community.docker.docker_api pointed at a container (the ``container``
fixture, in conftest.py), and tasks that name the plan's step. One ansible-playbook run
executes several tasks (each with ``ignore_errors``) and returns every task's result, read
from the ansible.posix.json callback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.fixtures import plans

VENV_BIN = os.path.dirname(sys.executable)
BASE_IMAGE = plans.BASE_IMAGE
BUILD_NAME = "docker"


def in_container(container, command):
    """(exit code, output) of ``sh -c command`` in the container."""
    code, output = container.exec_run(["sh", "-c", command])
    return code, output.decode("utf-8", errors="replace")


def write_plan(directory, provisioners=(), post_processors=(), sensitive=(), build_config=None,
               build_type="docker", cwd=None, run_uuid=plans.RUN_UUID):
    """A plan with one build; provisioners are ``{"type", "config", ...}`` entries (policies default to none)."""
    build = plans.build(
        BUILD_NAME, build_type,
        config=build_config or {"image": BASE_IMAGE, "commit": True, "pull": False},
        provisioners=[dict(plans.provisioner(entry["type"]), **entry) for entry in provisioners],
        post_processors=post_processors,
    )
    return plans.write_plan(directory, build, cwd=str(cwd or directory), template_dir=str(directory),
                            sensitive=sensitive, run_uuid=run_uuid)


def run_tasks(directory, tasks, container_name=None, plan_file=None, force=False, check=False, env=None):
    """Run ``tasks`` (task dicts) against the build host; every task's result, in order."""
    directory = str(directory)
    host_vars = {
        "cattle_build": {
            "name": BUILD_NAME, "type": "docker", "id": "test0001", "run_uuid": "11111111-2222-3333-4444-555555555555",
            "force": force, "plan_file": plan_file, "on_error": "cleanup", "debug": False,
        },
    }
    if container_name:
        host_vars.update(ansible_connection="community.docker.docker_api", ansible_host=container_name)
    else:
        host_vars.update(ansible_connection="local", ansible_python_interpreter=sys.executable)
    inventory = {"all": {"hosts": {"build": host_vars}}}
    playbook = [{
        "hosts": "build",
        "gather_facts": False,
        "tasks": [dict(task, ignore_errors=True) for task in tasks],
    }]
    inventory_path = os.path.join(directory, "inventory.json")
    playbook_path = os.path.join(directory, "playbook.json")
    with open(inventory_path, "w", encoding="utf-8") as handle:
        json.dump(inventory, handle)
    with open(playbook_path, "w", encoding="utf-8") as handle:
        json.dump(playbook, handle)
    run_env = dict(os.environ, ANSIBLE_STDOUT_CALLBACK="ansible.posix.json", ANSIBLE_NOCOLOR="1",
                   ANSIBLE_HOST_KEY_CHECKING="False", ANSIBLE_RETRY_FILES_ENABLED="False")
    run_env.update(env or {})
    command = [os.path.join(VENV_BIN, "ansible-playbook"), "-i", inventory_path, playbook_path]
    if check:
        command.append("--check")
    completed = subprocess.run(command, capture_output=True, text=True, env=run_env, cwd=directory, timeout=300,
                               stdin=subprocess.DEVNULL, start_new_session=True, check=False)  # no terminal, as in CI
    try:
        report = json.loads(completed.stdout)
    except ValueError:
        raise AssertionError(f"ansible-playbook output is not JSON:\n{completed.stdout}\n{completed.stderr}") from None
    results = [task["hosts"]["build"] for task in report["plays"][0]["tasks"]]
    assert len(results) == len(tasks), completed.stdout + completed.stderr
    return results


def ui_text(result, kind=None):
    """The ui lines of a result as one string (only lines of ``kind`` when given)."""
    return "\n".join(text for line_kind, text in result.get("ui", []) if kind is None or line_kind == kind)
