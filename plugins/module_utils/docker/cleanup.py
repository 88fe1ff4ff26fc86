# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The docker builder's ledger cleaners (:data:`CLEANERS`), and its leftovers no ledger lists."""

from __future__ import annotations

import os
import time

from ansible_collections.cattle.images.plugins.module_utils.docker.builder import (
    COMMIT_LEDGER_KIND,
    LABEL_BUILD_ID,
    LEDGER_KIND,
    container_name,
    is_build_temp_dir,
    remove,
    remove_uncommitted_images,
)
from ansible_collections.cattle.images.plugins.module_utils.docker.client import DockerError, connect, explain
from ansible_collections.cattle.images.plugins.module_utils.ledger import RUN_DIR_PREFIX

COMMIT_GRACE = 15.0


def remove_container(entry):
    """Kill and remove a recorded build container and its temp dir; a missing one is success.

    ``entry`` is the ledger record: ``build_id``, ``temp_dir`` and ``docker_host`` (the
    DOCKER_HOST the builder used, so a sweep from another environment finds the same daemon).
    Raises ``DockerError`` when the daemon cannot be reached or refuses.
    """
    build_id = entry.get("build_id") or entry["name"].removeprefix("cattle-")
    _on_daemon(entry, lambda client: remove(client, build_id, entry.get("temp_dir")))


def remove_uncommitted(entry):
    """Remove the untagged image(s) an interrupted commit of build ``entry['build_id']`` left.

    The daemon finishes a commit it started even when its client is gone, and even once the
    container is removed; Docker shows no commit in progress, so while the container was still
    there this waits up to ``COMMIT_GRACE`` seconds for the image to appear.
    """
    build_id = entry.get("build_id") or entry["name"]

    def clean(client):
        had_container = remove(client, build_id)
        deadline = time.monotonic() + (COMMIT_GRACE if had_container else 0)
        while not remove_uncommitted_images(client, build_id) and time.monotonic() < deadline:
            time.sleep(0.25)

    _on_daemon(entry, clean)


# kind -> cleaner, for the ledger (module_utils/cleaners.py gathers every builder's).
CLEANERS = {LEDGER_KIND: remove_container, COMMIT_LEDGER_KIND: remove_uncommitted}


def _on_daemon(entry, action):
    docker_host = entry.get("docker_host")
    previous = os.environ.get("DOCKER_HOST")
    if docker_host:
        os.environ["DOCKER_HOST"] = docker_host
    try:
        action(connect())
    finally:
        if docker_host:
            if previous is None:
                os.environ.pop("DOCKER_HOST", None)
            else:
                os.environ["DOCKER_HOST"] = previous


def remove_orphaned_containers(client, is_dead_run_dir):
    """Remove build containers whose private temp dir lies in a run directory that
    ``is_dead_run_dir(path)`` says is dead (or that is gone): leftovers no ledger lists any more.

    Only containers with the build-id label and a bind mount inside a ``cattle-run-*`` directory
    are considered, so containers made outside a run (tests driving the module) are never touched.
    With each such container go the untagged images committed from it (a capture the run died
    in): its build provably never finished, so they are no artifact anyone was handed. Images of
    a build whose container is gone are kept: an untagged image labelled with a finished build's
    id is that build's artifact (``commit`` without ``docker-tag``), which nothing tells apart.
    Returns what was removed, as ``(kind, name)`` pairs.
    """
    removed = []
    try:
        # A container removed between the listing and its inspection (a build ending meanwhile) is gone: skip it.
        containers = client.containers.list(all=True, filters={"label": LABEL_BUILD_ID}, ignore_removed=True)
    except Exception as exc:  # noqa: BLE001
        raise DockerError(explain(exc, "list the build containers")) from None
    for container in containers:
        build_id = (container.labels or {}).get(LABEL_BUILD_ID)
        if not build_id or container.name != container_name(build_id):
            continue  # not a build container (a committed image's label carried into another one)
        for mount in container.attrs.get("Mounts") or []:
            source = mount.get("Source") or ""
            run_dir = _run_dir_of(source)
            if run_dir and is_dead_run_dir(run_dir):
                # `docker commit` pauses the container; the daemon finishes a commit whose client
                # died, so a paused container may still yield an image: wait for it then.
                committing = bool((container.attrs.get("State") or {}).get("Paused"))
                remove(client, build_id, source if is_build_temp_dir(source) else None)
                removed.append(("docker container", container.name))
                deadline = time.monotonic() + (COMMIT_GRACE if committing else 0)
                while True:
                    images = remove_uncommitted_images(client, build_id)
                    if images or time.monotonic() >= deadline:
                        break
                    time.sleep(0.25)
                removed.extend(("docker image", image) for image in images)
                break
    return removed


def _run_dir_of(path):
    parts = os.path.normpath(path).split(os.sep)
    for index, part in enumerate(parts):
        if part.startswith(RUN_DIR_PREFIX):
            return os.sep.join(parts[:index + 1])
    return None
