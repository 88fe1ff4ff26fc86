# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Packer's ``file`` provisioner: copy files and directories to or from the build host.

Directory rules (Packer's, the ``docker cp`` / rsync way): a source directory ending in
``/`` uploads its contents; without the slash the directory itself. If the destination
directory exists the copy goes inside it; if it does not, the copy becomes it.
"""

from __future__ import annotations

import os
import shlex

from ansible_collections.cattle.images.plugins.plugin_utils.common import UserError, as_bool, as_list, unknown_keys
from ansible_collections.cattle.images.plugins.plugin_utils.provisioner import ProvisionerAction, ProvisionError
from ansible_collections.cattle.images.plugins.plugin_utils.remote import RemoteError, local_mode, remote_for

KNOWN_KEYS = {"source", "sources", "content", "destination", "direction", "generated"}


class ActionModule(ProvisionerAction):
    PROVISIONER_TYPE = "file"

    def prepare(self, config, context):
        problems = unknown_keys(config, KNOWN_KEYS)
        direction = config.get("direction") or "upload"
        if direction not in ("upload", "download"):
            problems.append("Direction must be one of: download, upload.")
        generated = as_bool(config.get("generated", False), "generated")
        sources = as_list(config.get("sources"), "sources")
        if config.get("source"):
            sources.append(str(config["source"]))
        content = config.get("content")
        if content is not None and not isinstance(content, str):
            problems.append(f"content: expected a string, got {content!r}")
        if content is not None and sources:
            problems.append("Cannot specify both source(s) and content.")
        if content is not None and direction == "download":
            problems.append("content can only be used to upload.")
        source_names = {}
        if direction == "upload":
            # Keep a trailing slash: it means "the directory's contents".
            written = sources
            sources = [os.path.normpath(context.local_path(src)) + ("/" if src.endswith("/") else "") for src in sources]
            # Packer's "Uploading …" line names each source as the template wrote it.
            source_names = dict(zip(sources, written, strict=True))
            if not generated:
                for src in sources:
                    if not os.path.exists(src):
                        problems.append(f"Bad source '{src}': stat {src}: no such file or directory")
        if not sources and content is None:
            problems.append("Source must be specified.")
        destination = config.get("destination") or ""
        if len(sources) > 1 and not destination.endswith("/"):
            problems.append("Destination must be a directory when using multiple sources.")
        if not destination:
            problems.append("Destination must be specified.")
        destination_as_written = destination
        if destination and direction == "download":
            destination = os.path.normpath(context.local_path(destination)) + ("/" if destination.endswith("/") else "")
        if problems:
            raise UserError("; ".join(problems))
        return {"direction": direction, "sources": sources, "content": content, "destination": destination,
                "source_names": source_names, "destination_as_written": destination_as_written}

    def describe(self, config, context, ui):
        verb = "Uploading" if config["direction"] == "upload" else "Downloading"
        for src in config["sources"] or ["<content>"]:
            ui.say(f"Check mode: would be {verb} {src} => {config['destination']}")

    def provision(self, config, context, ui, cancel):
        remote = remote_for(self._connection, self._task_vars)
        try:
            if config["direction"] == "download":
                for src in config["sources"]:
                    self._download(remote, src, config["destination"], ui, config["destination_as_written"])
                return
            if config["content"] is not None:
                self._upload_content(remote, config["content"], config["destination"], ui, context)
            for src in config["sources"]:
                if cancel.is_set():
                    raise ProvisionError("the provisioner was cancelled")
                self._upload(remote, src, config["destination"], ui, context, config["source_names"].get(src))
        except RemoteError as exc:
            raise ProvisionError(str(exc)) from None

    # --- upload ---------------------------------------------------------------------

    def _upload(self, remote, src, dst, ui, context, shown=None):
        ui.say(f"Uploading {shown or src} => {dst}")
        if os.path.isdir(src):
            target = self._directory_target(remote, src, dst)
            remote.put_tree(src.rstrip("/") or "/", target)
            self._fix_owner(remote, target, context)
            return
        if not os.path.exists(src):
            raise ProvisionError(f"Error uploading {src}: no such file")
        if dst.endswith("/") or remote.kind(dst) == "dir":
            # Like `cp`: a file copied onto an existing directory lands inside it.
            dst = f"{dst.rstrip('/')}/{os.path.basename(src)}"
        self._put_like_local(remote, src, dst, src)
        self._fix_owner(remote, dst, context)

    @classmethod
    def _put_like_local(cls, remote, local_path, dst, what):
        """Upload with the local file's mode (in the transfer where the connection can carry it)."""
        if not cls._put(remote, local_path, dst, what, local_mode(local_path)):
            remote.chmod_like_local([(local_path, dst)])

    @staticmethod
    def _put(remote, local_path, dst, what, mode=None):
        try:
            return remote.put(local_path, dst, mode)
        except RemoteError:
            # Say why in the user's words when we can; Packer does not create directories either.
            parent = _parent(dst)
            if parent and remote.kind(parent) is None:
                raise ProvisionError(
                    f"Error uploading {what} to {dst}: the directory {parent} does not exist on the build host "
                    "(the file provisioner does not create directories: create it first, e.g. in a shell "
                    "provisioner)") from None
            raise

    @staticmethod
    def _directory_target(remote, src, dst):
        """Where a directory's contents land, by ``docker cp`` rules."""
        kind = remote.kind(dst.rstrip("/") or "/")
        if kind == "file":
            raise ProvisionError(f"Error uploading {src}: destination {dst} exists and is not a directory")
        if src.endswith("/") or kind is None:
            return dst.rstrip("/") or "/"
        return f"{dst.rstrip('/')}/{os.path.basename(src.rstrip('/'))}"

    def _upload_content(self, remote, content, dst, ui, context):
        ui.say(f"Uploading content => {dst}")
        with context.temp_file("packer-file-content") as handle:
            handle.write(content)
        try:
            os.chmod(handle.name, 0o644)
            self._put_like_local(remote, handle.name, dst, "content")
        finally:
            os.unlink(handle.name)
        self._fix_owner(remote, dst, context)

    def _fix_owner(self, remote, path, context):
        """Packer's docker communicator chowns uploads to the container's user (``fix_upload_owner``)."""
        builder = context.builder_config
        if context.build_type != "docker" or not builder.get("exec_user"):
            return  # the connection already writes as the user commands run as
        if not as_bool(builder.get("fix_upload_owner", True), "fix_upload_owner"):
            return
        user = str(builder["exec_user"])
        remote.check(f"chown -R {shlex.quote(user)} {shlex.quote(path)}", f"Failed to set owner of the uploaded {path}")

    # --- download -------------------------------------------------------------------

    def _download(self, remote, src, dst, ui, shown=None):
        ui.say(f"Downloading {src} => {shown or dst}")  # Packer names the destination as written
        directory = dst
        if not dst.endswith("/"):
            directory = os.path.dirname(dst)
        elif not src.endswith("/") and not src.endswith("*"):
            dst = os.path.join(dst, os.path.basename(src))
        if directory:
            os.makedirs(directory, mode=0o755, exist_ok=True)
        kind = "dir" if src.endswith("/") else remote.kind(src)
        if kind == "dir":
            remote.fetch_tree(src.rstrip("/") or "/", dst.rstrip("/") or "/")
            return
        try:
            remote.fetch(src, dst)
        except RemoteError:
            if kind is None:  # the connection's own words would be about "the Ansible Controller"
                raise ProvisionError(f"Error downloading {src}: no such file or directory on the build host") from None
            raise


def _parent(path):
    """The directory part of a remote path (POSIX or Windows separators), or "" when it has none."""
    cut = max(path.rfind("/"), path.rfind("\\"))
    if cut < 0:
        return ""
    return path[:cut] or path[:1]
