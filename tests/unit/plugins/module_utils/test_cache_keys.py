"""The step cache's keys: what each kind of step depends on, and nothing else."""

from __future__ import annotations

import os

import pytest

from ansible_collections.cattle.images.plugins.module_utils import cache

BUILDER = {"image": "local/debian:bookworm", "pull": False, "commit": True, "run_command": ["-d", "{{.Image}}"]}


def shell(**config):
    return {"type": "shell", "config": config}


@pytest.fixture
def files(tmp_path):
    (tmp_path / "step.sh").write_text("echo hi\n")
    (tmp_path / "payload").mkdir()
    (tmp_path / "payload" / "a.txt").write_text("a\n")
    (tmp_path / "payload" / "sub").mkdir()
    (tmp_path / "payload" / "sub" / "b.txt").write_text("b\n")
    (tmp_path / "play").mkdir()
    (tmp_path / "play" / "site.yml").write_text("- hosts: all\n  roles: [web]\n")
    (tmp_path / "play" / "roles" / "web" / "tasks").mkdir(parents=True)
    (tmp_path / "play" / "roles" / "web" / "tasks" / "main.yml").write_text("- debug: msg=1\n")
    return tmp_path


def key(step, cwd, parent="root", build="docker"):
    return cache.step_key(parent, step, str(cwd), build)


def test_keys_are_stable_and_hex(files):
    step = shell(inline=["echo a"])
    assert key(step, files) == key(dict(step), files)
    assert len(key(step, files)) == 64 and int(key(step, files), 16) >= 0


def test_canonical_json_ignores_key_order():
    assert cache.canonical({"b": 1, "a": [1, {"y": 2, "x": 1}]}) == cache.canonical({"a": [1, {"x": 1, "y": 2}], "b": 1})


def test_parent_definition_and_build_name_are_in_the_key(files):
    step = shell(inline=["echo a"])
    base = key(step, files)
    assert key(step, files, parent="other") != base
    assert key(shell(inline=["echo b"]), files) != base
    assert key({"type": "shell-local", "config": {"inline": ["echo a"]}}, files) != base
    assert key(shell(inline=["echo a"], environment_vars=["A=1"]), files) != base
    # PACKER_BUILD_NAME is part of the environment every step gets.
    assert key(step, files, build="other") != base


def test_script_content_is_in_the_key_not_its_timestamp(files):
    step = shell(script="step.sh")
    before = key(step, files)
    os.utime(files / "step.sh", (1, 1))
    assert key(step, files) == before
    (files / "step.sh").write_text("echo changed\n")
    assert key(step, files) != before


def test_script_mode_is_in_the_key(files):
    step = shell(scripts=[str(files / "step.sh")])
    before = key(step, files)
    os.chmod(files / "step.sh", 0o755)
    assert key(step, files) != before


def test_relative_and_absolute_paths_read_the_same_file(files):
    assert cache.step_files(shell(script="step.sh"), str(files)) == [str(files / "step.sh")]
    assert cache.step_files(shell(scripts="step.sh,other.sh"), str(files)) == [
        str(files / "other.sh"), str(files / "step.sh")]


def test_uploaded_directory_is_hashed_recursively(files):
    step = {"type": "file", "config": {"source": "payload/", "destination": "/opt"}}
    before = key(step, files)
    (files / "payload" / "sub" / "b.txt").write_text("B\n")
    assert key(step, files) != before
    (files / "payload" / "sub" / "b.txt").write_text("b\n")
    assert key(step, files) == before
    (files / "payload" / "sub" / "new.txt").write_text("")
    assert key(step, files) != before


def test_missing_file_is_a_stable_input(files):
    step = {"type": "file", "config": {"source": "later.txt", "destination": "/x", "generated": True}}
    before = key(step, files)
    assert key(step, files) == before
    (files / "later.txt").write_text("made by shell-local\n")
    assert key(step, files) != before


def test_ansible_key_covers_the_playbook_tree_and_its_roles(files):
    step = {"type": "ansible", "config": {"playbook_file": "play/site.yml", "extra_arguments": ["-e", "@vars.yml"],
                                          "ansible_env_vars": ["ANSIBLE_FORCE_COLOR=0"]}}
    assert cache.step_files(step, str(files)) == [str(files / "play"), str(files / "vars.yml")]
    before = key(step, files)
    (files / "play" / "roles" / "web" / "tasks" / "main.yml").write_text("- debug: msg=2\n")
    assert key(step, files) != before
    (files / "play" / "roles" / "web" / "tasks" / "main.yml").write_text("- debug: msg=1\n")
    assert key(step, files) == before
    (files / "vars.yml").write_text("x: 1\n")
    assert key(step, files) != before
    assert cache.step_environment(step, "docker")["ANSIBLE_FORCE_COLOR"] == "0"


def test_step_kinds():
    assert cache.step_kind(shell(inline=["x"])) == "image"
    assert cache.step_kind({"type": "shell-local", "config": {}}) == "local"
    assert cache.step_kind({"type": "breakpoint", "config": {}}) == "local"
    assert cache.step_kind({"type": "file", "config": {"direction": "download"}}) == "barrier"
    assert cache.step_kind({"type": "file", "config": {"source": "a", "destination": "b"}}) == "image"


def test_root_key_depends_on_base_image_and_run_options_only():
    root = cache.root_key("sha256:aaa", BUILDER)
    assert cache.root_key("sha256:bbb", BUILDER) != root
    assert cache.root_key("sha256:aaa", dict(BUILDER, privileged=True)) != root
    # How the result is captured does not change what the steps do.
    assert cache.root_key("sha256:aaa", dict(BUILDER, commit=False, export_path="x.tar", changes=["ENV A=1"])) == root


def test_unreadable_file_is_a_clear_error(files):
    # A symlink loop cannot be read even by root.
    os.symlink(files / "loop-b.sh", files / "loop-a.sh")
    os.symlink(files / "loop-a.sh", files / "loop-b.sh")
    with pytest.raises(cache.CacheKeyError, match="loop-a.sh"):
        key(shell(script="loop-a.sh"), files)


def layer(image_id, step, parent, source, created):
    return {"id": image_id, "step": step, "parent": parent, "from": source, "created": created, "key": image_id,
            "size": 1, "tags": [f"cattle-cache:{image_id}"]}


def test_prune_selects_older_variants_and_what_was_built_on_them():
    from ansible_collections.cattle.images.plugins.module_utils.docker.cache import superseded

    layers = [  # newest first, as list_layers gives them
        layer("s0-new", "b/0:shell", "root", "base", 50),
        layer("s1-new", "b/1:shell", "k0-old", "s0-old", 40),  # step 1 edited, on the old step 0
        layer("s1-old", "b/1:shell", "k0-old", "s0-old", 30),
        layer("s2-old", "b/2:file", "k1-old", "s1-old", 20),  # built on a superseded layer
        layer("s0-old", "b/0:shell", "root", "base", 10),
        layer("other", "c/0:shell", "root-c", "base", 5),  # another build: untouched
    ]
    assert [entry["id"] for entry in superseded(layers)] == ["s1-new", "s1-old", "s2-old", "s0-old"]
