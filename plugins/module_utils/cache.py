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

What a key covers, exactly (``KEY_VERSION`` 2):

* every step: the parent key, the type, the interpolated config, ``PACKER_BUILD_NAME`` and
  ``PACKER_BUILDER_TYPE``, and the content (bytes and mode bits, recursively) of every host
  directory or file bind-mounted into the container (``volumes``, ``-v`` in ``run_command``),
  read when the step runs;
* ``shell``/``powershell``/``windows-shell``/``shell-local``: their ``script``/``scripts``;
  ``file``: its ``source``/``sources`` (directories recursively);
* ``ansible``: the playbook's whole directory tree, ``galaxy_file``, ``inventory_file``,
  ``roles_path``, ``collections_path``, ``@files`` of ``extra_arguments``, ``ansible_env_vars``,
  every ``ANSIBLE_*`` variable of the controller's environment (but ansible-runner's per-run
  fact cache directory, fresh and empty each run) and the Ansible config files
  Ansible would read, and every path outside the tree that a file of the tree or
  ``extra_arguments`` names (``../data/x``, ``import_tasks: ../common/t.yml``, ``/srv/x``):
  ``..`` paths are resolved against every directory Ansible searches for relative paths
  (the naming file's directory and its parents up to the playbook's directory, and their
  ``files``/``templates``/``tasks``/``vars``), absolute and ``~`` paths as they are.

What a key cannot cover makes the step uncached (:class:`NotCacheable`, whose message the
output prints as ``not cached: <reason>``) and every step after it too: a named Docker volume,
an ansible playbook that reads the controller's environment or runs something on it
(``lookup('env')``, ``lookup('pipe')``, any lookup or ``with_*`` loop not known to read only
named files, ``delegate_to: localhost``, ``local_action``, ``connection: local``), a path that
names the playbook's own parents or the root, and a directory too large to hash.
Not covered either, by design: the installed Ansible collections and roles outside the
playbook's tree that a playbook names only by name (``roles_path`` covers the ones given).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex

from ansible_collections.cattle.images.plugins.module_utils.errors import CattleError

KEY_VERSION = 2
REPOSITORY = "cattle-cache"

LOCAL_TYPES = frozenset(("shell-local", "breakpoint"))
# Steps that must run against this build's own container every time: no layer stands in for them.
BARRIER_REASONS = {
    "testinfra": "its tests must run against this build's container on every build",
}
DOWNLOAD_REASON = "it downloads from the container, which must be the one this build ran"

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
    # The config-management provisioners upload these local files and trees into the guest.
    "ansible-local": ("playbook_file", "playbook_files", "playbook_dir", "playbook_paths", "role_paths", "group_vars",
                      "host_vars", "inventory_file", "galaxy_file"),
    "puppet-masterless": ("manifest_file", "manifest_dir", "module_paths", "hiera_config_path"),
    "chef-solo": ("config_template", "cookbook_paths", "roles_path", "data_bags_path", "encrypted_data_bag_secret_path",
                  "environments_path"),
    "salt-masterless": ("local_state_tree", "local_pillar_roots", "minion_config", "grains_file"),
}


class CacheKeyError(CattleError):
    """A step's inputs cannot be read; the message names the file."""


class NotCacheable(Exception):
    """A step reads something its key cannot cover: it runs uncached, and so does every later step."""


# A layer's metadata travels in its image's commit comment, not in labels: a label would be
# inherited by every image committed from a container started on the layer (Docker merges
# the container's labels into any commit), so the built image would carry it. The comment
# belongs to the layer image alone.
LAYER_COMMENT_PREFIX = "cattle.cache "


def layer_comment(metadata):
    """The commit comment that marks an image as the step-cache layer described by ``metadata``."""
    return LAYER_COMMENT_PREFIX + canonical(metadata)


def parse_layer_comment(comment):
    """The metadata dict of a layer's commit comment, or ``None`` for any other image."""
    if not comment or not comment.startswith(LAYER_COMMENT_PREFIX):
        return None
    try:
        metadata = json.loads(comment[len(LAYER_COMMENT_PREFIX):])
    except ValueError:
        return None
    return metadata if isinstance(metadata, dict) and metadata.get("key") else None


def step_kind(step):
    """``"image"``, ``"local"`` or ``"barrier"`` for a plan step (``{"type", "config"}``)."""
    if step["type"] in LOCAL_TYPES:
        return "local"
    if step["type"] in BARRIER_REASONS:
        return "barrier"
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


# A directory tree bigger than this is not hashed: the step is not cached instead.
MAX_TREE_ENTRIES = 5000


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
    if not os.path.isfile(path):  # a socket, fifo or device: reading it proves nothing about next time
        raise NotCacheable(f"{path} is not a regular file or directory")
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
            if len(entries) > MAX_TREE_ENTRIES:
                raise NotCacheable(f"{root} holds more than {MAX_TREE_ENTRIES} entries, too many to hash")
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
    """The local files and directories a step reads, as absolute paths (sorted, unique).

    Raises :class:`NotCacheable` when the step (an ansible playbook) can read what no list of
    paths covers.
    """
    config = step.get("config") or {}
    paths = []
    if step["type"] == "ansible":
        playbook = config.get("playbook_file")
        tree = None
        if playbook:
            # The playbook's directory tree covers the roles, vars and files it can reach by relative path.
            tree = os.path.normpath(os.path.dirname(local_path(playbook, cwd)) or ".")
            paths.append(tree)
            paths.extend(playbook_references(tree, cwd))
        for option in ("galaxy_file", "inventory_file", "roles_path", "collections_path"):
            for value in _as_list(config.get(option)) if option.endswith("_path") else [config.get(option)]:
                if value:
                    paths.extend(local_path(part, cwd) for part in str(value).split(os.pathsep) if part)
        extra = config.get("extra_arguments")
        paths.extend(local_path(name, cwd) for name in _extra_argument_files(extra))
        extra_text = " ".join(shlex.split(extra) if isinstance(extra, str) else [str(item) for item in extra or []])
        for reference, _line in _path_references(extra_text, "extra_arguments"):
            paths.extend(_resolve_reference(reference, [cwd or os.getcwd()], tree, "extra_arguments"))
        paths.extend(ansible_config_files(cwd))
    else:
        for option in _FILE_OPTIONS.get(step["type"], ()):
            paths.extend(local_path(value, cwd) for value in _as_list(config.get(option)))
    return sorted(set(paths))


# Lookups (and with_* loops) that read nothing of the controller but the files they name
# (those names are found as paths below) or the play's own variables.
_PURE_LOOKUPS = frozenset((
    "file", "template", "fileglob", "first_found", "unvault", "vars", "varnames", "items", "list", "dict",
    "indexed_items", "nested", "together", "subelements", "sequence", "random_choice", "flattened",
    "cartesian", "inventory_hostnames",
))
_LOOKUP = re.compile(r"""\b(?:lookup|query|q)\s*\(\s*(?:(['"])([\w.]+)\1|([^'"\s)][^,)]*))""")
_WITH_LOOP = re.compile(r"^\s*-?\s*with_(\w+)\s*:", re.MULTILINE)
_ON_CONTROLLER = (
    (re.compile(r"^\s*-?\s*delegate_to\s*:", re.MULTILINE), "delegate_to runs a task on another host"),
    (re.compile(r"^\s*-?\s*local_action\s*:", re.MULTILINE), "local_action runs a task on the controller"),
    (re.compile(r"^\s*-?\s*connection\s*:\s*['\"]?local\b", re.MULTILINE),
     "connection: local runs tasks on the controller"),
    (re.compile(r"^\s*-?\s*hosts\s*:.*\b(?:localhost|127\.0\.0\.1)\b", re.MULTILINE),
     "a play on localhost runs on the controller"),
)
# A path token: no quotes, spaces, YAML/Jinja punctuation.
_TOKEN = r"""[^\s'"`,;()\[\]{}<>|=]"""
_PARENT_REFERENCE = re.compile(rf"(}}}})?({_TOKEN}*\.\.(?:/{_TOKEN}*)?)")
_ABSOLUTE_REFERENCE = re.compile(rf"(?<![\w.:/}}~$@%-])((?:~|/){_TOKEN}+)")
# Directories Ansible searches a relative path in, below each directory from the naming file up.
_SEARCH_SUBDIRS = ("", "files", "templates", "tasks", "vars", "handlers", "defaults", "meta")
MAX_SCANNED_FILE = 4 << 20


def playbook_references(tree, cwd):
    """The paths outside ``tree`` that the files in ``tree`` name, resolved as Ansible could.

    Raises :class:`NotCacheable` naming the file and line of what cannot be covered.
    """
    if not os.path.isdir(tree):
        return []
    found = []
    for directory, dirnames, filenames in os.walk(tree, followlinks=True):
        dirnames.sort()
        for name in sorted(filenames):
            path = os.path.join(directory, name)
            text = _text_of(path)
            if text is None:
                continue
            where = os.path.relpath(path, os.path.dirname(tree))
            _refuse_controller_access(text, where)
            bases = _search_bases(directory, tree, cwd)
            for reference, line in _path_references(text, where):
                found.extend(_resolve_reference(reference, bases, tree, f"{where}:{line}"))
    return found


def _text_of(path):
    """A file's text when it may be YAML/Jinja/INI (UTF-8, not too big), else None."""
    try:
        if os.path.getsize(path) > MAX_SCANNED_FILE:
            return None
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise CacheKeyError(f"cannot read {path} for the step cache: {exc}") from None
    if b"\0" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _line_of(text, offset):
    return text.count("\n", 0, offset) + 1


def _refuse_controller_access(text, where):
    for match in _LOOKUP.finditer(text):
        name = match.group(2)
        if name is None:
            raise NotCacheable(f"{where}:{_line_of(text, match.start())}: a lookup whose plugin is not a literal name")
        if name.rsplit(".", 1)[-1] not in _PURE_LOOKUPS:
            raise NotCacheable(f"{where}:{_line_of(text, match.start())}: lookup {name!r} reads the controller "
                               "(its environment, commands or services), which the key cannot cover")
    for match in _WITH_LOOP.finditer(text):
        if match.group(1) not in _PURE_LOOKUPS:
            raise NotCacheable(f"{where}:{_line_of(text, match.start())}: with_{match.group(1)} reads the controller, "
                               "which the key cannot cover")
    for pattern, reason in _ON_CONTROLLER:
        match = pattern.search(text)
        if match:
            raise NotCacheable(f"{where}:{_line_of(text, match.start())}: {reason}")


def _search_bases(directory, tree, cwd):
    bases, current = [], directory
    while True:
        bases.extend(os.path.join(current, sub) if sub else current for sub in _SEARCH_SUBDIRS)
        if current == tree or os.path.dirname(current) == current:
            break
        current = os.path.dirname(current)
    if cwd:
        bases.append(cwd)
    return bases


def _path_references(text, where):
    """``(path, line)`` for each ``..`` path and each absolute or ``~`` path that ``text`` names."""
    references = []
    for match in _PARENT_REFERENCE.finditer(text):
        token = match.group(2)
        if ".." not in token.split("/"):
            continue  # 1..10, a...b
        if match.group(1) and token.startswith("/"):
            token = token[1:]  # {{ playbook_dir }}/../x: relative to a directory searched anyway
        references.append((token, _line_of(text, match.start(2))))
    for match in _ABSOLUTE_REFERENCE.finditer(text):
        token = match.group(1)
        if ".." in token.split("/") or token.startswith("//"):
            continue  # taken above, or a URL's //host
        references.append((token, _line_of(text, match.start(1))))
    return references


def _resolve_reference(reference, bases, tree, where):
    """The paths outside ``tree`` that ``reference`` may name; refuses what would be the tree's own parents."""
    if reference.startswith("~"):
        reference = os.path.expanduser(reference)
        if reference.startswith("~"):
            raise NotCacheable(f"{where}: {reference} names another user's home")
    candidates = [reference] if os.path.isabs(reference) else [os.path.join(base, reference) for base in bases]
    paths = []
    for candidate in candidates:
        candidate = os.path.normpath(candidate)
        if tree and (candidate == tree or candidate.startswith(tree.rstrip("/") + "/")):
            continue  # the tree is hashed whole
        if candidate == "/" or (tree and tree.startswith(candidate.rstrip("/") + "/")):
            raise NotCacheable(f"{where}: {reference} names {candidate}, a parent of the playbook's directory")
        paths.append(candidate)
    return paths


def ansible_config_files(cwd):
    """The Ansible config files ansible-playbook may read (ANSIBLE_CONFIG, ./ansible.cfg, ~, /etc)."""
    paths = [os.path.join(cwd or os.getcwd(), "ansible.cfg"), os.path.expanduser("~/.ansible.cfg"),
             "/etc/ansible/ansible.cfg"]
    if os.environ.get("ANSIBLE_CONFIG"):
        paths.append(local_path(os.environ["ANSIBLE_CONFIG"], cwd))
    return paths


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


def shared_mounts(host_paths):
    """Key material for the host paths bind-mounted into the build container (every step can read them)."""
    return {path: file_digest(path) for path in sorted(set(host_paths))}


# Set by ansible-runner to a fresh, empty directory of each run (the fact cache): a new path
# every time, the same content.
_PER_RUN_ANSIBLE_VARIABLES = frozenset(("ANSIBLE_CACHE_PLUGIN_CONNECTION",))


def step_environment(step, build_name, builder_type="docker"):
    """The environment a step passes to what it runs, beyond what its config already says."""
    config = step.get("config") or {}
    environment = {"PACKER_BUILD_NAME": build_name, "PACKER_BUILDER_TYPE": builder_type}
    if step["type"] == "ansible":
        # ansible-playbook inherits the controller's environment; its ANSIBLE_* settings shape the run.
        environment.update((name, value) for name, value in os.environ.items()
                           if name.startswith("ANSIBLE_") and name not in _PER_RUN_ANSIBLE_VARIABLES)
        environment.update(
            (entry.split("=", 1)[0], entry.split("=", 1)[1]) for entry in _as_list(config.get("ansible_env_vars"))
            if "=" in entry
        )
    return environment


def step_key(parent_key, step, cwd, build_name, builder_type="docker", mounts=()):
    """The key of ``step`` run on the state ``parent_key`` stands for.

    ``mounts``: host paths bind-mounted into the build container, read as the step runs.
    Raises :class:`NotCacheable` when the step reads what no key covers.
    """
    files = {path: file_digest(path) for path in step_files(step, cwd)}
    return digest({
        "v": KEY_VERSION,
        "parent": parent_key,
        "type": step["type"],
        "config": step.get("config") or {},
        "files": files,
        "mounts": shared_mounts(mounts),
        "env": step_environment(step, build_name, builder_type),
    })
