"""docker-push to a real registry: Debian's docker-registry on loopback, with htpasswd auth."""

from __future__ import annotations

import base64
import io
import json
import shutil
import subprocess
import tarfile
import time
import urllib.error
import urllib.request
import uuid
import warnings

import pytest

from ansible_collections.cattle.images.plugins.module_utils.docker.artifacts import commit_artifact
from tests.fixtures.actions import run_post_processor
from tests.fixtures.ports import free_port

pytestmark = pytest.mark.docker


def _bcrypt(password):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import crypt

        return crypt.crypt(password, crypt.mksalt(crypt.METHOD_BLOWFISH))


@pytest.fixture(scope="session")
def registry(tmp_path_factory):
    """A registry on 127.0.0.1:<free port> (dockerd accepts loopback registries over plain HTTP)."""
    binary = shutil.which("docker-registry")
    if binary is None:
        pytest.skip("Debian's docker-registry is not installed (apt-get install docker-registry; scripts/test.sh does)")
    root = tmp_path_factory.mktemp("registry")
    user, password = "cattle", "pw-" + uuid.uuid4().hex[:12]
    (root / "htpasswd").write_text(f"{user}:{_bcrypt(password)}\n")
    port = free_port()
    (root / "config.yml").write_text(json.dumps({  # JSON is YAML
        "version": 0.1,
        "log": {"level": "error"},
        "storage": {"filesystem": {"rootdirectory": str(root / "data")}, "delete": {"enabled": True}},
        "http": {"addr": f"127.0.0.1:{port}"},
        "auth": {"htpasswd": {"realm": "cattle-test", "path": str(root / "htpasswd")}},
    }))
    log = open(root / "registry.log", "wb")
    proc = subprocess.Popen([binary, "serve", str(root / "config.yml")], stdout=log, stderr=subprocess.STDOUT)
    server = f"127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(f"http://{server}/v2/", timeout=1)
                break
            except urllib.error.HTTPError:  # 401: up, and asking for credentials
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"docker-registry did not start: {(root / 'registry.log').read_text()[-1000:]}")
                time.sleep(0.2)
        yield {"server": server, "user": user, "password": password}
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def docker_client():
    import docker

    return docker.from_env()


@pytest.fixture(scope="module")
def image(docker_client, registry):
    """A tiny image, and removal of every local tag pushed from it."""
    payload = io.BytesIO()
    with tarfile.open(fileobj=payload, mode="w") as tar:
        data = uuid.uuid4().hex.encode()
        info = tarfile.TarInfo("marker")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    image_id = json.loads(docker_client.api.import_image_from_data(payload.getvalue()).splitlines()[-1])["status"]
    yield image_id
    docker_client.images.remove(image_id, force=True)


def registry_tags(registry, name):
    token = base64.b64encode(f"{registry['user']}:{registry['password']}".encode()).decode()
    request = urllib.request.Request(f"http://{registry['server']}/v2/{name}/tags/list",
                                     headers={"Authorization": f"Basic {token}"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return sorted(json.load(response)["tags"])


def login_config(registry, password=None):
    return {"login": True, "login_server": registry["server"], "login_username": registry["user"],
            "login_password": password or registry["password"]}


@pytest.fixture(scope="module")
def tagged(registry, image):
    config = {"repository": f"{registry['server']}/cattle/app", "tags": ["v1", "v2"]}
    result = run_post_processor("docker-tag", {"config": config, "artifact": commit_artifact(image, "web")}, {})
    assert not result.get("failed"), result
    return result["artifact"]


def test_push_with_login_pushes_every_tag(registry, tagged):
    result = run_post_processor("docker-push", {"config": login_config(registry), "artifact": tagged}, {})
    assert not result.get("failed"), result
    assert registry_tags(registry, "cattle/app") == ["v1", "v2"]
    artifact = result["artifact"]
    assert artifact["builder_id"] == "packer.post-processor.docker-import" and artifact["id"] == tagged["id"]
    assert artifact["metadata"]["docker_tags"] == tagged["metadata"]["docker_tags"]
    assert artifact["metadata"]["Digest"].startswith("sha256:")
    assert result["keep"] is True and result["force_keep"] is False
    assert ["message", f"Pushing: {registry['server']}/cattle/app:v1"] in result["ui"]
    assert registry["password"] not in json.dumps(result)


def test_push_without_credentials_fails_in_one_paragraph(tagged):
    result = run_post_processor("docker-push", {"config": {}, "artifact": tagged}, {})
    assert result["failed"] and result["msg"].startswith(f"Docker could not push {tagged['id']}: no basic auth credentials")
    assert "\n" not in result["msg"]


def test_wrong_password_is_reported_and_masked(registry, tagged):
    wrong = "wrong-" + uuid.uuid4().hex[:8]
    result = run_post_processor("docker-push", {"config": login_config(registry, wrong), "artifact": tagged}, {})
    assert result["failed"] and f"log in to {registry['server']} as 'cattle'" in result["msg"]
    assert wrong not in json.dumps(result)


def test_push_needs_a_repository_name(image):
    result = run_post_processor("docker-push", {"config": {}, "artifact": commit_artifact(image, "web")}, {})
    assert result["failed"] and "put a docker-tag post-processor before docker-push" in result["msg"]


def test_check_mode_pushes_nothing(registry, tagged, docker_client):
    config = {"repository": f"{registry['server']}/cattle/checked", "tags": ["c1"]}
    retag = run_post_processor("docker-tag", {"config": config, "artifact": tagged}, {})
    result = run_post_processor("docker-push", {"config": login_config(registry), "artifact": retag["artifact"]}, {}, True)
    assert result["changed"] and not result.get("failed")
    with pytest.raises(urllib.error.HTTPError):
        registry_tags(registry, "cattle/checked")


def test_builder_pull_with_login(registry, tagged, docker_client):
    from ansible_collections.cattle.images.plugins.module_utils.docker import builder

    assert not run_post_processor("docker-push", {"config": login_config(registry), "artifact": tagged}, {}).get("failed")
    docker_client.images.remove(tagged["id"])  # the local tag goes; the image stays (other tags)
    config = login_config(registry)
    builder.pull(docker_client, tagged["id"], auth_config=builder.login(docker_client, config))
    assert docker_client.images.get(tagged["id"])
    with pytest.raises(builder.DockerError) as caught:
        builder.pull(docker_client, f"{registry['server']}/cattle/absent:1", auth_config=builder.registry_auth(config))
    assert str(caught.value).startswith(f"Could not pull the base image '{registry['server']}/cattle/absent:1': ")
