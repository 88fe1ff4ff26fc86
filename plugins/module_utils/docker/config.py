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
from ansible_collections.cattle.images.plugins.module_utils.option_values import (
    ConfigError,
    read_option,
    read_options,
    to_list,
    to_map,
)
from ansible_collections.cattle.images.plugins.module_utils.template.builder_checks import spec_problems
from ansible_collections.cattle.images.plugins.module_utils.template.schemas.builders import BUILDERS

DOCKER_SPEC = BUILDERS["docker"]
# Instructions `docker commit --change` accepts (Packer's list).
CHANGE_INSTRUCTIONS = ("CMD", "ENTRYPOINT", "ENV", "EXPOSE", "LABEL", "ONBUILD", "MAINTAINER", "USER", "VOLUME", "WORKDIR")

# The options, their types and secrets come from the builder's spec (the one `cattle validate` uses).
# Communicator options (ssh_*, winrm_*) belong to the template's communicator block; the docker
# communicator ignores them, as Packer does.
_IGNORED_PREFIXES = ("ssh_", "winrm_", "packer_")
OPTIONS = {key: kind for key, kind in DOCKER_SPEC["options"].items()
           if not key.startswith(_IGNORED_PREFIXES) and key != "pause_before_connecting"}
SECRET_OPTIONS = DOCKER_SPEC["secrets"]


def normalize(raw, where="docker builder", cwd=None):
    """Checked config with Packer's defaults filled in. Raises :class:`ConfigError`."""
    if not isinstance(raw, dict):
        raise ConfigError([f"the builder config must be a mapping, got {type(raw).__name__}"], where)
    problems = []
    config = read_options(raw, DOCKER_SPEC["defaults"], _coerce, problems, known=OPTIONS)
    # Packer's checks (image, what becomes of the container, export_path), as `cattle validate` makes them.
    problems.extend(spec_problems(DOCKER_SPEC, config, cwd or os.getcwd()))
    if config["export_path"]:
        path = config["export_path"]
        config.setdefault("export_path_as_written", path)  # what the artifact's string names, as in Packer
        if not os.path.isabs(path):
            path = os.path.join(cwd or os.getcwd(), path)
        config["export_path"] = os.path.normpath(path)
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


def _coerce(key, value):
    kind = OPTIONS[key]
    if kind == "list":
        return to_list(key, value, split=key != "run_command")
    if kind == "map":
        return to_map(key, value, what="a mapping of host path to container path")
    return read_option(kind, key, value)


def changes_set(changes, instruction):
    """Whether any of the ``changes`` is the given instruction (case-insensitive)."""
    wanted = instruction.upper()
    return any(change.strip().split(None, 1)[0].upper() == wanted for change in changes if change.strip())
