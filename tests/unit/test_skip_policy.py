"""The suite's skip policy (tests/conftest.py): Docker tests are chosen by marker, and in CI a skip fails."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import REPO

SAMPLE = '''
import pytest

pytestmark = []


def test_plain_skip():
    pytest.skip("nothing to test against")


@pytest.mark.skipif(True, reason="a condition said so")
def test_skipif():
    pass


def test_importorskip():
    pytest.importorskip("cattle_no_such_module")


@pytest.mark.docker
def test_needs_docker():
    pass


def test_no_engine_needed():
    pass


@pytest.mark.xfail(reason="a known bug")
def test_expected_failure():
    assert False
'''


def run_sample(tmp_path, ci):
    # The directory is called `docker`, so every test's keywords contain "docker"; only the marked
    # test needs the engine. A base image that does not exist makes the engine "missing".
    directory = tmp_path / "docker"
    directory.mkdir()
    (directory / "test_sample.py").write_text(SAMPLE)
    env = {key: value for key, value in os.environ.items() if key != "CI"}
    env["CATTLE_BASE_IMAGE"] = "cattle-no-such-image:never"
    if ci:
        env["CI"] = "true"
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", "-p", "tests.conftest",
                           "-c", os.path.join(REPO, "pyproject.toml"), str(directory)], cwd=REPO, env=env, capture_output=True, text=True, check=False)


def test_outside_ci_only_marked_tests_skip_for_docker_and_the_count_is_printed(tmp_path):
    result = run_sample(tmp_path, ci=False)
    out = result.stdout
    assert result.returncode == 0, out
    assert "1 passed, 4 skipped, 1 xfailed in" in out
    assert "skipped: 4" in out
    assert "docker or the base image cattle-no-such-image:never is not available" in out
    assert "nothing to test against" in out and "a condition said so" in out


def test_in_ci_every_skip_is_a_failure_naming_its_reason(tmp_path):
    result = run_sample(tmp_path, ci=True)
    out = result.stdout
    assert result.returncode == 1, out
    assert "skipped: 0" in out
    assert "2 failed, 1 passed, 1 xfailed, 2 errors" in out  # skipif and the marker skip at setup: errors
    for reason in ("nothing to test against", "a condition said so", "could not import 'cattle_no_such_module'",
                   "docker or the base image cattle-no-such-image:never is not available"):
        assert f"in CI a skip is a failure (scripts/test.sh installs and starts what the tests need); " \
               f"this test would have skipped: {reason}" in out, reason


def test_in_ci_a_module_skipped_at_collection_fails_the_run(tmp_path):
    (tmp_path / "test_whole_module.py").write_text(
        "import pytest\npytest.skip('the whole module', allow_module_level=True)\n")
    (tmp_path / "test_fine.py").write_text("def test_fine():\n    pass\n")
    env = dict(os.environ, CI="true")
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "tests.conftest",
                             "-c", os.path.join(REPO, "pyproject.toml"), str(tmp_path)],
                            cwd=REPO, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 1, result.stdout
    assert "skipped: 1 (in CI every skip fails the run)" in result.stdout
