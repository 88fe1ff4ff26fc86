"""The breakpoint provisioner: waits for Enter on a terminal, never hangs without one."""

from __future__ import annotations

import fcntl
import json
import os
import select
import subprocess
import termios
import time

from provisioner_harness import VENV_BIN, run_tasks, ui_text, write_plan


def test_without_a_terminal_it_continues(tmp_path):
    plan = write_plan(tmp_path, [
        {"type": "breakpoint", "config": {"note": "look at it"}},
        {"type": "breakpoint", "config": {"disable": True, "note": "off"}},
        {"type": "breakpoint", "config": {"disable": True}},
        {"type": "breakpoint", "config": {"nope": 1}},
    ])
    results = run_tasks(tmp_path, [
        {"cattle.images.breakpoint": {"plan_file": plan, "build": "docker", "step": i}} for i in range(4)
    ], plan_file=plan)
    assert ui_text(results[0]).splitlines() == [
        'Pausing at breakpoint provisioner with note "look at it".', "no terminal: not pausing",
    ]
    assert not results[0].get("failed")
    assert ui_text(results[1]) == 'Breakpoint provisioner with note "off" disabled; continuing...'
    assert ui_text(results[2]) == "Breakpoint provisioner disabled; continuing..."
    assert results[3]["msg"] == "build 'docker', provisioners[3] (breakpoint): unknown configuration key: '\"nope\"'"


def _with_controlling_terminal(slave):
    def setup():
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
    return setup


def test_with_a_terminal_it_waits_for_enter(tmp_path):
    plan = write_plan(tmp_path, [{"type": "breakpoint", "config": {"note": "check the disk"}}])
    (tmp_path / "inventory.json").write_text(json.dumps({"all": {"hosts": {"build": {
        "ansible_connection": "local", "ansible_python_interpreter": os.path.join(VENV_BIN, "python"),
        "cattle_build": {"name": "docker", "type": "docker", "plan_file": plan}}}}}))
    (tmp_path / "play.json").write_text(json.dumps([{"hosts": "build", "gather_facts": False, "tasks": [
        {"cattle.images.breakpoint": {"plan_file": plan, "build": "docker", "step": 0}, "register": "bp"},
        {"ansible.builtin.debug": {"msg": "AFTER-BREAKPOINT {{ bp.ui | to_json }}"}},
    ]}]))
    master, slave = os.openpty()
    process = subprocess.Popen(
        [os.path.join(VENV_BIN, "ansible-playbook"), "-i", "inventory.json", "play.json"],
        cwd=tmp_path, stdin=slave, stdout=slave, stderr=slave,
        preexec_fn=_with_controlling_terminal(slave), env=dict(os.environ, ANSIBLE_NOCOLOR="1"),
    )
    os.close(slave)

    def read_until(marker, seen=b""):
        deadline = time.monotonic() + 60
        while marker not in seen:
            assert time.monotonic() < deadline, seen
            ready, _writable, _failed = select.select([master], [], [], 1)
            if ready:
                try:
                    seen += os.read(master, 4096)
                except OSError:  # the terminal closed: the play ended
                    break
        return seen

    try:
        seen = read_until(b"Press enter to continue.")
        assert b'==> docker: Pausing at breakpoint provisioner with note "check the disk".' in seen
        time.sleep(1)
        assert process.poll() is None  # still waiting
        os.write(master, b"\n")
        output = read_until(b"PLAY RECAP", seen)
        output = read_until(b"\x00", output)
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(master)
    assert process.returncode == 0, output
    assert b"AFTER-BREAKPOINT" in output
    assert b"no terminal" not in output


def test_under_ansible_runner_it_does_not_wait(tmp_path, monkeypatch):
    """ansible-runner gives the play a pseudo-terminal that nobody types into."""
    import ansible_runner

    plan = write_plan(tmp_path, [{"type": "breakpoint", "config": {"note": "runner"}}])
    (tmp_path / "inventory.json").write_text(json.dumps({"all": {"hosts": {"build": {
        "ansible_connection": "local", "ansible_python_interpreter": os.path.join(VENV_BIN, "python"),
        "cattle_build": {"name": "docker", "type": "docker", "plan_file": plan}}}}}))
    (tmp_path / "play.json").write_text(json.dumps([{"hosts": "build", "gather_facts": False, "tasks": [
        {"cattle.images.breakpoint": {"plan_file": plan, "build": "docker", "step": 0}},
    ]}]))
    (tmp_path / "runner").mkdir()
    monkeypatch.setenv("PATH", VENV_BIN + os.pathsep + os.environ.get("PATH", ""))
    run = ansible_runner.run(
        private_data_dir=str(tmp_path / "runner"), playbook=str(tmp_path / "play.json"),
        inventory=str(tmp_path / "inventory.json"), quiet=True, timeout=90,
    )
    assert run.status == "successful", run.stdout.read()
    results = [e["event_data"]["res"] for e in run.events if e.get("event") == "runner_on_ok"]
    assert results[0]["ui"][-1] == ["say", "no terminal: not pausing"]


def test_prompt_channel():
    from ansible_collections.cattle.images.plugins.plugin_utils.terminal import prompt_channel

    assert prompt_channel({}) == "ansible"
    assert prompt_channel({"RUNNER_OMIT_EVENTS": "False"}) is None
    assert prompt_channel({"RUNNER_OMIT_EVENTS": "False", "CATTLE_TTY": "/dev/pts/7"}) == "cattle_tty"
    assert prompt_channel({"CATTLE_TTY": "none"}) is None


def test_cattle_tty_is_asked_directly(tmp_path):
    """The cattle command passes its terminal's path; the answer is read from it."""
    master, slave = os.openpty()
    plan = write_plan(tmp_path, [{"type": "breakpoint", "config": {"note": "via CATTLE_TTY"}}])
    os.write(master, b"\n")  # Enter, typed ahead
    try:
        results = run_tasks(tmp_path, [{"cattle.images.breakpoint": {"plan_file": plan, "build": "docker", "step": 0}}],
                            plan_file=plan, env={"CATTLE_TTY": os.ttyname(slave)})
        shown = os.read(master, 4096)
    finally:
        os.close(master)
        os.close(slave)
    assert not results[0].get("failed"), results[0]["msg"]
    assert "no terminal" not in ui_text(results[0])
    assert b'Pausing at breakpoint provisioner with note "via CATTLE_TTY".' in shown
