# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the config-management provisioners (ansible-local, puppet-masterless, chef-solo …) share.

Each one stages files in a directory on the build host, runs its tool there and may remove
the directory again. The guest commands and their ``ui`` lines are Packer's: ``mkdir -p
'<dir>'``, ``rm -rf '<dir>'``, prefixed with ``sudo`` where the provisioner uses sudo.
"""

from __future__ import annotations

import os
import secrets
import time
from contextlib import contextmanager

from ansible_collections.cattle.images.plugins.plugin_utils.provisioner import ProvisionError
from ansible_collections.cattle.images.plugins.plugin_utils.remote import RemoteError


def time_ordered_uuid():
    """A UUID whose first eight hex digits are the current Unix time (Packer's TimeOrderedUUID),
    so staging directories made later sort later."""
    rest = secrets.token_hex(12)
    return f"{int(time.time()) & 0xFFFFFFFF:08x}-{rest[0:4]}-{rest[4:8]}-{rest[8:12]}-{rest[12:24]}"


def dir_problem(path, field):
    """Packer's complaint about a local path that must be a directory, or None."""
    if not os.path.exists(path):
        return f"{field}: {path} is invalid: stat {path}: no such file or directory"
    if not os.path.isdir(path):
        return f"{field}: {path} must point to a directory"
    return None


def file_problem(path, field):
    """Packer's complaint about a local path that must be a file, or None."""
    if not os.path.exists(path):
        return f"{field}: {path} is invalid: stat {path}: no such file or directory"
    if os.path.isdir(path):
        return f"{field}: {path} must point to a file"
    return None


def step(what, operation, *args):
    """Run one staging operation; a failure reads "<what>: <why>", as Packer words it."""
    try:
        return operation(*args)
    except ProvisionError as exc:
        raise ProvisionError(f"{what}: {exc}") from None


@contextmanager
def generated_file(context, prefix, text):
    """A local file holding ``text`` (mode 0600, in the run's private directory), removed afterwards:
    generated inventories and configuration files may hold secrets."""
    with context.temp_file(prefix) as handle:
        handle.write(text)
    try:
        yield handle.name
    finally:
        os.unlink(handle.name)


class Guest:
    """Staging operations on the build host (POSIX ``sh``), reporting to ``ui`` as Packer does."""

    def __init__(self, remote, ui, sudo=False):
        self.remote = remote
        self.ui = ui
        self.sudo = sudo
        self._login_dir = None

    def sudoed(self, command):
        """``command`` prefixed with ``sudo`` when this provisioner uses sudo."""
        return f"sudo {command}" if self.sudo else command

    def login_dir(self):
        """Where the connection's commands start (relative names resolve there); asked once."""
        if self._login_dir is None:
            try:
                rc, stdout, _stderr = self.remote.run("pwd")
            except RemoteError as exc:
                raise ProvisionError(str(exc)) from None
            self._login_dir = stdout.decode("utf-8", "replace").strip().rstrip("/") if rc == 0 else ""
        return self._login_dir

    def run(self, command):
        """Run ``command``; its output goes to the ui; returns the exit code."""
        try:
            rc, _stdout, _stderr = self.remote.run(command, ui=self.ui)
        except RemoteError as exc:
            raise ProvisionError(str(exc)) from None
        return rc

    def create_dir(self, path, mode=None, announce=True):
        if announce:
            self.ui.message(f"Creating directory: {path}")
        if self.run(self.sudoed(f"mkdir -p '{path}'")) != 0:
            raise ProvisionError("Non-zero exit status. See output above for more information.")
        if mode and self.run(self.sudoed(f"chmod {mode} '{path}'")) != 0:
            raise ProvisionError("Non-zero exit status. See output above for more info.")

    def remove_dir(self, path, announce=True):
        if announce:
            self.ui.message(f"Removing directory: {path}")
        if self.run(self.sudoed(f"rm -rf '{path}'")) != 0:
            raise ProvisionError("Non-zero exit status. See output above for more information.")

    def upload_file(self, local_path, remote_path):
        try:
            self.remote.put(local_path, remote_path)
        except RemoteError as exc:
            raise ProvisionError(f"Error uploading {local_path}: {exc}") from None

    def upload_dir(self, local_dir, remote_dir, mode=None, announce=True):
        """The contents of ``local_dir`` into ``remote_dir`` (created first, as Packer does)."""
        self.create_dir(remote_dir, mode, announce)
        try:
            self.remote.put_tree(local_dir, remote_dir)
        except RemoteError as exc:
            raise ProvisionError(str(exc)) from None
