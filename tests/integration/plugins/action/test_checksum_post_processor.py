"""The checksum post-processor: Packer's checksum files, values checked against hashlib."""

from __future__ import annotations

import hashlib

import pytest
from provisioner_harness import run_tasks, write_plan


@pytest.fixture(scope="module")
def checksum_run(tmp_path_factory):
    directory = tmp_path_factory.mktemp("checksum")
    files = [directory / "a.bin", directory / "sub" / "b.bin"]
    files[1].parent.mkdir()
    files[0].write_bytes(b"alpha\n")
    files[1].write_bytes(bytes(range(256)) * 100)
    artifact = {"id": "x", "builder_id": "transcend.qemu", "builder_type": "qemu", "build_name": "docker",
                "files": [str(f) for f in files], "string": "disks", "metadata": {}}
    chains = [
        [{"type": "checksum", "config": {"checksum_types": ["md5", "sha256"]}}],
        [{"type": "checksum", "config": {"checksum_types": "sha1,sha512",
                                         "output": "sums/{{.BuildName}}.{{.ChecksumType}}"}}],
        [{"type": "checksum", "config": {"checksum_types": ["crc32"]}}],
    ]
    plan = write_plan(directory, post_processors=chains)
    tasks = [{"cattle.images.checksum": {"plan_file": plan, "build": "docker", "chain": i, "index": 0,
                                         "artifact": artifact}} for i in range(3)]
    # Direct options, as the chain runner may pass them; the build comes from the host's cattle_build.
    tasks.append({"cattle.images.checksum": {"config": {"checksum_types": ["sha224"], "output": "direct.sum"},
                                             "artifact": artifact}})
    return directory, files, artifact, run_tasks(directory, tasks, plan_file=plan)


def expected(files, kind):
    return "".join(f"{hashlib.new(kind, f.read_bytes()).hexdigest()}\t{f.name}\n" for f in files)


def test_default_output_names_and_values(checksum_run):
    directory, files, artifact, results = checksum_run
    assert not results[0].get("failed"), results[0]["msg"]
    md5 = directory / "packer_docker_docker_md5.checksum"
    sha256 = directory / "packer_docker_docker_sha256.checksum"
    assert md5.read_text() == expected(files, "md5")
    assert sha256.read_text() == expected(files, "sha256")
    output = results[0]["artifact"]
    assert output["builder_id"] == "packer.post-processor.checksum"
    assert output["files"] == artifact["files"] + [str(md5), str(sha256)]
    assert results[0]["keep"] is True and results[0]["force_keep"] is True


def test_templated_output_and_comma_list(checksum_run):
    directory, files, _artifact, results = checksum_run
    assert not results[1].get("failed"), results[1]["msg"]
    assert (directory / "sums" / "docker.sha1").read_text() == expected(files, "sha1")
    assert (directory / "sums" / "docker.sha512").read_text() == expected(files, "sha512")


def test_unknown_type(checksum_run):
    _directory, _files, _artifact, results = checksum_run
    assert results[2]["failed"] is True
    assert results[2]["msg"].endswith("(checksum): Unrecognized checksum type: crc32")


def test_direct_config(checksum_run):
    directory, files, _artifact, results = checksum_run
    assert not results[3].get("failed"), results[3]["msg"]
    assert (directory / "direct.sum").read_text() == expected(files, "sha224")
    assert results[3]["artifact"]["build_name"] == "docker"
