# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""File transfer and commands on the build host through its Ansible connection.

Only the generic connection API is used (``exec_command``, ``put_file``, ``fetch_file``)
and only POSIX ``sh`` utilities on the target: no Python needed there. Some connections
(community.docker.docker_api) copy single files only, so directories go file by file.
"""

from __future__ import annotations

import os
import shlex
import stat

from ansible.errors import AnsibleError


class RemoteError(Exception):
    """A command or transfer on the build host failed."""


def _text(data):
    if isinstance(data, bytes):
        return data.decode("utf-8", errors="replace")
    return data or ""


class Remote:
    def __init__(self, connection):
        self.connection = connection

    def run(self, command, in_data=None):
        """``(exit code, stdout bytes, stderr bytes)`` of a POSIX shell command."""
        try:
            rc, stdout, stderr = self.connection.exec_command(command, in_data=in_data, sudoable=False)
        except AnsibleError as exc:
            raise RemoteError(str(exc)) from None
        return rc, stdout or b"", stderr or b""

    def check(self, command, what):
        rc, stdout, stderr = self.run(command)
        if rc != 0:
            detail = _text(stderr).strip() or _text(stdout).strip() or f"exit status {rc}"
            raise RemoteError(f"{what}: {detail}")
        return _text(stdout)

    def kind(self, path):
        """``"dir"``, ``"file"`` or ``None`` (missing)."""
        quoted = shlex.quote(path)
        rc, stdout, _ = self.run(f"if [ -d {quoted} ]; then echo dir; elif [ -e {quoted} ]; then echo file; fi")
        answer = _text(stdout).strip()
        return answer or None

    def put(self, local_path, remote_path):
        try:
            self.connection.put_file(local_path, remote_path)
        except AnsibleError as exc:
            raise RemoteError(f"uploading {local_path} to {remote_path}: {exc}") from None

    def fetch(self, remote_path, local_path):
        try:
            self.connection.fetch_file(remote_path, local_path)
        except AnsibleError as exc:
            raise RemoteError(f"downloading {remote_path} to {local_path}: {exc}") from None

    def put_tree(self, local_dir, remote_dir):
        """Copy the contents of ``local_dir`` into ``remote_dir`` (created), keeping file modes."""
        directories = [remote_dir]
        files = []
        for root, dirnames, filenames in os.walk(local_dir, followlinks=True):
            relative = os.path.relpath(root, local_dir)
            target_root = remote_dir if relative == "." else f"{remote_dir.rstrip('/')}/{relative}"
            directories.extend(f"{target_root.rstrip('/')}/{name}" for name in sorted(dirnames))
            files.extend((os.path.join(root, name), f"{target_root.rstrip('/')}/{name}") for name in sorted(filenames))
        self.check("mkdir -p " + " ".join(shlex.quote(d) for d in directories), f"creating {remote_dir}")
        for local_path, remote_path in files:
            self.put(local_path, remote_path)
        self.chmod_like_local(files)
        return [remote for _, remote in files]

    def chmod_like_local(self, pairs):
        """Give uploaded files their local permission bits (some connections drop group/other bits)."""
        commands = []
        for local_path, remote_path in pairs:
            mode = stat.S_IMODE(os.stat(local_path).st_mode)
            commands.append(f"chmod {mode:o} {shlex.quote(remote_path)}")
        for start in range(0, len(commands), 200):
            self.check(" && ".join(commands[start:start + 200]), "setting file modes")

    def fetch_tree(self, remote_dir, local_dir):
        """Copy the contents of ``remote_dir`` into ``local_dir``."""
        listing = self.check(f"cd {shlex.quote(remote_dir)} && find . -type f", f"listing {remote_dir}")
        fetched = []
        for relative in sorted(line[2:] for line in listing.splitlines() if line.startswith("./")):
            local_path = os.path.join(local_dir, relative)
            os.makedirs(os.path.dirname(local_path), exist_ok=True)
            self.fetch(f"{remote_dir.rstrip('/')}/{relative}", local_path)
            fetched.append(local_path)
        for relative in self.check(f"cd {shlex.quote(remote_dir)} && find . -type d", f"listing {remote_dir}").splitlines():
            if relative.startswith("./"):
                os.makedirs(os.path.join(local_dir, relative[2:]), exist_ok=True)
        os.makedirs(local_dir, exist_ok=True)
        return fetched
