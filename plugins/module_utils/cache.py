# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The step cache's keys: what a provisioner step depends on, hashed. Pure Python.

A step's key is the sha256 of a canonical JSON document holding the parent's key (for the
first step: the root key, made of the base image's id and the builder options that shape
how steps run), the step's type and interpolated config, the content of every local file
it reads (scripts, uploaded sources, directories recursively, an ansible playbook's whole
directory tree) and the environment it passes. Equal keys mean equal inputs, so a layer
committed after a step can stand in for running it again on the same parent.

Steps are of three kinds:

* ``image`` steps change the image; each gets a key and a layer.
* ``local`` steps (``shell-local``, ``breakpoint``) act outside the image: they always run,
  get no layer, and pass a key on (their definition is part of it, so changing one
  re-runs what follows, never the reverse).
* ``barrier`` steps (``file`` with ``direction: download``) must see the container as that
  step leaves it and write outside the image: nothing from them on is reused.
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex

KEY_VERSION = 1
LABEL_KEY = "cattle.cache.key"
LABEL_STEP = "cattle.cache.step"
LABEL_CREATED = "cattle.cache.created"
LABEL_PARENT = "cattle.cache.parent"
LABEL_FROM = "cattle.cache.from"
LABEL_BASE = "cattle.cache.base"
LABEL_PREFIX = "cattle.cache."
REPOSITORY = "cattle-cache"

LOCAL_TYPES = frozenset(("shell-local", "breakpoint"))

# Builder options that shape what the steps do inside the container (not how it is captured).
BUILDER_KEY_OPTIONS = (
    "run_command", "volumes", "privileged", "cap_add", "cap_drop", "device", "tmpfs", "container_dir",
    "exec_user", "fix_upload_owner", "runtime", "pty", "windows_container", "platform",
)

# Where each provisioner type names local files it reads; the ansible type is handled apart.
_FILE_OPTIONS = {
    "shell": ("script", "scripts"),
    "shell-local": ("script", "scripts"),
    "powershell": ("script", "scripts"),
    "windows-shell": ("script", "scripts"),
    "file": ("source", "sources"),
}


class CacheKeyError(Exception):
    """A step's inputs cannot be read; the message names the file."""


def step_kind(step):
    """``"image"``, ``"local"`` or ``"barrier"`` for a plan step (``{"type", "config"}``)."""
    if step["type"] in LOCAL_TYPES:
        return "local"
    config = step.get("config") or {}
    if step["type"] == "file" and str(config.get("direction") or "upload") == "download":
        return "barrier"
    return "image"


def canonical(document):
    """The canonical JSON text of ``document`` (sorted keys, no spaces, UTF-8 as is)."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def digest(document):
    return hashlib.sha256(canonical(document).encode("utf-8")).hexdigest()


def root_key(base_image_id, builder_config):
    """The key every build from this base image and these builder options starts from."""
    options = {name: builder_config.get(name) for name in BUILDER_KEY_OPTIONS if name in builder_config}
    return digest({"v": KEY_VERSION, "base_image": base_image_id, "builder": options})


def file_digest(path):
    """sha256 of a file's bytes plus its mode bits, or of a directory's whole tree; ``None`` if missing."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CacheKeyError(f"cannot read {path} for the step cache: {exc}") from None
    if os.path.isdir(path):
        return {"tree": tree_digest(path)}
    sha = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                sha.update(chunk)
    except OSError as exc:
        raise CacheKeyError(f"cannot read {path} for the step cache: {exc}") from None
    return {"sha256": sha.hexdigest(), "mode": oct(info.st_mode & 0o7777)}


def tree_digest(root):
    """sha256 over every file (content, mode) and directory under ``root``, by relative path."""
    entries = {}
    for directory, dirnames, filenames in os.walk(root, followlinks=True):
        dirnames.sort()
        relative_dir = os.path.relpath(directory, root)
        entries[relative_dir + "/"] = oct(os.stat(directory).st_mode & 0o7777)
        for name in sorted(filenames):
            path = os.path.join(directory, name)
            entries[os.path.normpath(os.path.join(relative_dir, name))] = file_digest(path)
    return digest(entries)


def _as_list(value):
    if value in (None, ""):
        return []
    if isinstance(value, str):
        return [part for part in value.split(",") if part]
    return [str(item) for item in value]


def local_path(path, cwd):
    """Packer resolves relative local paths against the run's working directory."""
    path = os.path.expanduser(str(path))
    return path if os.path.isabs(path) else os.path.join(cwd or os.getcwd(), path)


def step_files(step, cwd):
    """The local files and directories a step reads, as absolute paths (sorted, unique)."""
    config = step.get("config") or {}
    paths = []
    if step["type"] == "ansible":
        playbook = config.get("playbook_file")
        if playbook:
            # The playbook's directory tree covers the roles, vars and files it can reach by relative path.
            paths.append(os.path.dirname(local_path(playbook, cwd)) or ".")
        for option in ("galaxy_file", "inventory_file", "roles_path", "collections_path"):
            for value in _as_list(config.get(option)) if option.endswith("_path") else [config.get(option)]:
                if value:
                    paths.extend(local_path(part, cwd) for part in str(value).split(os.pathsep) if part)
        paths.extend(local_path(name, cwd) for name in _extra_argument_files(config.get("extra_arguments")))
    else:
        for option in _FILE_OPTIONS.get(step["type"], ()):
            paths.extend(local_path(value, cwd) for value in _as_list(config.get(option)))
    return sorted(set(paths))


def _extra_argument_files(arguments):
    """Files an ansible step's ``extra_arguments`` name with ``@`` (``-e @vars.yml``)."""
    if isinstance(arguments, str):
        arguments = shlex.split(arguments)
    names = []
    for argument in arguments or []:
        argument = str(argument)
        if "@" in argument:
            candidate = argument.split("@", 1)[1]
            if candidate and not candidate.startswith("{"):
                names.append(candidate)
    return names


def step_environment(step, build_name, builder_type="docker"):
    """The environment a step passes to what it runs, beyond what its config already says."""
    config = step.get("config") or {}
    environment = {"PACKER_BUILD_NAME": build_name, "PACKER_BUILDER_TYPE": builder_type}
    if step["type"] == "ansible":
        environment.update(
            (entry.split("=", 1)[0], entry.split("=", 1)[1]) for entry in _as_list(config.get("ansible_env_vars"))
            if "=" in entry
        )
    return environment


def step_key(parent_key, step, cwd, build_name, builder_type="docker"):
    """The key of ``step`` run on the state ``parent_key`` stands for."""
    files = {path: file_digest(path) for path in step_files(step, cwd)}
    return digest({
        "v": KEY_VERSION,
        "parent": parent_key,
        "type": step["type"],
        "config": step.get("config") or {},
        "files": files,
        "env": step_environment(step, build_name, builder_type),
    })
