# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The build ledger: every resource a build creates, recorded before it is created.

Cleanup reads the ledger, so a build interrupted at any point (even by SIGKILL of
ansible-playbook, which skips ``always``) can be swept by the ``cattle`` wrapper.
One JSON object per line; appends are atomic enough for parallel builds (O_APPEND,
one ``write`` per line) and a ``flock`` guards against interleaving anyway.
"""

from __future__ import annotations

import fcntl
import importlib
import json
import os
import shlex

# kind -> "module:function" that removes one recorded resource; imported lazily so
# a sweep only loads the platform code it needs. A cleaner must treat "already gone"
# as success.
CLEANERS = {
    "docker_container": "ansible_collections.cattle.images.plugins.module_utils.docker.cleanup:remove_container",
    "ssh_key_dir": "ansible_collections.cattle.images.plugins.module_utils.communicator.keys:remove_private_dir",
    "ec2_instance": "ansible_collections.cattle.images.plugins.module_utils.aws.cleanup:terminate_instance",
    "ec2_security_group": "ansible_collections.cattle.images.plugins.module_utils.aws.cleanup:delete_security_group",
    "ec2_key_pair": "ansible_collections.cattle.images.plugins.module_utils.aws.cleanup:delete_key_pair",
    "ec2_image": "ansible_collections.cattle.images.plugins.module_utils.aws.cleanup:deregister_image",
    "process": "ansible_collections.cattle.images.plugins.module_utils.process:stop_process",
    "qemu_output_directory": "ansible_collections.cattle.images.plugins.module_utils.vm:remove_output_directory",
    "virtualbox_vm": "ansible_collections.cattle.images.plugins.module_utils.virtualbox.builder:remove_vm",
    "virtualbox_output_directory": (
        "ansible_collections.cattle.images.plugins.module_utils.vm:remove_output_directory"
    ),
}


class Ledger:
    def __init__(self, path):
        self.path = path

    def _append(self, entry):
        line = json.dumps(entry, sort_keys=True) + "\n"
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            os.write(fd, line.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)

    def record(self, build, kind, name, **details):
        """Note a resource about to be created. Call this *before* creating it."""
        self._append(dict(details, op="record", build=build, kind=kind, name=name))

    def release(self, kind, name):
        """Note that a recorded resource was removed (or kept on purpose)."""
        self._append({"op": "release", "kind": kind, "name": name})

    def entries(self):
        """Resources recorded and not released, oldest first."""
        live = {}
        try:
            with open(self.path, encoding="utf-8") as handle:
                lines = handle.readlines()
        except FileNotFoundError:
            return []
        for raw in lines:
            try:
                entry = json.loads(raw)
            except ValueError:
                continue  # a line torn by a kill mid-write; the record before it still counts
            key = (entry.get("kind"), entry.get("name"))
            if entry.get("op") == "record":
                live[key] = entry
            elif entry.get("op") == "release":
                live.pop(key, None)
        return list(live.values())

    def sweep(self, report=None):
        """Remove every live resource, newest first. Returns a list of error strings."""
        errors = []
        for entry in reversed(self.entries()):
            target = CLEANERS.get(entry["kind"])
            if target is None:
                errors.append(f"no cleaner for {entry['kind']} {entry['name']}")
                continue
            module_name, func_name = target.split(":")
            try:
                cleaner = getattr(importlib.import_module(module_name), func_name)
                cleaner(entry)
            except Exception as exc:  # noqa: BLE001 - a sweep must try every entry
                errors.append(f"could not remove {entry['kind']} {entry['name']}: {exc}")
                continue
            self.release(entry["kind"], entry["name"])
            if report:
                report(entry)
        return errors


_EC2_REMOVE = {"ec2_instance": "terminate-instances --instance-ids", "ec2_security_group": "delete-security-group "
               "--group-id", "ec2_key_pair": "delete-key-pair --key-name", "ec2_image": "deregister-image --image-id"}


def manual_removal(entry):
    """For a resource left on purpose (-on-error=abort): ": remove it with `command`…", how to
    remove it and the local files it keeps by hand, or "" when there is nothing to say."""
    kind, name = entry["kind"], entry["name"]
    command, kept = "", []
    if kind == "docker_container":
        host = f"DOCKER_HOST={shlex.quote(entry['docker_host'])} " if entry.get("docker_host") else ""
        command = f"{host}docker rm -f {shlex.quote(name)}"
        kept = [entry.get("temp_dir")]
    elif kind == "virtualbox_vm":
        vm = shlex.quote(name)
        command = f"VBoxManage controlvm {vm} poweroff; VBoxManage unregistervm {vm} --delete"
        kept = [entry.get("work_dir")]
    elif kind == "process":
        command = f"kill {int(entry['pid'])}" if entry.get("pid") else ""
        kept = list(entry.get("remove_paths") or [])
    elif kind in _EC2_REMOVE:
        region = f" --region {shlex.quote(entry['region'])}" if entry.get("region") else ""
        command = f"aws ec2 {_EC2_REMOVE[kind]} {shlex.quote(name)}{region}"
    elif os.path.isabs(name):  # output directories, key directories
        command = f"rm -rf {shlex.quote(name)}"
    kept = [path for path in kept if path]
    parts = [f"`{command}`"] if command else []
    if kept:
        parts.append(f"its files in {', '.join(kept)} with `rm -rf {' '.join(shlex.quote(path) for path in kept)}`")
    return ": remove it with " + ", and ".join(parts) if parts else ""
