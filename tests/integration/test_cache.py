"""The step cache end to end: `cattle build -cache` against the real daemon, rebuilds that reuse
layers, what invalidates them, and `cattle cache list|prune`."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tarfile
import uuid

import pytest

pytestmark = [pytest.mark.docker, pytest.mark.slow]

RUN = uuid.uuid4().hex[:8]


def docker(*args, check=True):
    return subprocess.run(["docker", *args], capture_output=True, text=True, check=check)


def cattle(venv_bin, *args, cwd):
    result = subprocess.run([os.path.join(venv_bin, "cattle"), *map(str, args)], cwd=cwd,
                            capture_output=True, text=True, timeout=300, check=False)
    return result


def layer_metadata(image_id):
    """A cache layer's metadata: the JSON after "cattle.cache " in its commit comment."""
    comment = json.loads(docker("image", "inspect", "--format", "{{json .Comment}}", image_id).stdout)
    assert comment.startswith("cattle.cache "), comment
    return json.loads(comment[len("cattle.cache "):])


def layer_ids():
    """The ids of every cache layer on the daemon (not the final images the cache keeps)."""
    out = docker("images", "cattle-cache", "--format", "{{.ID}} {{.Tag}}").stdout
    return sorted({line.split()[0] for line in out.splitlines() if not line.split()[1].startswith("image-")})


def our_layers(build):
    """Cache layers (id, step, created) of this build, newest first."""
    layers = []
    for image_id in layer_ids():
        metadata = layer_metadata(image_id)
        if metadata["step"].startswith(f"{build}/"):
            layers.append((image_id, metadata["step"], metadata["created"]))
    return sorted(layers, key=lambda layer: layer[2], reverse=True)


def our_final_images(build):
    """The images the step cache keeps as this build's final images: {image id: [cattle-cache tags]}."""
    out = docker("images", "cattle-cache", "--format", "{{.ID}} {{.Tag}}").stdout
    finals = {}
    for line in out.splitlines():
        image_id, tag = line.split()
        if not tag.startswith("image-"):
            continue
        labels = json.loads(docker("image", "inspect", "--format", "{{json .Config.Labels}}", image_id).stdout)
        if (labels or {}).get("cattle.build_name") == build:
            finals.setdefault(image_id, []).append(f"cattle-cache:{tag}")
    return finals


def remove_layers_of(build):
    for tags in our_final_images(build).values():
        for tag in tags:
            docker("rmi", tag, check=False)
    for image_id, _step, _created in our_layers(build):
        for tag in docker("image", "inspect", "--format", "{{join .RepoTags \" \"}}", image_id, check=False).stdout.split():
            docker("rmi", tag, check=False)


@pytest.fixture(scope="module")
def project(tmp_path_factory, shared_dir, venv_bin):
    """A copy of the reference workload with a build name and output repository of its own."""
    work = tmp_path_factory.mktemp("cache")
    for name in ("payload.txt", "step.sh", "docker-reference.json"):
        shutil.copy(os.path.join(shared_dir, "bench", name), work / name)
    build = f"cache-{RUN}"
    repository = f"local/cattle-cache-it-{RUN}"
    template = json.loads((work / "docker-reference.json").read_text())
    template["builders"][0]["name"] = build
    template["post-processors"] = [[{"type": "docker-tag", "repository": repository, "tags": ["{{user `tag`}}"]}]]
    template["variables"]["tag"] = "v1"
    (work / "template.json").write_text(json.dumps(template))
    state = {"work": work, "build": build, "repository": repository, "venv_bin": venv_bin}
    yield state
    refs = docker("images", "-q", repository, check=False).stdout.split()
    if refs:
        docker("rmi", "-f", *set(refs), check=False)
    remove_layers_of(build)


def build(project, *flags, tag="v1", template="template.json"):
    result = cattle(project["venv_bin"], "build", "-color=false", "-force", *flags, "-var", f"tag={tag}", template,
                    cwd=project["work"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Build '{project['build']}' finished" in result.stdout
    return result.stdout


def ran_steps(output, build):
    """Which provisioners ran for real (by the lines Packer prints), and which were reused."""
    ran = re.findall(rf"==> {build}: (Provisioning with shell script: \S+|Uploading \S+|Running local shell script)",
                     output)
    reused = [int(n) for n in re.findall(rf"==> {build}: Using the cached layer \w+ for provisioner (\d+)", output)]
    return ran, reused


def filesystem(ref):
    """Every path of the image's filesystem with its type, mode, link target and content digest."""
    container = docker("create", ref, "/bin/true").stdout.strip()
    entries = {}
    try:
        proc = subprocess.Popen(["docker", "export", container], stdout=subprocess.PIPE)
        with tarfile.open(fileobj=proc.stdout, mode="r|") as archive:
            for member in archive:
                digest = None
                if member.isfile():
                    digest = hashlib.sha256(archive.extractfile(member).read()).hexdigest()
                entries[member.name] = (member.type, member.mode, member.linkname, member.uid, member.gid, digest)
        assert proc.wait() == 0
    finally:
        docker("rm", "-f", container, check=False)
    return entries


@pytest.fixture(scope="module")
def first_builds(project):
    """A plain build, then a cached one that fills the cache, then a cached rebuild."""
    plain = build(project, tag="plain")
    filling = build(project, "-cache", tag="filling")
    rebuilt = build(project, "-cache", tag="rebuilt")
    return {"plain": plain, "filling": filling, "rebuilt": rebuilt}


def test_plain_build_is_a_clean_build(first_builds, project):
    assert "Step cache" not in first_builds["plain"]
    assert "cache layer" not in first_builds["plain"]


def test_first_cached_build_commits_a_layer_per_image_step(first_builds, project):
    output = first_builds["filling"]
    assert "Step cache: nothing cached yet for these 3 provisioners" in output
    committed = re.findall(r"Committed the cache layer \w+ for provisioner (\d+) \((\S+)\)", output)
    assert committed == [("0", "shell"), ("2", "file"), ("3", "shell")]  # none for shell-local


def test_rebuild_with_nothing_changed_reuses_every_step(first_builds, project):
    output = first_builds["rebuilt"]
    ran, reused = ran_steps(output, project["build"])
    assert "Step cache: reusing 3 of 3 provisioner layers" in output
    assert reused == [0, 2, 3]
    assert ran == ["Running local shell script"]  # shell-local always runs
    assert f"    {project['build']}: local step" in output
    assert "Committed the cache layer" not in output


def test_rebuild_with_nothing_changed_takes_the_cached_image_and_makes_no_container(first_builds, project):
    output, repository = first_builds["rebuilt"], project["repository"]
    assert "Step cache: the image is cached too" in output
    assert "Starting docker container" not in output and "Committing the container" not in output
    assert "Killing the container" not in output
    # The filling build committed the image and kept it: the rebuild's artifact is that image.
    filled = docker("image", "inspect", "--format", "{{.Id}}", f"{repository}:filling").stdout.strip()
    rebuilt = docker("image", "inspect", "--format", "{{.Id}}", f"{repository}:rebuilt").stdout.strip()
    assert rebuilt == filled
    assert f"Using the cached image {filled.split(':')[1][:12]}" in output
    assert f"--> {project['build']}: Imported Docker image: {filled}" in output
    assert list(our_final_images(project["build"])) == [filled.split(":")[1][:12]]
    assert docker("ps", "-aq", "--filter", "label=cattle.build_name=" + project["build"]).stdout.strip() == ""


def test_a_failing_local_step_in_a_build_with_no_container_leaves_nothing(first_builds, project, tmp_path):
    """The launch made no container; the cleanup after the failure has only the temp dir to remove."""
    work = project["work"]
    template = json.loads((work / "template.json").read_text())
    marker = tmp_path / "fail-now"
    template["provisioners"][1]["inline"] = [f"test ! -e {marker}"]
    (work / "failing-local.json").write_text(json.dumps(template))
    build(project, "-cache", tag="local-ok", template="failing-local.json")  # fills the cache, keeps the image
    marker.write_text("")
    result = cattle(project["venv_bin"], "build", "-color=false", "-force", "-cache", "-var", "tag=local-failed",
                    "failing-local.json", cwd=work)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "no container is created" in result.stdout
    assert "Script exited with non-zero exit status: 1" in result.stdout
    assert "Killing the container" not in result.stdout
    assert f"Build '{project['build']}' errored" in result.stdout
    assert docker("ps", "-aq", "--filter", "label=cattle.build_name=" + project["build"]).stdout.strip() == ""


def test_cache_true_on_the_builder_turns_it_on(first_builds, project):
    work = project["work"]
    template = json.loads((work / "template.json").read_text())
    template["builders"][0]["cache"] = True
    (work / "cache-on.json").write_text(json.dumps(template))
    output = build(project, tag="option", template="cache-on.json")
    assert ran_steps(output, project["build"])[1] == [0, 2, 3]


def test_playbook_entry_point_shares_the_cache(first_builds, project):
    extra = json.dumps({"template": "template.json", "force": True, "cache": True, "template_vars": {"tag": "playbook"}})
    result = subprocess.run(
        [os.path.join(project["venv_bin"], "ansible-playbook"), "-v", "cattle.images.build_image", "-e", extra],
        cwd=project["work"], capture_output=True, text=True, timeout=300,
        env=dict(os.environ, ANSIBLE_LOCALHOST_WARNING="False", ANSIBLE_INVENTORY_UNPARSED_WARNING="False"),
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    reused = sorted(set(re.findall(r"Using the cached layer \w+ for provisioner (\d+)", result.stdout)))
    assert reused == ["0", "2", "3"]


def test_cached_rebuild_has_the_clean_build_filesystem(first_builds, project):
    repository = project["repository"]
    clean, cached = filesystem(f"{repository}:plain"), filesystem(f"{repository}:rebuilt")
    assert len(clean) > 1000
    differing = sorted(name for name in set(clean) | set(cached) if clean.get(name) != cached.get(name))
    assert differing == []
    assert "opt/app/done" in cached and "greeting" in cached


def test_cached_image_keeps_the_base_entrypoint_and_has_no_live_cache_labels(first_builds, project):
    config = json.loads(docker("image", "inspect", f"{project['repository']}:rebuilt").stdout)[0]["Config"]
    base = json.loads(docker("image", "inspect", "local/debian:bookworm").stdout)[0]["Config"]
    assert config["Cmd"] == base["Cmd"] and (config["Entrypoint"] or None) == (base["Entrypoint"] or None)
    assert "FOO=bar" in config["Env"] and config["Labels"]["built-by"] == "bench"
    assert not [name for name in config["Labels"] if name.startswith("cattle.cache.")]


def test_changed_last_step_runs_only_it(first_builds, project):
    work = project["work"]
    original = (work / "step.sh").read_text()
    (work / "step.sh").write_text(original.replace("echo done", "echo done again"))
    try:
        output = build(project, "-cache", tag="last")
    finally:
        (work / "step.sh").write_text(original)
    ran, reused = ran_steps(output, project["build"])
    assert reused == [0, 2]
    assert ran == ["Running local shell script", f"Provisioning with shell script: {work / 'step.sh'}"]
    assert "Step cache: reusing 2 of 3 provisioner layers" in output
    out = docker("run", "--rm", "--entrypoint", "", f"{project['repository']}:last", "cat", "/opt/app/done").stdout
    assert out.strip() == "done again"


def test_changed_uploaded_file_invalidates_from_its_step(first_builds, project):
    work = project["work"]
    original = (work / "payload.txt").read_text()
    (work / "payload.txt").write_text("a new payload\n")
    try:
        output = build(project, "-cache", tag="payload")
    finally:
        (work / "payload.txt").write_text(original)
    ran, reused = ran_steps(output, project["build"])
    assert reused == [0]
    assert ran == ["Running local shell script", f"Uploading {work / 'payload.txt'}",
                   f"Provisioning with shell script: {work / 'step.sh'}"]
    out = docker("run", "--rm", "--entrypoint", "", f"{project['repository']}:payload", "cat",
                 "/opt/app/payload.txt").stdout
    assert out == "a new payload\n"


def test_file_written_by_shell_local_is_never_taken_from_the_cache(first_builds, project):
    """shell-local rewrites the file a later step uploads: that step must not look cached."""
    work = project["work"]
    template = json.loads((work / "template.json").read_text())
    generated = work / "generated.txt"
    template["provisioners"][1]["inline"] = [f"date +%s%N > {generated}"]
    template["provisioners"][2] = {"type": "file", "source": str(generated), "generated": True,
                                   "destination": "/opt/app/generated.txt"}
    (work / "generated.json").write_text(json.dumps(template))
    build(project, "-cache", tag="gen1", template="generated.json")
    output = build(project, "-cache", tag="gen2", template="generated.json")
    ran, reused = ran_steps(output, project["build"])
    # At launch the file still held the last run's value, so the launch found every layer and the
    # image: it made no container. Once shell-local rewrote it, the upload and what follows ran again,
    # in a container made then.
    assert "Step cache: reusing 3 of 3 provisioner layers" in output
    assert "no container is created unless a step's inputs change" in output
    assert reused == [0]
    assert "changed during the build" in output
    assert ran[1:] == [f"Uploading {generated}", f"Provisioning with shell script: {work / 'step.sh'}"]
    inside = docker("run", "--rm", "--entrypoint", "", f"{project['repository']}:gen2", "cat",
                    "/opt/app/generated.txt").stdout
    assert inside == generated.read_text()


def test_cache_list_shows_the_layers(first_builds, project):
    result = cattle(project["venv_bin"], "cache", "list", cwd=project["work"])
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].split() == ["KEY", "STEP", "IMAGE", "ID", "SIZE", "CREATED"]
    ours = [line for line in result.stdout.splitlines() if f" {project['build']}/" in line]
    steps = {line.split()[1] for line in ours}
    assert {f"{project['build']}/0:shell", f"{project['build']}/2:file", f"{project['build']}/3:shell"} <= steps
    for line in ours:
        key, _step, image_id, size = line.split()[:4]
        assert re.fullmatch(r"[0-9a-f]{20}", key) and re.fullmatch(r"[0-9a-f]{12}", image_id)
        assert size.endswith("MB")


def test_prune_removes_superseded_then_old_layers(first_builds, project):
    # Runs after the edits above: step 3 has an older and a newer variant on the same parent.
    build_name = project["build"]
    before = our_layers(build_name)
    result = cattle(project["venv_bin"], "cache", "prune", cwd=project["work"])
    assert result.returncode == 0, result.stdout + result.stderr
    after = our_layers(build_name)
    assert 0 < len(after) < len(before)
    newest_step3 = [layer for layer in before if layer[1] == f"{build_name}/3:shell"][0]
    assert newest_step3 in after  # the newest variant of a step stays

    # -older-than compares a layer's creation stamp with the time of the prune: every layer here
    # was made before this call and none ten years ago, whatever the machine's speed.
    result = cattle(project["venv_bin"], "cache", "prune", "-older-than", "87600h", cwd=project["work"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert our_layers(build_name) == after
    assert our_final_images(build_name)
    result = cattle(project["venv_bin"], "cache", "prune", "-older-than", "1ns", cwd=project["work"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert our_layers(build_name) == [] and our_final_images(build_name) == {}
    for _image_id, step, _created in after:
        assert f" {step} " in result.stdout

    bad = cattle(project["venv_bin"], "cache", "prune", "-older-than", "soon", cwd=project["work"])
    assert bad.returncode == 1 and "-older-than" in bad.stderr and "Traceback" not in bad.stderr


def test_filling_build_commits_the_clean_build_filesystem(first_builds, project):
    # Its layers were committed from one container; its final image too (small steps: no restart).
    repository = project["repository"]
    clean, filled = filesystem(f"{repository}:plain"), filesystem(f"{repository}:filling")
    assert sorted(name for name in set(clean) | set(filled) if clean.get(name) != filled.get(name)) == []


def test_a_large_layer_restarts_the_container_and_the_image_is_the_same(first_builds, project):
    work = project["work"]
    template = json.loads((work / "template.json").read_text())
    big = {"type": "shell", "inline": ["head -c 12000000 /dev/urandom > /opt/big", "echo started > /run-marker"]}
    last_big = {"type": "shell", "inline": ["head -c 12000000 /dev/urandom > /opt/big2"]}
    template["provisioners"] = [big, {"type": "shell", "inline": ["test -f /opt/big", "echo after > /opt/after"]},
                                *template["provisioners"], last_big]
    (work / "large.json").write_text(json.dumps(template))
    plain = build(project, tag="large-plain", template="large.json")
    cached = build(project, "-cache", tag="large-cached", template="large.json")
    assert "Restarted the build container" not in plain
    restarted = re.findall(r"Restarted the build container from (\w+)", cached)
    # After the large first step only: the small ones keep the container, and after the large last one the
    # final image is committed from a container created on its layer (nothing is written twice).
    assert len(restarted) == 1
    repository = project["repository"]
    clean, filled = filesystem(f"{repository}:large-plain"), filesystem(f"{repository}:large-cached")
    differing = sorted(name for name in set(clean) | set(filled)
                       if clean.get(name) != filled.get(name) and name not in ("opt/big", "opt/big2"))
    assert differing == [] and "opt/after" in filled
    for name in ("opt/big", "opt/big2"):  # random content: the same file, not the same bytes
        assert clean[name][:5] == filled[name][:5]
    final_layers = json.loads(docker("image", "inspect", f"{repository}:large-cached").stdout)[0]["RootFS"]["Layers"]
    last_index = len(template["provisioners"]) - 1
    last_id = [image_id for image_id, step, _created in our_layers(project["build"])
               if step == f"{project['build']}/{last_index}:shell"][0]
    last_layer = json.loads(docker("image", "inspect", last_id).stdout)[0]["RootFS"]["Layers"]
    assert final_layers[:len(last_layer)] == last_layer  # the final commit stacked on the last layer
