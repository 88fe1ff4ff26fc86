# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Packer's ``salt-masterless`` provisioner: ``salt-call --local`` inside the build host.

Unless ``skip_bootstrap``, Salt's bootstrap script is fetched and run (it needs network in the
guest; as in Packer a failing bootstrap does not stop the provisioner). The minion config and
grains go to ``/etc/salt``, the state tree to ``/srv/salt`` and the pillar roots to ``/srv/pillar``
(or ``remote_state_tree``/``remote_pillar_roots``), each staged in ``temp_config_dir`` and moved
with Packer's commands; then ``salt-call --local state.highstate`` (or ``state.sls <custom_state>``)
runs. ``formulas`` (git URLs Packer downloads on the controller) are refused: no network here.
"""

from __future__ import annotations

import os

from ansible_collections.cattle.images.plugins.plugin_utils.common import UserError, as_bool, as_list, unknown_keys
from ansible_collections.cattle.images.plugins.plugin_utils.config_management import Guest
from ansible_collections.cattle.images.plugins.plugin_utils.provisioner import ProvisionerAction, ProvisionError
from ansible_collections.cattle.images.plugins.plugin_utils.remote import Remote, RemoteError

TEMP_DIR = "/tmp/salt"
STATE_ROOT = "/srv/salt"
PILLAR_ROOT = "/srv/pillar"
CONFIG_DIR = "/etc/salt"
BOOTSTRAP_FETCH = ("curl -L https://bootstrap.saltstack.com -o /tmp/install_salt.sh || "
                   "wget -O /tmp/install_salt.sh https://bootstrap.saltstack.com")
BOOTSTRAP_RUN = "sh /tmp/install_salt.sh"
KNOWN_KEYS = {
    "skip_bootstrap", "bootstrap_args", "disable_sudo", "custom_state", "minion_config", "grains_file",
    "local_state_tree", "local_pillar_roots", "remote_state_tree", "remote_pillar_roots", "temp_config_dir",
    "no_exit_on_failure", "log_level", "salt_call_args", "salt_bin_dir", "guest_os_type", "formulas",
}


def _path_problem(path, field, want_dir):
    if not os.path.exists(path):
        return f"{field}: path '{path}' is invalid: stat {path}: no such file or directory"
    if want_dir and not os.path.isdir(path):
        return f"{field}: path '{path}' must point to a directory"
    if not want_dir and os.path.isdir(path):
        return f"{field}: path '{path}' must point to a file"
    return None


def salt_call_args(config):
    """Packer's arguments after ``salt-call --local``, in its order."""
    args = f" state.sls {config['custom_state']}" if config["custom_state"] else " state.highstate"
    if not config["minion_config"]:
        args += f" --file-root={config['remote_state_tree'] or STATE_ROOT}"
        args += f" --pillar-root={config['remote_pillar_roots'] or PILLAR_ROOT}"
    if not config["no_exit_on_failure"]:
        args += " --retcode-passthrough"
    args += f" -l {config['log_level'] or 'info'}"
    if config["salt_call_args"]:
        args += f" {config['salt_call_args']}"
    return args


class ActionModule(ProvisionerAction):
    PROVISIONER_TYPE = "salt-masterless"

    def prepare(self, config, context):
        problems = unknown_keys(config, KNOWN_KEYS)
        os_type = str(config.get("guest_os_type") or "unix").lower()
        if os_type == "windows":
            raise UserError("guest_os_type \"windows\" is not supported by cattle's salt-masterless: use a "
                            "powershell provisioner that runs salt-call")
        if os_type != "unix":
            raise UserError(f'Invalid guest_os_type: "{os_type}"')
        paths = {key: context.local_path(config[key]) if config.get(key) else ""
                 for key in ("local_state_tree", "local_pillar_roots", "minion_config", "grains_file")}
        if not paths["local_state_tree"]:
            problems.append("local_state_tree cannot be empty")
        if as_list(config.get("formulas"), "formulas"):
            problems.append("formulas: cattle does not download Salt formulas (the build has no network); "
                            "put them into local_state_tree instead")
        for key, want_dir in (("local_state_tree", True), ("local_pillar_roots", True), ("minion_config", False)):
            problem = paths[key] and _path_problem(paths[key], key, want_dir)
            if problem:
                problems.append(problem)
        if paths["minion_config"] and (config.get("remote_state_tree") or config.get("remote_pillar_roots")):
            problems.append("remote_state_tree and remote_pillar_roots only apply when minion_config is not used")
        problem = paths["grains_file"] and _path_problem(paths["grains_file"], "grains_file", False)
        if problem:
            problems.append(problem)
        if problems:
            raise UserError("; ".join(problems))
        prepared = {
            **paths,
            "written": {paths[k]: str(config[k]) for k in paths if paths[k]},
            "skip_bootstrap": as_bool(config.get("skip_bootstrap", False), "skip_bootstrap"),
            "bootstrap_args": config.get("bootstrap_args") or "",
            "sudo": not as_bool(config.get("disable_sudo", False), "disable_sudo"),
            "custom_state": config.get("custom_state") or "",
            "remote_state_tree": config.get("remote_state_tree") or "",
            "remote_pillar_roots": config.get("remote_pillar_roots") or "",
            "temp_config_dir": config.get("temp_config_dir") or TEMP_DIR,
            "no_exit_on_failure": as_bool(config.get("no_exit_on_failure", False), "no_exit_on_failure"),
            "log_level": config.get("log_level") or "",
            "salt_call_args": config.get("salt_call_args") or "",
            "salt_bin_dir": config.get("salt_bin_dir") or "",
        }
        prepared["cmd_args"] = salt_call_args(prepared)
        return prepared

    @staticmethod
    def salt_call(config):
        binary = f"{config['salt_bin_dir'].rstrip('/')}/salt-call" if config["salt_bin_dir"] else "salt-call"
        command = f"{binary} --local {config['cmd_args']}"
        return f"sudo {command}" if config["sudo"] else command

    def describe(self, config, context, ui):
        ui.say(f"Check mode: would run: {self.salt_call(config)}")

    # --- the run ----------------------------------------------------------------------

    def provision(self, config, context, ui, cancel):
        guest = Guest(Remote(self._connection), ui, sudo=config["sudo"])
        temp = config["temp_config_dir"]

        def written(path):
            return config["written"].get(path, path)

        ui.say("Provisioning with Salt...")
        if not config["skip_bootstrap"]:
            ui.message("Downloading saltstack bootstrap to /tmp/install_salt.sh")
            guest.run(BOOTSTRAP_FETCH)  # Packer does not look at these exit codes
            command = f"{guest.sudoed(BOOTSTRAP_RUN)} {config['bootstrap_args']}"
            ui.message(f"Installing Salt with command {command}")
            guest.run(command)
        ui.message(f"Creating remote temporary directory: {temp}")
        self._create_dir(guest, temp, "Error creating remote temporary directory")
        for key, name, what in (("minion_config", "minion", "minion config"), ("grains_file", "grains", "grains file")):
            if not config[key]:
                continue
            ui.message(f"Uploading {what}: {written(config[key])}")
            self._upload_file(guest, config[key], f"{temp}/{name}",
                              f"Error uploading local {what} file to remote")
            ui.message(f"Make sure directory {CONFIG_DIR} exists")
            self._create_dir(guest, CONFIG_DIR, "Error creating remote salt configuration directory")
            self._move(guest, f"{temp}/{name}", f"{CONFIG_DIR}/{name}",
                       f"Unable to move {temp}/{name} to {CONFIG_DIR}/{name}")
        trees = [("local_state_tree", "states", config["remote_state_tree"] or STATE_ROOT, "local state tree",
                  "salt tree")]
        if config["local_pillar_roots"]:
            trees.append(("local_pillar_roots", "pillar", config["remote_pillar_roots"] or PILLAR_ROOT,
                          "local pillar roots", "pillar root"))
        for key, name, target, what, cleared in trees:
            ui.message(f"Uploading {what}: {written(config[key])}")
            # Packer uploads the tree to its bare name (the login directory), then moves it twice.
            try:
                guest.remote.put_tree(config[key], f"{guest.login_dir()}/{name}")
            except RemoteError as exc:
                raise ProvisionError(f"Error uploading {what} to remote: {exc}") from None
            self._move(guest, name, f"{temp}/{name}", f"Error uploading {what} to remote")
            ui.message(f"Verifying Path: {target}")
            # Packer's quirk, kept: it clears the target when stat *fails*.
            if guest.run(guest.sudoed(f"stat '{target}'")) != 0:
                ui.message(f"Removing directory: {target}")
                if guest.run(guest.sudoed(f"rm -rf '{target}'")) != 0:
                    raise ProvisionError(f"Unable to clear {cleared}: Non-zero exit status.")
            self._move(guest, f"{temp}/{name}", target, f"Unable to move {temp}/{name} to {target}")
        if cancel.is_set():
            raise ProvisionError("the provisioner was cancelled")
        ui.message(f"Running: salt-call --local {config['cmd_args']}")
        code = guest.run(self.salt_call(config))
        if code != 0 and not config["no_exit_on_failure"]:
            raise ProvisionError(f"Error executing salt-call: Bad exit status: {code}")

    @staticmethod
    def _create_dir(guest, path, what):
        guest.ui.message(f"Creating directory: {path}")
        if guest.run(guest.sudoed(f"mkdir -p '{path}'")) != 0:
            raise ProvisionError(f"{what}: Non-zero exit status.")

    @staticmethod
    def _move(guest, source, target, what):
        guest.ui.message(f"Moving {source} to {target}")
        # Packer prefixes its already-sudo'd mv with sudo again; kept, it is harmless where sudo works.
        code = guest.run(guest.sudoed(guest.sudoed(f"mv '{source}' '{target}'")))
        if code != 0:
            raise ProvisionError(f"{what}: Unable to move {source} to {target}: Bad exit status: {code}")

    def _upload_file(self, guest, local, target, what):
        # Packer uploads to the file's bare name (the login directory) and moves it into place.
        bare = os.path.basename(target)
        try:
            guest.upload_file(local, f"{guest.login_dir()}/{bare}")
        except ProvisionError as exc:
            raise ProvisionError(f"{what}: {exc}") from None
        self._move(guest, bare, target, f"{what}: Error moving file to destination")
