# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ledger's cleaner for kind ``docker_container`` (see ``ledger.CLEANERS``)."""

from __future__ import annotations

import os

from ansible_collections.cattle.images.plugins.module_utils.docker.builder import remove
from ansible_collections.cattle.images.plugins.module_utils.docker.client import connect


def remove_container(entry):
    """Kill and remove a recorded build container and its temp dir; a missing one is success.

    ``entry`` is the ledger record: ``build_id``, ``temp_dir`` and ``docker_host`` (the
    DOCKER_HOST the builder used, so a sweep from another environment finds the same daemon).
    Raises ``DockerError`` when the daemon cannot be reached or refuses.
    """
    docker_host = entry.get("docker_host")
    previous = os.environ.get("DOCKER_HOST")
    if docker_host:
        os.environ["DOCKER_HOST"] = docker_host
    try:
        client = connect()
        build_id = entry.get("build_id") or entry["name"].removeprefix("cattle-")
        remove(client, build_id, entry.get("temp_dir"))
    finally:
        if docker_host:
            if previous is None:
                os.environ.pop("DOCKER_HOST", None)
            else:
                os.environ["DOCKER_HOST"] = previous
