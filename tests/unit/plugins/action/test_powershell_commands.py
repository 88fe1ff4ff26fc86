"""The powershell provisioner's commands and files, as Packer 1.6.6 builds them (pure functions)."""

from __future__ import annotations

from ansible_collections.cattle.images.plugins.action.powershell import (
    default_execute_command,
    elevated_wrapper,
    flatten_ps_env,
)
from ansible_collections.cattle.images.plugins.plugin_utils.winrm import ps_escape

PROGRESS = ("& { if (Test-Path variable:global:ProgressPreference)"
            "{set-variable -name variable:global:ProgressPreference -value 'SilentlyContinue'};")


def test_default_execute_command():
    assert default_execute_command("bypass", 0) == (
        f'powershell -executionpolicy bypass "{PROGRESS}. {{{{.Vars}}}}; &\'{{{{.Path}}}}\'; exit $LastExitCode }}"')
    assert default_execute_command("none", 2) == (
        f"{PROGRESS}Set-PsDebug -Trace 2;. {{{{.Vars}}}}; &'{{{{.Path}}}}'; exit $LastExitCode }}")


def test_env_file_is_sorted_and_escaped():
    text = flatten_ps_env([("Z", "a$b"), ("A", 'q"`\'')], {"PACKER_BUILD_NAME": "b"})
    assert text == '$env:A="q`"```\'"; $env:PACKER_BUILD_NAME="b"; $env:Z="a`$b"; '
    assert ps_escape("plain") == "plain"


def test_elevated_wrapper_keeps_the_password_in_the_file_only():
    wrapper = elevated_wrapper('powershell "& { x }"', "Admin", "pa$$", "packer-task", "C:/Windows/Temp/w.ps1")
    assert 'RegisterTaskDefinition($name, $definition, 6, "Admin", "pa`$`$", 1, $null)' in wrapper
    assert '/c powershell "&amp; { x }" &gt; %SYSTEMROOT%/Temp/packer-task.out 2&gt;&amp;1' in wrapper
    service = elevated_wrapper("cmd", "SYSTEM", "", "t", "C:/Windows/Temp/w.ps1")
    assert '"SYSTEM", $null, 5, $null' in service and "<LogonType>ServiceAccount</LogonType>" in service
    assert "@" + "TASK_NAME@" not in service


def test_elevated_wrapper_waits_for_the_task_to_run_and_finish_and_removes_itself():
    """Packer's loop: a task starts Queued (2), so wait for Running (4) before waiting for Ready (3).

    Ending while it is "not Running" stops at Queued and reads LastTaskResult 267011 ("has not
    run yet"); the file holds the password, so it must delete itself; no time limit (PT0S).
    """
    wrapper = elevated_wrapper("cmd", "Admin", "pw", "packer-task", "C:/Windows/Temp/packer-elevated-shell-1.ps1")
    lines = wrapper.splitlines()
    running = lines.index("while ($task.State -ne 4 -and $waited -lt 10) { Start-Sleep -Seconds 1; $waited++ }")
    ready = lines.index("} while ($task.State -ne 3)")
    result = lines.index("$result = $task.LastTaskResult")
    assert running < ready < result
    assert "$task.State -eq 4" not in wrapper
    assert "<ExecutionTimeLimit>PT0S</ExecutionTimeLimit>" in wrapper
    assert '$script = [System.Environment]::ExpandEnvironmentVariables("C:/Windows/Temp/packer-elevated-shell-1.ps1")' \
        in lines
    removal = lines.index("if (Test-Path $script) { Remove-Item $script -Force -ErrorAction SilentlyContinue }")
    assert result < removal < lines.index("exit $result")
