"""Freezing and killing what a cancelled run left below the wrapper."""

from __future__ import annotations

import os
import subprocess
import sys
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
    applied = stub_start_caches(monkeypatch)
    opener = threading.Timer(0.3, process_tree.open_start_gate, args=(str(gate),))
    opener.start()
    try:
        assert process_tree._playbook_main(["ansible-playbook", "site.yml"]) == 0
    finally:
        opener.join()
    assert called_with_gate_open == [True]
    # ansible-core's configuration definitions are cached before ansible.constants is imported.
    assert applied == ["cache_config_definitions", "load_only_the_local_connection", "cache_collection_routing",
                       "cache_collection_bytecode"]
    # Popped, so the workers and the commands they start do not inherit it.
    assert process_tree.START_GATE_ENV not in os.environ


def stub_start_caches(monkeypatch):
    """Record the start-up caches _playbook_main applies instead of patching ansible-core in this process."""
    applied = []
    for name in ("cache_config_definitions", "load_only_the_local_connection", "cache_collection_routing",
                 "cache_collection_bytecode"):
        monkeypatch.setattr(process_tree, name, lambda name=name: applied.append(name))
    return applied


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
    stub_start_caches(monkeypatch)
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


def test_what_json_cannot_give_back_unchanged_is_not_cached(tmp_path):
    parsed = process_tree._parsed_through_cache(str(tmp_path), b"key: [1, 2]\n", lambda: {"key": (1, 2)})
    assert parsed == {"key": (1, 2)}
    assert not tmp_path.exists() or os.listdir(tmp_path) == []  # a tuple would come back a list


def test_the_config_definitions_are_parsed_once_then_read_from_the_cache(tmp_path, monkeypatch):
    from ansible.config import manager

    parsed = []
    original = getattr(manager.ConfigManager._read_config_yaml_file, "__wrapped__", manager.ConfigManager._read_config_yaml_file)
    monkeypatch.setattr(manager.ConfigManager, "_read_config_yaml_file",
                        lambda self, yml_file: parsed.append(yml_file) or original(self, yml_file))
    process_tree.cache_config_definitions(str(tmp_path / "defs"))
    cached = manager.ConfigManager._read_config_yaml_file
    assert cached.cattle_cached
    process_tree.cache_config_definitions(str(tmp_path / "elsewhere"))  # once only
    assert manager.ConfigManager._read_config_yaml_file is cached

    base = os.path.join(os.path.dirname(manager.__file__), "base.yml")
    first = cached(None, base)
    assert cached(None, base) == first and "DEFAULT_FORKS" in first
    assert parsed == [base]  # the second time came from the cache
    [entry] = os.listdir(tmp_path / "defs")
    assert (tmp_path / "defs" / entry).stat().st_mode & 0o777 == 0o600
    # A file that cannot be read is ansible-core's to report, in its own words.
    with pytest.raises(Exception, match="Missing base YAML definition file"):
        cached(None, str(tmp_path / "missing.yml"))


def test_collection_code_is_compiled_once_then_read_from_the_cache(tmp_path, monkeypatch):
    from ansible.utils.collection_loader import _collection_finder

    loader_class = _collection_finder._AnsibleCollectionPkgLoaderBase
    # As ansible-core has it (another test may have run ansible-playbook's start in this process).
    monkeypatch.setattr(loader_class, "get_code", getattr(loader_class.get_code, "__wrapped__", loader_class.get_code))
    process_tree.cache_collection_bytecode(str(tmp_path / "code"))
    get_code = loader_class.get_code
    assert get_code.cattle_cached
    process_tree.cache_collection_bytecode(str(tmp_path / "elsewhere"))  # once only
    assert loader_class.get_code is get_code

    class Loader:
        def __init__(self, source, filename="/collections/ns/coll/plugins/module_utils/thing.py"):
            self._compiled_code, self.source, self.filename = None, source, filename

        def get_filename(self, fullname):
            return self.filename

        def get_source(self, fullname):
            return self.source

    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    compiled = []
    real_compile = compile
    monkeypatch.setattr("builtins.compile", lambda *args, **kwargs: compiled.append(args[1]) or real_compile(*args, **kwargs))
    source = b"ANSWER = 6 * 7\n"
    for _ in range(2):
        namespace = {}
        code = get_code(Loader(source), "ansible_collections.ns.coll.plugins.module_utils.thing")
        exec(code, namespace)  # noqa: S102 - the code just compiled from the source above
        assert namespace["ANSWER"] == 42 and code.co_filename == "/collections/ns/coll/plugins/module_utils/thing.py"
    assert compiled == ["/collections/ns/coll/plugins/module_utils/thing.py"]  # the second came from the cache
    [entry] = os.listdir(tmp_path / "code")
    assert (tmp_path / "code" / entry).stat().st_mode & 0o777 == 0o600
    # A changed source, or the same source under another name, compiles again; so does a broken entry.
    get_code(Loader(b"ANSWER = 1\n"), "x")
    get_code(Loader(source, "/elsewhere/thing.py"), "x")
    (tmp_path / "code" / entry).write_bytes(b"\x00broken")
    namespace = {}
    exec(get_code(Loader(source), "x"), namespace)  # noqa: S102 - as above
    assert namespace["ANSWER"] == 42 and len(compiled) == 4
    # A synthetic package has no code; a loader that compiled already keeps what it has.
    assert get_code(Loader(None), "x") is None
    done = Loader(source)
    done._compiled_code = "kept"
    assert get_code(done, "x") == "kept"
    # Told not to write bytecode (PYTHONDONTWRITEBYTECODE), it reads what is there and writes nothing.
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    entries = sorted(os.listdir(tmp_path / "code"))
    namespace = {}
    exec(get_code(Loader(b"ANSWER = 2\n"), "x"), namespace)  # noqa: S102 - as above
    assert namespace["ANSWER"] == 2 and sorted(os.listdir(tmp_path / "code")) == entries
    exec(get_code(Loader(source), "x"), namespace)  # noqa: S102 - as above
    assert namespace["ANSWER"] == 42 and len(compiled) == 5  # the source above came from the cache
