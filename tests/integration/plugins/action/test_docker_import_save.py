"""docker-import and docker-save against the real daemon, and destroying their inputs."""

from __future__ import annotations

import io
import json
import os
import tarfile
import uuid

import pytest

from ansible_collections.cattle.images.plugins.module_utils.docker.artifacts import (
    commit_artifact,
    destroy_artifact,
    export_artifact,
)
from tests.fixtures.actions import run_post_processor
from tests.fixtures.plans import build, post_processor, write_plan

BASE_IMAGE = os.environ.get("CATTLE_BASE_IMAGE", "local/debian:bookworm")
pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def docker_client():
    import docker

    return docker.from_env()


IMPORTED = []  # every image id an import here made, including ones a forced re-import left untagged


@pytest.fixture(scope="module")
def repo(docker_client):
    name = "local/cattle-t" + uuid.uuid4().hex[:10]
    yield name
    ids = set(IMPORTED) | {image.id for image in docker_client.images.list(name=name)}
    for image_id in ids:
        try:
            docker_client.images.remove(image_id, force=True)
        except Exception as exc:  # noqa: BLE001 - already removed by a test
            if getattr(exc, "status_code", None) != 404:
                raise


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """A docker-builder export artifact. A tiny root filesystem keeps the imports fast;
    test_docker_builder.py exports a real container."""
    path = tmp_path_factory.mktemp("export") / "exported.tar"
    payload = b"imported\n"
    with tarfile.open(path, "w") as tar:
        info = tarfile.TarInfo("marker")
        info.size = len(payload)
        tar.addfile(info, io.BytesIO(payload))
    return export_artifact(str(path), "web")


def read_file(client, image, path):
    """A file's content from an image, without running it (the tiny image has no shell)."""
    container = client.containers.create(image, ["none"])
    try:
        stream, _stat = container.get_archive(path)
        with tarfile.open(fileobj=io.BytesIO(b"".join(stream))) as tar:
            return tar.extractfile(os.path.basename(path)).read()
    finally:
        container.remove(force=True)


def run(kind, config, artifact, force=False, check_mode=False):
    result = run_post_processor(kind, {"config": config, "artifact": artifact}, {"cattle_build": {"force": force}}, check_mode)
    image_id = ((result.get("artifact") or {}).get("metadata") or {}).get("ImageSha256")
    if kind == "docker-import" and image_id:
        IMPORTED.append(image_id)
    return result


def test_import_with_changes(docker_client, repo, exported):
    result = run("docker-import", {"repository": repo, "tag": "t1", "changes": ['CMD ["/bin/cat", "/marker"]', "ENV X=1"]}, exported)
    assert not result.get("failed"), result
    artifact = result["artifact"]
    assert artifact["builder_id"] == "packer.post-processor.docker-import" and artifact["id"] == f"{repo}:t1"
    assert artifact["string"] == f"Imported Docker image: {repo}:t1"
    assert result["keep"] is False and result["force_keep"] is False
    image = docker_client.images.get(f"{repo}:t1")
    assert artifact["metadata"]["ImageSha256"] == image.id
    assert image.attrs["Config"]["Cmd"] == ["/bin/cat", "/marker"] and "X=1" in image.attrs["Config"]["Env"]
    assert read_file(docker_client, image.id, "/marker") == b"imported\n"


def test_import_moves_an_existing_tag_and_names_the_image_it_left(docker_client, repo, exported):
    first = run("docker-import", {"repository": repo, "tag": "again"}, exported)
    assert not first.get("failed"), first
    old_id = first["artifact"]["metadata"]["ImageSha256"]
    second = run("docker-import", {"repository": repo, "tag": "again"}, exported)
    assert not second.get("failed"), second
    new_id = second["artifact"]["metadata"]["ImageSha256"]
    assert new_id != old_id and docker_client.images.get(f"{repo}:again").id == new_id
    assert ["message", f"Moved {repo}:again off the image {old_id}, which it named before"] in second["ui"]


def test_import_refuses_a_commit_artifact(exported):
    result = run("docker-import", {"repository": "local/x"}, commit_artifact("sha256:" + "0" * 64, "web"))
    assert result["failed"] and "unknown artifact type 'packer.post-processor.docker-import'" in result["msg"]
    assert "with commit: true the image is already imported" in result["msg"]
    missing = dict(exported, files=["/nonexistent/x.tar"], id="/nonexistent/x.tar")
    assert "does not exist" in run("docker-import", {"repository": "local/x"}, missing)["msg"]


def test_save_writes_the_image_and_passes_its_input_through(docker_client, repo, exported, tmp_path):
    imported = run("docker-import", {"repository": repo, "tag": "save"}, exported)["artifact"]
    target = tmp_path / "saved.tar"
    target.write_text("old")
    result = run("docker-save", {"path": str(target)}, imported)
    assert not result.get("failed"), result
    assert result["artifact"] == imported and result["keep"] is True and result["force_keep"] is False
    with tarfile.open(target) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest[0]["RepoTags"] == [f"{repo}:save"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["saved.tar"]


def test_save_relative_path_uses_the_plan_cwd(repo, exported, tmp_path):
    imported = run("docker-import", {"repository": repo, "tag": "rel"}, exported, force=True)["artifact"]
    write_plan(tmp_path, build("web", "docker", post_processors=[[post_processor("docker-save", {"path": "rel.tar"})]]))
    args = {"plan_file": str(tmp_path / "plan.json"), "build": "web", "chain": 0, "index": 0, "artifact": imported}
    result = run_post_processor("docker-save", args, {})
    assert not result.get("failed"), result
    assert tarfile.is_tarfile(tmp_path / "rel.tar")
    bad = run_post_processor("docker-save", dict(args, index=3), {})
    assert bad["failed"] and "index 3 does not exist" in bad["msg"]


def test_save_mistakes(repo, exported, tmp_path):
    imported = run("docker-import", {"repository": repo, "tag": "mistake"}, exported, force=True)["artifact"]
    assert run("docker-save", {}, imported)["msg"] == "docker-save: 'path' is required"
    assert "does not exist" in run("docker-save", {"path": str(tmp_path / "no" / "x.tar")}, imported)["msg"]
    assert "unknown artifact type 'packer.docker'" in run("docker-save", {"path": str(tmp_path / "x.tar")}, exported)["msg"]


def test_check_mode_changes_nothing(docker_client, repo, exported, tmp_path):
    result = run("docker-import", {"repository": repo, "tag": "checked"}, exported, check_mode=True)
    assert result["changed"] and result["artifact"]["id"] == f"{repo}:checked"
    assert not docker_client.images.list(name=f"{repo}:checked")
    saved = run("docker-save", {"path": str(tmp_path / "c.tar")}, result["artifact"], check_mode=True)
    assert saved["changed"] and not (tmp_path / "c.tar").exists()


def test_destroy_removes_the_imported_image_and_the_export_file(docker_client, repo, exported, tmp_path):
    imported = run("docker-import", {"repository": repo, "tag": "gone"}, exported, force=True)["artifact"]
    destroy_artifact(imported)
    assert not docker_client.images.list(name=f"{repo}:gone")
    copy = tmp_path / "copy.tar"
    copy.write_bytes(b"x")
    destroy_artifact(export_artifact(str(copy), "web"))
    destroy_artifact(export_artifact(str(copy), "web"))  # already gone: fine
    assert not copy.exists()
