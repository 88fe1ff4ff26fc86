"""Shared fixtures: where things are, whether a Docker engine answers, and what a skip means.

Outside CI a test may skip when something it needs is missing (no Docker engine, no QEMU, no
`../shared`), saying why. In CI (the `CI` environment variable is set; `.ci/run` sets it) the
set-up scripts have installed and started everything, so every skip, whatever raised it
(`pytest.skip`, `skipif`, `importorskip`), is turned into a failure here, in this one place.
"""

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


def in_ci() -> bool:
    return bool(os.environ.get("CI"))


def _docker_ready():
    if not shutil.which("docker"):
        return "no docker client"
    probe = subprocess.run(["docker", "image", "inspect", BASE_IMAGE], capture_output=True, text=True, check=False)
    if probe.returncode != 0:
        return f"docker or the base image {BASE_IMAGE} is not available: {probe.stderr.strip()[:200]}"
    return None


# Test files that boot QEMU guests (qemu, the VirtualBox stand-in, the installer ISO, testinfra on a
# disk). Under pytest-xdist they share one worker: two TCG guests at once on this 2-core machine slow
# each other until typed boot commands are lost.
VM_TEST_FILES = frozenset({
    "tests/integration/test_build_virtualbox.py",
    "tests/integration/test_build_keys_per_builder.py",
    "tests/integration/fixtures/test_installer_iso.py",
    "tests/integration/fixtures/test_vboxmanage_standin.py",
    "tests/integration/test_sweep_orphans_cli.py",
    "tests/integration/test_provisioner_testinfra.py",
    "tests/integration/test_build_qemu.py",
    "tests/integration/plugins/modules/test_qemu_module.py",
    "tests/integration/plugins/module_utils/test_vm_orphans.py",
})


# Test files that prune the daemon's whole step cache (`cattle cache prune`) or count on its layers
# staying: one at a time.
STEP_CACHE_TEST_FILES = frozenset({
    "tests/integration/test_cache.py",
    "tests/integration/test_cache_soundness.py",
    "tests/integration/plugins/module_utils/test_docker_orphans.py",
})


def _xdist_scope(nodeid):
    """The unit xdist hands to one worker: a test file, or every file of a group that shares a resource."""
    path = nodeid.split("::", 1)[0]
    if path in VM_TEST_FILES:
        return "vm"
    return "step-cache" if path in STEP_CACHE_TEST_FILES else path


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    # A scheduler of our own rather than xdist_group markers: xdist 3.8 renames node ids to carry
    # a group, which pytest 9 no longer lets it do, and the groups were silently ignored.
    if config.getvalue("dist") not in ("loadscope", "loadfile", "loadgroup"):
        return None
    from xdist.scheduler import LoadScopeScheduling  # pylint: disable=import-outside-toplevel

    class FileOrVmScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            return _xdist_scope(nodeid)

    return FileOrVmScheduling(config, log)


def pytest_collection_modifyitems(config, items):
    # The VM files come first: under xdist they are the longest unit, started while the other
    # worker takes everything else (the sort is stable, so each file keeps its order).
    if (config.getoption("numprocesses", default=None) or 0) > 0:
        items.sort(key=lambda item: _xdist_scope(item.nodeid) != "vm")
    # Select on the `docker` marker, not the keyword: keywords include directory and file
    # names, and pure unit tests under `.../docker/` need no engine.
    needing_docker = [item for item in items if item.get_closest_marker("docker")]
    if not needing_docker:
        return
    reason = _docker_ready()
    if reason:
        for item in needing_docker:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if in_ci() and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        reason = reason[len("Skipped: "):] if reason.startswith("Skipped: ") else reason
        report.outcome = "failed"
        report.longrepr = ("in CI a skip is a failure (scripts/test.sh installs and starts what the tests need); "
                           f"this test would have skipped: {reason}")
    return report


def _skipped(config):
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    return len(reporter.stats.get("skipped", [])) if reporter else 0


def pytest_sessionfinish(session, exitstatus):
    # Skips the report hook cannot see (a whole module skipped at collection) still fail CI.
    if in_ci() and _skipped(session.config) and exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    skipped = _skipped(config)
    terminalreporter.write_line(f"skipped: {skipped}" + (" (in CI every skip fails the run)" if skipped and in_ci() else ""))


@pytest.fixture(scope="session")
def venv_bin():
    return VENV_BIN


@pytest.fixture(scope="session")
def shared_dir():
    if not os.path.isdir(SHARED):
        pytest.skip(f"the shared directory {SHARED} is not here")
    return SHARED
