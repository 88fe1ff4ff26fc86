"""The manifest post-processor: Packer's file format, appending within a run, -force across runs."""

from __future__ import annotations

import json
import multiprocessing
import time
from collections import namedtuple

import pytest
from provisioner_harness import run_tasks, write_plan

RUN_A = "aaaaaaaa-0000-0000-0000-000000000001"
RUN_B = "bbbbbbbb-0000-0000-0000-000000000002"


def pp_task(plan, chain, artifact, **task):
    return dict({"cattle.images.manifest": {"plan_file": plan, "build": "docker", "chain": chain, "index": 0,
                                            "artifact": artifact}}, **task)


# first: the results of the first run's tasks; after_*: the manifest file's text (first) or JSON (later runs).
ManifestRuns = namedtuple("ManifestRuns", "directory first after_first after_second after_forced image run_window")


@pytest.fixture(scope="module")
def manifest_runs(tmp_path_factory):
    directory = tmp_path_factory.mktemp("manifest")
    (directory / "disk.img").write_bytes(b"x" * 1234)
    image = {"id": "sha256:1234", "builder_id": "packer.post-processor.docker-import", "builder_type": "docker",
             "build_name": "docker", "files": [], "string": "Imported Docker image: sha256:1234", "metadata": {}}
    disk = dict(image, id="disk", builder_id="transcend.qemu", files=[str(directory / "disk.img")])
    chains = [
        [{"type": "manifest", "config": {"output": "out/manifest.json", "custom_data": {"k": "v1"}}}],
        [{"type": "manifest", "config": {"output": "out/manifest.json", "strip_path": True, "strip_time": True}}],
        [{"type": "manifest", "config": {"output": "out/manifest.json", "bogus": 1}}],
    ]
    plan_a = write_plan(directory, post_processors=chains, run_uuid=RUN_A)
    started = int(time.time())
    first = run_tasks(directory, [pp_task(plan_a, 0, image), pp_task(plan_a, 1, disk), pp_task(plan_a, 2, image),
                                  pp_task(plan_a, 0, image, check_mode=True)], plan_file=plan_a)
    finished = int(time.time())
    after_first = (directory / "out" / "manifest.json").read_text()
    # A second run without -force appends; a third with -force (another run UUID) starts afresh.
    plan_b = write_plan(directory, post_processors=chains, run_uuid=RUN_B)
    run_tasks(directory, [pp_task(plan_b, 0, image)], plan_file=plan_b)
    after_second = json.loads((directory / "out" / "manifest.json").read_text())
    plan_c = write_plan(directory, post_processors=chains, run_uuid=RUN_A)
    run_tasks(directory, [pp_task(plan_c, 1, disk)], plan_file=plan_c, force=True)
    after_forced = json.loads((directory / "out" / "manifest.json").read_text())
    return ManifestRuns(directory, first, after_first, after_second, after_forced, image, (started, finished))


def test_packer_file_format(manifest_runs):
    results, text = manifest_runs.first, manifest_runs.after_first
    started, finished = manifest_runs.run_window
    assert not results[0].get("failed"), results[0]["msg"]
    manifest = json.loads(text)
    assert list(manifest) == ["builds", "last_run_uuid"]
    assert manifest["last_run_uuid"] == RUN_A
    entry = manifest["builds"][0]
    assert list(entry) == ["name", "builder_type", "build_time", "files", "artifact_id", "packer_run_uuid",
                           "custom_data"]
    assert entry["name"] == "docker" and entry["builder_type"] == "docker"
    assert entry["files"] is None
    assert entry["artifact_id"] == "sha256:1234"
    assert entry["packer_run_uuid"] == RUN_A
    assert entry["custom_data"] == {"k": "v1"}
    assert started <= entry["build_time"] <= finished  # stamped during the run
    assert text.startswith('{\n  "builds": [\n    {\n      "name": "docker",')


def test_appends_within_a_run_with_strip_options(manifest_runs):
    text = manifest_runs.after_first
    second = json.loads(text)["builds"][1]
    assert second["files"] == [{"name": "disk.img", "size": 1234}]
    assert second["build_time"] == 0
    assert second["custom_data"] is None
    assert len(json.loads(text)["builds"]) == 2  # the failing and the check-mode ones wrote nothing


def test_passes_its_input_through_and_keeps_it(manifest_runs):
    results, image = manifest_runs.first, manifest_runs.image
    assert results[0]["artifact"] == image
    assert results[0]["keep"] is True and results[0]["force_keep"] is True


def test_mistake_and_check_mode(manifest_runs):
    results = manifest_runs.first
    assert results[2]["failed"] is True
    assert results[2]["msg"] == (
        "build 'docker', post-processors[2][0] (manifest): unknown configuration key: '\"bogus\"'"
    )
    assert not results[3].get("failed") and results[3]["changed"] is False


def test_another_run_appends_and_force_resets(manifest_runs):
    after_second, after_forced = manifest_runs.after_second, manifest_runs.after_forced
    assert [b["packer_run_uuid"] for b in after_second["builds"]] == [RUN_A, RUN_A, RUN_B]
    assert after_second["last_run_uuid"] == RUN_B
    assert [b["packer_run_uuid"] for b in after_forced["builds"]] == [RUN_A]
    assert after_forced["last_run_uuid"] == RUN_A


def _append(output, name, barrier):
    from ansible_collections.cattle.images.plugins.action.manifest import ActionModule
    from ansible_collections.cattle.images.plugins.module_utils.ui import Ui
    from ansible_collections.cattle.images.plugins.plugin_utils.context import BuildContext

    context = BuildContext(build_name=name, build_type="null", run_uuid=RUN_A)
    action = object.__new__(ActionModule)
    config = action.prepare({"output": output}, context)
    artifact = {"id": name, "files": []}
    barrier.wait()
    for _append_number in range(5):
        action.post_process(config, context, dict(artifact, files=[]), Ui())


def test_parallel_builds_do_not_lose_entries(tmp_path):
    output = str(tmp_path / "parallel.json")
    barrier = multiprocessing.Barrier(6)
    workers = [multiprocessing.Process(target=_append, args=(output, f"b{i}", barrier)) for i in range(6)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert all(worker.exitcode == 0 for worker in workers)
    builds = json.loads(open(output, encoding="utf-8").read())["builds"]
    assert sorted(b["name"] for b in builds) == sorted(f"b{i}" for i in range(6) for _append_number in range(5))
