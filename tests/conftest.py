"""Shared fixtures: where things are, and whether a Docker engine answers."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(REPO), "shared")
VENV_BIN = os.path.dirname(sys.executable)
BASE_IMAGE = os.environ.get("CATTLE_BASE_IMAGE", "local/debian:bookworm")

# Fixture modules whose fixtures any test may request by name (moto_server, sshd_target).
pytest_plugins = ["tests.fixtures.moto", "tests.fixtures.sshd"]


def _docker_ready():
    if not shutil.which("docker"):
        return "no docker client"
    probe = subprocess.run(["docker", "image", "inspect", BASE_IMAGE], capture_output=True, text=True, check=False)
    if probe.returncode != 0:
        return f"docker or the base image {BASE_IMAGE} is not available: {probe.stderr.strip()[:200]}"
    return None


def pytest_collection_modifyitems(config, items):
    # In CI the set-up script has started Docker: a missing engine must fail, not skip.
    if os.environ.get("CI"):
        return
    reason = None
    for item in items:
        if "docker" in item.keywords:
            if reason is None:
                reason = _docker_ready() or ""
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def venv_bin():
    return VENV_BIN


@pytest.fixture(scope="session")
def shared_dir():
    if not os.path.isdir(SHARED):
        pytest.skip(f"the shared directory {SHARED} is not here")
    return SHARED
