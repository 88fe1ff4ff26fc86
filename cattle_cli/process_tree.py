"""Stop everything ansible-playbook started when a build is cancelled.

ansible-runner cancels a run by killing ansible-playbook's process group, but Ansible's
workers call ``setsid()``: they, and whatever they started (SSH, VBoxManage, a waiting AWS
call), outlive that kill and would go on creating things after the ledger sweep has looked.
So on cancel the wrapper first freezes (SIGSTOP) every process below it — repeating the
scan until nothing new appears, so that no process can start another and slip out — and,
once ansible-runner has returned, kills the frozen set before sweeping. A process is known
by its pid *and* start time, so a pid reused in between is never touched. Linux only (/proc).

When the wrapper itself dies without a chance to do any of this (SIGKILL, the OOM killer),
nothing below it may live on: :func:`run_guarded_playbook` runs ansible-playbook under a guard
that the kernel signals when the wrapper dies and that then freezes and kills the tree below it;
ansible-playbook and every process it forks (Ansible's workers, which leave its session) also
get a parent-death signal, so the tree dies even if the guard is killed too.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import sys
import time

_PR_SET_PDEATHSIG = 1
_forking_parent = None


def _stat(pid):
    """``(parent pid, start time)`` of a live process, or None.

    (ledger.process_start reads the same file; this module cannot import the collection: the
    guard runs ansible-playbook in its own process, and a plain import of ``ansible_collections``
    there breaks Ansible's collection loader.)"""
    fields = _stat_fields(pid)
    if fields is None or fields[0] == "Z":
        return None  # gone, or already dead and waiting to be reaped
    return int(fields[1]), int(fields[19])


def _stat_fields(pid):
    """The fields of ``/proc/PID/stat`` after the command name (state first), or None when gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as handle:
            return handle.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def descendants(root):
    """Every live process below ``root``: ``{pid: start time}``."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _stat(int(entry))
            if stat:
                children.setdefault(stat[0], []).append((int(entry), stat[1]))
    found, todo = {}, [root]
    while todo:
        for pid, started in children.get(todo.pop(), ()):
            if pid not in found:
                found[pid] = started
                todo.append(pid)
    return found


def _same(pid, started):
    stat = _stat(pid)
    return stat is not None and stat[1] == started


def freeze(root=None, rounds=10):
    """SIGSTOP every process below ``root`` (this process by default); returns them."""
    root = os.getpid() if root is None else root
    frozen = {}
    for _ in range(rounds):
        new = {pid: started for pid, started in descendants(root).items() if pid not in frozen}
        if not new:
            break
        for pid, started in new.items():
            try:
                os.kill(pid, signal.SIGSTOP)
            except ProcessLookupError:
                continue
            frozen[pid] = started
        # SIGSTOP lands asynchronously: until a process is really stopped it may still fork,
        # so wait for that before the next scan looks for children.
        _wait_stopped(new)
        # A frozen parent keeps the children it started meanwhile: the next scan finds them.
    return frozen


def _stopped_or_gone(pid):
    fields = _stat_fields(pid)
    return fields is None or fields[0] in ("T", "t", "Z", "X")


def _wait_stopped(pids, timeout=2.0):
    deadline = time.monotonic() + timeout
    waiting = set(pids)
    while waiting and time.monotonic() < deadline:
        waiting = {pid for pid in waiting if not _stopped_or_gone(pid)}
        if waiting:
            time.sleep(0.005)


def kill(frozen, timeout=10.0):
    """SIGKILL what :func:`freeze` stopped and still runs, and wait until it is gone."""
    for pid, started in frozen.items():
        if _same(pid, started):
            try:
                os.kill(pid, signal.SIGKILL)
                os.kill(pid, signal.SIGCONT)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(_same(pid, started) for pid, started in frozen.items()):
        time.sleep(0.05)


def die_with_parent(parent):
    """Have the kernel SIGKILL this process when ``parent`` (its parent now) dies.

    The signal is armed after the fact: if ``parent`` is already gone by then, die now.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != parent:
        os.kill(os.getpid(), signal.SIGKILL)


def _before_fork():
    global _forking_parent
    _forking_parent = os.getpid()


def _after_fork_in_child():
    die_with_parent(_forking_parent)


def die_with_parents_from_here_on():
    """This process dies with its parent, and so does every process it (or they) fork later."""
    os.register_at_fork(before=_before_fork, after_in_child=_after_fork_in_child)


PARENT_ENV = "CATTLE_GUARD_PARENT"
_PR_SET_CHILD_SUBREAPER = 36


def run_guarded_playbook(argv=None):
    """``ansible-playbook`` under a guard that ends it with the ``cattle`` process (its pid in
    ``CATTLE_GUARD_PARENT``) that started this one.

    The guard (this process) gets SIGTERM when ``cattle`` dies, however it dies, and then stops
    everything below it — ansible-playbook, its workers in their own sessions, the local commands
    they run — the way a cancel does. It is their subreaper, so nothing escapes the scan by losing
    its parent first. ansible-playbook and each process it forks also get SIGKILL when their own
    parent dies, should the guard itself be killed.
    """
    parent = os.environ.pop(PARENT_ENV, "")
    argv = ["ansible-playbook"] + list(sys.argv[1:] if argv is None else argv)
    if not parent.isdigit():
        return _playbook_main(argv)
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    if libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0) != 0 or os.getppid() != int(parent):
        return 128 + signal.SIGTERM  # cattle is already gone: start nothing
    signal.signal(signal.SIGTERM, lambda signum, frame: kill(freeze()))
    guard = os.getpid()
    playbook = os.fork()
    if playbook == 0:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        die_with_parent(guard)
        die_with_parents_from_here_on()
        code = 1
        try:
            code = _playbook_main(argv)
        except SystemExit as exc:  # ansible's CLI ends with sys.exit()
            code = exc.code
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code if isinstance(code, int) else 0 if code is None else 1)
    while True:
        pid, status = os.waitpid(-1, 0)  # orphans of the workers are reaped here too
        if pid == playbook:
            break
    code = os.waitstatus_to_exitcode(status)
    if code < 0:  # killed: end the same way, so cattle sees what happened
        signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
    return code


START_GATE_ENV = "CATTLE_START_GATE"


def open_start_gate(path, arguments=(), abort=False):
    """Let the ansible-playbook waiting on ``path`` (see :func:`wait_for_start_gate`) go on, with
    ``arguments`` added to its command line, or end without running anything (``abort``)."""
    partial = f"{path}.partial"
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump({"arguments": list(arguments), "abort": bool(abort)}, handle)
    os.replace(partial, path)  # whole or not there: the waiting process polls for it


def wait_for_start_gate(environ=None):
    """Wait until the file named by ``CATTLE_START_GATE`` exists (at once when it is not set).
    Returns what it says: ``{"arguments": [...], "abort": bool}``.

    ``cattle build`` starts ansible-playbook before it has validated the template, and sweeps
    what dead runs left meanwhile: Ansible's import (≈0.3 s) overlaps both. No task (no build's
    container or VM, which may need a name a leftover still holds) starts before the sweep is
    done; the template's verdict says whether to run at all, and how many forks (the number of
    builds). ``cattle`` always opens the gate, and this process dies with it when it dies.
    """
    environ = os.environ if environ is None else environ
    gate = environ.pop(START_GATE_ENV, "")
    while gate and not os.path.exists(gate):
        time.sleep(0.005)
    if not gate:
        return {"arguments": [], "abort": False}
    with open(gate, encoding="utf-8") as handle:
        return json.load(handle)


class _LocalConnectionOnly:
    """Stands in for ``connection_loader`` in ``ansible.executor.playbook_executor``, whose one use of
    it is to import every connection plugin of ansible-core before the first play, so that their
    options are registered (winrm and psrp import pywinrm and pypsrp: ≈0.1 s of every start).
    A plugin registers its options whenever it is loaded (as a collection's always does), and the
    packer callback loads the connections the builds use once the plan is known
    (``plugin_utils/preload.py``): this imports only ``local``, which every play here starts with."""

    def __init__(self, loader):
        self._loader = loader

    def all(self, *args, **kwargs):
        plugin = self._loader.get("local", class_only=True)  # as the plays' ``ansible_connection: local`` names it
        return iter([plugin] if plugin is not None else [])

    def __getattr__(self, name):
        return getattr(self._loader, name)


def load_only_the_local_connection():
    """Make ansible-playbook (this process) skip its import of every connection plugin at start."""
    from ansible.executor import playbook_executor

    loader = getattr(playbook_executor, "connection_loader", None)
    if loader is not None and not isinstance(loader, _LocalConnectionOnly):
        playbook_executor.connection_loader = _LocalConnectionOnly(loader)


def _user_cache(name):
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "cattle-images", name)


def _keep_in_cache(path, data):
    """Write the bytes ``data`` to ``path`` in a cache directory only this user can read, whole or
    not at all (concurrent runs may write the same entry). A failure leaves no cache entry: slower
    next time, still correct."""
    try:
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        partial = f"{path}.{os.getpid()}.partial"
        with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as handle:
            handle.write(data)
        os.replace(partial, path)
    except OSError:
        pass


def _parsed_through_cache(directory, data, parse):
    """``parse()``, the parsed form of the YAML bytes ``data``, kept as JSON in ``directory`` under a
    hash of ``data``: a changed file is parsed again. Only what JSON gives back unchanged is kept,
    and any problem with the cache falls back to parsing."""
    import hashlib

    path = os.path.join(directory, hashlib.sha256(data).hexdigest() + ".json")
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        pass
    parsed = parse()
    try:
        text = json.dumps(parsed)
    except (TypeError, ValueError):
        return parsed  # not JSON: no cache, slower, still correct
    if json.loads(text) == parsed:  # no tuples or non-string keys lost on the way
        _keep_in_cache(path, text.encode("utf-8"))
    return parsed


def cache_collection_routing(directory=None):
    """Keep the collection loader's parsed ``meta/runtime.yml`` files as JSON in the user's cache.

    The first import of an ``ansible.*`` module that ansible-playbook has not loaded yet makes the
    collection loader read ansible-core's own routing table (``ansible_builtin_runtime.yml``,
    370 KB of YAML: ≈0.08 s with libyaml) in every run. Its converter is there to be replaced, and
    is handed an id "to allow other implementations to cache the output".
    """
    from ansible.utils.collection_loader import _collection_finder, _collection_meta

    parse = _collection_meta._meta_yml_to_dict
    if getattr(parse, "cattle_cached", False):
        return
    directory = directory or _user_cache("collection-routing")

    def cached(yaml_string_data, content_id):
        data = yaml_string_data if isinstance(yaml_string_data, bytes) else str(yaml_string_data).encode("utf-8")
        return _parsed_through_cache(directory, data, lambda: parse(yaml_string_data, content_id))

    cached.cattle_cached = True
    _collection_meta._meta_yml_to_dict = cached
    _collection_finder._meta_yml_to_dict = cached


def cache_config_definitions(directory=None):
    """Keep ansible-core's parsed configuration definitions as JSON in the user's cache.

    ``ansible.constants`` reads them (``ansible/config/base.yml``, 90 KB of YAML: ≈0.02 s) at every
    start, before anything else can run. Call this before anything imports ``ansible.constants``;
    a file that cannot be read is left to ansible-core, which says what is wrong.
    """
    from ansible.config import manager

    read = manager.ConfigManager._read_config_yaml_file
    if getattr(read, "cattle_cached", False):
        return
    directory = directory or _user_cache("config-definitions")

    def cached(config_manager, yml_file):
        try:
            with open(yml_file, "rb") as handle:
                data = handle.read()
        except (OSError, TypeError):
            return read(config_manager, yml_file)
        return _parsed_through_cache(directory, data, lambda: read(config_manager, yml_file))

    cached.cattle_cached = True
    cached.__wrapped__ = read
    manager.ConfigManager._read_config_yaml_file = cached


def cache_collection_bytecode(directory=None):
    """Keep the code of the collections' Python modules, compiled, in the user's cache.

    ansible-core's collection loader compiles a collection's module from its source at every
    import and keeps no bytecode (``_AnsibleCollectionPkgLoaderBase.get_code``): the plugins and
    module_utils of cattle.images and community.docker that each build loads cost ≈0.07 s of
    compiling in every run. The code is kept marshalled, as Python keeps its own, under a hash of
    the interpreter's bytecode version, the file name and the source: a changed file compiles again.
    As for Python's own, nothing is written when bytecode is not to be written (``-B``,
    ``PYTHONDONTWRITEBYTECODE``).
    """
    import hashlib
    import importlib.util
    import marshal

    from ansible.utils.collection_loader import _collection_finder

    loader_class = _collection_finder._AnsibleCollectionPkgLoaderBase
    if getattr(loader_class.get_code, "cattle_cached", False):
        return
    directory = directory or _user_cache("collection-bytecode")

    def get_code(self, fullname):
        if self._compiled_code:
            return self._compiled_code
        filename = self.get_filename(fullname) or "<string>"
        source = self.get_source(fullname)
        if source is None:
            return None  # a synthetic package: no code at all, as ansible-core returns
        data = source if isinstance(source, bytes) else source.encode("utf-8")
        key = hashlib.sha256(importlib.util.MAGIC_NUMBER + filename.encode("utf-8", "surrogateescape") + b"\0" + data)
        path = os.path.join(directory, key.hexdigest())
        try:
            with open(path, "rb") as handle:
                code = marshal.loads(handle.read())
        except (OSError, ValueError, EOFError, TypeError):
            code = compile(source, filename, "exec", flags=0, dont_inherit=True)
            if not sys.dont_write_bytecode:  # PYTHONDONTWRITEBYTECODE, -B: read what is there, write nothing
                _keep_in_cache(path, marshal.dumps(code))
        self._compiled_code = code
        return code

    get_code.cattle_cached = True
    get_code.__wrapped__ = loader_class.get_code
    loader_class.get_code = get_code


def _playbook_main(argv):
    cache_config_definitions()
    from ansible.cli.playbook import main

    settings = wait_for_start_gate()
    if settings["abort"]:
        return 0  # the template was not valid: cattle says why
    load_only_the_local_connection()
    cache_collection_routing()
    cache_collection_bytecode()
    sys.argv = list(argv) + list(settings["arguments"])
    return main()


def write_guard_launcher(directory):
    """An ``ansible-playbook`` in ``directory`` that runs :func:`run_guarded_playbook`;
    put ``directory`` first in the playbook's PATH."""
    path = os.path.join(directory, "ansible-playbook")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(f"#!{sys.executable}\nimport sys\nfrom cattle_cli.process_tree import run_guarded_playbook\n"
                     "sys.exit(run_guarded_playbook())\n")
    os.chmod(path, 0o700)
    return path
