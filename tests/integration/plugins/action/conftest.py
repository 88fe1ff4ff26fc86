"""Fixtures of the provisioner/post-processor integration tests (helpers: provisioner_harness.py)."""

from __future__ import annotations

import uuid

import pytest
from provisioner_harness import BASE_IMAGE


@pytest.fixture(scope="module")
def container():
    """A running container from the base image, labelled and removed afterwards."""
    import docker

    client = docker.from_env()
    name = f"cattle-test-prov-{uuid.uuid4().hex[:10]}"
    created = client.containers.run(
        BASE_IMAGE, ["sleep", "infinity"], name=name, detach=True, labels={"cattle.test": "1"}
    )
    try:
        yield created
    finally:
        created.remove(force=True)
        client.close()
