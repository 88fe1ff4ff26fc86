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
    wrapper = elevated_wrapper('powershell "& { x }"', "Admin", "pa$$", "packer-task")
    assert 'RegisterTaskDefinition($name, $definition, 6, "Admin", "pa`$`$", 1, $null)' in wrapper
    assert '/c powershell "&amp; { x }" &gt; %SYSTEMROOT%/Temp/packer-task.out 2&gt;&amp;1' in wrapper
    service = elevated_wrapper("cmd", "SYSTEM", "", "t")
    assert '"SYSTEM", $null, 5, $null' in service and "<LogonType>ServiceAccount</LogonType>" in service
    assert "@" + "TASK_NAME@" not in service
