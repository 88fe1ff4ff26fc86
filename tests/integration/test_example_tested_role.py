"""examples/tested-role end to end: its molecule scenario for real (docker driver, testinfra
verifier, the local Docker engine), then the image template that runs the role and the same
test files through the testinfra provisioner."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import uuid

import pytest

pytestmark = [pytest.mark.docker, pytest.mark.slow]

EXAMPLE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                       "examples", "tested-role")
TEST_IDS = [
    "molecule/default/tests/test_banner.py::test_service_user_cannot_log_in[ansible://default]",
    "molecule/default/tests/test_banner.py::test_banner_is_written_for_the_service_user[ansible://default]",
]


def docker(*args, check=True):
    return subprocess.run(["docker", *args], capture_output=True, text=True, check=check)


@pytest.fixture
def example(tmp_path):
    copy = tmp_path / "tested-role"
    shutil.copytree(EXAMPLE, copy)
    return copy


def test_molecule_scenario_converges_and_verifies(venv_bin, example):
    instance = f"testinfra-molecule-{uuid.uuid4().hex[:8]}"
    env = dict(os.environ, PATH=venv_bin + os.pathsep + os.environ.get("PATH", ""), MOLECULE_INSTANCE_NAME=instance,
               ANSIBLE_FORCE_COLOR="0", NO_COLOR="1", PY_COLORS="0")
    try:
        result = subprocess.run([os.path.join(venv_bin, "molecule"), "test"], cwd=example, env=env,
                                capture_output=True, text=True, timeout=900, check=False)
    finally:
        docker("rm", "-f", instance, check=False)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    # The verifier ran the role's testinfra files against the converged container, and they passed.
    assert "2 passed" in output, output[-4000:]
    assert "idempotence" in output


def test_image_template_runs_the_role_then_its_tests(venv_bin, example):
    repository = f"local/testinfra-example-{uuid.uuid4().hex[:8]}"
    try:
        result = subprocess.run([os.path.join(venv_bin, "cattle"), "build", "-color=false", "-var",
                                 f"repository={repository}", "image.json"], cwd=example, capture_output=True,
                                text=True, timeout=900, check=False)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Tests passed: 2 passed" in result.stdout
        banner = docker("run", "--rm", f"{repository}:latest", "cat", "/srv/app/banner.txt").stdout
        assert banner.strip() == "Built by cattle"
        manifest = json.loads((example / "manifest.json").read_text())
        [tests] = manifest["builds"][0]["tests"]
        assert [r["id"] for r in tests["results"]] == TEST_IDS
        assert {r["outcome"] for r in tests["results"]} == {"passed"}
        assert (example / "reports" / "junit.xml").exists()
    finally:
        docker("rmi", "-f", f"{repository}:latest", check=False)
