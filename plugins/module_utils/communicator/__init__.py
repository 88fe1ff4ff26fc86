# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Packer's communicators as Ansible connections (see docs/internals.md, "Communicators").

Pure Python, no Ansible import::

    from ansible_collections.cattle.images.plugins.module_utils.communicator import (
        CommunicatorError, communicator_type, parse_ssh_settings, ssh_host_vars,
    )
    kind = communicator_type(builder_config, default="ssh")      # "ssh" | "winrm" | "none" | "docker" | ...
    settings = parse_ssh_settings(builder_config, host="127.0.0.1", port=2222)
    host_vars = ssh_host_vars(settings, private_key_file=..., control_path_dir=...)
"""

from __future__ import annotations

from ansible_collections.cattle.images.plugins.module_utils.communicator.errors import CommunicatorError
from ansible_collections.cattle.images.plugins.module_utils.communicator.ssh import (
    SSHSettings,
    parse_ssh_settings,
    ssh_host_vars,
    wait_for,
)

COMMUNICATOR_TYPES = ("ssh", "winrm", "none", "docker", "dockerWindowsContainer")


def communicator_type(config, default="ssh"):
    """The ``communicator`` of a builder config, or the builder's default; checked."""
    value = (config or {}).get("communicator") or default
    if value not in COMMUNICATOR_TYPES:
        raise CommunicatorError(f"communicator: Communicator type {value} is invalid")
    return value


__all__ = [
    "COMMUNICATOR_TYPES", "CommunicatorError", "SSHSettings", "communicator_type", "parse_ssh_settings",
    "ssh_host_vars", "wait_for",
]
