# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The build ledger: every resource a build creates, recorded before it is created.

Cleanup reads the ledger, so a build interrupted at any point (even by SIGKILL of
ansible-playbook, which skips ``always``) can be swept by the ``cattle`` wrapper.
One JSON object per line; appends are atomic enough for parallel builds (O_APPEND,
one ``write`` per line) and a ``flock`` guards against interleaving anyway.

A run directory (``<tmp>/cattle-run-*``, holding ``ledger.jsonl``) names its owner in
``owner.json``: the pid, start time and boot of the process whose death ends the run
(``cattle``, or ``ansible-playbook`` run directly). When that process is gone the run is
dead, whatever killed it (SIGKILL, a closed terminal, the OOM killer), and
:func:`sweep_dead_runs` empties its ledger and deletes the directory. ``cancelled`` in the
run directory is the cancel marker: the wrapper writes it the moment it gets a signal, and
capture and post-processing refuse to start once it exists.
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib
import json
import os
import shlex
import shutil
import tempfile
import time

# The -on-error modes that skip the cleanup of a failed build (as Packer 1.6.6: run-cleanup-provisioner
# runs the error-cleanup provisioner, then aborts).
KEEP_ALL_ON_ERROR = ("abort", "run-cleanup-provisioner")
# How long a sweep waits for background removals: two Docker API calls at the builder's client timeout.
RELEASE_WAIT = 600
_PR_SET_PDEATHSIG = 1


class Ledger:
    def __init__(self, path):
        self.path = path

    def _append(self, entry):
        line = json.dumps(entry, sort_keys=True) + "\n"
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            os.write(fd, line.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)

    def record(self, build, kind, name, **details):
        """Note a resource about to be created. Call this *before* creating it."""
        self._append(dict(details, op="record", build=build, kind=kind, name=name))

    def release(self, kind, name):
        """Note that a recorded resource was removed (or kept on purpose)."""
        self._append({"op": "release", "kind": kind, "name": name})

    def release_in_background(self, kind, name, remove):
        """Call ``remove()`` in a forked child, which releases ``kind``/``name`` once it returns; return at once.

        For a removal nothing later in the build waits for (the build container, once its image
        is committed): the build goes on meanwhile. Every sweep of this ledger first waits for such
        children (:meth:`wait_for_releases`) and removes what one of them failed to. The child
        survives its parent (an Ansible worker that ends right after); killing the whole run still
        stops it, and the dead run's sweep finishes the removal. Returns the child's pid.
        """
        ready, ready_to_say = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child ends in os._exit, out of reach of coverage
            code = 1
            try:
                os.close(ready)
                _outlive_parent()
                os.close(ready_to_say)
                remove()
                self.release(kind, name)
                code = 0
            finally:
                os._exit(code)  # never back into the caller's code (an Ansible worker's task loop)
        os.close(ready_to_say)
        try:
            # Until the child no longer dies with this process (its end of the pipe closed): this
            # process may end right after returning.
            os.read(ready, 1)
        finally:
            os.close(ready)
        # A child already done is a zombie: process_start says None, and there is nothing to wait for.
        self._append({"op": "releasing", "kind": kind, "name": name, "pid": pid, "started": process_start(pid)})
        return pid

    def wait_for_releases(self, timeout=RELEASE_WAIT):
        """Wait until every child of :meth:`release_in_background` has ended (at most ``timeout`` seconds)."""
        deadline = time.monotonic() + timeout
        for entry in self._lines():
            if entry.get("op") != "releasing" or not entry.get("started"):
                continue
            while process_start(entry["pid"]) == entry["started"] and time.monotonic() < deadline:
                time.sleep(0.01)

    def keep_build(self, build):
        """Note that the user chose to leave ``build``'s resources in place (abort at the
        -on-error=ask prompt): the final sweep of the run keeps them."""
        self._append({"op": "keep", "build": build})

    def kept_builds(self):
        """The builds marked by :meth:`keep_build`."""
        return {entry.get("build") for entry in self._lines() if entry.get("op") == "keep"}

    def to_keep(self, on_error="cleanup"):
        """Split the live resources into (kept, to remove) at the end of a run: all of them kept
        with an -on-error that skips cleanup, else those of the builds marked kept."""
        entries = self.entries()
        kept_builds = self.kept_builds()
        keep_all = on_error in KEEP_ALL_ON_ERROR
        kept = [entry for entry in entries if keep_all or entry.get("build") in kept_builds]
        return kept, [entry for entry in entries if entry not in kept]

    def _lines(self):
        try:
            with open(self.path, encoding="utf-8") as handle:
                lines = handle.readlines()
        except FileNotFoundError:
            return []
        parsed = []
        for raw in lines:
            try:
                parsed.append(json.loads(raw))
            except ValueError:
                continue  # a line torn by a kill mid-write; the record before it still counts
        return parsed

    def entries(self):
        """Resources recorded and not released, oldest first."""
        live = {}
        for entry in self._lines():
            key = (entry.get("kind"), entry.get("name"))
            if entry.get("op") == "record":
                live[key] = entry
            elif entry.get("op") == "release":
                live.pop(key, None)
        return list(live.values())

    def sweep(self, report=None, entries=None):
        """Remove every live resource (or only ``entries``), newest first. Returns a list of error strings.

        Removals still running in the background are waited for first; what they released is skipped.
        """
        errors = []
        self.wait_for_releases()
        live = self.entries()
        if entries is not None:
            live_keys = {(entry["kind"], entry["name"]) for entry in live}
            live = [entry for entry in entries if (entry["kind"], entry["name"]) in live_keys]
        entries = live
        # Every builder's cleaners (module_utils/cleaners.py), loaded only when there is something to remove.
        cleaners = _cleaners() if entries else {}
        for entry in reversed(entries):
            cleaner = cleaners.get(entry["kind"])
            if cleaner is None:
                errors.append(f"no cleaner for {entry['kind']} {entry['name']}")
                continue
            try:
                cleaner(entry)
            except Exception as exc:  # noqa: BLE001 - a sweep must try every entry
                errors.append(f"could not remove {entry['kind']} {entry['name']}: {exc}")
                continue
            self.release(entry["kind"], entry["name"])
            if report:
                report(entry)
        return errors


def _outlive_parent():
    """Clear this process's parent-death signal (Linux: PR_SET_PDEATHSIG).

    Under ``cattle build`` each process forked below ansible-playbook is set, at the fork, to die
    with its parent; a background removal must outlive the worker that started it.
    """
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, 0, 0, 0, 0)


def _cleaners():
    """kind -> the function that removes one recorded resource (it treats "already gone" as success).

    Imported by name: Ansible packs every module_utils a module imports (even inside a function) into
    its payload, and builder modules only record and release; sweeps run on the controller.
    """
    return importlib.import_module(CLEANERS_MODULE).CLEANERS


CLEANERS_MODULE = "ansible_collections.cattle.images.plugins.module_utils.cleaners"


RUN_DIR_PREFIX = "cattle-run-"
OWNER_FILE = "owner.json"
CANCEL_MARKER = "cancelled"
# In a run directory kept for resources left on purpose: the local files kept (JSON list).
KEPT_MARKER = "kept.json"


def boot_id():
    """This boot's id (a run owned in an earlier boot is dead), or "" when unknown."""
    try:
        with open("/proc/sys/kernel/random/boot_id", encoding="utf-8") as handle:
            return handle.read().strip()
    except OSError:
        return ""


def process_start(pid):
    """The start time (clock ticks since boot) of a live process, or None (gone, or a zombie)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    if fields[0] in ("Z", "X"):
        return None
    return int(fields[19])


def claim_run_dir(run_dir, pid=None):
    """Name ``pid`` (this process by default) as the owner of ``run_dir``."""
    pid = os.getpid() if pid is None else pid
    owner = {"pid": pid, "start": process_start(pid), "boot": boot_id()}
    partial = os.path.join(run_dir, f".{OWNER_FILE}.{os.getpid()}")
    with open(partial, "w", encoding="utf-8") as handle:
        json.dump(owner, handle)
    os.replace(partial, os.path.join(run_dir, OWNER_FILE))


def run_is_live(run_dir):
    """Whether the process owning ``run_dir`` still runs (a pid reused since is not it).

    A directory nobody claimed (about to be claimed, or made by a version that did not) is
    treated as live: only a run known to be dead is ever swept.
    """
    try:
        with open(os.path.join(run_dir, OWNER_FILE), encoding="utf-8") as handle:
            owner = json.load(handle)
    except FileNotFoundError:
        return True
    except (OSError, ValueError):
        return True  # torn by a kill mid-claim is impossible (os.replace); unreadable: not ours to judge
    if not isinstance(owner, dict) or owner.get("boot") != boot_id():
        return False
    pid = owner.get("pid")
    return isinstance(pid, int) and pid > 0 and process_start(pid) == owner.get("start")


def run_dirs(root=None):
    """Every run directory of this user under ``root`` (the temp directory by default)."""
    root = root or tempfile.gettempdir()
    try:
        names = os.listdir(root)
    except OSError:
        return []
    found = []
    for name in sorted(names):
        path = os.path.join(root, name)
        try:
            info = os.lstat(path)
        except OSError:
            continue
        if name.startswith(RUN_DIR_PREFIX) and os.path.isdir(path) and not os.path.islink(path) \
                and info.st_uid == os.getuid():
            found.append(path)
    return found


def sweep_dead_runs(root=None, report=None, exclude=()):
    """Empty the ledger of every dead run and delete its directory (inline scripts, keys, plans).

    ``report(run_dir, entry)`` is called for each resource removed and ``report(run_dir, None)``
    for each directory deleted. Returns a list of error strings; a run whose ledger could not be
    emptied keeps its directory, so the next sweep tries again.
    """
    errors = []
    for run_dir in run_dirs(root):
        if run_dir in exclude or is_kept(run_dir) or run_is_live(run_dir):
            continue
        errors.extend(sweep_run(run_dir, report))
    return errors


def sweep_run(run_dir, report=None):
    """Empty the ledger of one run known to be dead and delete its directory (see :func:`sweep_dead_runs`)."""
    ledger = Ledger(os.path.join(run_dir, "ledger.jsonl"))
    with temp_dir_of(run_dir):
        failed = ledger.sweep(report=(lambda entry: report(run_dir, entry)) if report else None)
    if not failed:
        shutil.rmtree(run_dir, ignore_errors=True)
        if report:
            report(run_dir, None)
    return [f"{run_dir}: {error}" for error in failed]


def keep_run_dir(run_dir, kept):
    """End a run whose ``kept`` resources (ledger entries) stay on purpose, as Packer's -on-error=abort.

    Their local files stay where they are (a kept docker container still mounts its temp dir,
    as Packer's does); the rest of the run directory goes, the plan first among it (it holds the
    template's sensitive values), the ledger and the owner with it, so no later sweep removes
    what the user chose to keep. Returns the run directory when it stays (it holds kept files
    and the :data:`KEPT_MARKER`), else None (it was deleted).
    """
    root = os.path.realpath(run_dir)
    inside = sorted({os.path.realpath(path) for entry in kept for path in local_files(entry)
                     if os.path.realpath(path).startswith(root + os.sep) and os.path.lexists(path)})
    # Kept EC2 resources are tagged with this run directory (cattle.run): while it stays, marked
    # kept, no sweep takes them for a lost run's leftovers.
    if not inside and not any(entry["kind"] in _EC2_REMOVE for entry in kept):
        shutil.rmtree(run_dir, ignore_errors=True)
        return None
    _prune(root, inside)
    fd = os.open(os.path.join(root, KEPT_MARKER), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(inside, handle)
    return run_dir


def leaving_messages(kept, on_error, run_dir=None):
    """What to tell the user about resources left on purpose: one line for each, how to remove
    it by hand, and the run directory when :func:`keep_run_dir` kept it (``run_dir``)."""
    reason = f"-on-error={on_error}" if on_error != "ask" else "aborted at the -on-error=ask prompt"
    lines = [f"Leaving {entry['kind']} {entry['name']} of build '{entry.get('build', '?')}' ({reason})"
             f"{manual_removal(entry)}" for entry in kept]
    if run_dir:
        lines.append(f"The files of what was left are in {run_dir}: remove it too when done")
    return lines


def _prune(directory, keep):
    """Delete everything under ``directory`` except the paths in ``keep`` and their parents."""
    for name in os.listdir(directory):
        path = os.path.join(directory, name)
        if path in keep:
            continue
        if os.path.isdir(path) and not os.path.islink(path):
            if any(kept.startswith(path + os.sep) for kept in keep):
                _prune(path, keep)
            else:
                shutil.rmtree(path, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)


def is_kept(run_dir):
    """Whether ``run_dir`` was kept by :func:`keep_run_dir`: no sweep may touch it."""
    return os.path.exists(os.path.join(run_dir, KEPT_MARKER))


def discard_run_dir(run_dir):
    """Delete a finished run's directory, unless it holds files of resources kept on purpose."""
    if not is_kept(run_dir):
        shutil.rmtree(run_dir, ignore_errors=True)


@contextlib.contextmanager
def temp_dir_of(run_dir):
    """Cleaners that find a build's files in the temp directory look where the run's own
    ansible-playbook put them: ``<run dir>/tmp`` when `cattle build` started it."""
    private = os.path.join(run_dir, "tmp")
    if not os.path.isdir(private):
        yield
        return
    previous = tempfile.tempdir
    tempfile.tempdir = private
    try:
        yield
    finally:
        tempfile.tempdir = previous


def cancel(run_dir):
    """Set the cancel marker of a run (safe to call from a signal handler)."""
    try:
        os.close(os.open(os.path.join(run_dir, CANCEL_MARKER), os.O_WRONLY | os.O_CREAT, 0o600))
    except OSError:
        pass


CAPTURE_CANCELLED = "Build cancelled: no capture starts after an interrupt."


def capture_cancelled(params):
    """Whether a builder's ``state: captured`` must not start (the run of its plan or ledger was cancelled)."""
    return cancelled(params.get("plan_file") or params.get("ledger"))


def cancelled(run_file):
    """Whether the run owning ``run_file`` (its plan or ledger) was cancelled: start nothing new."""
    return bool(run_file) and os.path.exists(os.path.join(os.path.dirname(run_file), CANCEL_MARKER))


_EC2_REMOVE = {"ec2_instance": "terminate-instances --instance-ids", "ec2_security_group": "delete-security-group "
               "--group-id", "ec2_key_pair": "delete-key-pair --key-name", "ec2_image": "deregister-image --image-id"}


def local_files(entry):
    """The files on this machine that a recorded resource keeps besides itself (temp dirs…)."""
    kind = entry["kind"]
    if kind == "docker_container":
        paths = [entry.get("temp_dir")]
    elif kind == "virtualbox_vm":
        paths = [entry.get("work_dir")]
    elif kind == "process":
        paths = list(entry.get("remove_paths") or [])
    elif kind in _EC2_REMOVE:
        paths = []
    else:  # output directories, key directories: the resource is a local path
        paths = [entry["name"]]
    return [path for path in paths if path and os.path.isabs(path)]


def manual_removal(entry):
    """For a resource left on purpose (-on-error=abort): ": remove it with `command`…", how to
    remove it and the local files it keeps by hand, or "" when there is nothing to say."""
    kind, name = entry["kind"], entry["name"]
    command = ""
    if kind == "docker_container":
        host = f"DOCKER_HOST={shlex.quote(entry['docker_host'])} " if entry.get("docker_host") else ""
        command = f"{host}docker rm -f {shlex.quote(name)}"
    elif kind == "virtualbox_vm":
        vm = shlex.quote(name)
        command = f"VBoxManage controlvm {vm} poweroff; VBoxManage unregistervm {vm} --delete"
    elif kind == "process":
        command = f"kill {int(entry['pid'])}" if entry.get("pid") else ""
    elif kind in _EC2_REMOVE:
        region = f" --region {shlex.quote(entry['region'])}" if entry.get("region") else ""
        command = f"aws ec2 {_EC2_REMOVE[kind]} {shlex.quote(name)}{region}"
    elif os.path.isabs(name):  # output directories, key directories
        command = f"rm -rf {shlex.quote(name)}"
    kept = [path for path in local_files(entry) if path != name]
    parts = [f"`{command}`"] if command else []
    if kept:
        parts.append(f"its files in {', '.join(kept)} with `rm -rf {' '.join(shlex.quote(path) for path in kept)}`")
    return ": remove it with " + ", and ".join(parts) if parts else ""
