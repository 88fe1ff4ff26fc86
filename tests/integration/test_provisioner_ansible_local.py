"""ansible-local for real: Debian's ansible-core inside a container, over the docker_api connection."""

from __future__ import annotations

import os
import sys
import uuid

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "plugins", "action"))
from provisioner_harness import in_container, run_tasks, ui_text, write_plan  # noqa: E402

from tests.fixtures.cm_images import ensure_cm_image  # noqa: E402

pytestmark = pytest.mark.docker

PLAYBOOK = """\
- hosts: all
  gather_facts: false
  roles: [motd]
  tasks:
    - name: group and host variables reach the play
      ansible.builtin.copy:
        dest: /etc/cattle-vars
        content: "{{ from_group }} {{ from_host }} {{ packer_build_name }} {{ packer_builder_type }} {{ extra }}\\n"
"""
SECOND = """\
- hosts: web
  gather_facts: false
  tasks:
    - ansible.builtin.command: touch /etc/cattle-second
"""
FLAKY = """\
- hosts: all
  gather_facts: false
  tasks:
    - ansible.builtin.shell: "test -e /tmp/flaky-marker || { touch /tmp/flaky-marker; exit 3; }"
"""


@pytest.fixture(scope="module")
def ansible_container():
    import docker

    client = docker.from_env()
    created = client.containers.run(ensure_cm_image("ansible"), ["sleep", "infinity"], detach=True,
                                    name=f"cattle-test-ansible-local-{uuid.uuid4().hex[:8]}", labels={"cattle.test": "1"})
    try:
        yield created
    finally:
        created.remove(force=True)
        client.close()


@pytest.fixture(scope="module")
def results(ansible_container, tmp_path_factory):
    directory = tmp_path_factory.mktemp("ansible-local")
    files = {
        "site.yml": PLAYBOOK, "second.yml": SECOND, "flaky.yml": FLAKY, "broken.yml": "- hosts: all\n  tasks: [{fail: {}}]\n",
        "roles/motd/tasks/main.yml": "- ansible.builtin.copy: {dest: /etc/motd, content: \"{{ motd_text }}\\n\"}\n",
        "roles/motd/defaults/main.yml": "motd_text: built by cattle\n",
        "group_vars/all.yml": "from_group: group-value\n",
        "host_vars/127.0.0.1.yml": "from_host: host-value\n",
    }
    for name, text in files.items():
        (directory / name).parent.mkdir(parents=True, exist_ok=True)
        (directory / name).write_text(text)
    provisioners = [
        # 0: role, group_vars, host_vars, extra_arguments, staging kept
        {"type": "ansible-local", "config": {
            "playbook_file": "site.yml", "role_paths": ["roles/motd"], "group_vars": "group_vars",
            "host_vars": "host_vars", "extra_arguments": ["--extra-vars", "extra=from-cli"],
            "staging_directory": "/tmp/cattle-stage"}},
        # 1: playbook_files in inventory groups; the staging directory removed
        {"type": "ansible-local", "config": {"playbook_files": ["second.yml"], "inventory_groups": ["web"],
                                             "staging_directory": "/tmp/cattle-stage-2", "clean_staging_directory": True}},
        # 2: a failing play fails the provisioner with Ansible's exit code
        {"type": "ansible-local", "config": {"playbook_file": "broken.yml"}},
        # 3: max_retries reruns the provisioner (the framework's policy), the second run succeeds
        {"type": "ansible-local", "config": {"playbook_file": "flaky.yml"}, "max_retries": 1},
    ]
    plan = write_plan(directory, provisioners)
    tasks = [{"cattle.images.ansible_local": {"plan_file": plan, "build": "docker", "step": i}} for i in range(4)]
    return run_tasks(directory, tasks, container_name=ansible_container.name, plan_file=plan)


def test_playbook_with_role_and_vars_really_applied(results, ansible_container):
    assert not results[0].get("failed"), results[0]
    assert in_container(ansible_container, "cat /etc/motd") == (0, "built by cattle\n")
    assert in_container(ansible_container, "cat /etc/cattle-vars")[1] == "group-value host-value docker docker from-cli\n"
    # Packer keeps the staging directory unless told otherwise.
    assert in_container(ansible_container, "ls /tmp/cattle-stage")[1].split() == [
        "group_vars", "host_vars", next(n for n in in_container(ansible_container, "ls /tmp/cattle-stage")[1].split()
                                        if n.startswith("packer-provisioner-ansible-local")), "roles", "site.yml"]
    messages = ui_text(results[0], "message")
    assert "Executing Ansible: cd /tmp/cattle-stage && ANSIBLE_FORCE_COLOR=1 PYTHONUNBUFFERED=1 ansible-playbook " \
           "/tmp/cattle-stage/site.yml --extra-vars \"packer_build_name=docker" in messages
    assert "PLAY RECAP" in messages


def test_playbook_files_with_inventory_groups_and_clean_staging(results, ansible_container):
    assert not results[1].get("failed"), results[1]
    assert in_container(ansible_container, "test -e /etc/cattle-second")[0] == 0
    assert in_container(ansible_container, "test -e /tmp/cattle-stage-2")[0] != 0


def test_failing_play(results):
    assert results[2]["failed"] is True
    assert results[2]["msg"] == "Error executing Ansible: Non-zero exit status: 2"


def test_max_retries(results):
    assert not results[3].get("failed"), results[3]
    assert 'Provisioner failed with "Error executing Ansible: Non-zero exit status: 2", retrying with 1 trie(s) left' \
        in ui_text(results[3], "say")
