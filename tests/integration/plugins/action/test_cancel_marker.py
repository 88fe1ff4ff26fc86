"""The cancel marker `cattle build` sets on a signal: capture and post-processors refuse to start."""

from __future__ import annotations

import pytest
from provisioner_harness import run_tasks, write_plan

from ansible_collections.cattle.images.plugins.module_utils import ledger

IMAGE = {"id": "sha256:1234", "builder_id": "packer.docker", "builder_type": "docker", "build_name": "docker",
         "files": [], "string": "Imported Docker image: sha256:1234", "metadata": {}}


def tasks(plan):
    return [
        {"cattle.images.docker": {"state": "captured", "build_id": "test0001", "build_name": "docker",
                                  "plan_file": plan, "build": "docker"}},
        {"cattle.images.post_processors": {"plan_file": plan, "build": "docker", "artifact": IMAGE}},
    ]


@pytest.mark.docker
def test_no_capture_or_post_processor_starts_once_the_run_is_cancelled(tmp_path):
    plan = write_plan(tmp_path, post_processors=[[{"type": "manifest", "config": {"output": "manifest.json"}}]])
    ledger.cancel(str(tmp_path))
    captured, post_processed = run_tasks(tmp_path, tasks(plan), plan_file=plan)
    assert captured.get("failed") and "Build cancelled" in captured["msg"]
    assert post_processed.get("failed") and "Build cancelled" in post_processed["msg"]
    assert not (tmp_path / "manifest.json").exists()


@pytest.mark.docker
def test_without_the_marker_the_post_processor_runs(tmp_path):
    plan = write_plan(tmp_path, post_processors=[[{"type": "manifest", "config": {"output": "manifest.json"}}]])
    _captured, post_processed = run_tasks(tmp_path, tasks(plan), plan_file=plan)
    assert not post_processed.get("failed"), post_processed
    assert (tmp_path / "manifest.json").exists()
