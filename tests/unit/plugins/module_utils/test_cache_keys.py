"""The step cache's keys: what each kind of step depends on, and nothing else."""

from __future__ import annotations

import os
import re

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
    assert cache.step_files(step, str(files)) == sorted(
        [str(files / "play"), str(files / "vars.yml")] + cache.ansible_config_files(str(files)))
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


def layer(image_id, step, parent, source, created, used=None):
    return {"id": image_id, "step": step, "parent": parent, "from": source, "created": created, "key": image_id,
            "used": created if used is None else used, "size": 1, "tags": [f"cattle-cache:{image_id}"]}


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


def playbook(files, tasks, name="site.yml"):
    (files / "play" / name).write_text(tasks)
    return {"type": "ansible", "config": {"playbook_file": f"play/{name}"}}


def test_a_file_copied_from_outside_the_playbook_dir_is_in_the_key(files):
    (files / "data").mkdir()
    (files / "data" / "x").write_text("one\n")
    step = playbook(files, "- hosts: all\n  tasks:\n    - copy: {src: ../data/x, dest: /x}\n")
    assert str(files / "data" / "x") in cache.step_files(step, str(files))
    before = key(step, files)
    (files / "data" / "x").write_text("two\n")
    assert key(step, files) != before


def test_imported_task_file_outside_the_playbook_dir_is_in_the_key(files):
    (files / "common").mkdir()
    (files / "common" / "t.yml").write_text("- debug: msg=1\n")
    step = playbook(files, "- hosts: all\n  tasks:\n    - import_tasks: ../common/t.yml\n")
    before = key(step, files)
    (files / "common" / "t.yml").write_text("- debug: msg=2\n")
    assert key(step, files) != before


def test_parent_paths_are_resolved_from_every_directory_ansible_searches(files):
    (files / "play" / "roles" / "web" / "files").mkdir()
    (files / "shared.txt").write_text("s\n")
    # A role's ../../../shared.txt from roles/web/tasks/ reaches files/; from roles/web/files/ it does too.
    (files / "play" / "roles" / "web" / "tasks" / "main.yml").write_text(
        "- copy: src=../../../../shared.txt dest=/s\n")
    step = {"type": "ansible", "config": {"playbook_file": "play/site.yml"}}
    assert str(files / "shared.txt") in cache.step_files(step, str(files))


def test_playbook_dir_variable_followed_by_parent_path(files):
    (files / "x.txt").write_text("x\n")
    step = playbook(files, "- hosts: all\n  tasks:\n    - copy: src={{ playbook_dir }}/../x.txt dest=/x\n")
    assert str(files / "x.txt") in cache.step_files(step, str(files))


def test_absolute_controller_paths_are_in_the_key(files):
    (files / "abs.txt").write_text("a\n")
    step = playbook(files, f"- hosts: all\n  tasks:\n    - copy: {{src: '{files / 'abs.txt'}', dest: /opt/a}}\n")
    before = key(step, files)
    (files / "abs.txt").write_text("b\n")
    assert key(step, files) != before


@pytest.mark.parametrize("text, reason", [
    ("msg: \"{{ lookup('env', 'HOME') }}\"", "lookup 'env'"),
    ("msg: \"{{ lookup('ansible.builtin.env', 'HOME') }}\"", "lookup 'ansible.builtin.env'"),
    ("msg: \"{{ query('pipe', 'date') }}\"", "lookup 'pipe'"),
    ("msg: \"{{ lookup(name, 'x') }}\"", "not a literal name"),
    ("with_env: [HOME]", "with_env"),
    ("delegate_to: localhost", "delegate_to"),
    ("local_action: command date", "local_action"),
    ("connection: local", "connection: local"),
])
def test_what_reads_the_controller_makes_the_step_uncacheable(files, text, reason):
    step = playbook(files, f"- hosts: all\n  tasks:\n    - debug:\n      {text}\n")
    with pytest.raises(cache.NotCacheable, match=r"site.yml:\d+: .*" + re.escape(reason)):
        key(step, files)


def test_lookups_of_named_files_are_cacheable(files):
    step = playbook(files, "- hosts: all\n  tasks:\n    - debug: msg=\"{{ lookup('file', 'a.txt') }}\"\n"
                           "      with_items: [1]\n")
    assert len(key(step, files)) == 64


def test_a_path_naming_the_playbook_dirs_parent_is_uncacheable(files):
    step = playbook(files, "- hosts: all\n  tasks:\n    - copy: src=../ dest=/all\n")
    with pytest.raises(cache.NotCacheable, match="a parent of the playbook's directory"):
        key(step, files)


def test_ansible_environment_is_in_the_key(files, monkeypatch):
    step = {"type": "ansible", "config": {"playbook_file": "play/site.yml"}}
    before = key(step, files)
    monkeypatch.setenv("ANSIBLE_ROLES_PATH", "/elsewhere")
    assert key(step, files) != before


def test_bind_mounted_content_is_in_every_key(files):
    step = shell(inline=["cat /data/a.txt"])
    mounted = [str(files / "payload")]
    before = cache.step_key("root", step, str(files), "b", mounts=mounted)
    (files / "payload" / "a.txt").write_text("changed\n")
    assert cache.step_key("root", step, str(files), "b", mounts=mounted) != before


def test_huge_trees_are_not_hashed(files, monkeypatch):
    monkeypatch.setattr(cache, "MAX_TREE_ENTRIES", 2)
    with pytest.raises(cache.NotCacheable, match="too many to hash"):
        key({"type": "file", "config": {"source": "payload/", "destination": "/opt"}}, files)


def test_layer_comment_round_trip():
    metadata = {"key": "k" * 64, "step": "b/0:shell", "created": 5, "parent": "p", "from": "f", "base": "sha256:b"}
    assert cache.parse_layer_comment(cache.layer_comment(metadata)) == metadata
    assert cache.parse_layer_comment("") is None
    assert cache.parse_layer_comment("a user's commit message") is None
    assert cache.parse_layer_comment("cattle.cache {broken") is None


def test_prune_keeps_the_variant_used_last_even_if_older():
    from ansible_collections.cattle.images.plugins.module_utils.docker.cache import superseded

    layers = [  # last used first
        layer("s0-old", "b/0:shell", "root", "base", 10, used=60),  # the current template went back to it
        layer("s0-new", "b/0:shell", "root", "base", 50),
        layer("s1-new", "b/1:shell", "k-new", "s0-new", 55),
        layer("stray", "", "", "", 0),  # an image in cattle-cache with no layer comment
    ]
    layers[3]["key"] = ""
    assert [entry["id"] for entry in superseded(layers)] == ["s0-new", "s1-new", "stray"]
