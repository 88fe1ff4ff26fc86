"""Separate `cattle build`s started at once on one Docker daemon: each succeeds, none leaves anything.

Each build's start sweeps what dead runs left, while the others are starting or running: a
live run (claimed or about to be) must never be taken for a dead one.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import uuid

import pytest

pytestmark = [pytest.mark.docker, pytest.mark.slow]

BUILDS = 4
BUILD_ID = re.compile(r"cattle-docker-([0-9a-f]+)-")


def docker(*args):
    return subprocess.run(["docker", *args], capture_output=True, text=True, check=False)


def test_separate_builds_started_at_once_all_succeed_and_leave_nothing(venv_bin, shared_dir, tmp_path):
    private_tmp = tmp_path / "tmp"  # every run directory of these builds, and nobody else's, is made here
    private_tmp.mkdir()
    repos = [f"local/cattle-it-{uuid.uuid4().hex[:8]}-{index}" for index in range(BUILDS)]
    processes = []
    for index, repo in enumerate(repos):
        workdir = tmp_path / f"build{index}"
        workdir.mkdir()
        for name in ("docker-reference.json", "payload.txt", "step.sh"):
            shutil.copy(os.path.join(shared_dir, "bench", name), workdir / name)
        processes.append(subprocess.Popen(
            [os.path.join(venv_bin, "cattle"), "build", "-color=false", "-var", f"out_repo={repo}", "docker-reference.json"],
            cwd=workdir, env=dict(os.environ, TMPDIR=str(private_tmp)),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
    try:
        outputs = [process.communicate(timeout=900)[0] for process in processes]
        for process, output in zip(processes, outputs, strict=True):
            assert process.returncode == 0, output
            assert "Build 'docker' finished" in output
            # The others' runs (in the same temp dir) were live all along: none was swept.
            assert "left by a dead run" not in output and "Removed the run directory" not in output
        for repo in repos:
            assert docker("image", "inspect", f"{repo}:v1").returncode == 0
        build_ids = {build_id for output in outputs for build_id in BUILD_ID.findall(output)}
        assert len(build_ids) == BUILDS
        for build_id in build_ids:
            assert not docker("ps", "-aq", "--filter", f"label=cattle.build_id={build_id}").stdout.split()
            assert not docker("images", "-q", "--filter", "dangling=true",
                              "--filter", f"label=cattle.build_id={build_id}").stdout.split()
        assert not [name for name in os.listdir(private_tmp) if name.startswith("cattle-")]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
        docker("rmi", "-f", *[f"{repo}:v1" for repo in repos])
