"""Which files a job returns with its artifacts, and how they get there."""

from __future__ import annotations

import os

from ansible_collections.cattle.images.plugins.plugin_utils.job_outputs import (
    copy_outputs,
    excluded_dirs,
    written_since,
)


def write(path, text="x", mtime=None):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    if mtime is not None:
        os.utime(path, (mtime, mtime))


def test_files_written_since_the_start_are_outputs(tmp_path):
    write(tmp_path / "template.json", mtime=1000)
    write(tmp_path / "manifest.json", mtime=2000)
    write(tmp_path / "out" / "image.tar", mtime=2001)
    assert written_since(tmp_path, 1500) == ["manifest.json", "out/image.tar"]


def test_runner_artifacts_run_dirs_fifos_and_symlinks_are_never_outputs(tmp_path):
    artifact_dir = tmp_path / "artifacts" / "job1"
    write(artifact_dir / "job_events" / "1.json")
    write(tmp_path / "artifacts" / "older-job" / "stdout")
    write(tmp_path / "tmp" / "cattle-run-abc" / "plan.json")
    os.mkfifo(tmp_path / "ssh_key_data")
    os.symlink("/etc/hostname", tmp_path / "link")
    write(tmp_path / "manifest.json")
    assert excluded_dirs(str(artifact_dir)) == {str(artifact_dir), str(tmp_path / "artifacts")}
    assert written_since(tmp_path, 0, excluded_dirs(str(artifact_dir))) == ["manifest.json"]


def test_outputs_are_copies_at_their_relative_paths(tmp_path):
    write(tmp_path / "root" / "out" / "manifest.json", "first run")
    copy_outputs(str(tmp_path / "root"), ["out/manifest.json"], str(tmp_path / "dest"))
    copied = tmp_path / "dest" / "out" / "manifest.json"
    assert copied.read_text() == "first run"
    # The next run rewrites the manifest in place: this job's copy stays as it was.
    with open(tmp_path / "root" / "out" / "manifest.json", "r+", encoding="utf-8") as handle:
        handle.write("next run!")
    assert copied.read_text() == "first run"
    copy_outputs(str(tmp_path / "root"), ["out/manifest.json"], str(tmp_path / "dest"))
    assert copied.read_text() == "next run!"
