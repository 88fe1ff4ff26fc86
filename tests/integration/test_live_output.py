"""A provisioner's output appears line by line as it is produced (#18), on every front-end.

Each build runs a step that prints ``first-line`` and then waits for a flag file that only the
test creates, and only once it has read ``first-line`` from cattle's output. Output that
arrives when the step ends never shows ``first-line`` in time: the build waits for the flag
until the test's overall timeout, and the test fails. No timing is asserted.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading

import pytest

from tests.fixtures.docker_cli import build_name, write_docker_template

pytestmark = [pytest.mark.docker, pytest.mark.slow]

PLAYBOOK = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
TIMEOUT = 240  # the whole build; only output that is not live can run into it
WAIT_FOR_FLAG = "echo first-line; echo to-stderr >&2; while [ ! -e {flag} ]; do sleep 0.2; done; echo second-line"


def run_live(argv, on_first_line, cwd, env=None):
    """Run ``argv``, reading its stdout line by line; call ``on_first_line`` once ``first-line`` is seen.

    Returns ``(exit code, lines)``; fails the test (after stopping the run) on the overall timeout.
    """
    process = subprocess.Popen(argv, cwd=cwd, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    lines = []
    released = threading.Event()

    def read():
        for line in process.stdout:
            lines.append(line.rstrip("\n"))
            if not released.is_set() and "first-line" in line:
                released.set()
                on_first_line()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        code = process.wait(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGTERM)  # cattle cleans up on SIGTERM
        process.wait(timeout=120)
        reader.join(10)
        pytest.fail(f"the build did not end within {TIMEOUT}s; first-line seen: {released.is_set()}\n"
                    + "\n".join(lines))
    reader.join(30)
    assert released.is_set(), "\n".join(lines)
    return code, lines


@pytest.fixture
def flag_dir():
    """A host directory the build container mounts as /flag: creating ``go`` there releases the step."""
    path = tempfile.mkdtemp(prefix="live18-flag-")
    os.chmod(path, 0o777)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def docker_template(tmp_path, build, flag_dir):
    return write_docker_template(tmp_path / "template.json", build, {
        "provisioners": [{"type": "shell", "inline": [WAIT_FOR_FLAG.format(flag="/flag/go")]}],
    }, discard=True, volumes={flag_dir: "/flag"})


def release(flag_dir):
    return lambda: open(os.path.join(flag_dir, "go"), "w").close()


def assert_live_order(lines, prefix):
    first = lines.index(f"{prefix}first-line")
    second = lines.index(f"{prefix}second-line")
    assert first < second, "\n".join(lines)


def test_cattle_build_shows_each_line_as_it_comes(venv_bin, tmp_path, flag_dir):
    with build_name("live18-plain") as build:
        template = docker_template(tmp_path, build, flag_dir)
        code, lines = run_live([os.path.join(venv_bin, "cattle"), "build", str(template)], release(flag_dir), tmp_path)
    assert code == 0, "\n".join(lines)
    assert_live_order(lines, f"    {build}: ")
    assert f"==> {build}: to-stderr" in lines  # stderr lines as Packer shows them (ui.Error)
    shown = [line for line in lines if line.endswith("first-line") or line.endswith("second-line")]
    assert len(shown) == 2, "\n".join(lines)  # once each: not again when the step ends
    provisioning = next(i for i, line in enumerate(lines) if line.startswith(f"==> {build}: Provisioning with shell script"))
    assert provisioning < lines.index(f"    {build}: first-line")  # the step's own lines are live too, in order


def test_machine_readable_lines_come_live(venv_bin, tmp_path, flag_dir):
    with build_name("live18-machine") as build:
        template = docker_template(tmp_path, build, flag_dir)
        code, lines = run_live([os.path.join(venv_bin, "cattle"), "build", "-machine-readable", str(template)],
                               release(flag_dir), tmp_path)
    assert code == 0, "\n".join(lines)
    messages = [re.sub(r"^\d+,", "", line) for line in lines if ",ui," in line]
    first = messages.index(f",ui,message,    {build}: first-line")
    assert first < messages.index(f",ui,message,    {build}: second-line")
    assert f",ui,error,==> {build}: to-stderr" in messages


def test_playbook_with_the_packer_callback_shows_lines_live(tmp_path, flag_dir):
    with build_name("live18-playbook") as build:
        template = docker_template(tmp_path, build, flag_dir)
        code, lines = run_live([PLAYBOOK, "cattle.images.build_image", "-e", f"template={template}"],
                               release(flag_dir), tmp_path,
                               env={"ANSIBLE_STDOUT_CALLBACK": "cattle.images.packer", "ANSIBLE_LOCALHOST_WARNING": "False",
                                    "ANSIBLE_INVENTORY_UNPARSED_WARNING": "False"})
    assert code == 0, "\n".join(lines)
    assert_live_order(lines, f"    {build}: ")


def test_shell_local_streams_from_the_controller(venv_bin, tmp_path):
    flag = tmp_path / "go"
    template = tmp_path / "template.json"
    template.write_text(json.dumps({
        "builders": [{"type": "null", "name": "local", "communicator": "none"}],
        "provisioners": [{"type": "shell-local", "inline": [WAIT_FOR_FLAG.format(flag=flag)]}],
    }))
    code, lines = run_live([os.path.join(venv_bin, "cattle"), "build", str(template)], flag.touch, tmp_path)
    assert code == 0, "\n".join(lines)
    assert_live_order(lines, "    local: ")


def test_a_post_processor_streams_too(venv_bin, tmp_path):
    flag = tmp_path / "go"
    template = tmp_path / "template.json"
    template.write_text(json.dumps({
        "builders": [{"type": "null", "name": "local", "communicator": "none"}],
        "post-processors": [{"type": "shell-local", "inline": [WAIT_FOR_FLAG.format(flag=flag)]}],
    }))
    code, lines = run_live([os.path.join(venv_bin, "cattle"), "build", str(template)], flag.touch, tmp_path)
    assert code == 0, "\n".join(lines)
    assert lines.index("==> local: Running post-processor: shell-local") < lines.index("    local (shell-local): first-line")
    assert_live_order(lines, "    local (shell-local): ")


def test_ssh_communicator_streams(venv_bin, tmp_path, sshd_target):
    flag = "/tmp/live18-go"
    template = tmp_path / "template.json"
    template.write_text(json.dumps({
        "builders": [{"type": "null", "name": "remote", "ssh_host": sshd_target.host, "ssh_port": sshd_target.port,
                      "ssh_username": sshd_target.username, "ssh_password": sshd_target.password,
                      "ssh_timeout": "30s"}],
        "provisioners": [{"type": "shell", "inline": [WAIT_FOR_FLAG.format(flag=flag)]}],
    }))
    code, lines = run_live([os.path.join(venv_bin, "cattle"), "build", str(template)],
                           lambda: sshd_target.exec(f"touch {flag}"), tmp_path)
    assert code == 0, "\n".join(lines)
    assert_live_order(lines, "    remote: ")
    assert "==> remote: to-stderr" in lines
    assert sshd_target.password not in "\n".join(lines)
