# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""File transfer and commands on the build host through its Ansible connection.

Only the generic connection API is used (``exec_command``, ``put_file``, ``fetch_file``)
and only POSIX ``sh`` utilities on the target: no Python needed there. Some connections
(community.docker.docker_api) copy single files only, so directories go file by file.
``WindowsRemote`` offers the same operations on a Windows build host (WinRM), with
PowerShell commands instead of ``sh``; ``remote_for`` picks one for a connection.

``run(command, ui=ui)`` gives the command's output to ``ui`` line by line as it is produced
(``streaming``): stdout lines as messages, stderr lines as errors, as Packer's ``RunWithUi``.
"""

from __future__ import annotations

import os
import posixpath
import shlex
import stat
import tarfile

from ansible.errors import AnsibleError
from ansible.utils.display import Display

from ansible_collections.cattle.images.plugins.module_utils.errors import CattleError
from ansible_collections.cattle.images.plugins.module_utils.ui import OutputLines
from ansible_collections.cattle.images.plugins.plugin_utils.streaming import streaming_exec
from ansible_collections.cattle.images.plugins.plugin_utils.winrm import WindowsShell, encode_powershell

display = Display()


class RemoteError(CattleError):
    """A command or transfer on the build host failed."""


def _text(data):
    if isinstance(data, bytes):
        return data.decode("utf-8", errors="replace")
    return data or ""


class Remote:
    def __init__(self, connection):
        self.connection = connection

    def run(self, command, in_data=None, ui=None):
        """``(exit code, stdout bytes, stderr bytes)`` of a POSIX shell command.

        With ``ui``, its output lines also go there: as they come when the connection can stream
        (docker_api, ssh), at the end otherwise.
        """
        streams = streaming_exec(self.connection) if ui is not None and in_data is None else None
        if streams is None:
            rc, stdout, stderr = self._exec(command, in_data)
            if ui is not None:
                ui.output(stdout, "message")
                ui.output(stderr, "error")
            return rc, stdout, stderr
        out, err = OutputLines(ui, "message"), OutputLines(ui, "error")
        try:
            with streams(out.feed, err.feed):
                return self._exec(command, in_data)
        finally:
            out.close()
            err.close()

    def _exec(self, command, in_data):
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
        rc, stdout, _stderr = self.run(f"if [ -d {quoted} ]; then echo dir; elif [ -e {quoted} ]; then echo file; fi")
        answer = _text(stdout).strip()
        return answer or None

    def put(self, local_path, remote_path, mode=None):
        """Upload one file. ``mode``: the permission bits it should get; True when this upload
        gave them (a transfer that carries modes), False when the caller must set them."""
        try:
            self._upload(local_path, remote_path)
        except AnsibleError as exc:
            raise RemoteError(f"uploading {local_path} to {remote_path}: {exc}") from None
        return False

    def _upload(self, local_path, remote_path):
        self.connection.put_file(local_path, remote_path)

    def fetch(self, remote_path, local_path):
        try:
            self.connection.fetch_file(remote_path, local_path)
        except AnsibleError as exc:
            raise RemoteError(f"downloading {remote_path} to {local_path}: {exc}") from None

    def put_tree(self, local_dir, remote_dir):
        """Copy the contents of ``local_dir`` into ``remote_dir`` (created), keeping file modes."""
        directories, files = _tree_targets(local_dir, remote_dir)
        self.check("mkdir -p " + " ".join(shlex.quote(d) for d in directories), f"creating {remote_dir}")
        unset = [pair for pair in files if not self.put(*pair, mode=local_mode(pair[0]))]
        self.chmod_like_local(unset)
        return [remote for _local, remote in files]

    def chmod_like_local(self, pairs):
        """Give uploaded files their local permission bits (some connections drop group/other bits)."""
        commands = []
        for local_path, remote_path in pairs:
            commands.append(f"chmod {local_mode(local_path):o} {shlex.quote(remote_path)}")
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


def local_mode(path):
    """The permission bits of a local file (what an upload keeps, as ``docker cp`` does)."""
    return stat.S_IMODE(os.stat(path).st_mode)


class DockerRemote(Remote):
    """A build host behind community.docker's ``docker_api`` connection.

    When commands run as root there, one file is uploaded as one ``put_archive`` whose tar entry
    carries the mode, owner root (what the connection's own upload gives after asking ``id -u``
    and ``id -g`` in an exec) and the local mtime: no exec to ask the ids, none to ``chmod``.
    For any other user the connection's own upload runs, as before.
    """

    def __init__(self, connection):
        super().__init__(connection)
        self._client = None
        self._container = None
        self._as_root = None

    def put(self, local_path, remote_path, mode=None):
        if not self._runs_as_root():
            return super().put(local_path, remote_path, mode)
        from ansible_collections.cattle.images.plugins.module_utils.docker.client import explain

        directory, name = posixpath.split(posixpath.normpath(posixpath.join("/", remote_path)))
        try:
            info = os.stat(local_path)  # follows links, as the connection's upload does
            entry = tarfile.TarInfo(name)
            entry.size, entry.mtime = info.st_size, int(info.st_mtime)
            entry.mode = info.st_mode & 0o700 if mode is None else mode  # the connection's own: owner bits
            entry.uid = entry.gid = 0
            display.vvv(f"PUT {local_path} TO {remote_path} (one archive, mode {entry.mode:o})", host=self._container)
            with open(local_path, "rb") as source:
                self._client.api.put_archive(self._container, directory, _tar_stream(entry, source))
        except Exception as exc:  # noqa: BLE001 - one message for the user, whatever failed
            raise RemoteError(f"uploading {local_path} to {remote_path}: {explain(exc, 'upload a file')}") from None
        return mode is not None

    def _runs_as_root(self):
        """Whether commands run as root in the container (the connection's user, else the image's)."""
        if self._as_root is None:
            self._as_root = False
            try:
                from ansible_collections.cattle.images.plugins.module_utils.docker.client import connect

                self.connection._connect()
                self._container = self.connection.get_option("remote_addr")
                user = self.connection.get_option("remote_user") or ""
                self._client = connect()
                if not user:
                    user = (self._client.api.inspect_container(self._container).get("Config") or {}).get("User") or ""
                self._as_root = str(user).split(":", maxsplit=1)[0] in ("", "root", "0")
            except Exception:  # noqa: BLE001 - the connection's own upload will say what is wrong
                self._as_root = False
        return self._as_root


def _tar_stream(entry, source):
    """The chunks of a tar holding one file: ``entry`` (its size set) with ``source``'s bytes."""
    header = entry.tobuf(format=tarfile.PAX_FORMAT)
    yield header
    left = entry.size
    while left > 0:
        chunk = source.read(min(left, 1 << 20))
        if not chunk:
            break
        left -= len(chunk)
        yield chunk
    if left:
        yield tarfile.NUL * left  # the file shrank meanwhile: fill up to the announced size
    padding = -entry.size % tarfile.BLOCKSIZE + 2 * tarfile.BLOCKSIZE  # then the end-of-archive blocks
    padding += -(len(header) + entry.size + padding) % tarfile.RECORDSIZE  # as tarfile pads a record
    yield tarfile.NUL * padding


def _tree_targets(local_dir, remote_dir):
    """The remote directories to create and the ``(local, remote)`` file pairs to upload, in a stable order."""
    directories = [remote_dir]
    files = []
    for root, dirnames, filenames in os.walk(local_dir, followlinks=True):
        relative = os.path.relpath(root, local_dir)
        target_root = remote_dir if relative == "." else f"{remote_dir.rstrip('/')}/{relative}"
        directories.extend(f"{target_root.rstrip('/')}/{name}" for name in sorted(dirnames))
        files.extend((os.path.join(root, name), f"{target_root.rstrip('/')}/{name}") for name in sorted(filenames))
    return directories, files


def ps_quote(value):
    """A PowerShell single-quoted string literal (quotes doubled, the typographic ones too)."""
    text = str(value)
    for quote in ("'", "\u2018", "\u2019", "\u201a", "\u201b"):
        text = text.replace(quote, quote * 2)
    return f"'{text}'"


def is_windows_host(connection, task_vars=None):
    """Whether the build host is Windows: a winrm communicator, or a PowerShell connection shell."""
    if (task_vars or {}).get("cattle_communicator") == "winrm":
        return True
    transport = str(getattr(connection, "transport", "") or "")
    if transport.rsplit(".", 1)[-1] == "winrm":
        return True
    shell = getattr(connection, "_shell", None)
    return getattr(shell, "SHELL_FAMILY", "") == "powershell"


def remote_for(connection, task_vars=None):
    """The remote operations that fit the build host behind ``connection``."""
    return WindowsRemote(connection) if is_windows_host(connection, task_vars) else posix_remote_for(connection)


def posix_remote_for(connection):
    """The remote operations for a POSIX build host behind ``connection``."""
    if str(getattr(connection, "transport", "") or "") == "community.docker.docker_api":
        return DockerRemote(connection)
    return Remote(connection)


class WindowsRemote(Remote):
    """The same operations on a Windows build host: PowerShell commands, no file modes.

    Commands go as ``powershell.exe -EncodedCommand`` lines through ``WindowsShell`` (the
    WinRS cmd shell, as the Windows provisioners send theirs). Paths may use ``/`` or ``\\``.
    """

    # Errors must end the command with a non-zero exit code, and progress bars must not
    # end up in the output as CLIXML.
    PREAMBLE = "$ErrorActionPreference = 'Stop'; $ProgressPreference = 'SilentlyContinue'; "

    def __init__(self, connection):
        super().__init__(connection)
        self.shell = WindowsShell(connection)

    def run(self, command, in_data=None, ui=None):
        """``(exit code, stdout bytes, stderr bytes)`` of a PowerShell script; with ``ui``, its output
        lines go there when it ends (WinRM output is not streamed)."""
        if in_data is not None:
            raise RemoteError("sending input to a PowerShell command is not supported")
        try:
            rc, stdout, stderr = self.shell.run(encode_powershell(self.PREAMBLE + command))
        except AnsibleError as exc:
            raise RemoteError(str(exc)) from None
        if ui is not None:
            ui.output(stdout, "message")
            ui.output(stderr, "error")
        return rc, stdout, stderr

    def kind(self, path):
        quoted = ps_quote(path)
        rc, stdout, _stderr = self.run(f"if (Test-Path -LiteralPath {quoted} -PathType Container) {{ 'dir' }} "
                                       f"elseif (Test-Path -LiteralPath {quoted}) {{ 'file' }}")
        answer = _text(stdout).strip()
        return answer if answer in ("dir", "file") else None

    def _upload(self, local_path, remote_path):
        self.shell.put(local_path, remote_path)

    def put_tree(self, local_dir, remote_dir):
        """Copy the contents of ``local_dir`` into ``remote_dir`` (created)."""
        directories, files = _tree_targets(local_dir, remote_dir)
        for start in range(0, len(directories), 100):
            paths = ", ".join(ps_quote(d) for d in directories[start:start + 100])
            self.check(f"New-Item -ItemType Directory -Force -Path {paths} | Out-Null", f"creating {remote_dir}")
        for local_path, remote_path in files:
            self.put(local_path, remote_path)
        return [remote for _local, remote in files]

    def chmod_like_local(self, pairs):
        """Windows has no POSIX modes: nothing to do."""

    def fetch_tree(self, remote_dir, local_dir):
        """Copy the contents of ``remote_dir`` into ``local_dir``."""
        # Relative paths with "/" separators, directories marked by a trailing "/".
        listing = self.check(
            f"$root = (Get-Item -LiteralPath {ps_quote(remote_dir)}).FullName.TrimEnd('\\') + '\\'; "
            "Get-ChildItem -LiteralPath $root -Recurse -Force | ForEach-Object { "
            "$name = $_.FullName.Substring($root.Length).Replace('\\', '/'); "
            "if ($_.PSIsContainer) { $name + '/' } else { $name } }",
            f"listing {remote_dir}")
        fetched = []
        os.makedirs(local_dir, exist_ok=True)
        for relative in sorted(line.strip() for line in listing.splitlines() if line.strip()):
            if relative.endswith("/"):
                os.makedirs(os.path.join(local_dir, relative.rstrip("/")), exist_ok=True)
                continue
            local_path = os.path.join(local_dir, relative)
            os.makedirs(os.path.dirname(local_path), exist_ok=True)
            self.fetch(f"{remote_dir.rstrip('/')}/{relative}", local_path)
            fetched.append(local_path)
        return fetched
