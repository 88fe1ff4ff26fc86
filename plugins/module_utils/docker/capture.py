# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The docker builder's capture step (Packer's StepCommit / StepExport): commit, export or discard.

A commit keeps the base image's ENTRYPOINT and CMD unless ``changes`` set them; an export
never leaves a half-written tar under the user's name. Failures raise :class:`DockerError`.
"""

from __future__ import annotations

import os

from ansible_collections.cattle.images.plugins.module_utils.cache import parse_layer_comment
from ansible_collections.cattle.images.plugins.module_utils.docker import artifacts
from ansible_collections.cattle.images.plugins.module_utils.docker.builder import container_name, find_container
from ansible_collections.cattle.images.plugins.module_utils.docker.client import DockerError, explain, write_stream
from ansible_collections.cattle.images.plugins.module_utils.docker.config import changes_set
from ansible_collections.cattle.images.plugins.module_utils.ui import Ui


def commit_settings(base_config, container_config, changes):
    """The ``conf`` for the commit API so the base image's ENTRYPOINT and CMD survive.

    Packer commits the container as it runs, so run_command's ``--entrypoint=/bin/sh`` leaks
    into the image. We commit the container's own config with ENTRYPOINT and CMD put back to
    the base image's, unless ``changes`` set them. As in a Dockerfile, a changed ENTRYPOINT
    resets CMD, so CMD is restored only when ``changes`` set neither. An empty or null base
    entrypoint is restored as empty (``[]``).
    """
    conf = dict(container_config or {})
    base_config = base_config or {}
    sets_entrypoint = changes_set(changes, "ENTRYPOINT")
    sets_cmd = changes_set(changes, "CMD")
    if not sets_entrypoint:
        conf["Entrypoint"] = list(base_config.get("Entrypoint") or [])
        if not sets_cmd:
            conf["Cmd"] = list(base_config.get("Cmd") or [])
    return conf


def commit(client, config, build_id, build_name, ui=None):
    """``docker commit`` with ``changes``, ``author``, ``message``. Returns the artifact."""
    ui = Ui() if ui is None else ui
    container = _require_container(client, build_id, "commit")
    try:
        started_from = client.images.get(container.attrs["Image"]).attrs
        base = started_from.get("Config") or {}
        # A container started from a step-cache layer: the base image is the one the layer names.
        layer = parse_layer_comment(started_from.get("Comment"))
        if layer and layer.get("base"):
            base = client.images.get(layer["base"]).attrs.get("Config") or {}
    except Exception as exc:  # noqa: BLE001
        raise DockerError(explain(exc, f"read the base image of {container.name}")) from None
    conf = commit_settings(base, container.attrs.get("Config"), config["changes"])
    ui.say("Committing the container")
    try:
        image = container.commit(
            message=config.get("message") or None,
            author=config.get("author") or None,
            changes=list(config["changes"]) or None,
            conf=conf,
        )
    except Exception as exc:  # noqa: BLE001
        raise DockerError(explain(exc, f"commit the container {container.name}")) from None
    ui.message(f"Image ID: {image.id}")
    return artifacts.commit_artifact(image.id, build_name)


def export(client, config, build_id, build_name, ui=None):
    """``docker export`` into ``export_path`` (overwritten, as Packer does). Returns the artifact."""
    container = _require_container(client, build_id, "export")
    path = config["export_path"]
    directory = os.path.dirname(path) or "."
    if not os.path.isdir(directory):
        raise DockerError(f"export_path {path}: the directory {directory} does not exist")
    if ui is not None:
        ui.say("Exporting the container")
    write_stream(container.export(), path, ".cattle-export-", f"export the container {container.name} to {path}")
    return artifacts.export_artifact(path, build_name, config.get("export_path_as_written"))


def capture(client, config, build_id, build_name, ui=None):
    """Commit, export or discard, per the config. Returns the artifact.

    Discard still gives one, as Packer does: an export artifact with no file, which the
    post-processors then receive.
    """
    if config["commit"]:
        return commit(client, config, build_id, build_name, ui)
    if config["export_path"]:
        return export(client, config, build_id, build_name, ui)
    _require_container(client, build_id, "capture")
    return artifacts.export_artifact("", build_name)


def _require_container(client, build_id, action):
    container = find_container(client, build_id)
    if container is None:
        raise DockerError(
            f"Cannot {action}: the build container {container_name(build_id)} does not exist "
            "(was it removed, or did the launch fail?)"
        )
    return container
