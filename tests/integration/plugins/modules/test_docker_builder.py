"""The docker builder's steps against the real daemon: launch, commit, export, discard, remove."""

from __future__ import annotations

import glob
import json
import os
import tarfile
import tempfile
import uuid

import pytest

from ansible_collections.cattle.images.plugins.module_utils.docker import builder, capture
from ansible_collections.cattle.images.plugins.module_utils.docker.client import DockerError, connect
from ansible_collections.cattle.images.plugins.module_utils.docker.config import normalize
from ansible_collections.cattle.images.plugins.module_utils.ledger import Ledger
from ansible_collections.cattle.images.plugins.module_utils.ui import Ui
from tests.fixtures.docker_cli import remove_build_id

BASE_IMAGE = os.environ.get("CATTLE_BASE_IMAGE", "local/debian:bookworm")
pytestmark = pytest.mark.docker


def new_build_id():
    return "t" + uuid.uuid4().hex[:10]


@pytest.fixture(scope="module")
def client():
    return connect()


@pytest.fixture(scope="module")
def made(client):
    """Build ids used by this module's tests; everything labelled with them is removed at the end."""
    ids = []
    yield ids
    for build_id in ids:
        remove_build_id(client, build_id)


def config_for(**options):
    raw = {"image": BASE_IMAGE, "pull": False, "commit": True}
    raw.update(options)
    return normalize(raw)


@pytest.fixture(scope="module")
def running(client, made, tmp_path_factory):
    """One launched container (with a marker file) shared by the capture tests."""
    build_id = new_build_id()
    made.append(build_id)
    ledger = Ledger(str(tmp_path_factory.mktemp("ledger") / "ledger.jsonl"))
    source = builder.launch(client, config_for(), build_id, "web", ledger=ledger)
    container = client.containers.get(source["container_id"])
    exit_code, output = container.exec_run(["/bin/sh", "-c", "echo built > /marker && id -u"])
    assert exit_code == 0 and output.strip() == b"0"
    yield {"build_id": build_id, "source": source, "ledger": ledger, "container": container}
    builder.remove(client, build_id, source["temp_dir"])


def test_launch_names_labels_mounts_and_records(client, running):
    source, container = running["source"], running["container"]
    build_id = running["build_id"]
    assert source["container_name"] == f"cattle-{build_id}" == container.name
    assert container.labels["cattle.build_id"] == build_id
    assert container.labels["cattle.build_name"] == "web"
    assert container.status == "running"
    assert container.attrs["Config"]["Entrypoint"] == ["/bin/sh"]
    mounts = {m["Destination"]: m["Source"] for m in container.attrs["Mounts"]}
    assert mounts["/packer-files"] == source["temp_dir"] and os.path.isdir(source["temp_dir"])
    (entry,) = running["ledger"].entries()
    assert entry["kind"] == "docker_container" and entry["name"] == container.name
    assert entry["build_id"] == build_id and entry["temp_dir"] == source["temp_dir"] and entry["build"] == "web"


def test_launch_is_idempotent(client, running):
    again = builder.launch(client, config_for(), running["build_id"], "web")
    assert again["changed"] is False and again["container_id"] == running["container"].id


def test_commit_keeps_base_entrypoint_and_cmd_and_applies_changes(client, running):
    config = config_for(changes=["ENV FOO=bar", "LABEL built.by=cattle", "WORKDIR /srv", "EXPOSE 8080"],
                        author="tester <t@example.com>", message="made by a test")
    artifact = capture.commit(client, config, running["build_id"], "web")
    assert artifact["builder_id"] == "packer.post-processor.docker-import"
    assert artifact["id"].startswith("sha256:") and artifact["string"] == f"Imported Docker image: {artifact['id']}"
    assert artifact["metadata"]["ImageSha256"] == artifact["id"] and artifact["build_name"] == "web"
    image = client.images.get(artifact["id"])
    cfg = image.attrs["Config"]
    assert not cfg["Entrypoint"]  # the base has none; run_command's /bin/sh must not leak
    assert cfg["Cmd"] == ["/bin/bash"]
    assert "FOO=bar" in cfg["Env"] and cfg["Labels"]["built.by"] == "cattle"
    assert not any(value.startswith("/") for value in cfg["Labels"].values())  # no host paths baked in
    assert cfg["WorkingDir"] == "/srv" and "8080/tcp" in cfg["ExposedPorts"]
    assert image.attrs["Author"] == "tester <t@example.com>" and image.attrs["Comment"] == "made by a test"
    # The image holds what provisioning did, and runs with the base's CMD.
    output = client.containers.run(artifact["id"], ["cat", "/marker"], remove=True)
    assert output == b"built\n"


def test_commit_changes_set_entrypoint_and_cmd(client, running):
    config = config_for(changes=['ENTRYPOINT ["/bin/echo", "from-entrypoint"]', 'CMD ["arg"]'])
    cfg = client.images.get(capture.commit(client, config, running["build_id"], "web")["id"]).attrs["Config"]
    assert cfg["Entrypoint"] == ["/bin/echo", "from-entrypoint"] and cfg["Cmd"] == ["arg"]


def test_commit_changed_cmd_only_keeps_base_entrypoint(client, running):
    cfg = client.images.get(capture.commit(client, config_for(changes=['CMD ["/bin/true"]']), running["build_id"], "web")["id"]).attrs["Config"]
    assert not cfg["Entrypoint"] and cfg["Cmd"] == ["/bin/true"]


def test_export_writes_and_overwrites_the_tar(client, running, tmp_path):
    path = tmp_path / "out.tar"
    path.write_text("old")
    config = normalize({"image": BASE_IMAGE, "pull": False, "export_path": str(path), "changes": ["ENV IGNORED=1"]})
    artifact = capture.capture(client, config, running["build_id"], "web")
    assert artifact == {
        "id": "Container", "builder_id": "packer.docker", "builder_type": "docker", "build_name": "web",
        "files": [str(path)], "string": f"Exported Docker file: {path}", "metadata": {},
    }
    with tarfile.open(path) as tar:
        assert "marker" in tar.getnames()
    assert [p.name for p in tmp_path.iterdir()] == ["out.tar"]  # no partial file left behind


def test_discard_gives_packers_empty_export_artifact(client, running):
    # Packer hands post-processors an export artifact with no file when discarding.
    config = normalize({"image": BASE_IMAGE, "pull": False, "discard": True})
    assert capture.capture(client, config, running["build_id"], "web") == {
        "id": "Container", "builder_id": "packer.docker", "builder_type": "docker", "build_name": "web",
        "files": [""], "string": "Exported Docker file: ", "metadata": {},
    }


def test_commit_declares_no_volume_for_bind_mounts(client, running):
    # The temp dir's bind mount (and the builder's volumes) must not become VOLUMEs of the image,
    # as with Packer's docker run -v host:ctr: Config.Volumes stays the base image's (none).
    container = running["container"]
    container.reload()
    assert not container.attrs["Config"].get("Volumes")
    artifact = capture.commit(client, config_for(), running["build_id"], "web")
    assert not client.images.get(artifact["id"]).attrs["Config"].get("Volumes")


def test_launch_and_capture_say_packers_lines_in_order(client, made, tmp_path):
    build_id = new_build_id()
    made.append(build_id)
    lines = []
    ui = Ui(lines)
    config = config_for(volumes={"/etc": "/host-etc"})
    source = builder.launch(client, config, build_id, "web", ui=ui)
    try:
        capture.capture(client, config, build_id, "web", ui)
    finally:
        builder.remove(client, build_id, source["temp_dir"], ui)
    image_id = lines[6][1].removeprefix("Image ID: ")
    address = lines[4][1].removeprefix("Using docker communicator to connect: ")
    assert lines == [
        ["say", "Creating a temporary directory for sharing data..."],
        ["say", "Starting docker container..."],
        ["message", f"Run command: docker run -v /etc:/host-etc -v {source['temp_dir']}:/packer-files "
                    f"-d -i -t --entrypoint=/bin/sh -- {BASE_IMAGE}"],
        ["message", f"Container ID: {source['container_id']}"],
        ["say", f"Using docker communicator to connect: {address}"],
        ["say", "Committing the container"],
        ["message", f"Image ID: {image_id}"],
        ["say", f"Killing the container: {source['container_id']}"],
    ]
    assert client.images.get(image_id).id == image_id
    assert address.count(".") == 3  # the container's address on its network, as Packer prints it


def test_named_container_is_found_captured_and_removed(client, made, tmp_path):
    build_id = new_build_id()
    made.append(build_id)
    name = f"cattle-it-named-{build_id}"
    config = config_for(run_command=["-d", "-i", "-t", "--name", name, "--entrypoint=/bin/sh", "--", "{{.Image}}"])
    ledger = Ledger(str(tmp_path / "ledger.jsonl"))
    source = builder.launch(client, config, build_id, "web", ledger=ledger)
    try:
        assert source["container_name"] == name == client.containers.get(name).name
        assert builder.find_container(client, build_id).name == name
        assert builder.launch(client, config, build_id, "web")["changed"] is False
        image_id = capture.capture(client, config, build_id, "web")["id"]
        # The build's label is baked into the image; a container run from it is not the build's.
        stranger = client.containers.create(image_id, ["true"], name=f"{name}-stranger")
        try:
            assert stranger.labels["cattle.build_id"] == build_id
            assert builder.find_container(client, build_id).name == name
        finally:
            stranger.remove(force=True)
    finally:
        assert builder.remove(client, build_id, source["temp_dir"]) is True
    assert builder.find_container(client, build_id) is None
    assert not client.containers.list(all=True, filters={"name": name})


def test_remove_is_complete_and_idempotent(client, made, tmp_path):
    build_id = new_build_id()
    made.append(build_id)
    ledger = Ledger(str(tmp_path / "ledger.jsonl"))
    source = builder.launch(client, config_for(), build_id, "web", ledger=ledger)
    assert builder.remove(client, build_id) is True  # temp dir found by its name
    assert not client.containers.list(all=True, filters={"label": f"cattle.build_id={build_id}"})
    assert not os.path.exists(source["temp_dir"])
    assert builder.remove(client, build_id) is False
    # The ledger's cleaner, on an entry whose container is already gone, is a no-op success.
    from ansible_collections.cattle.images.plugins.module_utils.docker.cleanup import remove_container

    remove_container(ledger.entries()[0])


def test_ledger_sweep_removes_a_container(client, made, tmp_path):
    build_id = new_build_id()
    made.append(build_id)
    ledger = Ledger(str(tmp_path / "ledger.jsonl"))
    source = builder.launch(client, config_for(), build_id, "web", ledger=ledger)
    assert ledger.sweep() == []
    assert not client.containers.list(all=True, filters={"label": f"cattle.build_id={build_id}"})
    assert not os.path.exists(source["temp_dir"]) and ledger.entries() == []


def test_ledger_sweep_removes_a_container_named_by_run_command(client, made, tmp_path):
    build_id = new_build_id()
    made.append(build_id)
    name = f"cattle-it-swept-{build_id}"
    ledger = Ledger(str(tmp_path / "ledger.jsonl"))
    config = config_for(run_command=["-dit", f"--name={name}", "--entrypoint=/bin/sh", "--", "{{.Image}}"])
    source = builder.launch(client, config, build_id, "web", ledger=ledger)
    (entry,) = ledger.entries()
    assert entry["container"] == name
    assert ledger.sweep() == []
    assert not client.containers.list(all=True, filters={"name": name})
    assert not os.path.exists(source["temp_dir"]) and ledger.entries() == []


def test_a_taken_name_is_a_clear_error_and_leaves_nothing(client, made, tmp_path):
    build_id = new_build_id()
    made.append(build_id)
    squatter = client.containers.create(BASE_IMAGE, ["true"], name=f"cattle-it-taken-{build_id}")
    try:
        config = config_for(run_command=["-dit", "--name", squatter.name, "--entrypoint=/bin/sh", "--", "{{.Image}}"])
        with pytest.raises(DockerError) as caught:
            builder.launch(client, config, build_id, "web")
        assert squatter.name in str(caught.value) and "already in use" in str(caught.value)
        squatter.reload()  # untouched
        assert not glob.glob(os.path.join(tempfile.gettempdir(), f"{builder.TEMP_DIR_PREFIX}{build_id}-*"))
    finally:
        squatter.remove(force=True)


def assert_nothing_left(client, build_id, ledger=None):
    assert not client.containers.list(all=True, filters={"label": f"cattle.build_id={build_id}"})
    leftovers = [name for name in os.listdir(tempfile.gettempdir()) if name.startswith(f"cattle-docker-{build_id}-")]
    assert leftovers == []
    if ledger is not None:
        assert ledger.entries() == []


def test_missing_base_image_without_pull(client, made, tmp_path):
    build_id = new_build_id()
    made.append(build_id)
    ledger = Ledger(str(tmp_path / "ledger.jsonl"))
    config = normalize({"image": "local/does-not-exist:1", "pull": False, "commit": True})
    with pytest.raises(DockerError) as caught:
        builder.launch(client, config, build_id, "web", ledger=ledger)
    message = str(caught.value)
    assert "The base image 'local/does-not-exist:1' does not exist on the Docker daemon" in message
    assert '"pull" is false' in message and "\n" not in message
    assert_nothing_left(client, build_id, ledger)


def test_pull_without_a_reachable_registry(client, made):
    build_id = new_build_id()
    made.append(build_id)
    config = normalize({"image": "127.0.0.1:9/cattle/nothing:1", "commit": True})
    with pytest.raises(DockerError) as caught:
        builder.launch(client, config, build_id, "web")
    message = str(caught.value)
    assert message.startswith("Could not pull the base image '127.0.0.1:9/cattle/nothing:1': ")
    assert '"pull": false' in message and "\n" not in message
    assert_nothing_left(client, build_id)


def test_container_that_exits_at_once_is_an_error_and_removed(client, made, tmp_path):
    build_id = new_build_id()
    made.append(build_id)
    ledger = Ledger(str(tmp_path / "ledger.jsonl"))
    config = config_for(run_command=["-d", "--entrypoint=/bin/sh", "{{.Image}}", "-c", "echo bye; exit 3"])
    with pytest.raises(DockerError) as caught:
        builder.launch(client, config, build_id, "web", ledger=ledger)
    assert "stopped right after it started" in str(caught.value)
    assert "exit code 3" in str(caught.value) and "bye" in str(caught.value)
    assert_nothing_left(client, build_id, ledger)
    with open(ledger.path, encoding="utf-8") as handle:
        ops = [json.loads(line)["op"] for line in handle]
    assert ops == ["record", "release"]  # recorded before the create, released after the removal


def test_run_command_options_reach_the_container(client, made):
    build_id = new_build_id()
    made.append(build_id)
    config = config_for(
        run_command=["-d", "-i", "-t", "-e", "RUNENV=1", "-w", "/tmp", "-h", "buildbox", "--label", "mine=yes",
                     "--tmpfs", "/scratch", "--entrypoint=/bin/sh", "--", "{{ .Image }}"],
        volumes={"/etc": "/host-etc"}, cap_drop=["NET_RAW"],
    )
    source = builder.launch(client, config, build_id, "web")
    try:
        container = client.containers.get(source["container_id"])
        cfg, host = container.attrs["Config"], container.attrs["HostConfig"]
        assert "RUNENV=1" in cfg["Env"] and cfg["WorkingDir"] == "/tmp" and cfg["Hostname"] == "buildbox"
        assert cfg["Labels"]["mine"] == "yes" and "/scratch" in host["Tmpfs"] and host["CapDrop"] == ["NET_RAW"]
        assert container.exec_run(["test", "-f", "/host-etc/hostname"]).exit_code == 0
    finally:
        builder.remove(client, build_id)


def test_more_run_command_options_reach_the_container_as_docker_run_sets_them(client, made):
    build_id = new_build_id()
    made.append(build_id)
    config = config_for(run_command=[
        "-dit", "--cpus=0.5", "--memory", "64m", "--ulimit", "nofile=512:1024", "--add-host", "db:10.0.0.9",
        "--cap-add", "SYS_PTRACE", "--security-opt", "no-new-privileges", "-p", "127.0.0.1::80",
        "--mount", "type=tmpfs,target=/mnt/fast", "-v", "/anon", "--env-file", "/dev/null",
        "--entrypoint=/bin/sh", "--", "{{.Image}}",
    ])
    source = builder.launch(client, config, build_id, "web")
    try:
        container = client.containers.get(source["container_id"])
        cfg, host = container.attrs["Config"], container.attrs["HostConfig"]
        assert host["NanoCpus"] == 500_000_000 and host["Memory"] == 64 * 1024 * 1024
        assert host["Ulimits"] == [{"Name": "nofile", "Soft": 512, "Hard": 1024}]
        assert host["ExtraHosts"] == ["db:10.0.0.9"] and host["CapAdd"] == ["SYS_PTRACE"]
        assert host["SecurityOpt"] == ["no-new-privileges"]
        assert host["PortBindings"] == {"80/tcp": [{"HostIp": "127.0.0.1", "HostPort": ""}]}
        assert "80/tcp" in cfg["ExposedPorts"]
        assert [m["Target"] for m in host["Mounts"]] == ["/mnt/fast"]
        # As with docker run: a bare -v /path is a declared volume, the temp dir's bind is not.
        assert cfg["Volumes"] == {"/anon": {}}
        assert container.exec_run(["grep", "-q", "/mnt/fast", "/proc/mounts"]).exit_code == 0
    finally:
        builder.remove(client, build_id)


def test_dead_daemon_is_one_paragraph(monkeypatch, tmp_path):
    socket = tmp_path / "no-docker.sock"
    monkeypatch.setenv("DOCKER_HOST", f"unix://{socket}")
    with pytest.raises(DockerError) as caught:
        connect()
    message = str(caught.value)
    assert message.startswith(f"Cannot reach the Docker daemon at unix://{socket}: ")
    assert "Is dockerd running" in message and "\n" not in message and "Traceback" not in message
