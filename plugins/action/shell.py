# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Packer's ``shell`` provisioner: upload scripts to the build host and run them there."""

from __future__ import annotations

import os
import random
import time

from ansible_collections.cattle.images.plugins.plugin_utils.common import (
    UserError,
    as_bool,
    as_int_list,
    as_list,
    go_int_list,
    parse_duration,
    unknown_keys,
)
from ansible_collections.cattle.images.plugins.plugin_utils.provisioner import ProvisionerAction, ProvisionError
from ansible_collections.cattle.images.plugins.plugin_utils.remote import RemoteError, posix_remote_for
from ansible_collections.cattle.images.plugins.plugin_utils.shell_env import (
    DEFAULT_ENV_VAR_FORMAT,
    checked_env_var_format,
    collect,
    flatten_env,
    packer_env,
    pause_after,
    user_environment,
)

DEFAULT_EXECUTE_COMMAND = "chmod +x {{.Path}}; {{.Vars}} {{.Path}}"
ENV_FILE_EXECUTE_COMMAND = "chmod +x {{.Path}}; . {{.EnvVarFile}} && {{.Path}}"
ENV_FILE_VAR_FORMAT = "export %s='%s'\n"
DISCONNECT_HINT = (
    "Script disconnected unexpectedly. If you expected your script to disconnect, i.e. from a restart, "
    'you can try adding `"expect_disconnect": true` or `"valid_exit_codes": [0, 2300218]` to the shell '
    "provisioner parameters."
)
KNOWN_KEYS = {
    "inline", "script", "scripts", "environment_vars", "env", "env_var_format", "use_env_var_file",
    "execute_command", "inline_shebang", "remote_folder", "remote_file", "remote_path", "binary",
    "valid_exit_codes", "expect_disconnect", "start_retry_timeout", "skip_clean", "pause_after",
}


def exit_code_error(code, allowed):
    # Packer's text, including its missing space after the period.
    return f"Script exited with non-zero exit status: {code}.Allowed exit codes are: {go_int_list(allowed)}"


class ActionModule(ProvisionerAction):
    PROVISIONER_TYPE = "shell"

    def prepare(self, config, context):
        problems = unknown_keys(config, KNOWN_KEYS)
        inline = as_list(config.get("inline"), "inline") if config.get("inline") is not None else None
        scripts = as_list(config.get("scripts"), "scripts")
        script = config.get("script") or ""
        given = sum(1 for present in (inline is not None, bool(script), bool(scripts)) if present)
        if given > 1:
            problems.append("Only one of inline, script, or scripts can be specified.")
        elif given == 0:
            problems.append("Either a script file or inline script must be specified.")
        if script:
            scripts = [script]
        written = scripts
        scripts = [context.local_path(path) for path in scripts]
        for path in scripts:
            if not os.path.isfile(path):
                problems.append(f"Bad script '{path}': stat {path}: no such file or directory")
        env_pairs = collect(problems, lambda: user_environment(config), [])
        use_env_var_file = as_bool(config.get("use_env_var_file", False), "use_env_var_file")
        remote_folder = config.get("remote_folder") or "/tmp"
        remote_file = config.get("remote_file") or f"script_{random.randrange(9999)}.sh"
        remote_path = config.get("remote_path") or f"{remote_folder}/{remote_file}"
        prepared = {
            "inline": inline,
            "scripts": scripts,
            # Packer's "Provisioning with shell script: …" names a script as the template wrote it.
            "script_names": dict(zip(scripts, written, strict=True)),
            "env_pairs": env_pairs,
            "env_var_format": config.get("env_var_format")
            or (ENV_FILE_VAR_FORMAT if use_env_var_file else DEFAULT_ENV_VAR_FORMAT),
            "use_env_var_file": use_env_var_file,
            "execute_command": config.get("execute_command")
            or (ENV_FILE_EXECUTE_COMMAND if use_env_var_file else DEFAULT_EXECUTE_COMMAND),
            "inline_shebang": config.get("inline_shebang") or "/bin/sh -e",
            "remote_folder": remote_folder,
            "remote_path": remote_path,
            "env_file_path": f"{remote_folder}/varfile_{random.randrange(9999)}.sh",
            "binary": as_bool(config.get("binary", False), "binary"),
            "valid_exit_codes": as_int_list(config.get("valid_exit_codes"), "valid_exit_codes") or [0],
            "expect_disconnect": as_bool(config.get("expect_disconnect", False), "expect_disconnect"),
            "start_retry_timeout": parse_duration(config.get("start_retry_timeout", "5m"), "start_retry_timeout"),
            "skip_clean": as_bool(config.get("skip_clean", False), "skip_clean"),
            "pause_after": parse_duration(config.get("pause_after"), "pause_after"),
        }
        checked_env_var_format(prepared["env_var_format"], problems)
        if problems:
            raise UserError("; ".join(problems))
        return prepared

    def _command(self, config, context, env_vars):
        return context.render(
            config["execute_command"],
            "execute_command",
            Vars=env_vars,
            Path=config["remote_path"],
            EnvVarFile=config["env_file_path"] if config["use_env_var_file"] else "",
        )

    def describe(self, config, context, ui):
        scripts = list(config["scripts"]) + (["<inline script>"] if config["inline"] is not None else [])
        env_vars = flatten_env(config["env_pairs"], packer_env(context), config["env_var_format"])
        command = self._command(config, context, env_vars)
        for path in scripts:
            ui.say(f"Check mode: would upload {path} to {config['remote_path']} and run: {command}")

    def provision(self, config, context, ui, cancel):
        remote = posix_remote_for(self._connection)
        scripts = list(config["scripts"])
        inline_file = None
        if config["inline"] is not None:
            inline_file = self._write_inline(config, context)
            scripts.append(inline_file)
        try:
            env_vars = flatten_env(config["env_pairs"], packer_env(context), config["env_var_format"])
            if config["use_env_var_file"]:
                self._upload_env_file(remote, config, env_vars)
            command = self._command(config, context, env_vars)
            for path in scripts:
                if cancel.is_set():
                    raise ProvisionError("the provisioner was cancelled")
                ui.say(f"Provisioning with shell script: {config['script_names'].get(path, path)}")
                exit_code = self._run_script(remote, config, path, command, ui, cancel)
                if exit_code is None:
                    if not config["expect_disconnect"]:
                        raise ProvisionError(DISCONNECT_HINT)
                elif exit_code not in config["valid_exit_codes"]:
                    raise ProvisionError(exit_code_error(exit_code, config["valid_exit_codes"]))
                if not config["skip_clean"] and exit_code is not None:
                    self._remove(remote, config["remote_path"])
            if config["use_env_var_file"] and not config["skip_clean"]:
                self._remove(remote, config["env_file_path"])
        finally:
            if inline_file:
                os.unlink(inline_file)
        pause_after(config, ui, cancel)

    @staticmethod
    def _write_inline(config, context):
        handle = context.temp_file("packer-shell")
        with handle:
            handle.write(f"#!{config['inline_shebang']}\n")
            for line in config["inline"]:
                handle.write(context.render(line, "inline") + "\n")
        return handle.name

    def _upload_env_file(self, remote, config, env_vars):
        with self._context.temp_file("packer-shell-vars") as handle:
            handle.write(env_vars)
        try:
            remote.put(handle.name, config["env_file_path"])
        except RemoteError as exc:
            raise ProvisionError(f"Error uploading envVarFile: {exc}") from None
        finally:
            os.unlink(handle.name)

    def _run_script(self, remote, config, path, command, ui, cancel):
        """Upload and run one script; its exit code, or None when the connection dropped."""
        upload = path
        converted = None
        if not config["binary"]:
            # Packer converts CRLF line endings so scripts edited on Windows still run.
            with open(path, "rb") as source:
                data = source.read()
            if b"\r\n" in data:
                with self._context.temp_file("packer-shell", binary=True) as handle:
                    handle.write(data.replace(b"\r\n", b"\n"))
                converted = upload = handle.name
        try:
            deadline = time.monotonic() + config["start_retry_timeout"]
            while True:
                try:
                    mode_set = remote.put(upload, config["remote_path"], 0o755)
                    break
                except RemoteError as exc:
                    # The host may still be coming back (a reboot by a previous script): retry.
                    if time.monotonic() >= deadline or cancel.is_set():
                        raise ProvisionError(f"Error uploading script: {exc}") from None
                    cancel.wait(2)
            try:
                if not mode_set:
                    rc, _stdout, stderr = remote.run(f"chmod 0755 {config['remote_path']}")
                    if rc != 0:
                        raise ProvisionError(
                            "Error chmodding script file to 0755 in remote machine: "
                            + stderr.decode("utf-8", "replace").strip()
                        )
                rc, _stdout, _stderr = remote.run(command, ui=ui)  # its output lines go to ui as they come
            except RemoteError:
                return None
        finally:
            if converted:
                os.unlink(converted)
        return rc

    @staticmethod
    def _remove(remote, path):
        try:
            rc, _stdout, stderr = remote.run(f"rm -f {path}")
        except RemoteError as exc:
            raise ProvisionError(f"Error removing temporary script at {path}: {exc}") from None
        if rc != 0:
            raise ProvisionError(f"Error removing temporary script at {path}: {stderr.decode('utf-8', 'replace')}")
