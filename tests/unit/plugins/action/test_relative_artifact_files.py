"""A qemu artifact names its files as the template wrote the output directory (``out/disk.qcow2``),
as Packer 1.6.6's does; the manifest keeps those names while checksum, compress, the manifest's
size and the artifact's destruction open them under the run's cwd, whatever the process's cwd."""

from __future__ import annotations

import hashlib
import json
import tarfile

import pytest

from ansible_collections.cattle.images.plugins.action import checksum, compress, manifest
from ansible_collections.cattle.images.plugins.module_utils.artifacts import destroy_artifact
from ansible_collections.cattle.images.plugins.module_utils.ui import Ui
from ansible_collections.cattle.images.plugins.plugin_utils.context import BuildContext

DISK = b"qcow2 bytes"


@pytest.fixture
def run(tmp_path, monkeypatch):
    """The run's cwd holds out/disk.qcow2; the process sits elsewhere."""
    cwd = tmp_path / "run"
    (cwd / "out").mkdir(parents=True)
    (cwd / "out" / "disk.qcow2").write_bytes(DISK)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    context = BuildContext(build_name="qc", build_type="qemu", run_uuid="u", cwd=str(cwd))
    artifact = {"id": "VM", "builder_id": "transcend.qemu", "builder_type": "qemu", "build_name": "qc",
                "files": ["out/disk.qcow2"], "string": "VM files in directory: out", "metadata": {}}
    return cwd, context, artifact


def action(cls):
    return cls.__new__(cls)  # post_process needs no Ansible plumbing


def test_manifest_keeps_the_name_as_written_and_sizes_the_file(run):
    cwd, context, artifact = run
    pp = action(manifest.ActionModule)
    pp.post_process(pp.prepare({"output": "manifest.json"}, context), context, artifact, Ui())
    written = json.loads((cwd / "manifest.json").read_text())
    assert written["builds"][0]["files"] == [{"name": "out/disk.qcow2", "size": len(DISK)}]


def test_checksum_reads_the_file_under_the_run_cwd(run):
    cwd, context, artifact = run
    pp = action(checksum.ActionModule)
    pp.post_process(pp.prepare({"checksum_types": ["sha256"], "output": "sums.txt"}, context), context, artifact, Ui())
    assert (cwd / "sums.txt").read_text() == f"{hashlib.sha256(DISK).hexdigest()}\tdisk.qcow2\n"


def test_compress_reads_the_file_under_the_run_cwd(run):
    cwd, context, artifact = run
    pp = action(compress.ActionModule)
    pp.post_process(pp.prepare({"output": "disk.tar"}, context), context, artifact, Ui())
    with tarfile.open(cwd / "disk.tar") as tar:
        assert tar.getnames() == ["disk.qcow2"]
        assert tar.extractfile("disk.qcow2").read() == DISK


def test_destroying_the_artifact_removes_the_output_directory_under_the_run_cwd(run):
    cwd, _context, artifact = run
    destroy_artifact(artifact, str(cwd))
    assert not (cwd / "out").exists()
    assert cwd.exists()
