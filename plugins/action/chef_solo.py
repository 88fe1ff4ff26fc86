# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Packer's ``chef-solo`` provisioner: ``chef-solo`` inside the build host.

Unless ``skip_install``, ``install_command`` runs first (Packer's default pipes Chef's
omnitruck installer into bash: it needs network in the guest). Cookbooks, roles, data bags,
the encrypted data bag secret and environments are staged in ``staging_directory`` (default
``/tmp/packer-chef-solo``); ``solo.rb`` (Packer's template, or ``config_template``) and
``node.json`` (``json`` plus ``run_list``) are generated there; then ``execute_command`` runs.
"""

from __future__ import annotations

import json
import os

from ansible_collections.cattle.images.plugins.plugin_utils.common import UserError, as_bool, as_list, unknown_keys
from ansible_collections.cattle.images.plugins.plugin_utils.config_management import Guest, generated_file, step
from ansible_collections.cattle.images.plugins.plugin_utils.provisioner import ProvisionerAction, ProvisionError
from ansible_collections.cattle.images.plugins.plugin_utils.remote import Remote

EXECUTE_COMMAND = "{{if .Sudo}}sudo {{end}}chef-solo --no-color -c {{.ConfigPath}} -j {{.JsonPath}}"
INSTALL_COMMAND = ("curl -L https://omnitruck.chef.io/install.sh | {{if .Sudo}}sudo {{end}}bash -s --"
                   "{{if .Version}} -v {{.Version}}{{end}}")
STAGING_DIR = "/tmp/packer-chef-solo"
# Packer's DefaultConfigTemplate, byte for byte (tabs included).
DEFAULT_CONFIG_TEMPLATE = """
chef_license \t\t"{{.ChefLicense}}"
cookbook_path \t[{{.CookbookPaths}}]
{{if .HasRolesPath}}
role_path\t\t"{{.RolesPath}}"
{{end}}
{{if .HasDataBagsPath}}
data_bag_path\t"{{.DataBagsPath}}"
{{end}}
{{if .HasEncryptedDataBagSecretPath}}
encrypted_data_bag_secret "{{.EncryptedDataBagSecretPath}}"
{{end}}
{{if .HasEnvironmentsPath}}
environment_path "{{.EnvironmentsPath}}"
environment "{{.ChefEnvironment}}"
{{end}}
"""
KNOWN_KEYS = {
    "chef_environment", "chef_license", "config_template", "cookbook_paths", "data_bags_path",
    "encrypted_data_bag_secret_path", "environments_path", "execute_command", "install_command", "json",
    "prevent_sudo", "remote_cookbook_paths", "roles_path", "run_list", "skip_install", "staging_directory",
    "guest_os_type", "version",
}
# (option, staged name, Packer's word for it in errors)
STAGED_DIRS = (("roles_path", "roles", "roles"), ("data_bags_path", "data_bags", "data bags"),
               ("environments_path", "environments", "environments"))


def go_json(value):
    """Go's ``json.MarshalIndent(v, "", "  ")``: sorted keys, and <, >, & escaped as Go does."""
    text = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class ActionModule(ProvisionerAction):
    PROVISIONER_TYPE = "chef-solo"

    def prepare(self, config, context):
        problems = unknown_keys(config, KNOWN_KEYS)
        os_type = str(config.get("guest_os_type") or "unix").lower()
        if os_type == "windows":
            raise UserError("guest_os_type \"windows\" is not supported by cattle's chef-solo yet: "
                            "use a powershell provisioner that runs chef-solo")
        if os_type != "unix":
            raise UserError(f'Invalid guest_os_type: "{os_type}"')
        local = {key: context.local_path(config[key]) if config.get(key) else ""
                 for key in ("config_template", "roles_path", "data_bags_path", "encrypted_data_bag_secret_path",
                             "environments_path")}
        template = local["config_template"]
        if template and not os.path.exists(template):
            problems.append(f"Bad config template path: stat {template}: no such file or directory")
        elif template and os.path.isdir(template):
            problems.append("Config template path must be a file: %!s(<nil>)")
        cookbook_paths = [context.local_path(p) for p in as_list(config.get("cookbook_paths"), "cookbook_paths")]
        for path in cookbook_paths:
            if not os.path.isdir(path):
                problems.append(f"Bad cookbook path '{path}': {_stat_error(path)}")
        for key, _name, word in STAGED_DIRS:
            if local[key] and not os.path.isdir(local[key]):
                problems.append(f"Bad {word} path '{local[key]}': {_stat_error(local[key])}")
        secret = local["encrypted_data_bag_secret_path"]
        if secret and (not os.path.exists(secret) or os.path.isdir(secret)):
            problems.append(f"Bad encrypted data bag secret '{secret}': {_stat_error(secret)}")
        attributes = config.get("json") or {}
        if not isinstance(attributes, dict):
            problems.append("Error processing JSON: json must be a map")
        if problems:
            raise UserError("; ".join(problems))
        install_command = config.get("install_command") or INSTALL_COMMAND
        skip_install = as_bool(config.get("skip_install", False), "skip_install")
        chef_license = config.get("chef_license") or ""
        if not skip_install and install_command == INSTALL_COMMAND and not chef_license:
            chef_license = "accept-silent"  # Packer accepts the license when it installs Chef itself
        return {
            **local,
            "cookbook_paths": cookbook_paths,
            "remote_cookbook_paths": as_list(config.get("remote_cookbook_paths"), "remote_cookbook_paths"),
            "run_list": as_list(config.get("run_list"), "run_list"),
            "json": attributes,
            "chef_environment": config.get("chef_environment") or "",
            "chef_license": chef_license,
            "execute_command": config.get("execute_command") or EXECUTE_COMMAND,
            "install_command": install_command,
            "skip_install": skip_install,
            "sudo": not as_bool(config.get("prevent_sudo", False), "prevent_sudo"),
            "staging_directory": config.get("staging_directory") or STAGING_DIR,
            "version": config.get("version") or "",
        }

    # --- generated files and commands -------------------------------------------------

    @staticmethod
    def staged(config):
        """The staged paths solo.rb names, by option ("" when the option is not set)."""
        staging = config["staging_directory"]
        paths = {key: f"{staging}/{name}" if config[key] else "" for key, name, _word in STAGED_DIRS}
        paths["encrypted_data_bag_secret_path"] = (f"{staging}/encrypted_data_bag_secret"
                                                   if config["encrypted_data_bag_secret_path"] else "")
        paths["cookbook_paths"] = [f"{staging}/cookbooks-{i}" for i in range(len(config["cookbook_paths"]))]
        return paths

    def solo_rb(self, config, context):
        staged = self.staged(config)
        template = DEFAULT_CONFIG_TEMPLATE
        if config["config_template"]:
            with open(config["config_template"], encoding="utf-8") as handle:
                template = handle.read()
        cookbooks = ",".join(f'"{path}"' for path in config["remote_cookbook_paths"] + staged["cookbook_paths"])
        return context.render(
            template, "config_template", CookbookPaths=cookbooks, RolesPath=staged["roles_path"],
            DataBagsPath=staged["data_bags_path"], EncryptedDataBagSecretPath=staged["encrypted_data_bag_secret_path"],
            EnvironmentsPath=staged["environments_path"], HasRolesPath=bool(staged["roles_path"]),
            HasDataBagsPath=bool(staged["data_bags_path"]),
            HasEncryptedDataBagSecretPath=bool(staged["encrypted_data_bag_secret_path"]),
            HasEnvironmentsPath=bool(staged["environments_path"]), ChefEnvironment=config["chef_environment"],
            ChefLicense=config["chef_license"])

    @staticmethod
    def node_json(config):
        attributes = dict(config["json"])
        if config["run_list"]:
            attributes["run_list"] = list(config["run_list"])
        return go_json(attributes)

    def execute_command(self, config, context):
        staging = config["staging_directory"]
        return context.render(config["execute_command"], "execute_command", ConfigPath=f"{staging}/solo.rb",
                              JsonPath=f"{staging}/node.json", Sudo=config["sudo"])

    def install_command(self, config, context):
        return context.render(config["install_command"], "install_command", Sudo=config["sudo"],
                              Version=config["version"])

    def describe(self, config, context, ui):
        if not config["skip_install"]:
            ui.say(f"Check mode: would install Chef: {self.install_command(config, context)}")
        ui.say(f"Check mode: would run: {self.execute_command(config, context)}")

    # --- the run ----------------------------------------------------------------------

    def provision(self, config, context, ui, cancel):
        ui.say("Provisioning with chef-solo")
        guest = Guest(Remote(self._connection), ui, sudo=config["sudo"])
        if not config["skip_install"]:
            ui.message("Installing Chef...")
            code = guest.run(self.install_command(config, context))
            if code != 0:
                raise ProvisionError(f"Error installing Chef: Install script exited with non-zero exit status {code}")
        staging = config["staging_directory"]
        step("Error creating staging directory", guest.create_dir, staging, "0777")
        staged = self.staged(config)
        for local, remote in zip(config["cookbook_paths"], staged["cookbook_paths"], strict=True):
            step("Error uploading cookbooks", guest.upload_dir, local, remote, "0777")
        for key, _name, word in STAGED_DIRS[:2]:
            if config[key]:
                step(f"Error uploading {word}", guest.upload_dir, config[key], staged[key], "0777")
        if config["encrypted_data_bag_secret_path"]:
            step("Error uploading encrypted data bag secret", guest.upload_file,
                 config["encrypted_data_bag_secret_path"], staged["encrypted_data_bag_secret_path"])
        if config["environments_path"]:
            step("Error uploading environments", guest.upload_dir, config["environments_path"],
                 staged["environments_path"], "0777")
        ui.message("Creating configuration file 'solo.rb'")
        with generated_file(context, "packer-chef-solo-rb", self.solo_rb(config, context)) as path:
            step("Error creating Chef config file", guest.upload_file, path, f"{staging}/solo.rb")
        ui.message("Creating JSON attribute file")
        with generated_file(context, "packer-chef-node-json", self.node_json(config)) as path:
            step("Error creating JSON attributes", guest.upload_file, path, f"{staging}/node.json")
        if cancel.is_set():
            raise ProvisionError("the provisioner was cancelled")
        command = self.execute_command(config, context)
        ui.message(f"Executing Chef: {command}")
        code = guest.run(command)
        if code != 0:
            raise ProvisionError(f"Error executing Chef: Non-zero exit status: {code}")


def _stat_error(path):
    """Go's ``err`` text in Packer's messages: the stat error, or Go's rendering of a nil error when the path exists but has the wrong kind."""
    return "%!s(<nil>)" if os.path.exists(path) else f"stat {path}: no such file or directory"
