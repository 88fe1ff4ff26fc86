# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Packer's ``windows-shell`` provisioner: upload cmd.exe batch scripts to a Windows build host and run them."""

from __future__ import annotations

import os
import time

from ansible.errors import AnsibleError

from ansible_collections.cattle.images.plugins.module_utils.communicator.errors import CommunicatorError
from ansible_collections.cattle.images.plugins.plugin_utils.common import (
    UserError,
    as_int_list,
    parse_duration,
    unknown_keys,
)
from ansible_collections.cattle.images.plugins.plugin_utils.provisioner import ProvisionerAction, ProvisionError
from ansible_collections.cattle.images.plugins.plugin_utils.shell_env import (
    checked_env_var_format,
    collect,
    format_env_var,
    packer_env,
    parse_environment_vars,
    windows_script_sources,
)
from ansible_collections.cattle.images.plugins.plugin_utils.winrm import (
    RetryableError,
    WindowsShell,
    exit_code_error,
    retry_until,
    show_output,
)

DEFAULT_EXECUTE_COMMAND = '{{ .Vars }}"{{ .Path }}"'
DEFAULT_ENV_VAR_FORMAT = 'set "%s=%s" && '
DEFAULT_REMOTE_PATH = "c:/Windows/Temp/script.bat"
KNOWN_KEYS = {
    "inline", "script", "scripts", "environment_vars", "env_var_format", "execute_command", "remote_path",
    "valid_exit_codes", "start_retry_timeout", "binary",
}


def flatten_cmd_env(user_pairs, base_env, env_var_format=DEFAULT_ENV_VAR_FORMAT):
    """``set "K=V" && `` per variable, keys sorted (cmd.exe needs no escaping inside the quotes)."""
    env = dict(base_env)
    env.update(user_pairs)
    return "".join(format_env_var(env_var_format, key, env[key]) for key in sorted(env))


class ActionModule(ProvisionerAction):
    PROVISIONER_TYPE = "windows-shell"
    clock = staticmethod(time.monotonic)

    def prepare(self, config, context):
        problems = unknown_keys(config, KNOWN_KEYS)
        inline, scripts = windows_script_sources(config, context, problems)
        env_pairs = collect(problems, lambda: parse_environment_vars(config.get("environment_vars")), [])
        env_var_format = checked_env_var_format(config.get("env_var_format") or DEFAULT_ENV_VAR_FORMAT, problems)
        if problems:
            raise UserError("; ".join(problems))
        return {
            "inline": inline,
            "scripts": scripts,
            "env_pairs": env_pairs,
            "env_var_format": env_var_format,
            "execute_command": config.get("execute_command") or DEFAULT_EXECUTE_COMMAND,
            "remote_path": config.get("remote_path") or DEFAULT_REMOTE_PATH,
            "valid_exit_codes": as_int_list(config.get("valid_exit_codes"), "valid_exit_codes") or [0],
            "start_retry_timeout": parse_duration(config.get("start_retry_timeout") or "5m", "start_retry_timeout"),
        }

    def _command(self, config, context):
        env_vars = flatten_cmd_env(config["env_pairs"], packer_env(context), config["env_var_format"])
        return context.render(config["execute_command"], "execute_command", Vars=env_vars, Path=config["remote_path"])

    def describe(self, config, context, ui):
        scripts = list(config["scripts"]) + (["<inline script>"] if config["inline"] is not None else [])
        for path in scripts:
            ui.say(f"Check mode: would upload {path} to {config['remote_path']} and run: "
                   f"{self._command(config, context)}")

    def provision(self, config, context, ui, cancel):
        shell = WindowsShell(self._connection)
        ui.say("Provisioning with windows-shell...")
        scripts = list(config["scripts"])
        inline_file = None
        if config["inline"] is not None:
            with context.temp_file("windows-shell-provisioner", newline="") as handle:
                for line in config["inline"]:
                    handle.write(context.render(line, "inline") + "\n")
            inline_file = handle.name
            scripts.append(inline_file)
        try:
            command = self._command(config, context)
            for path in scripts:
                if cancel.is_set():
                    raise ProvisionError("the provisioner was cancelled")
                ui.say(f"Provisioning with shell script: {path}")
                exit_code = self._upload_and_run(shell, path, config, command, ui, cancel)
                if exit_code not in config["valid_exit_codes"]:
                    raise ProvisionError(exit_code_error(exit_code, config["valid_exit_codes"]))
        finally:
            if inline_file:
                os.unlink(inline_file)

    def _upload_and_run(self, shell, local_path, config, command, ui, cancel):
        def attempt():
            try:
                shell.put(local_path, config["remote_path"])
            except AnsibleError as exc:
                shell.reset()
                raise RetryableError(f"Error uploading script: {exc}") from None
            try:
                return shell.run(command)
            except AnsibleError as exc:
                shell.reset()
                raise RetryableError(f"Error running script: {exc}") from None

        try:
            rc, stdout, stderr = retry_until(config["start_retry_timeout"], attempt, cancel, self.clock, time.sleep)
        except CommunicatorError as exc:
            raise ProvisionError(str(exc)) from None
        show_output(ui, stdout, stderr)
        return rc
