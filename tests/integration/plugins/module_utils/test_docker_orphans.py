"""Leftovers of a dead run found by label on the real daemon: the build container and the
untagged images committed from it go; tagged images, step-cache layers and live runs stay."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid

import pytest

from ansible_collections.cattle.images.plugins.module_utils.cache import layer_comment
from ansible_collections.cattle.images.plugins.module_utils.docker.builder import (
    LABEL_BUILD_ID,
    TEMP_DIR_PREFIX,
    container_name,
)
from ansible_collections.cattle.images.plugins.module_utils.docker.cleanup import remove_orphaned_containers
from ansible_collections.cattle.images.plugins.module_utils.docker.client import connect
from ansible_collections.cattle.images.plugins.module_utils.ledger import RUN_DIR_PREFIX

BASE_IMAGE = os.environ.get("CATTLE_BASE_IMAGE", "local/debian:bookworm")
pytestmark = pytest.mark.docker


@pytest.fixture
def client():
    return connect()


@pytest.fixture
def builds(client):
    """Fake builds (a run dir, a labelled container mounting a temp dir in it); all removed at the end."""
    made = []

    def make():
        build_id = "sweep2" + uuid.uuid4().hex[:8]
        run_dir = tempfile.mkdtemp(prefix=RUN_DIR_PREFIX)
        temp_dir = tempfile.mkdtemp(prefix=f"{TEMP_DIR_PREFIX}{build_id}-", dir=run_dir)
        container = client.containers.run(
            BASE_IMAGE, ["sleep", "infinity"], detach=True, name=container_name(build_id),
            labels={LABEL_BUILD_ID: build_id}, volumes={temp_dir: {"bind": "/packer-files", "mode": "rw"}})
        made.append((build_id, run_dir))
        return build_id, run_dir, container

    yield make
    for build_id, run_dir in made:
        for container in client.containers.list(all=True, filters={"label": f"{LABEL_BUILD_ID}={build_id}"}):
            container.remove(force=True)
        for image in client.images.list(all=True, filters={"label": f"{LABEL_BUILD_ID}={build_id}"}):
            client.images.remove(image.id, force=True)
        shutil.rmtree(run_dir, ignore_errors=True)


def _image_ids(client, build_id):
    return {image.id for image in client.images.list(all=True, filters={"label": f"{LABEL_BUILD_ID}={build_id}"})}


def test_a_dead_runs_container_goes_with_its_unfinished_commit_but_not_tagged_images_or_cache_layers(
        client, builds):
    build_id, run_dir, container = builds()
    unfinished = container.commit().id
    tagged = container.commit(repository="sweep2-orphans", tag=build_id).id
    layer = container.commit(message=layer_comment({"key": "sweep2"})).id

    removed = remove_orphaned_containers(client, lambda path: path == run_dir)

    assert ("docker container", container_name(build_id)) in removed
    assert ("docker image", unfinished) in removed
    assert _image_ids(client, build_id) == {tagged, layer}
    assert not client.containers.list(all=True, filters={"label": f"{LABEL_BUILD_ID}={build_id}"})


def test_a_live_runs_container_and_images_stay(client, builds):
    build_id, run_dir, container = builds()
    unfinished = container.commit().id

    removed = remove_orphaned_containers(client, lambda path: False)

    assert not [name for _kind, name in removed if build_id in name or name == unfinished]
    assert unfinished in _image_ids(client, build_id)
    assert client.containers.get(container_name(build_id)).status == "running"
