# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Packer's ``puppet-masterless`` provisioner: ``puppet apply`` inside the build host.

The manifest (a file, or a directory of them), the module paths and the hiera configuration are
staged in ``staging_directory`` (default ``/tmp/packer-puppet-masterless``) on the build host, then
the rendered ``execute_command`` runs there. Puppet's ``--detailed-exitcodes`` makes 2 ("changes
applied") a success, as 0; any other code fails the build unless ``ignore_exit_codes``.
"""

from __future__ import annotations

import os

from ansible_collections.cattle.images.plugins.plugin_utils.common import UserError, as_bool, as_list, unknown_keys
from ansible_collections.cattle.images.plugins.plugin_utils.config_management import Guest, step
from ansible_collections.cattle.images.plugins.plugin_utils.provisioner import ProvisionerAction, ProvisionError
from ansible_collections.cattle.images.plugins.plugin_utils.remote import Remote

# Packer's defaults per guest_os_type (its guestOSTypeConfigs).
UNIX_EXECUTE_COMMAND = (
    "cd {{.WorkingDir}} && "
    '{{if ne .FacterVars ""}}{{.FacterVars}} {{end}}'
    "{{if .Sudo}}sudo -E {{end}}"
    '{{if ne .PuppetBinDir ""}}{{.PuppetBinDir}}/{{end}}'
    "puppet apply --detailed-exitcodes "
    "{{if .Debug}}--debug {{end}}"
    '{{if ne .ModulePath ""}}--modulepath=\'{{.ModulePath}}\' {{end}}'
    '{{if ne .HieraConfigPath ""}}--hiera_config=\'{{.HieraConfigPath}}\' {{end}}'
    '{{if ne .ManifestDir ""}}--manifestdir=\'{{.ManifestDir}}\' {{end}}'
    '{{if ne .ExtraArguments ""}}{{.ExtraArguments}} {{end}}'
    "{{.ManifestFile}}"
)
GUEST_OS_TYPES = {
    "unix": {"execute_command": UNIX_EXECUTE_COMMAND, "staging_directory": "/tmp/packer-puppet-masterless",
             "facter_format": "FACTER_{}='{}'", "facter_joiner": " ", "module_path_joiner": ":"},
}
KNOWN_KEYS = {
    "manifest_file", "manifest_dir", "module_paths", "hiera_config_path", "execute_command", "guest_os_type",
    "extra_arguments", "facter", "ignore_exit_codes", "prevent_sudo", "staging_directory", "working_directory",
    "puppet_bin_dir", "elevated_user", "elevated_password", "clean_staging_directory",
}


def _stat_problem(path, field, want_dir):
    if not os.path.exists(path):
        return f"{field} is invalid: stat {path}: no such file or directory"
    if want_dir is True and not os.path.isdir(path):
        return f"{field} must point to a directory"
    if want_dir is False and os.path.isdir(path):
        return f"{field} must point to a file"
    return None


class ActionModule(ProvisionerAction):
    PROVISIONER_TYPE = "puppet-masterless"

    def prepare(self, config, context):
        problems = unknown_keys(config, KNOWN_KEYS)
        os_type = str(config.get("guest_os_type") or "unix").lower()
        if os_type == "windows":
            raise UserError("guest_os_type \"windows\" is not supported by cattle's puppet-masterless yet: "
                            "use a powershell provisioner that runs `puppet apply`")
        if os_type not in GUEST_OS_TYPES:
            raise UserError(f'Invalid guest_os_type: "{os_type}"')
        if config.get("elevated_user"):
            problems.append("elevated_user only applies to Windows guests, which cattle's puppet-masterless does not run")
        defaults = GUEST_OS_TYPES[os_type]
        paths = {}
        for key, want_dir in (("hiera_config_path", False), ("manifest_dir", True), ("manifest_file", None)):
            paths[key] = context.local_path(config[key]) if config.get(key) else ""
            problem = paths[key] and _stat_problem(paths[key], key, want_dir)
            if problem:
                problems.append(problem)
        if not paths["manifest_file"]:
            problems.append("A manifest_file must be specified.")
        module_paths = [context.local_path(p) for p in as_list(config.get("module_paths"), "module_paths")]
        for index, path in enumerate(module_paths):
            problem = _stat_problem(path, f"module_path[{index}]", True)
            if problem:
                problems.append(problem)
        facter = config.get("facter") or {}
        if not isinstance(facter, dict):
            problems.append("facter: expected a map of fact names to values")
            facter = {}
        if problems:
            raise UserError("; ".join(problems))
        facter = {str(k): str(v) for k, v in facter.items()}
        facter["packer_build_name"] = context.build_name
        facter["packer_builder_type"] = context.build_type
        staging = config.get("staging_directory") or defaults["staging_directory"]
        return {
            **paths,
            # Packer's "Uploading … from: X" lines name local paths as the template wrote them.
            "written": {**{paths[k]: str(config[k]) for k in paths if paths[k]},
                        **dict(zip(module_paths, as_list(config.get("module_paths"), "module_paths"), strict=True))},
            "module_paths": module_paths,
            "facter": facter,
            "execute_command": config.get("execute_command") or defaults["execute_command"],
            "extra_arguments": [str(a) for a in as_list(config.get("extra_arguments"), "extra_arguments")],
            "ignore_exit_codes": as_bool(config.get("ignore_exit_codes", False), "ignore_exit_codes"),
            "sudo": not as_bool(config.get("prevent_sudo", False), "prevent_sudo"),
            "puppet_bin_dir": config.get("puppet_bin_dir") or "",
            "staging_directory": staging,
            "working_directory": config.get("working_directory") or staging,
            "clean_staging_directory": as_bool(config.get("clean_staging_directory", False), "clean_staging_directory"),
            "os": defaults,
        }

    # --- the guest's view -------------------------------------------------------------

    @staticmethod
    def remote_manifest(config):
        staging = config["staging_directory"]
        if os.path.isdir(config["manifest_file"]):
            return f"{staging}/manifests"
        return f"{staging}/manifests/{os.path.basename(config['manifest_file'])}"

    def command(self, config, context):
        """``execute_command`` rendered with Packer's data (facts sorted: Go's map order is random)."""
        staging = config["staging_directory"]
        os_config = config["os"]
        data = {
            "Debug": False,
            "FacterVars": os_config["facter_joiner"].join(
                os_config["facter_format"].format(k, v) for k, v in sorted(config["facter"].items())),
            "HieraConfigPath": f"{staging}/hiera.yaml" if config["hiera_config_path"] else "",
            "ManifestDir": f"{staging}/manifests" if config["manifest_dir"] else "",
            "ManifestFile": self.remote_manifest(config),
            "ModulePath": os_config["module_path_joiner"].join(
                f"{staging}/module-{i}" for i in range(len(config["module_paths"]))),
            "ModulePathJoiner": os_config["module_path_joiner"],
            "PuppetBinDir": config["puppet_bin_dir"],
            "Sudo": config["sudo"],
            "WorkingDir": config["working_directory"],
        }
        data["ExtraArguments"] = context.render(" ".join(config["extra_arguments"]), "extra_arguments", **data)
        return context.render(config["execute_command"], "execute_command", **data)

    def describe(self, config, context, ui):
        ui.say(f"Check mode: would run Puppet: {self.command(config, context)}")

    # --- the run ----------------------------------------------------------------------

    def provision(self, config, context, ui, cancel):
        ui.say("Provisioning with Puppet...")
        guest = Guest(Remote(self._connection), ui, sudo=config["sudo"])

        def written(path):
            return config["written"].get(path, path)

        staging = config["staging_directory"]
        ui.message("Creating Puppet staging directory...")
        step("Error creating staging directory", guest.create_dir, staging, "0777")
        if config["hiera_config_path"]:
            ui.message("Uploading hiera configuration...")
            step("Error uploading hiera config", guest.upload_file, config["hiera_config_path"], f"{staging}/hiera.yaml")
        if config["manifest_dir"]:
            ui.message(f"Uploading manifest directory from: {written(config['manifest_dir'])}")
            step("Error uploading manifest dir", guest.upload_dir, config["manifest_dir"], f"{staging}/manifests", "0777")
        for index, path in enumerate(config["module_paths"]):
            ui.message(f"Uploading local modules from: {written(path)}")
            step("Error uploading modules", guest.upload_dir, path, f"{staging}/module-{index}", "0777")
        ui.message("Uploading manifests...")
        step("Error uploading manifests: Error creating manifests directory", guest.create_dir,
             f"{staging}/manifests", "0777")
        manifest = config["manifest_file"]
        if os.path.isdir(manifest):
            ui.message(f"Uploading manifest directory from: {written(manifest)}")
            step("Error uploading manifests: Error uploading manifest dir", guest.upload_dir, manifest,
                 f"{staging}/manifests", "0777")
        else:
            ui.message(f"Uploading manifest file from: {written(manifest)}")
            step("Error uploading manifests", guest.upload_file, manifest, self.remote_manifest(config))
        if cancel.is_set():
            raise ProvisionError("the provisioner was cancelled")
        command = self.command(config, context)
        ui.message(f"Running Puppet: {command}")
        code = guest.run(command)
        if code not in (0, 2) and not config["ignore_exit_codes"]:
            raise ProvisionError(f"Puppet exited with a non-zero exit status: {code}")
        if config["clean_staging_directory"]:
            step("Error removing staging directory", guest.remove_dir, staging, False)
