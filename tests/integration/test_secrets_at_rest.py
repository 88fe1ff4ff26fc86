"""Secrets at rest (issue #13): after a build that succeeds, fails or is interrupted (SIGINT), no
file holds a sensitive value or its common encodings — not the run directory, not the temp
directory, not the project, not the built image — and nothing printed does either."""

from __future__ import annotations

import base64
import glob
import json
import os
import re
import signal
import stat
import subprocess
import time
import urllib.parse
import uuid

import pytest

from tests.fixtures.interrupt import CATTLE, interrupted_build, run_build

pytestmark = [pytest.mark.docker, pytest.mark.slow]

RUN = uuid.uuid4().hex[:8]
SECRET = f"S3cr3t/{RUN}+&=x"


def forms(value):
    raw = value.encode()
    return {value, urllib.parse.quote(value, safe=""), json.dumps(value)[1:-1], base64.b64encode(raw).decode()}


def files_holding_secret(*roots, changed_since=None):
    """Every regular file under ``roots`` whose bytes hold the secret in any of its forms. With
    ``changed_since`` (a time), only files whose inode changed since then are read: a file written
    later has a later ctime, which no one can set back, so the files skipped cannot hold what the
    test wrote (the shared /tmp holds many gigabytes of other runs' files)."""
    needles = [form.encode() for form in forms(SECRET)]
    found = []
    for root in roots:
        for directory, _dirs, names in os.walk(root):
            for name in names:
                path = os.path.join(directory, name)
                try:
                    info = os.stat(path)
                    if not stat.S_ISREG(info.st_mode) or info.st_size > 64 << 20:
                        continue
                    if changed_since is not None and info.st_ctime < changed_since:
                        continue
                    with open(path, "rb") as handle:
                        data = handle.read()
                except OSError:
                    continue
                if any(needle in data for needle in needles):
                    found.append(path)
    return found


@pytest.fixture
def project(tmp_path):
    temp = tmp_path / "tmp"
    temp.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    repository = f"local/cattle-secrets-{RUN}"
    # A second of slack for the file system's timestamp granularity.
    state = {"started": time.time() - 1, "work": work, "temp": temp, "repository": repository,
             "env": dict(os.environ, TMPDIR=str(temp), CATTLE_TEST_PASSWORD=SECRET)}
    yield state
    refs = subprocess.run(["docker", "images", "-q", repository], capture_output=True, text=True, check=False).stdout.split()
    if refs:
        subprocess.run(["docker", "rmi", "-f", *set(refs)], capture_output=True, check=False)


def write_template(project, provisioners, name):
    template = {
        "variables": {"password": "{{env `CATTLE_TEST_PASSWORD`}}"},  # the template on disk holds no secret
        "sensitive-variables": ["password"],
        "builders": [{"type": "docker", "name": f"secrets-{RUN}", "image": "local/debian:bookworm", "pull": False,
                      "commit": True}],
        "provisioners": provisioners,
        "post-processors": [[{"type": "docker-tag", "repository": project["repository"], "tags": [name]}]],
    }
    path = project["work"] / f"{name}.json"
    path.write_text(json.dumps(template))
    return path


PASSWORD = "{{user `password`}}"
USES_SECRET = [
    {"type": "shell-local", "inline": [f"test -n '{PASSWORD}'"]},
    {"type": "shell", "inline": [f"test -n '{PASSWORD}'"], "environment_vars": [f"PASSWORD={PASSWORD}"]},
    {"type": "file", "content": f"{PASSWORD}", "destination": "/tmp/uploaded-and-removed"},
    {"type": "shell", "inline": ["rm /tmp/uploaded-and-removed"]},
]


def assert_nothing_left(project, output):
    assert SECRET not in output
    assert files_holding_secret(project["temp"], project["work"]) == []
    assert glob.glob(str(project["temp"] / "cattle-run-*")) == []  # the run directory went with the run
    # Outside our TMPDIR too: nothing the run wrote to the system temp dir.
    assert [path for path in files_holding_secret("/tmp", changed_since=project["started"]) if RUN in open(path, "rb").read().decode("latin-1")] == []


def test_no_secret_on_disk_after_a_normal_build(project):
    template = write_template(project, USES_SECRET, "normal")
    result = run_build(template, project["work"], env=project["env"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert_nothing_left(project, result.stdout + result.stderr)
    image = f"{project['repository']}:normal"
    exported = project["temp"] / "image.tar"
    container = subprocess.run(["docker", "create", image, "/bin/true"], capture_output=True, text=True,
                               check=True).stdout.strip()
    try:
        subprocess.run(["docker", "export", "-o", str(exported), container], check=True)
    finally:
        subprocess.run(["docker", "rm", "-f", container], capture_output=True, check=False)
    assert files_holding_secret(project["temp"]) == []  # the image's filesystem
    inspect = subprocess.run(["docker", "image", "inspect", image], capture_output=True, text=True, check=True).stdout
    assert not [form for form in forms(SECRET) if form in inspect]


def test_no_secret_on_disk_after_a_failed_build(project):
    failing = USES_SECRET[:2] + [{"type": "shell", "inline": [f"echo '{PASSWORD}' > /dev/null", "exit 3"]}]
    template = write_template(project, failing, "failed")
    result = run_build(template, project["work"], env=project["env"])
    assert result.returncode != 0
    assert "exit status 3" in result.stdout + result.stderr or "3" in result.stdout
    assert_nothing_left(project, result.stdout + result.stderr)


def test_no_secret_on_disk_after_an_aborted_build(project):
    # -on-error=abort keeps the container and the temp dir it mounts (in the run directory), nothing else.
    failing = USES_SECRET + [{"type": "shell", "inline": [f"echo '{PASSWORD}' > /dev/null", "exit 3"]}]
    template = write_template(project, failing, "aborted")
    result = run_build(template, project["work"], "-on-error=abort", env=project["env"])
    containers = subprocess.run(["docker", "ps", "-aq", "--filter", f"label=cattle.build_name=secrets-{RUN}"],
                                capture_output=True, text=True, check=True).stdout.split()
    try:
        assert result.returncode != 0
        assert len(containers) == 1, result.stdout + result.stderr
        assert SECRET not in result.stdout + result.stderr
        assert files_holding_secret(project["temp"], project["work"]) == []
        [run_dir] = glob.glob(str(project["temp"] / "cattle-run-*"))
        assert sorted(os.listdir(run_dir)) == ["kept.json", "tmp"]
    finally:
        subprocess.run(["docker", "rm", "-f", *containers], capture_output=True, check=False)


@pytest.mark.parametrize("where", ["shell-local", "shell"])
def test_no_secret_on_disk_after_sigint_during_a_step(project, where):
    if where == "shell-local":
        marker = project["work"] / "ready"
        step = {"type": "shell-local", "inline": [f"test -n '{PASSWORD}'", f"touch {marker}", "sleep 120"]}

        def ready():
            return marker.exists()
    else:
        step = {"type": "shell", "inline": [f"test -n '{PASSWORD}'", "touch /packer-files/ready", "sleep 120"]}

        def ready():
            # The build's shared dir sits in the run dir's own temp dir (<temp>/cattle-run-*/tmp/).
            return bool(glob.glob(str(project["temp"] / "**" / "cattle-docker-*" / "ready"), recursive=True))
    template = write_template(project, [step], f"sigint-{where}")
    status, output = interrupted_build(template, project["work"], ready, f"the {where} step to start",
                                       env=project["env"], signum=signal.SIGINT, settle=1.0)
    assert status != 0
    assert_nothing_left(project, output)


def test_verbose_connection_logs_are_masked(project):
    """ansible-playbook -vvv: the docker connection logs each command it execs, environment included."""
    step = {"type": "shell", "inline": [f"test -n '{PASSWORD}'"], "environment_vars": [f"PW={PASSWORD}"]}
    template = write_template(project, [step], "verbose")
    extra = json.dumps({"template": str(template)})
    result = subprocess.run(
        [os.path.join(os.path.dirname(CATTLE), "ansible-playbook"), "-vvv", "cattle.images.build_image", "-e", extra],
        cwd=project["work"], capture_output=True, text=True, timeout=300, check=False,
        env=dict(project["env"], ANSIBLE_LOCALHOST_WARNING="False", ANSIBLE_INVENTORY_UNPARSED_WARNING="False"),
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    output = result.stdout + result.stderr
    assert re.search(r"EXEC .*PW='<sensitive>'", output)  # the line that used to show it
    assert not [form for form in forms(SECRET) if form in output]
    assert_nothing_left(project, "")
