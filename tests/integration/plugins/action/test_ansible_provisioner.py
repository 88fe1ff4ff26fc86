"""The ansible provisioner: the user's playbook and roles run natively against the build container."""

from __future__ import annotations

import json
import tarfile

import pytest
from provisioner_harness import in_container, run_tasks, ui_text, write_plan

pytestmark = pytest.mark.docker

PLAYBOOK = """
- hosts: builders
  gather_facts: false
  tasks:
    - name: Where am I
      ansible.builtin.command: cat /etc/hostname
      register: where
    - ansible.builtin.copy:
        dest: /tmp/from-ansible.json
        content: "{{ {'build': packer_build_name, 'type': packer_builder_type, 'extra': extra_value,
                      'alias': inventory_hostname, 'groups': group_names, 'hostname': where.stdout,
                      'env': lookup('env', 'CATTLE_TEST_ENV')} | to_json }}"
  roles:
    - local_role
    - galaxy_role
"""


def _role(root, name, tasks):
    (root / name / "tasks").mkdir(parents=True)
    (root / name / "tasks" / "main.yml").write_text(tasks)
    (root / name / "meta").mkdir()
    (root / name / "meta" / "main.yml").write_text(
        "galaxy_info:\n  author: t\n  description: t\n  license: MIT\n  min_ansible_version: '2.9'\n"
        "  platforms: []\ndependencies: []\n"
    )


@pytest.fixture(scope="module")
def ansible_run(container, tmp_path_factory):
    directory = tmp_path_factory.mktemp("ansible")
    (directory / "site").mkdir()
    (directory / "site" / "playbook.yml").write_text(PLAYBOOK)
    _role(directory / "site" / "roles", "local_role",
          "- ansible.builtin.file:\n    path: /tmp/from-local-role\n    state: touch\n")
    # A role installed with ansible-galaxy from a local archive (no Galaxy server is reachable).
    _role(directory / "galaxy-src", "galaxy_role",
          "- ansible.builtin.copy:\n    dest: /tmp/from-galaxy-role\n    content: galaxy\n")
    with tarfile.open(directory / "galaxy_role.tar.gz", "w:gz") as archive:
        archive.add(directory / "galaxy-src" / "galaxy_role", arcname="galaxy_role")
    (directory / "requirements.yml").write_text(
        f"- src: file://{directory}/galaxy_role.tar.gz\n  name: galaxy_role\n"
    )
    (directory / "inventories").mkdir()
    failing = directory / "failing.yml"
    failing.write_text("- hosts: all\n  gather_facts: false\n  tasks:\n    - ansible.builtin.command: /bin/false\n")
    provisioners = [
        {"type": "ansible", "config": {
            "playbook_file": "site/playbook.yml", "groups": ["builders", "web"], "empty_groups": ["nobody"],
            "extra_arguments": ["-e", "extra_value=from-extra-args"], "ansible_env_vars": ["CATTLE_TEST_ENV=env-ok"],
            "galaxy_file": "requirements.yml", "roles_path": "galaxy-roles",
            "inventory_directory": "inventories"}},
        {"type": "ansible", "config": {"playbook_file": str(failing), "skip_version_check": True}},
        {"type": "ansible", "config": {"playbook_file": "missing.yml"}},
        {"type": "ansible", "config": {"playbook_file": str(failing)}},
    ]
    plan = write_plan(directory, provisioners)
    tasks = [{"cattle.images.ansible": {"plan_file": plan, "build": "docker", "step": i}} for i in range(3)]
    tasks.append({"cattle.images.ansible": {"plan_file": plan, "build": "docker", "step": 3}, "check_mode": True})
    return directory, run_tasks(directory, tasks, container_name=container.name, plan_file=plan)


def test_playbook_and_roles_ran_in_the_container(ansible_run, container):
    directory, results = ansible_run
    result = results[0]
    assert not result.get("failed"), result["msg"] + "\n" + ui_text(result)
    code, output = in_container(container, "cat /tmp/from-ansible.json")
    assert code == 0, output
    facts = json.loads(output)
    assert facts["build"] == "docker" and facts["type"] == "docker"
    assert facts["extra"] == "from-extra-args"
    assert facts["alias"] == "default"
    assert sorted(facts["groups"]) == ["builders", "web"]
    assert facts["hostname"] == container.attrs["Config"]["Hostname"]
    assert facts["env"] == "env-ok"
    assert in_container(container, "test -e /tmp/from-local-role")[0] == 0
    assert in_container(container, "cat /tmp/from-galaxy-role")[1] == "galaxy"
    assert (directory / "galaxy-roles" / "galaxy_role").is_dir()


def test_output_and_ui(ansible_run):
    _directory, results = ansible_run
    text = ui_text(results[0])
    assert text.startswith("Provisioning with Ansible...")
    assert "Executing Ansible Galaxy: " in text
    assert "Executing Ansible: " in text and " -e packer_build_name=\"docker\" " in text
    assert "PLAY RECAP" in text


def test_temporary_inventory_is_removed(ansible_run):
    directory, _results = ansible_run
    assert list((directory / "inventories").iterdir()) == []


def test_failing_playbook(ansible_run):
    _directory, results = ansible_run
    assert results[1]["failed"] is True
    assert results[1]["msg"] == "Error executing Ansible: Non-zero exit status: exit status 2"
    assert "FAILED" in ui_text(results[1])


def test_missing_playbook_is_a_clear_error(ansible_run):
    directory, results = ansible_run
    assert results[2]["msg"] == (
        f"build 'docker', provisioners[2] (ansible): playbook_file: {directory}/missing.yml is invalid: "
        f"stat {directory}/missing.yml: no such file or directory"
    )


def test_check_mode(ansible_run):
    _directory, results = ansible_run
    assert not results[3].get("failed")
    assert "Check mode: would run: " in ui_text(results[3])
