"""`cattle build -keep-artifacts DIR` keeps ansible-runner's job events, secrets masked; a build
uses the collection `cattle` validated with, even when another cattle.images is visible (#16)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

CATTLE = os.path.join(os.path.dirname(sys.executable), "cattle")
SECRET = f"kept-{uuid.uuid4().hex}"


def _template(path, exit_code):
    path.write_text(json.dumps({
        "variables": {"pw": SECRET}, "sensitive-variables": ["pw"],
        "builders": [{"type": "null", "communicator": "none"}],
        "provisioners": [{"type": "shell-local", "inline": ["echo said {{user `pw`}}", f"exit {exit_code}"]}],
    }))
    return str(path)


def _build(tmp_path, *args, env=None):
    return subprocess.run([CATTLE, "build", "-color=false", *args], cwd=tmp_path, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=300, check=False)


def _files(root):
    return {os.path.relpath(os.path.join(d, n), root): os.path.join(d, n) for d, _s, ns in os.walk(root) for n in ns}


def test_a_failed_build_says_where_its_job_events_are_kept(tmp_path):
    keep = tmp_path / "keep"
    result = _build(tmp_path, "-keep-artifacts", str(keep), _template(tmp_path / "t.json", 3))
    assert result.returncode == 1
    kept = [line for line in result.stdout.splitlines() if "job events and output are kept in" in line]
    assert len(kept) == 1, result.stdout
    where = kept[0].rsplit(" ", 1)[1]
    assert os.path.dirname(where) == str(keep)
    files = _files(where)
    assert any(name.endswith("/stdout") for name in files), files
    assert any("/job_events/" in name for name in files), files
    texts = [open(path, encoding="utf-8", errors="replace").read() for path in files.values()]
    assert any("said <sensitive>" in text for text in texts)
    assert not any(SECRET in text for text in texts)
    # A second run keeps its own directory beside the first, overwriting nothing.
    again = _build(tmp_path, _template(tmp_path / "t.json", 3), env={"CATTLE_KEEP_ARTIFACTS": str(keep)})
    assert again.returncode == 1
    assert len(os.listdir(keep)) == 2


def test_a_successful_build_keeps_them_silently(tmp_path):
    keep = tmp_path / "keep"
    result = _build(tmp_path, "-keep-artifacts", str(keep), _template(tmp_path / "t.json", 0))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "kept in" not in result.stdout
    assert len(os.listdir(keep)) == 1


def test_another_cattle_images_first_on_the_path_is_ignored_and_named(tmp_path):
    # A copy whose shell-local fails at once: were it loaded, the build would fail.
    other = tmp_path / "other" / "ansible_collections" / "cattle" / "images"
    (other / "plugins" / "action").mkdir(parents=True)
    (other / "galaxy.yml").write_text("namespace: cattle\nname: images\nversion: 9.9.9\n")
    (other / "plugins" / "action" / "shell_local.py").write_text("raise RuntimeError('the other copy was loaded')\n")
    result = _build(tmp_path, _template(tmp_path / "t.json", 0),
                    env={"ANSIBLE_COLLECTIONS_PATH": str(tmp_path / "other")})
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"another cattle.images collection is visible at {other}" in result.stderr
