"""The step cache never returns a wrong image (issue #13), against the real daemon.

Each input kind a step can read is changed alone between two cached builds; the second
cached build must then equal a clean build of the same inputs (filesystem and config).
A failed step must leave no layer that a later template could reuse."""

from __future__ import annotations

import json
import os
import re
import subprocess
import uuid

import pytest

from tests.integration.test_cache import docker, filesystem, layer_ids, layer_metadata, our_final_images

pytestmark = [pytest.mark.docker, pytest.mark.slow]

RUN = uuid.uuid4().hex[:8]


class Project:
    """A directory with templates of one build name each, built with `cattle build`."""

    def __init__(self, root, venv_bin, name):
        self.root, self.venv_bin = root, venv_bin
        self.build_name = f"cache-{name}-{RUN}"
        self.repository = f"local/cattle-cache-sound-{name}-{RUN}"

    def write(self, relative, text):
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    def template(self, provisioners, builder=None, file_name="template.json"):
        template = {
            "builders": [dict({"type": "docker", "name": self.build_name, "image": "local/debian:bookworm",
                               "pull": False, "commit": True, "changes": ["LABEL made-by=test"]}, **(builder or {}))],
            "provisioners": provisioners,
            "post-processors": [[{"type": "docker-tag", "repository": self.repository, "tags": ["{{user `tag`}}"]}]],
            "variables": {"tag": "x"},
        }
        self.write(file_name, json.dumps(template))
        return file_name

    def build(self, tag, *flags, template="template.json", env=None, expect_success=True):
        result = subprocess.run(
            [os.path.join(self.venv_bin, "cattle"), "build", "-color=false", "-force", *flags, "-var", f"tag={tag}",
             template],
            cwd=self.root, capture_output=True, text=True, timeout=300, check=False,
            env=dict(os.environ, **(env or {})),
        )
        if expect_success:
            assert result.returncode == 0, result.stdout + result.stderr
        return result

    def image(self, tag):
        return f"{self.repository}:{tag}"

    def layers(self):
        """{step: [layer ids]} of this project's build name."""
        found = {}
        for image_id in layer_ids():
            metadata = layer_metadata(image_id)
            if metadata["step"].startswith(f"{self.build_name}/"):
                found.setdefault(metadata["step"], []).append(image_id)
        return found

    def clean_up(self):
        refs = docker("images", "-q", self.repository, check=False).stdout.split()
        if refs:
            docker("rmi", "-f", *set(refs), check=False)
        for tags in our_final_images(self.build_name).values():
            docker("rmi", *tags, check=False)
        for image_id in sum(self.layers().values(), []):
            docker("rmi", "-f", image_id, check=False)


@pytest.fixture
def project(tmp_path, venv_bin, request):
    made = Project(tmp_path, venv_bin, re.sub(r"[^a-z0-9]+", "-", request.node.name.lower())[:24].strip("-"))
    yield made
    made.clean_up()


def reused(output):
    return [int(n) for n in re.findall(r"Using the cached layer \w+ for provisioner (\d+)", output)]


def config_of(ref):
    config = json.loads(docker("image", "inspect", ref).stdout)[0]["Config"]
    # The container's id, the image it started from (base or cache layer) and the build's id
    # (a label of every build container, which Docker keeps in the commit) differ by nature.
    config = {name: value for name, value in config.items() if name not in ("Hostname", "Image")}
    config["Labels"] = {name: value for name, value in (config.get("Labels") or {}).items() if name != "cattle.build_id"}
    return config


def assert_same_image(cached, clean):
    assert config_of(cached) == config_of(clean)
    left, right = filesystem(cached), filesystem(clean)
    assert sorted(name for name in set(left) | set(right) if left.get(name) != right.get(name)) == []


def cat(ref, path):
    return docker("run", "--rm", "--entrypoint", "", ref, "cat", path, check=False).stdout


def stale_check(project, mutate, read_back, expected, template="template.json", env_before=None, env_after=None):
    """Fill the cache, change one input, rebuild cached and clean: the two must be equal and current."""
    project.build("fill", "-cache", template=template, env=env_before)
    again = project.build("again", "-cache", template=template, env=env_before)
    mutate()
    cached = project.build("cached", "-cache", template=template, env=env_after)
    project.build("clean", template=template, env=env_after)
    assert cat(project.image("cached"), read_back) == expected  # 0 stale hits
    assert_same_image(project.image("cached"), project.image("clean"))
    return again.stdout, cached.stdout


def test_bind_mounted_volume_content_is_in_the_key(project):
    data = project.root / "mounted"
    project.write("mounted/v.txt", "one\n")
    project.template([{"type": "shell", "inline": ["cp /data/v.txt /opt/v.txt"]}],
                     builder={"volumes": {str(data): "/data"}})
    again, cached = stale_check(project, lambda: project.write("mounted/v.txt", "two\n"), "/opt/v.txt", "two\n")
    assert reused(again) == [0]  # the cache works when nothing changed
    assert reused(cached) == []


PLAY = "- hosts: all\n  gather_facts: false\n  tasks:\n{tasks}"


def test_file_a_playbook_copies_from_outside_its_directory_is_in_the_key(project):
    project.write("data/x", "one\n")
    project.write("play/site.yml", PLAY.format(tasks="    - copy: {src: ../data/x, dest: /opt/x}\n"))
    project.template([{"type": "ansible", "playbook_file": "play/site.yml"}])
    again, cached = stale_check(project, lambda: project.write("data/x", "two\n"), "/opt/x", "two\n")
    assert reused(again) == [0]
    assert reused(cached) == []


def test_task_file_imported_from_outside_the_playbook_directory_is_in_the_key(project):
    project.write("common/t.yml", "- copy: {content: \"one\\n\", dest: /opt/t}\n")
    project.write("play/site.yml", PLAY.format(tasks="    - import_tasks: ../common/t.yml\n"))
    project.template([{"type": "ansible", "playbook_file": "play/site.yml"}])
    again, cached = stale_check(
        project, lambda: project.write("common/t.yml", "- copy: {content: \"two\\n\", dest: /opt/t}\n"),
        "/opt/t", "two\n")
    assert reused(again) == [0]
    assert reused(cached) == []


def test_playbook_reading_the_environment_is_not_cached(project):
    project.write("play/site.yml", PLAY.format(
        tasks="    - copy: {content: \"{{ lookup('env', 'CATTLE_CACHE_TEST') }}\\n\", dest: /opt/env}\n"))
    project.template([{"type": "shell", "inline": ["mkdir -p /opt"]},
                      {"type": "ansible", "playbook_file": "play/site.yml"}])
    again, cached = stale_check(project, lambda: None, "/opt/env", "two\n",
                                env_before={"CATTLE_CACHE_TEST": "one"}, env_after={"CATTLE_CACHE_TEST": "two"})
    for output in (again, cached):
        assert reused(output) == [0]  # the step before is still cached
        assert re.search(r"Step cache: not cached: provisioner 1 \(ansible\) and every later one run without the "
                         r"cache: play/site.yml:\d+: lookup 'env'", output)
    assert [step for step in project.layers() if step.endswith("/1:ansible")] == []


def test_a_failed_step_leaves_no_layer_for_a_later_template(project):
    ok = {"type": "shell", "inline": ["echo base > /opt-base"]}
    failing = {"type": "shell", "inline": ["echo half-done > /half", "exit 3"]}
    after = {"type": "shell", "inline": ["echo after > /after"]}
    project.template([ok, failing, after], file_name="failing.json")
    failed = project.build("failed", "-cache", template="failing.json", expect_success=False)
    assert failed.returncode != 0
    steps = project.layers()
    assert list(steps) == [f"{project.build_name}/0:shell"], steps  # only the step that ran before the failure

    project.template([ok, after], file_name="without.json")
    cached = project.build("cached", "-cache", template="without.json")
    project.build("clean", template="without.json")
    assert reused(cached.stdout) == [0]
    assert cat(project.image("cached"), "/half") == ""
    assert_same_image(project.image("cached"), project.image("clean"))


def test_built_images_carry_no_cache_labels_or_comment(project):
    project.template([{"type": "shell", "inline": ["echo a > /a"]}, {"type": "shell", "inline": ["echo b > /b"]}])
    project.build("fill", "-cache")
    rebuilt = project.build("cached", "-cache")
    project.build("clean")
    assert reused(rebuilt.stdout) == [0, 1]
    labels = json.loads(docker("image", "inspect", project.image("cached")).stdout)[0]["Config"]["Labels"]
    assert {name: value for name, value in labels.items() if name != "cattle.build_id"} == {
        "made-by": "test", "cattle.build_name": project.build_name}
    comment = json.loads(docker("image", "inspect", "--format", "{{json .Comment}}", project.image("cached")).stdout)
    assert "cattle.cache" not in comment
    assert_same_image(project.image("cached"), project.image("clean"))


def test_prune_keeps_the_layers_the_current_template_uses(project, venv_bin):
    first = {"type": "shell", "inline": ["echo first > /v"]}
    second = {"type": "shell", "inline": ["echo second > /v"]}
    project.template([first], file_name="first.json")
    project.template([second], file_name="second.json")
    project.build("first", "-cache", template="first.json")
    project.build("second", "-cache", template="second.json")  # a newer layer for the same step
    back = project.build("back", "-cache", template="first.json")  # the current template is the first again
    assert reused(back.stdout) == [0]
    used = back.stdout and re.search(r"Using the cached layer (\w+)", back.stdout).group(1)
    result = subprocess.run([os.path.join(venv_bin, "cattle"), "cache", "prune"], cwd=project.root,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    left = project.layers()[f"{project.build_name}/0:shell"]
    assert [image_id[:12] for image_id in left] == [used]
    again = project.build("again", "-cache", template="first.json")
    assert reused(again.stdout) == [0]
