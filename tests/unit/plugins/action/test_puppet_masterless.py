"""The puppet-masterless provisioner's staging, command line and exit codes (fake connection)."""

from __future__ import annotations

import pytest
from fake_guest import FakeConnection, run_provisioner, ui_lines

STAGE = "/tmp/packer-puppet-masterless"


@pytest.fixture
def project(tmp_path):
    for path in ("site.pp", "manifests/a.pp", "modules/m/manifests/init.pp", "hiera.yaml"):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("# x\n")
    return tmp_path


def test_packers_default_command_with_modules_hiera_and_facts(project):
    connection = FakeConnection()
    config = {"manifest_file": str(project / "site.pp"), "module_paths": [str(project / "modules")],
              "hiera_config_path": str(project / "hiera.yaml"), "facter": {"role": "web", "b": "x"},
              "extra_arguments": ["--verbose", "--modulepath-is={{.ModulePath}}"]}
    result = run_provisioner("puppet_masterless", config, connection)
    assert not result.get("failed"), result
    command = (f"cd {STAGE} && FACTER_b='x' FACTER_packer_build_name='default' FACTER_packer_builder_type='docker' "
               f"FACTER_role='web' sudo -E puppet apply --detailed-exitcodes --modulepath='{STAGE}/module-0' "
               f"--hiera_config='{STAGE}/hiera.yaml' --verbose --modulepath-is={STAGE}/module-0 {STAGE}/manifests/site.pp")
    assert connection.commands[-1] == command
    assert connection.commands[:2] == [f"sudo mkdir -p '{STAGE}'", f"sudo chmod 0777 '{STAGE}'"]
    assert set(connection.uploads) == {f"{STAGE}/hiera.yaml", f"{STAGE}/module-0/m/manifests/init.pp",
                                       f"{STAGE}/manifests/site.pp"}
    assert ui_lines(result, "say") == ["Provisioning with Puppet..."]
    assert f"Running Puppet: {command}" in ui_lines(result, "message")


def test_manifest_directory_prevent_sudo_and_paths(project):
    connection = FakeConnection()
    config = {"manifest_file": str(project / "manifests"), "prevent_sudo": True, "staging_directory": "/st",
              "working_directory": "/wd", "puppet_bin_dir": "/opt/puppetlabs/bin", "clean_staging_directory": True}
    result = run_provisioner("puppet_masterless", config, connection)
    assert not result.get("failed"), result
    assert "/st/manifests/a.pp" in connection.uploads
    assert connection.commands[-2] == (
        "cd /wd && FACTER_packer_build_name='default' FACTER_packer_builder_type='docker' "
        "/opt/puppetlabs/bin/puppet apply --detailed-exitcodes /st/manifests")
    assert connection.commands[-1] == "rm -rf '/st'"
    assert not any(c.startswith("sudo") for c in connection.commands)


EXIT_CASES = [(0, False, False), (2, False, False), (4, False, True), (6, False, True), (1, True, False)]


@pytest.mark.parametrize(("code", "ignore", "failed"), EXIT_CASES)
def test_detailed_exit_codes(project, code, ignore, failed):
    connection = FakeConnection(exit_codes={"puppet apply": code})
    result = run_provisioner("puppet_masterless", {"manifest_file": str(project / "site.pp"),
                                                   "ignore_exit_codes": ignore}, connection)
    assert bool(result.get("failed")) is failed
    if failed:
        assert result["msg"] == f"Puppet exited with a non-zero exit status: {code}"


def test_custom_execute_command(project):
    connection = FakeConnection()
    config = {"manifest_file": str(project / "site.pp"), "facter": {"a": "1"},
              "execute_command": "{{.FacterVars}} {{if .Sudo}}sudo {{end}}puppet apply {{.ManifestFile}}"}
    run_provisioner("puppet_masterless", config, connection)
    assert connection.commands[-1] == (f"FACTER_a='1' FACTER_packer_build_name='default' "
                                       f"FACTER_packer_builder_type='docker' sudo puppet apply {STAGE}/manifests/site.pp")


def test_mistakes_and_windows_guests(project):
    result = run_provisioner("puppet_masterless", {"module_paths": [str(project / "site.pp")],
                                                   "hiera_config_path": str(project / "modules")}, FakeConnection())
    # Packer's order: hiera config, manifest dir, manifest file, module paths.
    assert result["msg"] == ("puppet-masterless provisioner: hiera_config_path must point to a file; "
                             "A manifest_file must be specified.; module_path[0] must point to a directory")
    result = run_provisioner("puppet_masterless", {"manifest_file": str(project / "site.pp"),
                                                   "guest_os_type": "Windows"}, FakeConnection())
    assert result["failed"] and "use a powershell provisioner" in result["msg"]


def test_check_mode(project):
    connection = FakeConnection()
    result = run_provisioner("puppet_masterless", {"manifest_file": str(project / "site.pp")}, connection,
                             check_mode=True)
    assert connection.commands == []
    assert ui_lines(result, "say")[0].startswith(f"Check mode: would run Puppet: cd {STAGE} && FACTER_")
