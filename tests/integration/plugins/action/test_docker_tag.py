"""docker-tag against the real daemon, through its action plugin in-process (and once through Ansible)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import pytest

from ansible_collections.cattle.images.plugins.module_utils.docker.artifacts import commit_artifact, destroy_artifact
from tests.fixtures.actions import run_post_processor
from tests.fixtures.plans import build, post_processor, write_plan

BASE_IMAGE = os.environ.get("CATTLE_BASE_IMAGE", "local/debian:bookworm")
VENV_BIN = os.path.dirname(sys.executable)
pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def docker_client():
    import docker

    return docker.from_env()


@pytest.fixture(scope="module")
def run_id(docker_client):
    """Labels every image made here; all of them (and their tags) are removed at the end."""
    label = "t" + uuid.uuid4().hex[:10]
    yield label
    for image in docker_client.images.list(filters={"label": f"cattle.test={label}"}):
        docker_client.images.remove(image.id, force=True)


def make_image(client, run_id, marker):
    container = client.containers.create(BASE_IMAGE, labels={"cattle.test": run_id, "marker": marker})
    try:
        return container.commit().id
    finally:
        container.remove(force=True)


@pytest.fixture(scope="module")
def images(docker_client, run_id):
    return [make_image(docker_client, run_id, "a"), make_image(docker_client, run_id, "b")]


def tags_of(client, image_id):
    return sorted(client.images.get(image_id).tags)


def tag(config, artifact, force=False, check_mode=False):
    return run_post_processor("docker-tag", {"config": config, "artifact": artifact},
                              {"cattle_build": {"force": force}}, check_mode)


def test_tags_each_tag_and_returns_packers_artifact(docker_client, run_id, images):
    repo = f"local/cattle-{run_id}-one"
    result = tag({"repository": repo, "tags": ["v1", "latest"]}, commit_artifact(images[0], "web"))
    assert not result.get("failed"), result
    assert tags_of(docker_client, images[0]) == [f"{repo}:latest", f"{repo}:v1"]
    artifact = result["artifact"]
    assert artifact["builder_id"] == "packer.post-processor.docker-tag"
    assert artifact["id"] == f"{repo}:latest" and artifact["build_name"] == "web"
    assert artifact["metadata"]["docker_tags"] == [f"{repo}:v1", f"{repo}:latest"]
    assert artifact["metadata"]["ImageSha256"] == images[0]
    assert artifact["string"] == f"Imported Docker image: {repo}:latest with tags {repo}:v1 {repo}:latest"
    assert result["keep"] is True and result["force_keep"] is True and result["changed"] is True
    assert ["message", f"Repository: {repo}:v1"] in result["ui"]


def test_comma_string_tags_and_tagging_a_tag_artifact(docker_client, run_id, images):
    repo = f"local/cattle-{run_id}-two"
    first = tag({"repository": repo, "tags": "x,y"}, commit_artifact(images[0], "web"))
    assert first["artifact"]["metadata"]["docker_tags"] == [f"{repo}:x", f"{repo}:y"]
    second = tag({"repository": repo + "-again"}, first["artifact"])
    assert not second.get("failed"), second
    assert f"{repo}-again:latest" in tags_of(docker_client, images[0])


def test_existing_tag_on_another_image_moves_and_names_the_image_it_left(docker_client, run_id):
    # As Packer: a tag is moved (a re-run works), with or without force; the old image's ID is printed.
    images = [make_image(docker_client, run_id, "moved-a"), make_image(docker_client, run_id, "moved-b")]
    repo = f"local/cattle-{run_id}-clash"
    first = tag({"repository": repo, "tags": ["v1"]}, commit_artifact(images[0], "web"))
    assert not first.get("failed") and not any("Moved" in text for _kind, text in first["ui"])
    moved = tag({"repository": repo, "tags": ["v2", "v1"]}, commit_artifact(images[1], "web"))
    assert not moved.get("failed"), moved
    assert docker_client.images.get(f"{repo}:v1").id == images[1]
    assert docker_client.images.get(f"{repo}:v2").id == images[1]
    assert ["message", f"Moved {repo}:v1 off the image {images[0]}, which it named before"] in moved["ui"]
    assert [text for _kind, text in moved["ui"] if text.startswith("Moved")] == [
        f"Moved {repo}:v1 off the image {images[0]}, which it named before"]
    # The same image again moves nothing and says nothing; force changes nothing either.
    again = tag({"repository": repo, "tags": ["v1"], "force": True}, commit_artifact(images[1], "web"), force=True)
    assert not again.get("failed") and not any(text.startswith("Moved") for _kind, text in again["ui"])
    back = tag({"repository": repo}, commit_artifact(images[0], "web"))
    assert not back.get("failed") and docker_client.images.get(f"{repo}:latest").id == images[0]


def test_wrong_input_and_config_mistakes(images):
    export = {"id": "/tmp/x.tar", "builder_id": "packer.docker", "files": ["/tmp/x.tar"]}
    result = tag({"repository": "local/x"}, export)
    assert result["failed"] and result["msg"].startswith("docker-tag: unknown artifact type 'packer.docker': ")
    assert tag({"tags": ["v1"]}, commit_artifact(images[0], "web"))["msg"] == "docker-tag: 'repository' is required"
    assert "unknown configuration key(s): 'colour'" in tag({"repository": "r", "colour": 1}, commit_artifact(images[0], "w"))["msg"]
    assert "no input artifact" in tag({"repository": "r"}, None)["msg"]


def test_check_mode_tags_nothing(docker_client, run_id, images):
    repo = f"local/cattle-{run_id}-check"
    result = tag({"repository": repo, "tags": ["v1"]}, commit_artifact(images[0], "web"), check_mode=True)
    assert result["changed"] is True and result["artifact"]["id"] == f"{repo}:v1"
    assert not [t for t in tags_of(docker_client, images[0]) if t.startswith(repo)]


def test_destroying_a_tag_artifact_removes_its_tags(docker_client, run_id, images):
    repo = f"local/cattle-{run_id}-destroy"
    keeper = tag({"repository": repo + "-keep"}, commit_artifact(images[1], "web"))["artifact"]
    artifact = tag({"repository": repo, "tags": ["a", "b"]}, commit_artifact(images[1], "web"))["artifact"]
    destroy_artifact(artifact)
    destroy_artifact(artifact)  # already gone: fine
    assert tags_of(docker_client, images[1]) == [keeper["id"] + ":latest"]  # other references keep the image alive


def test_through_ansible_with_a_plan_and_sensitive_values(docker_client, run_id, images, tmp_path):
    secret = "hush" + uuid.uuid4().hex[:6]
    repo = f"local/cattle-{run_id}-{secret}"
    write_plan(tmp_path, build("web", "docker", config={},
                               post_processors=[[post_processor("docker-tag", {"repository": repo, "tags": ["v1"]})]]),
               sensitive=[secret])
    playbook = tmp_path / "play.yml"
    playbook.write_text(json.dumps([{
        "hosts": "localhost", "gather_facts": False, "connection": "local",
        "tasks": [
            {"name": "tag", "register": "tagged", "cattle.images.docker_tag": {
                "plan_file": str(tmp_path / "plan.json"), "build": "web", "chain": 0, "index": 0,
                "artifact": commit_artifact(images[0], "web")}},
            {"ansible.builtin.copy": {"content": "{{ tagged | to_json }}", "dest": str(tmp_path / "out.json")}},
        ],
    }]))
    proc = subprocess.run([os.path.join(VENV_BIN, "ansible-playbook"), str(playbook)], capture_output=True, text=True,
                          timeout=120, env=dict(os.environ, ANSIBLE_LOCALHOST_WARNING="0"), check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = json.loads((tmp_path / "out.json").read_text())
    assert f"{repo}:v1" in tags_of(docker_client, images[0])
    assert result["artifact"]["id"] == f"local/cattle-{run_id}-<sensitive>:v1"
    assert secret not in json.dumps(result["ui"])
