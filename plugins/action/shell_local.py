# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Packer's ``shell-local``: run commands on the controller, as a provisioner or a post-processor.

The role is chosen by the arguments: ``artifact``, ``chain`` or ``index`` make it a
post-processor (it then returns its input artifact and forces keeping it, as Packer does).
"""

from __future__ import annotations

import os
import sys

from ansible.plugins.action import ActionBase

from ansible_collections.cattle.images.plugins.plugin_utils.common import (
    UserError,
    as_bool,
    as_int_list,
    as_list,
    go_int_list,
    unknown_keys,
)
from ansible_collections.cattle.images.plugins.plugin_utils.local import run_local
from ansible_collections.cattle.images.plugins.plugin_utils.post_processor import PostProcessError, PostProcessorAction
from ansible_collections.cattle.images.plugins.plugin_utils.provisioner import ProvisionerAction, ProvisionError
from ansible_collections.cattle.images.plugins.plugin_utils.shell_env import (
    DEFAULT_ENV_VAR_FORMAT,
    checked_env_var_format,
    collect,
    flatten_env,
    packer_env,
    user_environment,
)

DEFAULT_EXECUTE_COMMAND = ["/bin/sh", "-c", "{{.Vars}} {{.Script}}"]
SUPPORTED_OS = ["darwin", "freebsd", "linux", "openbsd", "solaris", "windows"]
TOO_MANY = (
    "You may only specify one of the following options: Command, Inline, Script or Scripts. "
    "Please consolidate these options in your config."
)
KNOWN_KEYS = {
    "command", "inline", "script", "scripts", "environment_vars", "env", "env_var_format", "execute_command",
    "inline_shebang", "only_on", "use_linux_pathing", "valid_exit_codes", "tempfile_extension", "binary",
}


def _go_os():
    return {"linux": "linux", "darwin": "darwin", "win32": "windows"}.get(sys.platform, sys.platform.rstrip("0123456789"))


class ShellLocal:
    """The shared part: configuration and running, independent of the plugin's role."""

    @staticmethod
    def prepare(config, context):
        problems = unknown_keys(config, KNOWN_KEYS)
        command = config.get("command") or ""
        inline = as_list(config.get("inline"), "inline") if config.get("inline") is not None else None
        script = config.get("script") or ""
        scripts = as_list(config.get("scripts"), "scripts")
        if not command and not inline and not scripts and not script:
            problems.append("Command, Inline, Script and Scripts options cannot all be empty.")
        if command:
            if inline or scripts or script:
                problems.append(TOO_MANY)
            else:
                inline = [command]
        if script:
            if scripts or inline:
                problems.append(TOO_MANY)
            else:
                scripts = [script]
        if scripts and inline is not None and not command:
            problems.append(TOO_MANY)
        scripts = [context.local_path(path) for path in scripts]
        for path in scripts:
            if not os.path.isfile(path):
                problems.append(f"Bad script '{path}': stat {path}: no such file or directory")
        only_on = as_list(config.get("only_on"), "only_on")
        for name in only_on:
            if name not in SUPPORTED_OS:
                problems.append(f"Invalid OS specified in only_on: '{name}'\nSupported OS names: {', '.join(SUPPORTED_OS)}")
        execute_command = config.get("execute_command") or list(DEFAULT_EXECUTE_COMMAND)
        if isinstance(execute_command, str):
            execute_command = [execute_command]
        env_pairs = collect(problems, lambda: user_environment(config), [])
        env_var_format = checked_env_var_format(config.get("env_var_format") or DEFAULT_ENV_VAR_FORMAT, problems)
        try:
            valid_exit_codes = as_int_list(config.get("valid_exit_codes"), "valid_exit_codes") or [0]
            use_linux_pathing = as_bool(config.get("use_linux_pathing", False), "use_linux_pathing")
        except UserError as exc:
            problems.append(str(exc))
            valid_exit_codes, use_linux_pathing = [0], False
        if problems:
            raise UserError("; ".join(problems))
        return {
            "inline": inline,
            "scripts": scripts,
            "env_pairs": env_pairs,
            "env_var_format": env_var_format,
            "execute_command": [str(part) for part in execute_command],
            "inline_shebang": config.get("inline_shebang", "/bin/sh -e"),
            "only_on": only_on,
            "use_linux_pathing": use_linux_pathing,
            "valid_exit_codes": valid_exit_codes,
            "tempfile_extension": config.get("tempfile_extension") or "",
        }

    @staticmethod
    def commands(config, context, script):
        env_vars = flatten_env(config["env_pairs"], packer_env(context), config["env_var_format"])
        return [context.render(part, "execute_command", Vars=env_vars, Script=script) for part in config["execute_command"]]

    @classmethod
    def describe(cls, config, context, ui):
        scripts = list(config["scripts"]) or ["<inline script>"]
        for script in scripts:
            ui.say(f"Check mode: would run locally: {' '.join(cls.commands(config, context, script))}")

    @classmethod
    def run(cls, config, context, ui, cancel=None):
        """Run every script; the error message, or None on success."""
        if config["only_on"] and _go_os() not in config["only_on"]:
            ui.say("Skipping shell-local due to runtime OS")
            return None
        scripts = list(config["scripts"])
        inline_file = None
        if not scripts and config["inline"] is not None:
            inline_file = cls._write_inline(config, context)
            scripts.append(inline_file)
        env = dict(os.environ)
        if context.run_uuid:
            env["PACKER_RUN_UUID"] = context.run_uuid
        try:
            for script in scripts:
                argv = cls.commands(config, context, script)
                ui.say(f"Running local shell script: {script}")
                try:
                    code = run_local(argv, env, ui, cancel, cwd=context.cwd)
                except OSError:
                    return f"Error executing script: {script}\n\nPlease see output above for more information."
                if code is None:
                    return "the script was cancelled"
                if code not in config["valid_exit_codes"]:
                    return (f"Script exited with non-zero exit status: {code}."
                            f"Allowed exit codes are: {go_int_list(config['valid_exit_codes'])}")
        finally:
            if inline_file:
                os.unlink(inline_file)
        return None

    @staticmethod
    def _write_inline(config, context):
        suffix = f".{config['tempfile_extension']}" if config["tempfile_extension"] else ""
        handle = context.temp_file("packer-shell", suffix=suffix)
        with handle:
            if config["inline_shebang"]:
                handle.write(f"#!{config['inline_shebang']}\n")
            for line in config["inline"]:
                handle.write(context.render(line, "inline") + "\n")
        os.chmod(handle.name, 0o700)
        return handle.name


def _is_post_processor(args):
    return any(args.get(key) is not None for key in ("artifact", "chain", "index"))


class ActionModule(ProvisionerAction, PostProcessorAction):
    PROVISIONER_TYPE = "shell-local"
    NEEDS_COMMUNICATOR = False  # runs on the controller
    POST_PROCESSOR_TYPE = "shell-local"
    _VALID_ARGS = ProvisionerAction._VALID_ARGS | PostProcessorAction._VALID_ARGS

    def run(self, tmp=None, task_vars=None):
        result = ActionBase.run(self, tmp, task_vars)
        if _is_post_processor(self._task.args):
            return self._run_post_processor(result, task_vars)
        return self._run_provisioner(result, task_vars)

    # prepare/describe serve both roles; the signatures differ only by the artifact.
    def prepare(self, config, context):
        return ShellLocal.prepare(config, context)

    def describe(self, config, context, *rest):
        ShellLocal.describe(config, context, rest[-1])

    def provision(self, config, context, ui, cancel):
        error = ShellLocal.run(config, context, ui, cancel)
        if error:
            raise ProvisionError(error)

    def post_process(self, config, context, artifact, ui):
        error = ShellLocal.run(config, context, ui)
        if error:
            raise PostProcessError(error)
        return artifact, True, True
