# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Packer's ``ansible`` provisioner, native: the user's playbook runs against the build host.

Packer tunnels Ansible through an SSH proxy to its communicator. Here the build host is
already an Ansible host, so a child ``ansible-playbook`` (the same installation) gets a
private inventory with one host (``host_alias``, default ``default``) carrying the build
host's own connection variables. Options about the proxy are accepted and ignored.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess

from ansible_collections.cattle.images.plugins.plugin_utils import child_inventory
from ansible_collections.cattle.images.plugins.plugin_utils.child_inventory import sibling as _sibling
from ansible_collections.cattle.images.plugins.plugin_utils.common import UserError, as_bool, as_list, unknown_keys
from ansible_collections.cattle.images.plugins.plugin_utils.local import run_local
from ansible_collections.cattle.images.plugins.plugin_utils.provisioner import ProvisionerAction, ProvisionError

KNOWN_KEYS = {
    "playbook_file", "command", "extra_arguments", "ansible_env_vars", "groups", "empty_groups", "host_alias",
    "user", "skip_version_check", "inventory_directory", "inventory_file", "keep_inventory_file", "galaxy_file",
    "galaxy_command", "galaxy_force_install", "roles_path", "collections_path",
}
# Packer options that configure its SSH proxy adapter: meaningless with a native connection.
PROXY_KEYS = {
    "ansible_ssh_extra_args", "local_port", "ssh_host_key_file", "ssh_authorized_key_file", "sftp_command",
    "use_sftp", "use_proxy", "inventory_file_template",
}


def _check_file(path, field, required):
    if not path:
        return [f"{field} must be specified."] if required else []
    if not os.path.exists(path):
        return [f"{field}: {path} is invalid: stat {path}: no such file or directory"]
    if os.path.isdir(path):
        return [f"{field}: {path} must point to a file"]
    return []


class ActionModule(ProvisionerAction):
    PROVISIONER_TYPE = "ansible"

    def prepare(self, config, context):
        problems = unknown_keys(config, KNOWN_KEYS | PROXY_KEYS)
        playbook = context.local_path(config["playbook_file"]) if config.get("playbook_file") else ""
        problems += _check_file(playbook, "playbook_file", required=True)
        galaxy_file = context.local_path(config["galaxy_file"]) if config.get("galaxy_file") else ""
        problems += _check_file(galaxy_file, "galaxy_file", required=False)
        inventory_directory = context.local_path(config["inventory_directory"]) if config.get("inventory_directory") else ""
        if inventory_directory and not os.path.isdir(inventory_directory):
            problems.append(f"inventory_directory: {inventory_directory} is invalid: not a directory")
        inventory_file = context.local_path(config["inventory_file"]) if config.get("inventory_file") else ""
        problems += _check_file(inventory_file, "inventory_file", required=False)
        env_pairs = []
        for entry in as_list(config.get("ansible_env_vars"), "ansible_env_vars"):
            key, sep, value = entry.partition("=")
            if not sep or not key:
                problems.append(f"ansible_env_vars: environment variable not in format 'key=value': {entry}")
            env_pairs.append((key, value))
        extra_arguments = config.get("extra_arguments") or []
        if isinstance(extra_arguments, str):
            extra_arguments = shlex.split(extra_arguments)
        if problems:
            raise UserError("; ".join(problems))
        return {
            "playbook_file": playbook,
            "command": config.get("command") or "",
            "extra_arguments": [str(a) for a in extra_arguments],
            "env_pairs": env_pairs,
            "groups": as_list(config.get("groups"), "groups"),
            "empty_groups": as_list(config.get("empty_groups"), "empty_groups"),
            "host_alias": config.get("host_alias") or "default",
            "user": config.get("user") or "",
            "skip_version_check": as_bool(config.get("skip_version_check", False), "skip_version_check"),
            "inventory_directory": inventory_directory,
            "inventory_file": inventory_file,
            "keep_inventory_file": as_bool(config.get("keep_inventory_file", False), "keep_inventory_file"),
            "galaxy_file": galaxy_file,
            "galaxy_command": config.get("galaxy_command") or "",
            "galaxy_force_install": as_bool(config.get("galaxy_force_install", False), "galaxy_force_install"),
            "roles_path": context.local_path(config["roles_path"]) if config.get("roles_path") else "",
            "collections_path": context.local_path(config["collections_path"]) if config.get("collections_path") else "",
            "ignored": sorted(key for key in config if key in PROXY_KEYS),
        }

    # --- pieces -----------------------------------------------------------------------

    def _connection_vars(self, config):
        return child_inventory.connection_vars(getattr(self, "_task_vars", {}) or {}, self._templar, self._connection,
                                               self._play_context, user=config["user"])

    @staticmethod
    def _inventory(config, host_vars):
        return child_inventory.inventory(config["host_alias"], host_vars, config["groups"], config["empty_groups"])

    def _write_inventory(self, config, host_vars):
        return child_inventory.write_inventory(config["inventory_directory"] or self._context.private_dir,
                                               "packer-provisioner-ansible", self._inventory(config, host_vars))

    @staticmethod
    def _environment(config):
        env = child_inventory.child_environment()
        if config["roles_path"]:
            env["ANSIBLE_ROLES_PATH"] = config["roles_path"]
        if config["collections_path"]:
            env["ANSIBLE_COLLECTIONS_PATH"] = config["collections_path"]
        env.update(config["env_pairs"])
        return env

    @staticmethod
    def _playbook_argv(config, context, inventory):
        command = config["command"] or _sibling("ansible-playbook")
        argv = [command, "-e", f"packer_build_name={json.dumps(context.build_name)}",
                "-e", f"packer_builder_type={context.build_type}"]
        if context.http_ip and context.http_port:
            argv += ["-e", f"packer_http_addr={context.http_ip}:{context.http_port}"]
        argv += list(config["extra_arguments"])
        argv += ["-i", inventory, config["playbook_file"]]
        return argv

    def _galaxy(self, config, env, ui, cancel, cwd):
        command = config["galaxy_command"] or _sibling("ansible-galaxy")
        force = ["--force"] if config["galaxy_force_install"] else []
        runs = [[command, "install", "-r", config["galaxy_file"]] + force
                + (["-p", config["roles_path"]] if config["roles_path"] else [])]
        with open(config["galaxy_file"], encoding="utf-8") as handle:
            if "collections" in handle.read():
                runs.append([command, "collection", "install", "-r", config["galaxy_file"]] + force
                            + (["-p", config["collections_path"]] if config["collections_path"] else []))
        for argv in runs:
            ui.message(f"Executing Ansible Galaxy: {' '.join(argv)}")
            code = self._run(argv, env, ui, cancel, cwd)
            if code != 0:
                raise ProvisionError(f"Error executing Ansible Galaxy: Non-zero exit status: exit status {code}")

    @staticmethod
    def _run(argv, env, ui, cancel, cwd):
        try:
            code = run_local(argv, env, ui, cancel, cwd=cwd)
        except OSError as exc:
            raise ProvisionError(f"Error running {argv[0]}: {exc}") from None
        if code is None:
            raise ProvisionError("the ansible provisioner was cancelled")
        return code

    # --- the provisioner --------------------------------------------------------------

    def describe(self, config, context, ui):
        argv = self._playbook_argv(config, context, "<temporary inventory>" if not config["inventory_file"]
                                   else config["inventory_file"])
        ui.say(f"Check mode: would run: {' '.join(argv)}")

    def provision(self, config, context, ui, cancel):
        ui.say("Provisioning with Ansible...")
        if config["ignored"]:
            ui.message("Ignoring " + ", ".join(config["ignored"])
                       + ": the build host is reached through its own Ansible connection, not Packer's proxy")
        env = self._environment(config)
        cwd = context.cwd if os.path.isdir(context.cwd) else None
        # The default command is the ansible-playbook of the installation running this very task:
        # asking it for its version (a Python start and Ansible's imports) proves nothing new.
        if not config["skip_version_check"] and config["command"]:
            command = config["command"]
            try:
                check = subprocess.run([command, "--version"], capture_output=True, env=env, cwd=cwd, timeout=120, check=False,
                                       stdin=subprocess.DEVNULL)
            except (OSError, subprocess.TimeoutExpired) as exc:
                raise ProvisionError(f'Error running "{command} --version": {exc}') from None
            if check.returncode != 0:
                detail = (check.stderr or check.stdout).decode("utf-8", "replace").strip()
                raise ProvisionError(f'Error running "{command} --version": exit status {check.returncode}: {detail}')
        if config["galaxy_file"]:
            self._galaxy(config, env, ui, cancel, cwd)
        inventory = config["inventory_file"]
        created = None
        if not inventory:
            created = inventory = self._write_inventory(config, self._connection_vars(config))
        try:
            argv = self._playbook_argv(config, context, inventory)
            ui.say(f"Executing Ansible: {' '.join(argv)}")
            code = self._run(argv, env, ui, cancel, cwd)
        finally:
            if created and not config["keep_inventory_file"]:
                os.unlink(created)
        if code != 0:
            raise ProvisionError(f"Error executing Ansible: Non-zero exit status: exit status {code}")
