"""Freezing and killing what a cancelled run left below the wrapper."""

from __future__ import annotations

import os
import subprocess
import time

import pytest

from cattle_cli import process_tree


def _state(pid):
    with open(f"/proc/{pid}/stat", encoding="utf-8") as handle:
        return handle.read().rsplit(")", 1)[1].split()[0]


def _wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_freeze_stops_the_whole_tree_even_a_new_session_and_kill_ends_it():
    # A parent whose child starts its own session (as Ansible's workers do) and a grandchild.
    parent = subprocess.Popen(["sh", "-c", "setsid sh -c 'sleep 300 & sleep 300' & wait"])
    try:
        assert _wait_for(lambda: len(process_tree.descendants(parent.pid)) >= 3)
        frozen = process_tree.freeze(parent.pid)
        assert len(frozen) >= 3
        assert all(_state(pid) == "T" for pid in frozen)
        process_tree.kill(frozen)
        assert not any(os.path.exists(f"/proc/{pid}") and _state(pid) != "Z" for pid in frozen)
    finally:
        parent.kill()
        parent.wait()


def test_a_reused_pid_is_not_killed():
    sleeper = subprocess.Popen(["sleep", "300"])
    try:
        # Recorded with another start time: it is not the process that was frozen.
        process_tree.kill({sleeper.pid: -1}, timeout=0.2)
        assert sleeper.poll() is None
    finally:
        sleeper.kill()
        sleeper.wait()


_GUARDED = """
import os, sys, time
from cattle_cli import process_tree
process_tree.die_with_parent(int(os.environ["CATTLE_GUARD_PARENT"]))
process_tree.die_with_parents_from_here_on()
worker = os.fork()
if worker == 0:
    os.setsid()  # as Ansible's workers do: out of reach of a process-group kill
    time.sleep(300)
    os._exit(0)
with open(sys.argv[1], "w") as handle:
    handle.write(f"{os.getpid()} {worker}")
time.sleep(300)
"""

_WRAPPER = """
import os, subprocess, sys, time
env = dict(os.environ, CATTLE_GUARD_PARENT=str(os.getpid()))
subprocess.Popen([sys.executable, "-c", sys.argv[1], sys.argv[2]], env=env)
time.sleep(300)
"""


def test_a_guarded_child_and_the_workers_it_forks_die_when_the_wrapper_is_killed(tmp_path):
    import signal
    import sys

    pids_file = tmp_path / "pids"
    wrapper = subprocess.Popen([sys.executable, "-c", _WRAPPER, _GUARDED, str(pids_file)])
    try:
        assert _wait_for(lambda: pids_file.exists() and len(pids_file.read_text().split()) == 2)
        playbook, worker = map(int, pids_file.read_text().split())
        assert os.path.exists(f"/proc/{worker}")
        wrapper.send_signal(signal.SIGKILL)
        wrapper.wait()

        def gone(pid):
            try:
                return _state(pid) == "Z"
            except FileNotFoundError:
                return True

        assert _wait_for(lambda: gone(playbook) and gone(worker)), "the guarded tree outlived its wrapper"
    finally:
        if wrapper.poll() is None:
            wrapper.kill()
            wrapper.wait()


def test_a_guarded_child_whose_parent_is_already_gone_dies_at_once(tmp_path):
    import sys

    proc = subprocess.run([sys.executable, "-c", "from cattle_cli import process_tree; "
                           "process_tree.die_with_parent(1); print('survived')"],
                          capture_output=True, text=True, timeout=30, check=False)
    assert proc.returncode == -9 and "survived" not in proc.stdout


def test_ansible_playbook_runs_nothing_before_the_start_gate_opens(tmp_path, monkeypatch):
    # ansible-playbook's main() stands in: it records whether the gate was open when it was called.
    import sys
    import threading
    import types

    gate = tmp_path / "swept"
    called_with_gate_open = []
    fake = types.ModuleType("ansible.cli.playbook")
    fake.main = lambda: called_with_gate_open.append(gate.exists()) or 0
    import ansible.cli  # noqa: F401 - the real parent packages; only the playbook entry point is faked

    monkeypatch.setitem(sys.modules, "ansible.cli.playbook", fake)
    monkeypatch.setattr(sys, "argv", list(sys.argv))
    monkeypatch.setenv(process_tree.START_GATE_ENV, str(gate))
    opener = threading.Timer(0.3, process_tree.open_start_gate, args=(str(gate),))
    opener.start()
    try:
        assert process_tree._playbook_main(["ansible-playbook", "site.yml"]) == 0
    finally:
        opener.join()
    assert called_with_gate_open == [True]
    # Popped, so the workers and the commands they start do not inherit it.
    assert process_tree.START_GATE_ENV not in os.environ


def test_without_a_start_gate_ansible_playbook_starts_at_once(monkeypatch):
    monkeypatch.delenv(process_tree.START_GATE_ENV, raising=False)
    process_tree.wait_for_start_gate()  # returns: nothing to wait for (ansible-playbook run directly)


@pytest.mark.parametrize("gate_says, runs_with", [
    ({"arguments": ["--forks", "4"]}, ["ansible-playbook", "site.yml", "--forks", "4"]),
    ({"abort": True}, None),  # the template was not valid: nothing runs
])
def test_the_start_gate_says_how_ansible_playbook_goes_on(tmp_path, monkeypatch, gate_says, runs_with):
    import sys
    import types

    gate = tmp_path / "swept"
    process_tree.open_start_gate(str(gate), **gate_says)
    assert not (tmp_path / "swept.partial").exists()
    called_with = []
    fake = types.ModuleType("ansible.cli.playbook")
    fake.main = lambda: called_with.append(list(sys.argv)) or 0
    import ansible.cli  # noqa: F401 - the real parent packages; only the playbook entry point is faked

    monkeypatch.setitem(sys.modules, "ansible.cli.playbook", fake)
    monkeypatch.setattr(sys, "argv", list(sys.argv))
    monkeypatch.setenv(process_tree.START_GATE_ENV, str(gate))
    assert process_tree._playbook_main(["ansible-playbook", "site.yml"]) == 0
    assert called_with == ([runs_with] if runs_with else [])


START_WITH_LOCAL_ONLY = """
import json, sys
from cattle_cli import process_tree
process_tree.load_only_the_local_connection()
from ansible.plugins.loader import init_plugin_loader
init_plugin_loader([])
from ansible.executor import playbook_executor
loaded = [plugin._load_name for plugin in playbook_executor.connection_loader.all(class_only=True)]
# What ansible-playbook's own connection_loader still does, as everything but that start does.
ssh = playbook_executor.connection_loader.get("ssh", class_only=True)
print(json.dumps({"loaded": loaded, "winrm": "winrm" in sys.modules, "ssh": ssh._load_name}))
"""


def test_ansible_playbook_starts_with_only_the_local_connection(tmp_path):
    # In a process of its own: Ansible's plugin loader is process-wide state.
    import json
    import sys

    done = subprocess.run([sys.executable, "-c", START_WITH_LOCAL_ONLY], capture_output=True, text=True, check=True)
    report = json.loads(done.stdout.splitlines()[-1])
    assert len(report["loaded"]) == 1 and report["loaded"][0].endswith("local")
    assert report["winrm"] is False  # pywinrm is installed: ansible-core's preload would have imported it
    assert report["ssh"].endswith("ssh")


def test_the_collection_routing_is_parsed_once_then_read_from_the_cache(tmp_path, monkeypatch):
    from ansible.utils.collection_loader import _collection_finder, _collection_meta

    parsed = []
    original = _collection_meta._meta_yml_to_dict
    monkeypatch.setattr(_collection_meta, "_meta_yml_to_dict",
                        lambda data, content_id: parsed.append(content_id) or original(data, content_id))
    monkeypatch.setattr(_collection_finder, "_meta_yml_to_dict", _collection_meta._meta_yml_to_dict)
    process_tree.cache_collection_routing(str(tmp_path / "routing"))
    cached = _collection_finder._meta_yml_to_dict
    assert cached is _collection_meta._meta_yml_to_dict and cached.cattle_cached
    process_tree.cache_collection_routing(str(tmp_path / "elsewhere"))  # once only
    assert _collection_finder._meta_yml_to_dict is cached

    runtime = b"plugin_routing:\n  modules:\n    old:\n      redirect: ns.coll.new\n"
    expected = {"plugin_routing": {"modules": {"old": {"redirect": "ns.coll.new"}}}}
    assert cached(runtime, ("ns.coll", "runtime.yml")) == expected
    assert cached(runtime, ("ns.coll", "runtime.yml")) == expected
    assert parsed == [("ns.coll", "runtime.yml")]  # the second time came from the cache
    [entry] = os.listdir(tmp_path / "routing")
    assert entry.endswith(".json") and (tmp_path / "routing" / entry).stat().st_mode & 0o777 == 0o600
    # A changed file is another key; a broken cache entry is parsed again.
    assert cached(runtime + b"action_groups: {}\n", ("ns.coll", "runtime.yml"))["action_groups"] == {}
    (tmp_path / "routing" / entry).write_text("{not json")
    assert cached(runtime, ("ns.coll", "runtime.yml")) == expected
    assert len(parsed) == 3
