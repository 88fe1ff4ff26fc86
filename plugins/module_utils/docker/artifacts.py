# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Docker artifacts (plain dicts, see docs/internals.md) and how to destroy them.

Builder ids are Packer's, because post-processors accept their input by builder id:
a commit is a ``packer.post-processor.docker-import`` artifact (Packer reuses the import
artifact type), an export is ``packer.docker`` with the tar in ``files``.
"""

from __future__ import annotations

import os

BUILDER_ID_EXPORT = "packer.docker"
BUILDER_ID_IMPORT = "packer.post-processor.docker-import"
BUILDER_ID_TAG = "packer.post-processor.docker-tag"
BUILDER_ID_ARTIFICE = "packer.post-processor.artifice"
IMAGE_BUILDER_IDS = (BUILDER_ID_IMPORT, BUILDER_ID_TAG)


def commit_artifact(image_id, build_name):
    return {
        "id": image_id,
        "builder_id": BUILDER_ID_IMPORT,
        "builder_type": "docker",
        "build_name": build_name,
        "files": [],
        "string": f"Imported Docker image: {image_id}",
        "metadata": {"ImageSha256": image_id, "docker_tags": []},
    }


def export_artifact(path, build_name, shown=None):
    """Packer's export artifact: its id is always "Container"; ``path`` is "" for discard.

    Its string names the path as the template wrote it (``shown``), as Packer's does."""
    return {
        "id": "Container",
        "builder_id": BUILDER_ID_EXPORT,
        "builder_type": "docker",
        "build_name": build_name,
        "files": [path],
        "string": f"Exported Docker file: {path if shown is None else shown}",
        "metadata": {},
    }


def image_artifact(builder_id, image_ref, source, metadata=None):
    """An image artifact made by a post-processor from ``source`` (keeps its build's name/type).

    Its string names the tags in ``metadata["docker_tags"]``, as Packer's does.
    """
    tags = list((metadata or {}).get("docker_tags") or [])
    return {
        "id": image_ref,
        "builder_id": builder_id,
        "builder_type": source.get("builder_type", "docker"),
        "build_name": source.get("build_name", ""),
        "files": [],
        "string": f"Imported Docker image: {image_ref}" + (f" with tags {' '.join(tags)}" if tags else ""),
        "metadata": dict(metadata or {}),
    }


def destroy_artifact(artifact, cwd=None):
    """Remove what an artifact stands for: the image reference, or the exported file.

    A reference already gone is success. For a tag artifact the tags it made are removed;
    as with Packer's ``docker rmi``, Docker deletes the image too when no other reference
    is left. Raises ``DockerError``. ``cwd``: what a relative exported file name is under.
    """
    from ansible_collections.cattle.images.plugins.module_utils.missing import file_is_missing, missing_means_deleted

    builder_id = artifact.get("builder_id")
    if builder_id == BUILDER_ID_EXPORT or builder_id not in IMAGE_BUILDER_IDS:
        for path in artifact.get("files") or []:
            if path:  # discard leaves no file
                missing_means_deleted(lambda path=path: os.remove(os.path.join(cwd or os.getcwd(), path)), file_is_missing)
        return
    from ansible_collections.cattle.images.plugins.module_utils.docker.client import (
        DockerError,
        connect,
        explain,
        is_not_found,
    )

    client = connect()
    references = list((artifact.get("metadata") or {}).get("docker_tags") or []) if builder_id == BUILDER_ID_TAG else []
    for reference in references or [artifact["id"]]:
        missing_means_deleted(lambda reference=reference: client.images.remove(reference), is_not_found,
                              lambda exc, reference=reference: DockerError(explain(exc, f"remove the image {reference}")))


# builder id -> destroyer, for artifacts.destroy_artifact.
DESTROYERS = {builder_id: destroy_artifact for builder_id in (BUILDER_ID_EXPORT, *IMAGE_BUILDER_IDS)}
