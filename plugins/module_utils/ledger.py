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
