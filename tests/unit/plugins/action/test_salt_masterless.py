"""The salt-masterless provisioner's commands, in Packer's order and words (fake connection)."""

from __future__ import annotations

import pytest
from fake_guest import FakeConnection, run_provisioner, ui_lines


@pytest.fixture
def project(tmp_path):
    for path in ("salt/top.sls", "pillar/top.sls", "minion", "grains"):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("# x\n")
    return tmp_path


def test_packers_commands_for_state_tree_pillar_and_grains(project):
    connection = FakeConnection(exit_codes={"stat '/srv/salt'": 1})
    config = {"local_state_tree": str(project / "salt"), "local_pillar_roots": str(project / "pillar"),
              "grains_file": str(project / "grains"), "skip_bootstrap": True}
    result = run_provisioner("salt_masterless", config, connection)
    assert not result.get("failed"), result
    assert [c for c in connection.commands if not c.startswith(("mkdir -p /", "chmod "))] == [
        "sudo mkdir -p '/tmp/salt'",
        "pwd",
        "sudo sudo mv 'grains' '/tmp/salt/grains'",
        "sudo mkdir -p '/etc/salt'",
        "sudo sudo mv '/tmp/salt/grains' '/etc/salt/grains'",
        "sudo sudo mv 'states' '/tmp/salt/states'",
        "sudo stat '/srv/salt'",
        "sudo rm -rf '/srv/salt'",
        "sudo sudo mv '/tmp/salt/states' '/srv/salt'",
        "sudo sudo mv 'pillar' '/tmp/salt/pillar'",
        "sudo stat '/srv/pillar'",
        "sudo sudo mv '/tmp/salt/pillar' '/srv/pillar'",
        "sudo salt-call --local  state.highstate --file-root=/srv/salt --pillar-root=/srv/pillar "
        "--retcode-passthrough -l info",
    ]
    # Uploads go to the bare names in the login directory (here "/": pwd said nothing).
    assert "/grains" in connection.uploads and "/states/top.sls" in connection.uploads
    assert ui_lines(result, "say") == ["Provisioning with Salt..."]
    assert ("Running: salt-call --local  state.highstate --file-root=/srv/salt --pillar-root=/srv/pillar "
            "--retcode-passthrough -l info") in ui_lines(result, "message")


def test_minion_config_custom_state_and_options(project):
    connection = FakeConnection()
    config = {"local_state_tree": str(project / "salt"), "minion_config": str(project / "minion"),
              "custom_state": "web", "log_level": "debug", "salt_call_args": "pillar='{x: 1}'", "disable_sudo": True,
              "no_exit_on_failure": True, "salt_bin_dir": "/opt/salt/bin", "skip_bootstrap": True}
    run_provisioner("salt_masterless", config, connection)
    assert connection.commands[-1] == "/opt/salt/bin/salt-call --local  state.sls web -l debug pillar='{x: 1}'"
    assert "mv 'minion' '/tmp/salt/minion'" in connection.commands
    assert not any(c.startswith("sudo") for c in connection.commands)


def test_bootstrap_failures_are_ignored_as_in_packer(project):
    connection = FakeConnection(exit_codes={"install_salt": 1})
    result = run_provisioner("salt_masterless", {"local_state_tree": str(project / "salt"),
                                                 "bootstrap_args": "-P stable"}, connection)
    assert not result.get("failed"), result
    assert connection.commands[:2] == [
        "curl -L https://bootstrap.saltstack.com -o /tmp/install_salt.sh || "
        "wget -O /tmp/install_salt.sh https://bootstrap.saltstack.com",
        "sudo sh /tmp/install_salt.sh -P stable"]


@pytest.mark.parametrize(("no_exit", "failed"), [(False, True), (True, False)])
def test_salt_call_exit_code(project, no_exit, failed):
    connection = FakeConnection(exit_codes={"salt-call": 2})
    result = run_provisioner("salt_masterless", {"local_state_tree": str(project / "salt"), "skip_bootstrap": True,
                                                 "no_exit_on_failure": no_exit}, connection)
    assert bool(result.get("failed")) is failed
    if failed:
        assert result["msg"] == "Error executing salt-call: Bad exit status: 2"


def test_mistakes(project):
    result = run_provisioner("salt_masterless", {"minion_config": str(project / "salt"), "remote_state_tree": "/x",
                                                 "formulas": ["https://github.com/x/y.git//y"]}, FakeConnection())
    assert result["msg"] == (
        "salt-masterless provisioner: local_state_tree cannot be empty; formulas: cattle does not download Salt "
        "formulas (the build has no network); put them into local_state_tree instead; "
        f"minion_config: path '{project}/salt' must point to a file; "
        "remote_state_tree and remote_pillar_roots only apply when minion_config is not used")
