"""The ansible-local provisioner's staging, inventory, command lines and exit codes (fake connection)."""

from __future__ import annotations

import re

import pytest
from fake_guest import FakeConnection, run_provisioner, ui_lines

from tests.fixtures import plans

EXTRA_VARS = (' --extra-vars "packer_build_name=default packer_builder_type=docker '
              'packer_http_addr=ERR_HTTP_ADDR_NOT_IMPLEMENTED_BY_BUILDER -o IdentitiesOnly=yes" ')


@pytest.fixture
def project(tmp_path):
    (tmp_path / "site.yml").write_text("- hosts: all\n")
    (tmp_path / "second.yml").write_text("- hosts: all\n")
    for path in ("roles/web/tasks/main.yml", "group_vars/all.yml", "host_vars/127.0.0.1.yml", "books/extra/x.yml",
                 "pbdir/inside.yml", "pbdir/lib/helper.yml"):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("--- {}\n")
    (tmp_path / "requirements.yml").write_text("- src: ./roles/web\n")
    return tmp_path


def test_stages_everything_and_runs_packers_command_line(project):
    connection = FakeConnection()
    config = {
        "playbook_file": str(project / "site.yml"), "staging_directory": "/tmp/stage",
        "role_paths": [str(project / "roles/web")], "group_vars": str(project / "group_vars"),
        "host_vars": str(project / "host_vars"), "playbook_paths": [str(project / "books/extra")],
        "extra_arguments": ["-e", "x=1", "-v"], "inventory_groups": ["web", "db"],
    }
    result = run_provisioner("ansible_local", config, connection)
    assert not result.get("failed"), result
    (inventory,) = [path for path in connection.uploads if "packer-provisioner-ansible-local" in path]
    assert re.fullmatch(r"/tmp/stage/packer-provisioner-ansible-local\w+", inventory)
    assert connection.uploads[inventory] == "[web]\n127.0.0.1\n[db]\n127.0.0.1\n"
    assert set(connection.uploads) == {
        "/tmp/stage/site.yml", inventory, "/tmp/stage/group_vars/all.yml", "/tmp/stage/host_vars/127.0.0.1.yml",
        "/tmp/stage/roles/web/tasks/main.yml", "/tmp/stage/playbooks/extra/x.yml"}
    command = ("cd /tmp/stage && ANSIBLE_FORCE_COLOR=1 PYTHONUNBUFFERED=1 ansible-playbook /tmp/stage/site.yml"
               + EXTRA_VARS + f"-e x=1 -v -c local -i {inventory}")
    assert connection.commands[0] == "mkdir -p '/tmp/stage'"
    assert connection.commands[-1] == command
    assert f"Executing Ansible: {command}" in ui_lines(result, "message")
    assert ui_lines(result, "say") == ["Provisioning with Ansible..."]
    # Packer leaves the staging directory unless clean_staging_directory is true.
    assert not any(c.startswith("rm -rf") for c in connection.commands)


def test_default_staging_directory_is_packers_with_a_time_ordered_uuid(project):
    connection = FakeConnection()
    run_provisioner("ansible_local", {"playbook_file": str(project / "site.yml")}, connection)
    assert re.fullmatch(r"mkdir -p '/tmp/packer-provisioner-ansible-local/[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}'",
                        connection.commands[0])


def test_inventory_file_and_command_and_clean_staging(project):
    (project / "hosts").write_text("[x]\n127.0.0.1\n")
    connection = FakeConnection()
    config = {"playbook_file": str(project / "site.yml"), "staging_directory": "/st", "command": "my-playbook",
              "inventory_file": str(project / "hosts"), "clean_staging_directory": True}
    result = run_provisioner("ansible_local", config, connection)
    assert not result.get("failed"), result
    assert connection.uploads["/st/hosts"] == "[x]\n127.0.0.1\n"
    assert connection.commands[-2] == "cd /st && my-playbook /st/site.yml" + EXTRA_VARS + " -c local -i /st/hosts"
    assert connection.commands[-1] == "rm -rf '/st'"
    assert ui_lines(result, "message")[-2:] == ["Removing staging directory...", "Removing directory: /st"]


def test_playbook_files_inside_and_outside_playbook_dir(project):
    """Packer's staging: playbook_dir becomes the staging directory; a file outside it keeps its full path."""
    connection = FakeConnection()
    outside = str(project / "second.yml")
    config = {"playbook_files": [str(project / "pbdir/inside.yml"), outside],
              "playbook_dir": str(project / "pbdir"), "staging_directory": "/st"}
    result = run_provisioner("ansible_local", config, connection)
    assert not result.get("failed"), result
    assert "/st/lib/helper.yml" in connection.uploads and "/st/inside.yml" in connection.uploads
    assert f"/st{outside}" in connection.uploads
    runs = [c for c in connection.commands if "ansible-playbook" in c]
    assert [c.split()[6] for c in runs] == ["/st/inside.yml", f"/st{outside}"]


def test_galaxy_runs_before_the_playbook(project):
    connection = FakeConnection()
    config = {"playbook_file": str(project / "site.yml"), "galaxy_file": str(project / "requirements.yml"),
              "staging_directory": "/st"}
    run_provisioner("ansible_local", config, connection)
    galaxy = "cd /st && ansible-galaxy install -r /st/requirements.yml -p /st/roles"
    assert galaxy in connection.commands
    assert connection.commands.index(galaxy) < len(connection.commands) - 1


@pytest.mark.parametrize(("code", "message"), [
    (2, "Error executing Ansible: Non-zero exit status: 2"),
    (127, "Error executing Ansible: ANSIBLE_FORCE_COLOR=1 PYTHONUNBUFFERED=1 ansible-playbook could not be found. "
          "Verify that it is available on the\nPATH after connecting to the machine."),
])
def test_exit_codes(project, code, message):
    connection = FakeConnection(exit_codes={"ansible-playbook": code})
    result = run_provisioner("ansible_local", {"playbook_file": str(project / "site.yml"), "staging_directory": "/st",
                                               "clean_staging_directory": True}, connection)
    assert result["failed"] is True
    assert result["msg"] == message
    assert "rm -rf '/st'" not in connection.commands


def test_a_failing_galaxy_stops_the_build(project):
    connection = FakeConnection(exit_codes={"ansible-galaxy": 1})
    result = run_provisioner("ansible_local", {"playbook_file": str(project / "site.yml"),
                                               "galaxy_file": str(project / "requirements.yml")}, connection)
    assert result["msg"] == "Error executing Ansible: Error executing Ansible Galaxy: Non-zero exit status: 1"
    assert not any("ansible-playbook" in c for c in connection.commands)


def test_configuration_mistakes_are_reported_together(project):
    connection = FakeConnection()
    result = run_provisioner("ansible_local", {"playbook_file": str(project / "site.yml"),
                                               "playbook_files": [str(project / "second.yml")],
                                               "group_vars": str(project / "site.yml"),
                                               "role_paths": [str(project / "missing")]}, connection)
    assert result["failed"] is True
    assert "Either playbook_file or playbook_files can be specified, not both" in result["msg"]
    assert f"group_vars: {project}/site.yml must point to a directory" in result["msg"]
    assert f"role_paths: {project}/missing is invalid: stat {project}/missing: no such file or directory" in result["msg"]
    assert connection.commands == []


def test_check_mode_runs_nothing(project):
    connection = FakeConnection()
    result = run_provisioner("ansible_local", {"playbook_file": str(project / "site.yml"), "staging_directory": "/st"},
                             connection, check_mode=True)
    assert connection.commands == [] and connection.uploads == {}
    assert ui_lines(result, "say")[0].startswith("Check mode: would run: cd /st && ANSIBLE_FORCE_COLOR=1")


def test_sensitive_values_are_masked_in_the_echoed_command(project):
    plan_file = plans.write_plan(project, plans.build("default", "docker", provisioners=[plans.provisioner(
        "ansible-local", {"playbook_file": "site.yml", "staging_directory": "/st",
                          "extra_arguments": ["-e", "token=hunter2-secret"]})]), sensitive=["hunter2-secret"])
    connection = FakeConnection()
    result = run_provisioner("ansible_local", None, connection, plan_file=plan_file, build="default", step=0)
    assert not result.get("failed"), result
    assert "hunter2-secret" in connection.commands[-1]  # the guest gets the value ...
    echoed = [line for line in ui_lines(result, "message") if line.startswith("Executing Ansible: ")]
    assert echoed and "hunter2-secret" not in str(result)  # ... the output does not
    assert "token=<sensitive>" in echoed[0]
