# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Packer's ``ansible-local`` provisioner: Ansible runs inside the build host (``-c local``).

The playbook(s), inventory, group/host vars, roles and extra playbook directories are staged
in ``staging_directory`` on the build host (default ``/tmp/packer-provisioner-ansible-local/<uuid>``),
then ``cd <staging> && <command> <playbook> --extra-vars "…" <extra_arguments> -c local -i <inventory>``
runs there for each playbook. The build host needs Ansible installed; the controller's is not used.
"""

from __future__ import annotations

import os

from ansible_collections.cattle.images.plugins.plugin_utils.common import UserError, as_bool, as_list, unknown_keys
from ansible_collections.cattle.images.plugins.plugin_utils.config_management import (
    Guest,
    dir_problem,
    file_problem,
    generated_file,
    step,
    time_ordered_uuid,
)
from ansible_collections.cattle.images.plugins.plugin_utils.provisioner import ProvisionerAction, ProvisionError
from ansible_collections.cattle.images.plugins.plugin_utils.remote import Remote

DEFAULT_STAGING_DIR = "/tmp/packer-provisioner-ansible-local"
DEFAULT_COMMAND = "ANSIBLE_FORCE_COLOR=1 PYTHONUNBUFFERED=1 ansible-playbook"
INVENTORY_PREFIX = "packer-provisioner-ansible-local"
KNOWN_KEYS = {
    "playbook_file", "playbook_files", "playbook_dir", "playbook_paths", "role_paths", "group_vars", "host_vars",
    "inventory_file", "inventory_groups", "galaxy_file", "galaxy_command", "command", "extra_arguments",
    "staging_directory", "clean_staging_directory", "galaxy_roles_path", "galaxy_collections_path",
}


def join(*parts):
    """A guest path: ``parts`` joined with ``/`` and cleaned, as Go's filepath.Join."""
    return os.path.normpath("/".join(p for p in parts if p)).replace("//", "/")


def inventory_text(groups):
    """Packer's generated inventory: the local host alone, or in each of ``groups``."""
    if groups:
        return "".join(f"[{group}]\n127.0.0.1\n" for group in groups)
    return "127.0.0.1"


class ActionModule(ProvisionerAction):
    PROVISIONER_TYPE = "ansible-local"

    def prepare(self, config, context):
        problems = unknown_keys(config, KNOWN_KEYS)
        playbook_file = context.local_path(config["playbook_file"]) if config.get("playbook_file") else ""
        playbook_files = [context.local_path(path) for path in as_list(config.get("playbook_files"), "playbook_files")]
        if playbook_file and playbook_files:
            problems.append("Either playbook_file or playbook_files can be specified, not both")
        if not playbook_file and not playbook_files:
            problems.append("Either playbook_file or playbook_files must be specified")
        checks = [(playbook_file, "playbook_file", file_problem)]
        checks += [(path, "playbook_files", file_problem) for path in playbook_files]
        paths = {}
        for key, check in (("inventory_file", file_problem), ("galaxy_file", file_problem),
                           ("playbook_dir", dir_problem), ("group_vars", dir_problem), ("host_vars", dir_problem)):
            paths[key] = context.local_path(config[key]) if config.get(key) else ""
            checks.append((paths[key], key, check))
        playbook_paths = [context.local_path(p) for p in as_list(config.get("playbook_paths"), "playbook_paths")]
        role_paths = [context.local_path(p) for p in as_list(config.get("role_paths"), "role_paths")]
        checks += [(path, "playbook_paths", dir_problem) for path in playbook_paths]
        checks += [(path, "role_paths", dir_problem) for path in role_paths]
        problems += [problem for path, field, check in checks if path for problem in [check(path, field)] if problem]
        if problems:
            raise UserError("; ".join(problems))
        staging = config.get("staging_directory") or f"{DEFAULT_STAGING_DIR}/{time_ordered_uuid()}"
        return {
            "playbook_file": playbook_file,
            "playbook_files": playbook_files,
            **paths,
            "playbook_paths": playbook_paths,
            "role_paths": role_paths,
            "inventory_groups": as_list(config.get("inventory_groups"), "inventory_groups"),
            "galaxy_command": config.get("galaxy_command") or "ansible-galaxy",
            "galaxy_roles_path": config.get("galaxy_roles_path") or "",
            "command": config.get("command") or DEFAULT_COMMAND,
            "extra_arguments": [str(a) for a in as_list(config.get("extra_arguments"), "extra_arguments")],
            "staging_directory": staging,
            "clean_staging_directory": as_bool(config.get("clean_staging_directory", False), "clean_staging_directory"),
        }

    # --- the guest's view -------------------------------------------------------------

    @staticmethod
    def staged_playbooks(config):
        """``(local path or None, guest path)`` of each playbook, in the order they run.

        Packer's quirk, kept: a ``playbook_files`` entry outside ``playbook_dir`` is staged under
        its full local path (``<staging>/home/me/site.yml``); one inside it is already there."""
        staging = config["staging_directory"]
        if config["playbook_file"]:
            return [(config["playbook_file"], join(staging, os.path.basename(config["playbook_file"])))]
        playbook_dir = os.path.abspath(config["playbook_dir"]) if config["playbook_dir"] else ""
        staged = []
        for path in config["playbook_files"]:
            if playbook_dir and path.startswith(playbook_dir):
                staged.append((None, join(staging, path[len(playbook_dir):])))
            else:
                staged.append((path, join(staging, path)))
        return staged

    def extra_args(self, config, context):
        http_addr = context.build_data().get("PackerHTTPAddr", "")
        text = (f' --extra-vars "packer_build_name={context.build_name} packer_builder_type={context.build_type} '
                f'packer_http_addr={http_addr} -o IdentitiesOnly=yes" ')
        return text + " ".join(config["extra_arguments"])

    @staticmethod
    def inventory_name(config):
        """The inventory's file name in the staging directory (a generated one gets a random suffix)."""
        return os.path.basename(config["inventory_file"]) if config["inventory_file"] else INVENTORY_PREFIX + "<random>"

    def playbook_command(self, config, context, playbook, inventory):
        return (f"cd {config['staging_directory']} && {config['command']} {playbook}"
                f"{self.extra_args(config, context)} -c local -i {inventory}")

    def galaxy_command(self, config):
        staging = config["staging_directory"]
        roles = config["galaxy_roles_path"] or join(staging, "roles")
        galaxy_file = join(staging, os.path.basename(config["galaxy_file"]))
        return f"cd {staging} && {config['galaxy_command']} install -r {galaxy_file} -p {roles}"

    def describe(self, config, context, ui):
        inventory = join(config["staging_directory"], self.inventory_name(config))
        for _local, playbook in self.staged_playbooks(config):
            ui.say(f"Check mode: would run: {self.playbook_command(config, context, playbook, inventory)}")

    # --- the run ----------------------------------------------------------------------

    def provision(self, config, context, ui, cancel):
        ui.say("Provisioning with Ansible...")
        guest = Guest(Remote(self._connection), ui)
        staging = config["staging_directory"]
        if config["playbook_dir"]:
            ui.message("Uploading Playbook directory to Ansible staging directory...")
            step("Error uploading playbook_dir directory", guest.upload_dir, config["playbook_dir"], staging)
        else:
            ui.message("Creating Ansible staging directory...")
            step("Error creating staging directory", guest.create_dir, staging)
        playbooks = self.staged_playbooks(config)
        if config["playbook_file"]:
            ui.message("Uploading main Playbook file...")
            step("Error uploading main playbook", guest.upload_file, *playbooks[0])
        else:
            for local, remote in playbooks:
                if local is None:
                    continue
                ui.message(f"Uploading playbook file: {local}")
                step(f"Error uploading playbook file: {local}", guest.create_dir, os.path.dirname(remote))
                step(f"Error uploading playbook: {local}", guest.upload_file, local, remote)
        if config["inventory_file"]:
            self._stage_rest(config, context, guest, ui, cancel, config["inventory_file"])
        else:
            with generated_file(context, INVENTORY_PREFIX, inventory_text(config["inventory_groups"])) as path:
                self._stage_rest(config, context, guest, ui, cancel, path)
        if config["clean_staging_directory"]:
            ui.message("Removing staging directory...")
            step("Error removing staging directory", guest.remove_dir, staging)

    def _stage_rest(self, config, context, guest, ui, cancel, inventory_path):
        staging = config["staging_directory"]
        if config["galaxy_file"]:
            ui.message("Uploading galaxy file...")
            galaxy = join(staging, os.path.basename(config["galaxy_file"]))
            step("Error uploading galaxy file", guest.upload_file, config["galaxy_file"], galaxy)
        ui.message("Uploading inventory file...")
        inventory = join(staging, os.path.basename(inventory_path))
        step("Error uploading inventory file", guest.upload_file, inventory_path, inventory)
        for key in ("group_vars", "host_vars"):
            if config[key]:
                ui.message(f"Uploading {key} directory...")
                step(f"Error uploading {key} directory", guest.upload_dir, config[key], join(staging, key))
        if config["role_paths"]:
            ui.message("Uploading role directories...")
            for path in config["role_paths"]:
                target = join(staging, "roles", os.path.basename(path.rstrip("/")))
                step("Error uploading roles", guest.upload_dir, path, target)
        if config["playbook_paths"]:
            ui.message("Uploading additional Playbooks...")
            playbook_dir = join(staging, "playbooks")
            step("Error creating playbooks directory", guest.create_dir, playbook_dir)
            for path in config["playbook_paths"]:
                target = join(playbook_dir, os.path.basename(path.rstrip("/")))
                step("Error uploading playbooks", guest.upload_dir, path, target)
        if config["galaxy_file"]:
            command = self.galaxy_command(config)
            ui.message(f"Executing Ansible Galaxy: {command}")
            code = guest.run(command)
            if code != 0:
                raise ProvisionError(f"Error executing Ansible: Error executing Ansible Galaxy: Non-zero exit status: {code}")
        for _local, playbook in self.staged_playbooks(config):
            if cancel.is_set():
                raise ProvisionError("the provisioner was cancelled")
            command = self.playbook_command(config, context, playbook, inventory)
            ui.message(f"Executing Ansible: {command}")
            code = guest.run(command)
            if code == 127:
                raise ProvisionError(f"Error executing Ansible: {config['command']} could not be found. Verify that "
                                     "it is available on the\nPATH after connecting to the machine.")
            if code != 0:
                raise ProvisionError(f"Error executing Ansible: Non-zero exit status: {code}")
