# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Packer's ``powershell`` provisioner: upload PowerShell scripts to a Windows build host and run them.

Commands go to the guest as Packer's WinRM communicator sends them: the rendered
``execute_command`` is the command line of a WinRS cmd shell (see
``plugin_utils/winrm.py``). Environment variables are written to a
``$env:K="V"; `` file that the command dot-sources; ``elevated_user`` runs the command as a
scheduled task of that user, as Packer does.
"""

from __future__ import annotations

import os
import time
import uuid
from xml.sax.saxutils import escape as xml_escape

from ansible.errors import AnsibleError

from ansible_collections.cattle.images.plugins.module_utils.communicator.errors import CommunicatorError
from ansible_collections.cattle.images.plugins.plugin_utils.common import (
    UserError,
    as_bool,
    as_int,
    as_int_list,
    parse_duration,
    unknown_keys,
)
from ansible_collections.cattle.images.plugins.plugin_utils.provisioner import ProvisionerAction, ProvisionError
from ansible_collections.cattle.images.plugins.plugin_utils.shell_env import (
    collect,
    format_env_var,
    packer_env,
    parse_environment_vars,
    pause_after,
    windows_script_sources,
)
from ansible_collections.cattle.images.plugins.plugin_utils.winrm import (
    RetryableError,
    WindowsShell,
    exit_code_error,
    ps_escape,
    retry_until,
    show_output,
)

EXECUTION_POLICIES = ("bypass", "allsigned", "default", "remotesigned", "restricted", "undefined", "unrestricted",
                      "none")
ENV_VAR_FORMAT = '$env:%s="%s"; '
KNOWN_KEYS = {
    "inline", "script", "scripts", "environment_vars", "env_var_format", "execute_command", "remote_path",
    "remote_env_var_path", "elevated_execute_command", "elevated_env_var_format", "elevated_user",
    "elevated_password", "execution_policy", "valid_exit_codes", "skip_clean", "start_retry_timeout", "debug_mode",
    "binary", "pause_after",
}

# Our own scheduled-task runner (Packer's idea): the command runs as the elevated user, its
# output goes to a log file that is echoed back, and the task's result is the exit code. The
# file holds the elevated password, so it deletes itself (and the task) when the task is done.
ELEVATED_WRAPPER = r"""$name = "@TASK_NAME@"
$log = [System.Environment]::ExpandEnvironmentVariables("@LOG_FILE@")
$script = [System.Environment]::ExpandEnvironmentVariables("@SCRIPT_FILE@")
$service = New-Object -ComObject "Schedule.Service"
$service.Connect()
$definition = $service.NewTask($null)
$definition.XmlText = @'
<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <RegistrationInfo><Description>@TASK_DESCRIPTION@</Description></RegistrationInfo>
  <Principals><Principal id="Author"><UserId>@USER_XML@</UserId><LogonType>@LOGON_TYPE_NAME@</LogonType>
    <RunLevel>HighestAvailable</RunLevel></Principal></Principals>
  <Settings><MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>
    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries><StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>
    <AllowStartOnDemand>true</AllowStartOnDemand><Enabled>true</Enabled><ExecutionTimeLimit>PT0S</ExecutionTimeLimit>
    <Priority>4</Priority></Settings>
  <Actions Context="Author"><Exec><Command>cmd</Command><Arguments>/c @COMMAND_XML@</Arguments></Exec></Actions>
</Task>
'@
if (Test-Path variable:global:ProgressPreference) { $ProgressPreference = "SilentlyContinue" }
$folder = $service.GetFolder("\")
$folder.RegisterTaskDefinition($name, $definition, 6, "@USER_PS@", @PASSWORD_PS@, @LOGON_TYPE@, $null) | Out-Null
$task = $folder.GetTask("\$name")
$task.Run($null) | Out-Null
# A task starts Queued (2): give it 10 s to be Running (4), then wait until it is Ready (3) again.
$waited = 0
while ($task.State -ne 4 -and $waited -lt 10) { Start-Sleep -Seconds 1; $waited++ }
$seen = 0
do {
  Start-Sleep -Milliseconds 100
  if (Test-Path $log) {
    $text = Get-Content $log -Raw -ErrorAction SilentlyContinue
    if ($text -and $text.Length -gt $seen) { Write-Output $text.Substring($seen); $seen = $text.Length }
  }
} while ($task.State -ne 3)
$result = $task.LastTaskResult
if (Test-Path $log) {
  $text = Get-Content $log -Raw -ErrorAction SilentlyContinue
  if ($text -and $text.Length -gt $seen) { Write-Output $text.Substring($seen) }
  Remove-Item $log -Force -ErrorAction SilentlyContinue
}
if (Test-Path $script) { Remove-Item $script -Force -ErrorAction SilentlyContinue }
$folder.DeleteTask("\$name", 0)
exit $result
"""


def default_execute_command(execution_policy, debug_mode):
    """Packer 1.6.6's default command (the same for the elevated one)."""
    command = ("& { if (Test-Path variable:global:ProgressPreference)"
               "{set-variable -name variable:global:ProgressPreference -value 'SilentlyContinue'};")
    if debug_mode:
        command += f"Set-PsDebug -Trace {debug_mode};"
    command += ". {{.Vars}}; &'{{.Path}}'; exit $LastExitCode }"
    if execution_policy == "none":
        return command
    return f'powershell -executionpolicy {execution_policy} "{command}"'


def flatten_ps_env(user_pairs, base_env, env_var_format=ENV_VAR_FORMAT):
    """``$env:K="V"; `` per variable, keys sorted, user values PowerShell-escaped."""
    env = dict(base_env)
    for key, value in user_pairs:
        env[key] = ps_escape(value)
    return "".join(format_env_var(env_var_format, key, env[key]) for key in sorted(env))


def elevated_wrapper(command, user, password, task_name, script_file):
    """The scheduled-task script at ``script_file`` that runs ``command`` as ``user``.

    The password is only in this file, which removes itself once the task is done.
    """
    log_file = f"%SYSTEMROOT%/Temp/{task_name}.out"
    full_command = f"{command} > {log_file} 2>&1"
    logon_type, logon_name = (1, "Password") if password else (5, "ServiceAccount")
    replacements = {
        "@TASK_NAME@": task_name,
        "@LOG_FILE@": log_file,
        "@SCRIPT_FILE@": script_file,
        "@TASK_DESCRIPTION@": "Packer elevated task",
        "@USER_XML@": xml_escape(user),
        "@LOGON_TYPE_NAME@": logon_name,
        "@COMMAND_XML@": xml_escape(full_command),
        "@USER_PS@": ps_escape(user),
        "@PASSWORD_PS@": f'"{ps_escape(password)}"' if password else "$null",
        "@LOGON_TYPE@": str(logon_type),
    }
    text = ELEVATED_WRAPPER
    for placeholder, value in replacements.items():
        text = text.replace(placeholder, value)
    return text


class ActionModule(ProvisionerAction):
    PROVISIONER_TYPE = "powershell"
    clock = staticmethod(time.monotonic)

    def prepare(self, config, context):
        problems = unknown_keys(config, KNOWN_KEYS)
        inline, scripts = windows_script_sources(config, context, problems)
        env_pairs = collect(problems, lambda: parse_environment_vars(config.get("environment_vars")), [])
        elevated_user = str(config.get("elevated_user") or "")
        elevated_password = str(config.get("elevated_password") or "")
        if elevated_password and not elevated_user:
            problems.append("Must supply an 'elevated_user' if 'elevated_password' provided")
        policy = str(config.get("execution_policy") or "bypass").lower()
        if policy not in EXECUTION_POLICIES:
            problems.append('Invalid execution policy provided. Please supply one of: "bypass", "allsigned", '
                            '"default", "remotesigned", "restricted", "undefined", "unrestricted", "none".')
        debug_mode = as_int(config.get("debug_mode") or 0, "debug_mode")
        if not 0 <= debug_mode <= 2:
            problems.append(f"{debug_mode} is an invalid Trace level for `debug_mode`; valid values are 0, 1, and 2")
        if problems:
            raise UserError("; ".join(problems))
        default_command = default_execute_command(policy, debug_mode)
        return {
            "inline": inline,
            "scripts": scripts,
            "env_pairs": env_pairs,
            "env_var_format": config.get("env_var_format") or ENV_VAR_FORMAT,
            "elevated_env_var_format": config.get("elevated_env_var_format") or ENV_VAR_FORMAT,
            "execute_command": config.get("execute_command") or default_command,
            "elevated_execute_command": config.get("elevated_execute_command") or default_command,
            "elevated_user": elevated_user,
            "elevated_password": elevated_password,
            "remote_path": config.get("remote_path") or f"c:/Windows/Temp/script-{uuid.uuid4()}.ps1",
            "remote_env_var_path": config.get("remote_env_var_path")
            or f"c:/Windows/Temp/packer-ps-env-vars-{uuid.uuid4()}.ps1",
            "cleanup_path": f"c:/Windows/Temp/packer-cleanup-{uuid.uuid4()}.ps1",
            "valid_exit_codes": as_int_list(config.get("valid_exit_codes"), "valid_exit_codes") or [0],
            "skip_clean": as_bool(config.get("skip_clean", False), "skip_clean"),
            "start_retry_timeout": parse_duration(config.get("start_retry_timeout") or "5m", "start_retry_timeout"),
            "pause_after": parse_duration(config.get("pause_after"), "pause_after"),
        }

    def describe(self, config, context, ui):
        scripts = list(config["scripts"]) + (["<inline script>"] if config["inline"] is not None else [])
        command = self._render(config, context, config["remote_path"], elevated=bool(config["elevated_user"]))
        user = f" as {config['elevated_user']} (scheduled task)" if config["elevated_user"] else ""
        for path in scripts:
            ui.say(f"Check mode: would upload {path} to {config['remote_path']} and run{user}: {command}")

    def _render(self, config, context, path, elevated=False):
        key = "elevated_execute_command" if elevated else "execute_command"
        return context.render(config[key], key, Path=path, Vars=config["remote_env_var_path"])

    def provision(self, config, context, ui, cancel):
        shell = WindowsShell(self._connection)
        ui.say("Provisioning with Powershell...")
        scripts = list(config["scripts"])
        inline_file = None
        if config["inline"] is not None:
            inline_file = self._write_temp(context, "powershell-provisioner", "".join(
                context.render(line, "inline") + "\n" for line in config["inline"]))
            scripts.append(inline_file)
        uploaded = [config["remote_env_var_path"]]
        try:
            for path in scripts:
                if cancel.is_set():
                    raise ProvisionError("the provisioner was cancelled")
                ui.say(f"Provisioning with powershell script: {path}")
                command = self._command_text(shell, config, context, cancel)
                exit_code = self._upload_and_run(shell, path, config["remote_path"], command, ui, cancel,
                                                 config["start_retry_timeout"])
                uploaded.append(config["remote_path"])
                if exit_code not in config["valid_exit_codes"]:
                    raise ProvisionError(exit_code_error(exit_code, config["valid_exit_codes"]))
            if not config["skip_clean"]:
                self._clean_up(shell, config, context, uploaded, ui)
        finally:
            if inline_file:
                os.unlink(inline_file)
        pause_after(config, ui, cancel)

    @staticmethod
    def _write_temp(context, prefix, text):
        with context.temp_file(prefix, newline="") as handle:
            handle.write(text)
        return handle.name

    def _upload_text(self, shell, text, remote_path, cancel, timeout):
        local = self._write_temp(self._context, "packer-ps", text)
        try:
            def attempt():
                try:
                    shell.put(local, remote_path)
                except AnsibleError as exc:
                    raise RetryableError(f"Error uploading {remote_path}: {exc}") from None

            retry_until(timeout, attempt, cancel, self.clock, time.sleep)
        except CommunicatorError as exc:
            raise ProvisionError(str(exc)) from None
        finally:
            os.unlink(local)

    def _command_text(self, shell, config, context, cancel):
        """Upload the env var file (as Packer does before each script) and render the command."""
        elevated = bool(config["elevated_user"])
        env_format = config["elevated_env_var_format"] if elevated else config["env_var_format"]
        env_text = flatten_ps_env(config["env_pairs"], packer_env(context), env_format)
        self._upload_text(shell, env_text, config["remote_env_var_path"], cancel, config["start_retry_timeout"])
        command = self._render(config, context, config["remote_path"], elevated)
        if not elevated:
            return command
        task_name = f"packer-{uuid.uuid4()}"
        wrapper_path = f"C:/Windows/Temp/packer-elevated-shell-{uuid.uuid4()}.ps1"
        wrapper = elevated_wrapper(command, config["elevated_user"], config["elevated_password"], task_name,
                                   wrapper_path)
        self._upload_text(shell, wrapper, wrapper_path, cancel, config["start_retry_timeout"])
        return f'powershell -executionpolicy bypass -file "{wrapper_path}"'

    def _upload_and_run(self, shell, local_path, remote_path, command, ui, cancel, timeout):
        """Upload and run in one retryable step (a restart between them must not lose the script)."""
        def attempt():
            try:
                shell.put(local_path, remote_path)
            except AnsibleError as exc:
                shell.reset()
                raise RetryableError(f"Error uploading script: {exc}") from None
            try:
                return shell.run(command)
            except AnsibleError as exc:
                shell.reset()
                raise RetryableError(f"Error running script: {exc}") from None

        try:
            rc, stdout, stderr = retry_until(timeout, attempt, cancel, self.clock, time.sleep)
        except CommunicatorError as exc:
            raise ProvisionError(str(exc)) from None
        show_output(ui, stdout, stderr)
        return rc

    def _clean_up(self, shell, config, context, uploaded, ui):
        """Packer's self-deleting clean-up script; its failure is only reported."""
        cleanup_path = config["cleanup_path"]
        lines = "".join(f"if (Test-Path {path}) {{Remove-Item {path}}}\n" for path in uploaded + [cleanup_path])
        try:
            self._upload_text(shell, lines, cleanup_path, None, 60.0)
            command = context.render(config["execute_command"], "execute_command", Path=cleanup_path,
                                     Vars=config["remote_env_var_path"])
            rc, stdout, stderr = shell.run(command)
            show_output(ui, stdout, stderr)
        except (ProvisionError, AnsibleError) as exc:
            ui.error(f"remote cleanup script failed; the temporary files stay: {exc}")
