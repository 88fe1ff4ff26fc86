"""The collection and the `cattle` command ship together; every plugin's docs render."""

from __future__ import annotations

import glob
import os
import subprocess
import tarfile
import zipfile

import pytest

from tests.conftest import REPO


def run(venv_bin, tool, *args, cwd=REPO):
    return subprocess.run([os.path.join(venv_bin, tool), *args], cwd=cwd, capture_output=True, text=True, check=False)


def test_galaxy_build_gives_a_clean_artifact(venv_bin, tmp_path):
    result = run(venv_bin, "ansible-galaxy", "collection", "build", "--output-path", str(tmp_path), REPO)
    assert result.returncode == 0, result.stderr
    (artifact,) = glob.glob(str(tmp_path / "cattle-images-*.tar.gz"))
    names = tarfile.open(artifact).getnames()
    assert "galaxy.yml" not in names  # galaxy turns it into MANIFEST.json
    assert "MANIFEST.json" in names
    assert "playbooks/build_image.yml" in names
    assert "plugins/modules/docker.py" in names
    assert not [n for n in names if n.startswith((".venv", "tests/output", "cattle_cli"))]


@pytest.mark.slow
def test_one_wheel_holds_the_command_and_the_collection(venv_bin, tmp_path):
    result = run(venv_bin, "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp_path), REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    (wheel,) = glob.glob(str(tmp_path / "cattle_images-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "cattle_cli/main.py" in names
    prefix = "ansible_collections/cattle/images/"
    for needed in ("galaxy.yml", "playbooks/build_image.yml", "roles/build/tasks/main.yml",
                   "plugins/module_utils/template/__init__.py", "plugins/action/plan.py"):
        assert prefix + needed in names, needed
    assert any(n.endswith("entry_points.txt") for n in names)


def plugin_names(kind_dir):
    return sorted(
        os.path.splitext(os.path.basename(p))[0]
        for p in glob.glob(os.path.join(REPO, "plugins", kind_dir, "*.py"))
        if not os.path.basename(p).startswith("_")
    )


@pytest.mark.parametrize("name", plugin_names("modules"))
def test_module_docs_render(venv_bin, name):
    result = run(venv_bin, "ansible-doc", "-t", "module", f"cattle.images.{name}")
    assert result.returncode == 0, result.stderr
    assert "EXAMPLES" in result.stdout and "cattle.images." in result.stdout
    assert "[WARNING]" not in result.stderr, result.stderr


@pytest.mark.parametrize("name", plugin_names("callback"))
def test_callback_docs_render(venv_bin, name):
    result = run(venv_bin, "ansible-doc", "-t", "callback", f"cattle.images.{name}")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("name", plugin_names("action"))
def test_every_action_plugin_is_documented(name):
    assert os.path.isfile(os.path.join(REPO, "plugins", "modules", f"{name}.py")), (
        f"action plugin {name} has no documentation stub in plugins/modules/"
    )
