"""Which cattle.images copy a build uses, and the collections it needs beside it (issue #16)."""

from __future__ import annotations

import os

import pytest

from cattle_cli import collection


def _fake_collection(root, name):
    namespace, coll = name.split(".")
    path = root / "ansible_collections" / namespace / coll
    path.mkdir(parents=True)
    (path / "galaxy.yml").write_text(f"namespace: {namespace}\nname: {coll}\n")
    return path


def test_the_run_puts_this_installations_collections_first(tmp_path):
    own = os.path.dirname(os.path.dirname(os.path.dirname(collection.collection_root())))
    paths = collection.collections_path({"ANSIBLE_COLLECTIONS_PATH": str(tmp_path)}).split(os.pathsep)
    assert paths == [own, str(tmp_path)]


def test_without_a_configured_path_ansibles_defaults_follow():
    paths = collection.collections_path({}).split(os.pathsep)
    assert paths[1:] == [os.path.expanduser(p) for p in collection.DEFAULT_COLLECTIONS_PATHS]


def test_another_cattle_images_on_the_path_is_named(tmp_path):
    other = _fake_collection(tmp_path, "cattle.images")
    assert collection.other_copies({"ANSIBLE_COLLECTIONS_PATH": str(tmp_path)}) == [str(other)]
    # Named by its ansible_collections directory, as Ansible also accepts.
    env = {"ANSIBLE_COLLECTIONS_PATH": str(tmp_path / "ansible_collections")}
    assert [os.path.realpath(p) for p in collection.other_copies(env)] == [os.path.realpath(other)]


def test_the_own_copy_is_not_another(tmp_path):
    own_parent = os.path.dirname(os.path.dirname(os.path.dirname(collection.collection_root())))
    assert collection.other_copies({"ANSIBLE_COLLECTIONS_PATH": own_parent}) == []


def test_a_docker_build_needs_community_docker(tmp_path, monkeypatch):
    # Only the empty directory and nothing on sys.path: community.docker cannot be found.
    monkeypatch.setattr(collection.sys, "path", [str(tmp_path)])
    own = str(_fake_collection(tmp_path / "own", "cattle.images"))
    monkeypatch.setattr(collection, "collection_root", lambda: own)
    env = {"ANSIBLE_COLLECTIONS_PATH": str(tmp_path / "empty")}
    with pytest.raises(collection.MissingCollection, match=r"community\.docker collection is not installed.*"
                                                           r"ansible-galaxy collection install community\.docker"):
        collection.check_required({"docker"}, env)
    collection.check_required({"null", "qemu"}, env)  # they need nothing more
    _fake_collection(tmp_path / "more", "community.docker")
    collection.check_required({"docker"}, {"ANSIBLE_COLLECTIONS_PATH": str(tmp_path / "more")})


def test_the_test_environment_has_what_a_docker_build_needs():
    collection.check_required({"docker"}, dict(os.environ))
