"""The compress post-processor: formats chosen from the output name, archives readable back."""

from __future__ import annotations

import gzip
import lzma
import tarfile
import zipfile

import pytest
from provisioner_harness import run_tasks, ui_text, write_plan


@pytest.fixture(scope="module")
def compress_run(tmp_path_factory):
    directory = tmp_path_factory.mktemp("compress")
    one, two = directory / "disk.raw", directory / "meta.txt"
    one.write_bytes(b"\0" * 4096 + b"disk")
    two.write_text("meta\n")
    both = {"id": "x", "builder_id": "transcend.qemu", "builder_type": "qemu", "build_name": "docker",
            "files": [str(one), str(two)], "string": "", "metadata": {}}
    single = dict(both, files=[str(one)])
    outputs = [
        ("out/{{.BuildName}}.tar.gz", both), ("out/both.zip", both), ("out/disk.raw.gz", single),
        ("out/disk.raw.xz", single), ("out/plain.tar", both), ("", both), ("out/x.lz4", single),
        ("out/too-many.gz", both),
    ]
    chains = [[{"type": "compress", "config": {"output": out, "compression_level": 9} if out else {}}]
              for out, _artifact in outputs]
    plan = write_plan(directory, post_processors=chains)
    tasks = [{"cattle.images.compress": {"plan_file": plan, "build": "docker", "chain": i, "index": 0,
                                         "artifact": artifact}} for i, (_output, artifact) in enumerate(outputs)]
    return directory, run_tasks(directory, tasks, plan_file=plan)


def test_tar_gz(compress_run):
    directory, results = compress_run
    target = directory / "out" / "docker.tar.gz"
    assert not results[0].get("failed"), results[0]["msg"]
    with tarfile.open(target, "r:gz") as archive:
        assert archive.getnames() == ["disk.raw", "meta.txt"]
        assert archive.extractfile("meta.txt").read() == b"meta\n"
    artifact = results[0]["artifact"]
    assert artifact["files"] == [str(target)] and artifact["id"] == str(target)
    assert artifact["builder_id"] == "packer.post-processor.compress"
    assert artifact["string"] == f"compressed artifacts in: {target}"
    assert results[0]["keep"] is False and results[0]["force_keep"] is False
    assert f"Tarring {target} with pgzip" in ui_text(results[0])


def test_zip_gz_xz_tar(compress_run):
    directory, results = compress_run
    for result in results[1:6]:
        assert not result.get("failed"), result["msg"]
    with zipfile.ZipFile(directory / "out" / "both.zip") as bundle:
        assert bundle.read("disk.raw").endswith(b"disk") and bundle.read("meta.txt") == b"meta\n"
    assert gzip.decompress((directory / "out" / "disk.raw.gz").read_bytes()).endswith(b"\0disk")
    assert lzma.decompress((directory / "out" / "disk.raw.xz").read_bytes()).endswith(b"\0disk")
    with tarfile.open(directory / "out" / "plain.tar", "r:") as archive:
        assert archive.getnames() == ["disk.raw", "meta.txt"]


def test_default_output_is_a_gzipped_tar_without_extension(compress_run):
    directory, _results = compress_run
    with tarfile.open(directory / "packer_docker_docker", "r:gz") as archive:
        assert archive.getnames() == ["disk.raw", "meta.txt"]


def test_errors(compress_run):
    directory, results = compress_run
    assert results[6]["failed"] is True
    assert "lz4 compression needs the Python package 'lz4'" in results[6]["msg"]
    assert not (directory / "out" / "x.lz4").exists()
    assert results[7]["msg"].startswith("Can only have 1 input file when not using tar/zip. Found 2 files: ")
