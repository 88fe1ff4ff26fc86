"""`cattle build` prints Packer's first lines while ansible-playbook starts, flushed to a pipe.

The build runs in a child process with stdout a pipe (as under CI or ``| tee``), with
ansible-runner's ``run`` replaced by a stand-in that blocks until this test lets it go; the test
lets it go only after it has read the first lines from the pipe. Lines printed later than that,
or left in a buffer, never arrive and the test fails on its read timeout.
"""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import time

import pytest

RUNNER_STAND_IN = r"""
import os, sys, time, types
import ansible_runner

def run(**kwargs):
    # As ansible-runner does right before it spawns ansible-playbook.
    for status in ("starting", "running"):
        kwargs["status_handler"]({"status": status}, runner_config=None)
    # Here ansible-playbook would import Ansible and wait at the start gate. Block until the test
    # has read the first lines.
    open(os.environ["TEST_RUNNER_CALLED"], "w").close()
    deadline = time.monotonic() + 120
    while not os.path.exists(os.environ["TEST_RUNNER_GO"]):
        if time.monotonic() > deadline:
            sys.exit("the test never let ansible-playbook start")
        time.sleep(0.01)
    return types.SimpleNamespace(status="successful", rc=0)

ansible_runner.run = run
from cattle_cli.main import main
sys.exit(main(sys.argv[1:]))
"""


def _read_line(stream, timeout):
    """One line from a pipe, or fail after ``timeout`` seconds without one."""
    selector = selectors.DefaultSelector()
    selector.register(stream, selectors.EVENT_READ)
    line = b""
    while not line.endswith(b"\n"):
        if not selector.select(timeout):
            pytest.fail(f"no complete line on stdout within {timeout} s (got {line!r})")
        byte = os.read(stream.fileno(), 1)
        if not byte:
            pytest.fail(f"stdout closed after {line!r}")
        line += byte
    return line.decode()


def _wait_for(path, process, timeout):
    """Whether ``path`` appears within ``timeout`` seconds (stops early if ``process`` ends)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not path.exists() and process.poll() is None:
        time.sleep(0.01)
    return path.exists()


@pytest.fixture
def two_docker_builds(tmp_path):
    builder = {"type": "docker", "image": "local/debian:bookworm", "commit": True}
    template = {"builders": [dict(builder, name="first"), dict(builder, name="second")],
                "provisioners": [{"type": "shell", "inline": ["true"]}]}
    path = tmp_path / "template.json"
    path.write_text(json.dumps(template))
    return path


@pytest.mark.parametrize("flags", [[], ["-timestamp-ui"]])
def test_the_colour_lines_reach_a_pipe_while_ansible_playbook_starts(tmp_path, two_docker_builds, flags):
    called, go = tmp_path / "runner-called", tmp_path / "runner-go"
    (tmp_path / "tmp").mkdir()
    env = dict(os.environ, TEST_RUNNER_CALLED=str(called), TEST_RUNNER_GO=str(go),
               TMPDIR=str(tmp_path / "tmp"),  # run directories (and the sweep of dead ones) stay here
               DOCKER_HOST=f"unix://{tmp_path}/no-docker.sock")  # the sweep finds no daemon to search
    env.pop("PYTHONUNBUFFERED", None)  # as a user's shell has it: stdout to a pipe is block-buffered
    process = subprocess.Popen([sys.executable, "-c", RUNNER_STAND_IN, "build", *flags, str(two_docker_builds)],
                               cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        lines = [_read_line(process.stdout, timeout=60) for _ in range(3)]
        assert not go.exists()  # ansible-playbook has not been let go: the lines came before it
        assert lines == ["first: output will be in this color.\n", "second: output will be in this color.\n", "\n"]
        # The stand-in was reached (and is waiting): the lines were not the whole story.
        assert _wait_for(called, process, timeout=60), process.stderr.read().decode()
        go.touch()
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, out.decode() + err.decode()
    assert not [name for name in os.listdir(tmp_path / "tmp") if name.startswith("cattle-run-")]
