"""The WinRM communicator and the Windows provisioners against our WS-Management server.

No Windows guest can run here: tests/fixtures/winrm_server.py answers real WinRS SOAP
traffic from Ansible's winrm connection (pywinrm), records every command and plays reboots.
Each playbook connects the build host the way a builder does (roles/communicator, connect).
"""

from __future__ import annotations

import re

import pytest

from tests.fixtures.playbook import run_on_build_host
from tests.fixtures.winrm_server import WinRMServer, decode_encoded_command

BUILD = {"name": "win", "type": "null", "id": "win0001", "run_uuid": "11111111-2222-3333-4444-555555555555",
         "force": False, "on_error": "cleanup", "debug": False}
PASSWORD = "Winrm-s3cret!"
ELEVATED_PASSWORD = "Elev-p4ss$word"


@pytest.fixture
def server():
    with WinRMServer(username="packer", password=PASSWORD) as running:
        yield running


def connect_tasks(server, **extra_config):
    server.answer_connect_probe()
    config = dict({"communicator": "winrm", "winrm_username": "packer", "winrm_password": PASSWORD,
                   "winrm_port": server.port, "winrm_timeout": "20s"}, **extra_config)
    return [{"name": "connect", "ansible.builtin.import_role": {"name": "cattle.images.communicator",
                                                                "tasks_from": "connect"},
             "vars": {"cattle_comm_config": config, "cattle_comm_host": "127.0.0.1",
                      "cattle_comm_retry_interval": 1}}]


def run_playbook(directory, tasks):
    results, completed = run_on_build_host(directory, BUILD, tasks)
    return results, completed.stdout + completed.stderr


def ui_text(result, kind=None):
    return "\n".join(text for k, text in result.get("ui", []) if kind is None or k == kind)


def cmd_lines(server):
    """The cmd.exe lines we sent (not Ansible's own PowerShell transfers)."""
    return [c.line for c in server.commands if c.script is None or c.line.startswith("powershell.exe")]


def test_connects_and_waits_like_packer(server, tmp_path):
    results, output = run_playbook(tmp_path, connect_tasks(server))
    wait = results["Wait for the communicator"]
    assert not wait.get("failed"), wait
    assert ui_text(wait) == "Waiting for WinRM to become available...\nConnected to WinRM!"
    probe = server.commands[0]
    assert probe.line.startswith("powershell.exe -EncodedCommand ")
    assert probe.script == ("if (Test-Path variable:global:ProgressPreference){$ProgressPreference='SilentlyContinue'};"
                            ' echo "WinRM connected."')
    assert PASSWORD not in output


def test_wrong_password_times_out_with_clear_error(server, tmp_path):
    tasks = connect_tasks(server, winrm_password="Wr0ng-Pa55", winrm_timeout="3s")
    results, output = run_playbook(tmp_path, tasks)
    wait = results["Wait for the communicator"]
    assert wait["failed"] is True and wait["msg"] == "Timeout waiting for WinRM."
    assert server.auth_failures >= 2
    assert "Wr0ng-Pa55" not in output


def test_powershell_inline_env_and_exact_command(server, tmp_path):
    server.add_rule(r"script-.*\.ps1", stdout="hello from ps\r\n")
    server.add_rule(r"packer-cleanup-.*\.ps1")
    tasks = connect_tasks(server) + [
        {"name": "ps", "cattle.images.powershell": {"config": {
            "inline": ["Write-Host hello", "exit 0"], "environment_vars": ["GREETING=it's $5 \"now\"", "A=1"],
            "remote_path": "c:/Windows/Temp/script-test.ps1",
            "remote_env_var_path": "c:/Windows/Temp/packer-ps-env-vars-test.ps1"}}},
    ]
    results, _output = run_playbook(tmp_path, tasks)
    ps = results["ps"]
    assert not ps.get("failed"), ps
    assert "Provisioning with Powershell..." in ui_text(ps, "say")
    assert "hello from ps" in ui_text(ps, "message")
    assert server.deleted["c:/windows/temp/script-test.ps1"] == b"Write-Host hello\nexit 0\n"
    assert server.deleted["c:/windows/temp/packer-ps-env-vars-test.ps1"].decode() == (
        '$env:A="1"; $env:GREETING="it`\'s `$5 `"now`""; $env:PACKER_BUILDER_TYPE="null"; '
        '$env:PACKER_BUILD_NAME="win"; ')
    expected = ('powershell -executionpolicy bypass "& { if (Test-Path variable:global:ProgressPreference)'
                "{set-variable -name variable:global:ProgressPreference -value 'SilentlyContinue'};"
                ". c:/Windows/Temp/packer-ps-env-vars-test.ps1; &'c:/Windows/Temp/script-test.ps1'; "
                'exit $LastExitCode }"')
    assert expected in cmd_lines(server)
    # Packer's self-deleting clean-up script runs last and removes what was uploaded.
    cleanup = [path for path in server.deleted if "packer-cleanup-" in path]
    assert len(cleanup) == 1
    text = server.deleted[cleanup[0]].decode()
    assert "if (Test-Path c:/Windows/Temp/script-test.ps1) {Remove-Item c:/Windows/Temp/script-test.ps1}" in text
    assert cmd_lines(server)[-1].endswith(f"&'{cleanup[0].replace('c:/windows/temp', 'c:/Windows/Temp')}'; "
                                          'exit $LastExitCode }"')
    assert not ui_text(ps, "error")
    # The clean-up script ran: the guest's temp directory holds only the clean-up script... which removed itself.
    assert server.temp_files() == []


def test_powershell_options_change_the_command(server, tmp_path):
    script = tmp_path / "setup.ps1"
    script.write_text("Write-Output setup\n")
    server.add_rule(r"c:/t/[abc]\.ps1")
    tasks = connect_tasks(server) + [
        {"name": "policy", "cattle.images.powershell": {"config": {
            "script": str(script), "execution_policy": "remotesigned", "debug_mode": 1, "skip_clean": True,
            "remote_path": "c:/t/a.ps1", "remote_env_var_path": "c:/t/env.ps1"}}},
        {"name": "nopolicy", "cattle.images.powershell": {"config": {
            "inline": ["x"], "execution_policy": "none", "skip_clean": True,
            "remote_path": "c:/t/b.ps1", "remote_env_var_path": "c:/t/env.ps1"}}},
        {"name": "custom", "cattle.images.powershell": {"config": {
            "inline": ["x"], "execute_command": "{% raw %}powershell -File {{.Path}} -Vars {{.Vars}}{% endraw %}", "skip_clean": True,
            "remote_path": "c:/t/c.ps1", "remote_env_var_path": "c:/t/env.ps1"}}},
        {"name": "bad", "cattle.images.powershell": {"config": {"inline": ["x"], "execution_policy": "sometimes"}}},
    ]
    results, _output = run_playbook(tmp_path, tasks)
    for name in ("policy", "nopolicy", "custom"):
        assert not results[name].get("failed"), results[name].get("msg")
    lines = cmd_lines(server)
    assert ('powershell -executionpolicy remotesigned "& { if (Test-Path variable:global:ProgressPreference)'
            "{set-variable -name variable:global:ProgressPreference -value 'SilentlyContinue'};Set-PsDebug -Trace 1;"
            ". c:/t/env.ps1; &'c:/t/a.ps1'; exit $LastExitCode }\"") in lines
    assert ("& { if (Test-Path variable:global:ProgressPreference){set-variable -name "
            "variable:global:ProgressPreference -value 'SilentlyContinue'};. c:/t/env.ps1; &'c:/t/b.ps1'; "
            "exit $LastExitCode }") in lines
    assert "powershell -File c:/t/c.ps1 -Vars c:/t/env.ps1" in lines
    assert not any("packer-cleanup" in path for path in server.files)  # skip_clean
    assert results["bad"]["failed"] is True and "Invalid execution policy provided" in results["bad"]["msg"]


def test_powershell_exit_codes(server, tmp_path):
    server.add_rule(r"fail\.ps1", stderr="boom\r\n", exit_code=3)
    tasks = connect_tasks(server) + [
        {"name": "fails", "cattle.images.powershell": {"config": {"inline": ["x"], "remote_path": "c:/t/fail.ps1"}}},
        {"name": "allowed", "cattle.images.powershell": {"config": {
            "inline": ["x"], "remote_path": "c:/t/fail.ps1", "valid_exit_codes": [0, 3]}}},
    ]
    results, _output = run_playbook(tmp_path, tasks)
    assert results["fails"]["failed"] is True
    assert results["fails"]["msg"] == "Script exited with non-zero exit status: 3.Allowed exit codes are: [0]"
    assert "boom" in ui_text(results["fails"], "error")
    assert not results["allowed"].get("failed"), results["allowed"]


def test_powershell_elevated_runs_a_scheduled_task_and_hides_the_password(server, tmp_path):
    server.add_rule(r"-file \"C:/Windows/Temp/packer-elevated-shell-[0-9a-f-]+\.ps1\"", stdout="win\\administrator\r\n")
    server.add_rule(r"packer-cleanup-")
    tasks = connect_tasks(server) + [
        {"name": "elevated", "cattle.images.powershell": {"config": {
            "inline": ["whoami"], "elevated_user": "Administrator", "elevated_password": ELEVATED_PASSWORD,
            "remote_path": "c:/t/e.ps1", "remote_env_var_path": "c:/t/env.ps1"}}},
        {"name": "halfway", "cattle.images.powershell": {"config": {
            "inline": ["whoami"], "elevated_password": ELEVATED_PASSWORD}}},
        {"name": "kept", "cattle.images.powershell": {"config": {
            "inline": ["whoami"], "elevated_user": "Administrator", "elevated_password": ELEVATED_PASSWORD,
            "skip_clean": True, "remote_path": "c:/t/k.ps1", "remote_env_var_path": "c:/t/env.ps1"}}},
    ]
    results, output = run_playbook(tmp_path, tasks)
    assert not results["elevated"].get("failed"), results["elevated"]
    assert not results["kept"].get("failed"), results["kept"]
    assert "win\\administrator" in ui_text(results["elevated"], "message")
    # The wrapper holds the elevated password: it deletes itself after the task, even with skip_clean
    # (Packer's rule); nothing of the elevated runs is left in the guest's temp directory.
    assert server.temp_files() == []
    wrappers = {path: data.decode() for path, data in server.deleted.items() if "packer-elevated-shell-" in path}
    assert len(wrappers) == 2
    path = sorted(wrappers)[0]
    wrapper = wrappers[path]
    assert 'RegisterTaskDefinition($name, $definition, 6, "Administrator", "Elev-p4ss`$word", 1, $null)' in wrapper
    assert "&amp; { if (Test-Path variable:global:ProgressPreference)" in wrapper  # the command, XML-escaped
    run_line = f'powershell -executionpolicy bypass -file "{path.replace("c:/windows/temp", "C:/Windows/Temp")}"'
    assert run_line in cmd_lines(server)
    assert all(ELEVATED_PASSWORD not in line and "p4ss" not in line for line in cmd_lines(server))
    assert ELEVATED_PASSWORD not in output and "p4ss" not in output
    assert results["halfway"]["msg"].endswith("Must supply an 'elevated_user' if 'elevated_password' provided")


def test_windows_shell(server, tmp_path):
    server.add_rule(r"script\.bat", stdout="batch ran\r\n")
    server.add_rule(r"other\.bat", exit_code=2)
    tasks = connect_tasks(server) + [
        {"name": "inline", "cattle.images.windows_shell": {"config": {
            "inline": ["echo %GREETING%", "dir"], "environment_vars": ["GREETING=hi there"]}}},
        {"name": "fails", "cattle.images.windows_shell": {"config": {"inline": ["x"], "remote_path": "c:/t/other.bat"}}},
        {"name": "custom", "cattle.images.windows_shell": {"config": {
            "inline": ["x"], "remote_path": "c:/t/other.bat", "valid_exit_codes": [2],
            "execute_command": '{% raw %}cmd /c "{{.Path}}" --flag{% endraw %}'}}},
    ]
    results, _output = run_playbook(tmp_path, tasks)
    assert not results["inline"].get("failed"), results["inline"]
    assert "batch ran" in ui_text(results["inline"])
    assert server.file("c:/Windows/Temp/script.bat") == b"echo %GREETING%\ndir\n"
    assert ('set "GREETING=hi there" && set "PACKER_BUILDER_TYPE=null" && set "PACKER_BUILD_NAME=win" && '
            '"c:/Windows/Temp/script.bat"') in cmd_lines(server)
    assert results["fails"]["msg"] == "Script exited with non-zero exit status: 2.Allowed exit codes are: [0]"
    assert not results["custom"].get("failed"), results["custom"].get("msg")
    assert 'cmd /c "c:/t/other.bat" --flag' in cmd_lines(server)


def test_windows_restart_waits_through_the_reboot(server, tmp_path):
    # Down longer than one check interval (5 s): the first check is refused, a later one answers.
    server.add_rule(re.escape('shutdown /r /f /t 0 /c "packer restart"'), reboot=6.0)
    server.add_rule(r"restarted\.", stdout="WIN-CATTLE restarted.\r\n")
    server.add_rule(re.escape('"c:/Windows/Temp/script.bat"'), stdout="back\r\n")
    tasks = connect_tasks(server) + [
        {"name": "restart", "cattle.images.windows_restart": {"config": {"restart_timeout": "60s"}}},
        {"name": "after", "cattle.images.windows_shell": {"config": {"inline": ["echo back"]}}},
    ]
    results, _output = run_playbook(tmp_path, tasks)
    restart = results["restart"]
    assert not restart.get("failed"), (restart.get("msg"), restart.get("ui"))
    assert server.reboots == 1 and len(server.returns) == 1
    says = ui_text(restart, "say")
    assert says.splitlines() == ["Restarting Machine", "Waiting for machine to restart...",
                                 "Machine successfully restarted, moving on"]
    assert "WIN-CATTLE restarted." in ui_text(restart, "message")
    lines = cmd_lines(server)
    assert 'shutdown /r /f /t 0 /c "packer restart"' in lines
    restart_at = [c.line for c in server.commands].index('shutdown /r /f /t 0 /c "packer restart"')
    checks = [i for i, c in enumerate(server.commands) if c.script and "restarted." in c.script]
    assert server.commands[checks[-1]].script == 'echo ("{0} restarted." -f [System.Net.Dns]::GetHostName())'
    # It waited through the reboot: the check that answered ran after the machine came back.
    assert restart_at < server.returns[0] <= checks[-1]
    assert not results["after"].get("failed"), results["after"]  # the connection came back for later steps


def test_windows_restart_probe_and_registry(server, tmp_path):
    """The machine does not go down at once: the probe restart is cancelled; a pending key keeps us waiting."""
    server.add_rule(re.escape('shutdown /r /f /t 60 /c "packer restart test"'), exit_code=0)
    server.add_rule(r"restarted\.", stdout="WIN restarted.\r\n")
    server.add_rule(r"RebootPending", stdout="True\r\n", times=1)
    server.add_rule(r"Test-Path", stdout="False\r\n")
    server.add_rule(re.escape("shutdown /r /t 5"))
    server.add_rule(re.escape("shutdown /a"))
    tasks = connect_tasks(server) + [
        {"name": "restart", "cattle.images.windows_restart": {"config": {
            "restart_command": "shutdown /r /t 5", "check_registry": True, "restart_timeout": "60s"}}},
    ]
    results, _output = run_playbook(tmp_path, tasks)
    assert not results["restart"].get("failed"), results["restart"]
    lines = cmd_lines(server)
    assert lines.index("shutdown /r /t 5") < lines.index('shutdown /r /f /t 60 /c "packer restart test"') \
        < lines.index("shutdown /a")
    registry_checks = [c.script for c in server.commands if c.script and c.script.startswith("Test-Path")]
    assert len(registry_checks) == 6  # two rounds of three keys: the first found RebootPending
    assert registry_checks[0] == ('Test-Path "HKLM:SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\'
                                  'Component Based Servicing\\RebootPending"')


def test_windows_restart_times_out_when_the_machine_never_returns(server, tmp_path):
    tasks = connect_tasks(server) + [
        {"name": "restart", "cattle.images.windows_restart": {"config": {"restart_timeout": "3s"}}},
    ]
    server.add_rule(re.escape('shutdown /r /f /t 0 /c "packer restart"'))
    original_reboot = server.reboot
    server.reboot = lambda seconds, forever=False: original_reboot(seconds, forever=True)
    server.rules[0].reboot = 1.0
    results, output = run_playbook(tmp_path, tasks)
    restart = results["restart"]
    assert restart["failed"] is True
    assert restart["msg"] == "Timeout waiting for machine to restart."
    assert "Timeout waiting for machine to restart." in ui_text(restart, "error")
    assert server.returns == []  # it gave up while the machine was still down
    assert PASSWORD not in output


def test_restart_command_failure(server, tmp_path):
    server.add_rule(r"shutdown /r /f /t 0", exit_code=5)
    results, _output = run_playbook(tmp_path, connect_tasks(server) + [
        {"name": "restart", "cattle.images.windows_restart": {"config": {}}}])
    assert results["restart"]["msg"] == "Restart script exited with non-zero exit status: 5"


def test_decode_encoded_command():
    assert decode_encoded_command("powershell.exe -EncodedCommand " + "dwBoAG8AYQBtAGkA") == "whoami"


def test_connect_waits_until_the_probe_says_connected(server, tmp_path):
    """A shell that answers exit 0 without "WinRM connected." (a guest still setting up) is not ready yet."""
    tasks = connect_tasks(server)
    server.add_rule(re.escape('echo "WinRM connected."'), stdout="\r\n", times=2, first=True)
    results, _output = run_playbook(tmp_path, tasks)
    wait = results["Wait for the communicator"]
    assert not wait.get("failed"), wait
    probes = [c for c in server.commands if c.script and "WinRM connected." in c.script]
    assert len(probes) == 3 and wait["attempts"] == 3


def test_unknown_commands_fail_on_the_stand_in(server, tmp_path):
    """The stand-in answers no rule with an error, as a guest answers a command it does not know."""
    results, _output = run_playbook(tmp_path, connect_tasks(server) + [
        {"name": "shell", "cattle.images.windows_shell": {"config": {"inline": ["x"]}}}])
    assert results["shell"]["msg"] == "Script exited with non-zero exit status: 1.Allowed exit codes are: [0]"
    assert "is not recognized" in ui_text(results["shell"], "error")


def test_realistic_guest_modes(server, tmp_path):
    """CLIXML on stderr, w:TimedOut long-polls, output over several Receives, the operations quota fault."""
    server.add_rule(r"script-modes\.ps1", stdout="one\r\ntwo\r\nthree\r\n", stderr="a real warning", clixml=True,
                    chunks=3)
    server.add_rule(r"packer-cleanup-")
    tasks = connect_tasks(server) + [
        {"name": "ps", "cattle.images.powershell": {"config": {
            "inline": ["Write-Output x"], "remote_path": "c:/Windows/Temp/script-modes.ps1"}}},
    ]
    server.timeouts = 2
    server.quota_faults = 1
    results, output = run_playbook(tmp_path, tasks)
    ps = results["ps"]
    assert not ps.get("failed"), ps
    assert ui_text(ps, "message").splitlines()[-3:] == ["one", "two", "three"]
    errors = ui_text(ps, "error")
    assert "a real warning" in errors
    assert "CLIXML" not in errors and "<Objs" not in errors and "Preparing modules" not in errors
    kinds = [kind for kind, _line in server.faults_sent]
    assert kinds[0] == "Quota" and kinds.count("TimedOut") >= 2
    assert server.temp_files() == []


def test_windows_restart_never_sends_the_restart_command_twice(server, tmp_path):
    """The guest took the command and went down before answering: waiting follows, not a second restart."""
    server.add_rule(re.escape('shutdown /r /f /t 0 /c "packer restart"'), reboot=3.0, lose_output=True)
    server.add_rule(r"restarted\.", stdout="WIN restarted.\r\n")
    results, _output = run_playbook(tmp_path, connect_tasks(server) + [
        {"name": "restart", "cattle.images.windows_restart": {"config": {"restart_timeout": "60s"}}}])
    restart = results["restart"]
    assert not restart.get("failed"), (restart.get("msg"), restart.get("ui"))
    assert [c.line for c in server.commands].count('shutdown /r /f /t 0 /c "packer restart"') == 1
    assert server.reboots == 1


def test_windows_restart_copes_with_a_guest_that_hangs_while_going_down(server, tmp_path):
    """Going down, the guest holds connections open without answering for longer than the client's read
    timeout (30 s): the client gives up on the hung request and asks again until the guest is back."""
    server.add_rule(re.escape('shutdown /r /f /t 0 /c "packer restart"'), reboot=50.0, hang=True)
    server.add_rule(r"restarted\.", stdout="WIN restarted.\r\n")
    results, _output = run_playbook(tmp_path, connect_tasks(server) + [
        {"name": "restart", "cattle.images.windows_restart": {"config": {"restart_timeout": "120s"}}}])
    restart = results["restart"]
    assert not restart.get("failed"), (restart.get("msg"), restart.get("ui"))
    assert server.hung_requests >= 2 and len(server.returns) == 1  # a hung request timed out, then another hung
    checks = [i for i, c in enumerate(server.commands) if c.script and "restarted." in c.script]
    assert checks[-1] >= server.returns[0]
