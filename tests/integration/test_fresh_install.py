"""A real build with only what the collection declares (#16): a fresh venv with ansible-core and
requirements.txt, community.docker (galaxy.yml's dependency) installed with ansible-galaxy, the
collection tarball installed from `ansible-galaxy collection build`, and
`ansible-playbook cattle.images.build_image` seeing that collections path and nothing else.

Something the collection needs but does not declare makes this test fail: fix the declaration
(requirements.txt, galaxy.yml, bindep.txt), not the test."""

from __future__ import annotations

import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sysconfig
import tomllib
import uuid

import pytest

from tests.conftest import REPO
from tests.fixtures.docker_cli import build_name, docker, write_docker_template

pytestmark = [pytest.mark.docker, pytest.mark.slow]

CACHE_ROOT = "/var/tmp"
# Galaxy cannot be reached: the declared collections come from the project venv's `ansible` bundle.
BUNDLE = os.path.join(sysconfig.get_paths()["purelib"], "ansible_collections")


def ansible_core_pin():
    with open(os.path.join(REPO, "pyproject.toml"), "rb") as handle:
        dependencies = tomllib.load(handle)["project"]["dependencies"]
    (pin,) = [dep for dep in dependencies if re.match(r"ansible-core\b", dep)]
    return pin


def run(*args, env=None, cwd=None, timeout=900):
    result = subprocess.run(list(args), capture_output=True, text=True, env=env, cwd=cwd, timeout=timeout,
                            stdin=subprocess.DEVNULL, check=False)
    assert result.returncode == 0, f"{' '.join(map(str, args))} failed:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def fresh_venv():
    """bin/ of a venv with ansible-core and requirements.txt only, built once per recipe."""
    pin = ansible_core_pin()
    with open(os.path.join(REPO, "requirements.txt"), "rb") as handle:
        key = hashlib.sha256(handle.read() + pin.encode()).hexdigest()[:16]
    venv = os.path.join(CACHE_ROOT, f"cattle-fresh-venv-{key}")
    if not os.path.isfile(os.path.join(venv, ".complete")):
        # A venv's scripts name its path, so it is built in place; .complete marks it finished.
        shutil.rmtree(venv, ignore_errors=True)
        run("/usr/bin/python3", "-m", "venv", venv)
        run(os.path.join(venv, "bin", "pip"), "install", "-q", pin, "-r", os.path.join(REPO, "requirements.txt"))
        open(os.path.join(venv, ".complete"), "w").close()
    return os.path.join(venv, "bin")


def declared_collections():
    import yaml

    with open(os.path.join(REPO, "galaxy.yml"), encoding="utf-8") as handle:
        return list(yaml.safe_load(handle)["dependencies"])


def bundle_copy(collection):
    path = os.path.join(BUNDLE, *collection.split("."))
    assert os.path.isfile(os.path.join(path, "MANIFEST.json")), f"{collection} is not in the project venv's bundle"
    return path


def with_dependencies(collections):
    """The declared collections and, recursively, what their MANIFEST.json says they need."""
    found, todo = [], list(collections)
    while todo:
        collection = todo.pop()
        if collection in found:
            continue
        found.append(collection)
        with open(os.path.join(bundle_copy(collection), "MANIFEST.json"), encoding="utf-8") as handle:
            todo.extend(json.load(handle)["collection_info"].get("dependencies") or {})
    return found


@pytest.fixture(scope="module")
def collections_path(fresh_venv, tmp_path_factory):
    """A collections path holding cattle.images (from its built tarball) and its declared dependencies."""
    root = tmp_path_factory.mktemp("fresh-collections")
    env = {**os.environ, "ANSIBLE_COLLECTIONS_PATH": str(root), "HOME": str(root)}
    galaxy = os.path.join(fresh_venv, "ansible-galaxy")
    dependencies = [bundle_copy(c) for c in with_dependencies(declared_collections())]
    run(galaxy, "collection", "install", "--offline", "-p", str(root), *dependencies, env=env, cwd=str(root))
    run(galaxy, "collection", "build", "--output-path", str(root), REPO, env=env, cwd=str(root))
    (tarball,) = glob.glob(str(root / "cattle-images-*.tar.gz"))
    # --offline: the dependencies resolve against what is already installed on this path.
    run(galaxy, "collection", "install", "--offline", "-p", str(root), tarball, env=env, cwd=str(root))
    return root


def test_a_docker_build_runs_with_only_what_the_collection_declares(fresh_venv, collections_path, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    repository = f"local/awx16-fresh-{uuid.uuid4().hex[:8]}"
    with build_name("awx16-fresh") as build:
        template = write_docker_template(work / "template.json", build, commit=True, sections={
            "provisioners": [{"type": "shell", "inline": ["echo fresh > /fresh.txt"]}],
            "post-processors": [[{"type": "docker-tag", "repository": repository, "tag": ["v1"]},
                                 {"type": "manifest", "output": "manifest.json"}]],
        })
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("ANSIBLE_", "VIRTUAL_ENV", "PYTHON"))}
        env.update(ANSIBLE_COLLECTIONS_PATH=str(collections_path), HOME=str(tmp_path),
                   PATH=f"{fresh_venv}{os.pathsep}{env.get('PATH', '')}")
        try:
            result = subprocess.run([os.path.join(fresh_venv, "ansible-playbook"), "cattle.images.build_image",
                                     "-e", f"template={template}"], cwd=str(work), env=env, capture_output=True,
                                    text=True, timeout=600, stdin=subprocess.DEVNULL, check=False)
            assert result.returncode == 0, result.stdout + result.stderr
            assert docker("run", "--rm", "--entrypoint", "", f"{repository}:v1", "cat", "/fresh.txt").stdout == "fresh\n"
            manifest = json.loads((work / "manifest.json").read_text())
            assert [b["name"] for b in manifest["builds"]] == [build]
        finally:
            docker("rmi", "-f", f"{repository}:v1", check=False)
