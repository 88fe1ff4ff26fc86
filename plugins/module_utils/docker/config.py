# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The docker builder's configuration: Packer's option names, defaults and checks.

The plan already holds the config in Packer's shape (weak typing applied); the module may
also be called directly, so values are checked and coerced again here. Errors name the
option and say what was expected.
"""

from __future__ import annotations

import os

from ansible_collections.cattle.images.plugins.module_utils.docker.runargs import DEFAULT_RUN_COMMAND
from ansible_collections.cattle.images.plugins.module_utils.option_values import ConfigError, to_bool

# Instructions `docker commit --change` accepts (Packer's list).
CHANGE_INSTRUCTIONS = ("CMD", "ENTRYPOINT", "ENV", "EXPOSE", "LABEL", "ONBUILD", "MAINTAINER", "USER", "VOLUME", "WORKDIR")

_BOOL = "bool"
_STR = "str"
_LIST = "list"
_MAP = "map"

OPTIONS = {
    "image": _STR,
    "pull": _BOOL,
    "commit": _BOOL,
    "export_path": _STR,
    "discard": _BOOL,
    "author": _STR,
    "message": _STR,
    "changes": _LIST,
    "run_command": _LIST,
    "volumes": _MAP,
    "privileged": _BOOL,
    "cap_add": _LIST,
    "cap_drop": _LIST,
    "device": _LIST,
    "tmpfs": _LIST,
    "container_dir": _STR,
    "exec_user": _STR,
    "fix_upload_owner": _BOOL,
    "windows_container": _BOOL,
    "login": _BOOL,
    "login_server": _STR,
    "login_username": _STR,
    "login_password": _STR,
    "ecr_login": _BOOL,
    "aws_access_key": _STR,
    "aws_secret_key": _STR,
    "aws_token": _STR,
    "aws_profile": _STR,
    "aws_force_use_public_ecr": _BOOL,
    "platform": _STR,
    "runtime": _STR,
    "pty": _BOOL,
    "communicator": _STR,
    "pause_before_connecting": _STR,
    # cattle's step cache (not Packer's): commit a layer after each provisioner, reuse it on rebuilds.
    "cache": _BOOL,
}
# Communicator options (ssh_*, winrm_*) belong to the template's communicator block; the
# docker communicator ignores them, as Packer does.
_IGNORED_PREFIXES = ("ssh_", "winrm_", "packer_")
SECRET_OPTIONS = ("login_password", "aws_secret_key", "aws_token")



def normalize(raw, where="docker builder", cwd=None):
    """Checked config with Packer's defaults filled in. Raises :class:`ConfigError`."""
    if not isinstance(raw, dict):
        raise ConfigError([f"the builder config must be a mapping, got {type(raw).__name__}"], where)
    problems = []
    config = {}
    for key, value in raw.items():
        if key in ("type", "name") or key.startswith(_IGNORED_PREFIXES):
            continue
        kind = OPTIONS.get(key)
        if kind is None:
            problems.append(f"unknown configuration key: {key!r}")
            continue
        try:
            config[key] = _coerce(value, kind, key)
        except ValueError as exc:
            problems.append(str(exc))

    defaults = {
        "pull": True,  # Packer: true unless the key is present at all
        "commit": False,
        "discard": False,
        "export_path": "",
        "author": "",
        "message": "",
        "changes": [],
        "run_command": [],
        "volumes": {},
        "privileged": False,
        "cap_add": [],
        "cap_drop": [],
        "device": [],
        "tmpfs": [],
        "container_dir": "",
        "exec_user": "",
        "fix_upload_owner": True,
        "windows_container": False,
        "login": False,
        "login_server": "",
        "login_username": "",
        "login_password": "",
        "ecr_login": False,
        "platform": "",
        "runtime": "",
        "communicator": "",
        "cache": False,
    }
    for key, value in defaults.items():
        config.setdefault(key, value)

    if not config.get("image"):
        problems.append("Image must be specified ('image' is required)")
    used = [name for name in ("commit", "discard") if config[name]] + (["export_path"] if config["export_path"] else [])
    if len(used) > 1:
        problems.append("Cannot specify more than one of commit, discard, and export_path")
    elif not used:
        problems.append("No instructions given for handling the artifact; expected commit, discard, or export_path")
    if config["export_path"]:
        path = config["export_path"]
        config.setdefault("export_path_as_written", path)  # what the artifact's string names, as in Packer
        if not os.path.isabs(path):
            path = os.path.join(cwd or os.getcwd(), path)
        config["export_path"] = os.path.normpath(path)
        if os.path.isdir(config["export_path"]):
            problems.append(f"export_path must be a file, not a directory: {config['export_path']}")
    if not config["run_command"]:
        config["run_command"] = list(DEFAULT_RUN_COMMAND)
    if not config["container_dir"]:
        config["container_dir"] = "/packer-files"
    for index, change in enumerate(config["changes"]):
        instruction = change.strip().split(None, 1)[0].upper() if change.strip() else ""
        if instruction not in CHANGE_INSTRUCTIONS:
            problems.append(
                f"changes[{index}]: {change!r} is not a supported instruction; "
                f"expected one of {', '.join(CHANGE_INSTRUCTIONS)}"
            )
    for host_path, container_path in config["volumes"].items():
        if not container_path:
            problems.append(f"volumes: the host path {host_path!r} has no container path")
    if config["communicator"] not in ("", "docker", "none"):
        problems.append(
            f"communicator {config['communicator']!r} is not supported with the docker builder here; "
            "leave it unset (the docker communicator) or use 'none'"
        )
    if config["ecr_login"]:
        problems.append("ecr_login is not supported: log in with login, login_server, login_username and login_password")
    if problems:
        raise ConfigError(problems, where)
    return config


def _coerce(value, kind, key):
    if kind == _BOOL:
        return to_bool(key, value)
    if kind == _STR:
        if value is None:
            return ""
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return str(value)
        raise ValueError(f"{key}: expected a string, got {value!r}")
    if kind == _LIST:
        if value is None or value == "":
            return []
        if isinstance(value, str):
            return value.split(",") if key != "run_command" else [value]
        if isinstance(value, (list, tuple)) and all(isinstance(item, (str, int, float)) for item in value):
            return [str(item) for item in value]
        raise ValueError(f"{key}: expected a list of strings, got {value!r}")
    if kind == _MAP:
        if value is None:
            return {}
        if isinstance(value, dict) and all(isinstance(v, (str, int, float)) for v in value.values()):
            return {str(k): str(v) for k, v in value.items()}
        raise ValueError(f"{key}: expected a mapping of host path to container path, got {value!r}")
    raise AssertionError(kind)  # pragma: no cover


def changes_set(changes, instruction):
    """Whether any of the ``changes`` is the given instruction (case-insensitive)."""
    wanted = instruction.upper()
    return any(change.strip().split(None, 1)[0].upper() == wanted for change in changes if change.strip())
