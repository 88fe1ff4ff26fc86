# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Long-lived child processes of a build (QEMU, the HTTP server) and the ledger's ``process`` cleaner.

Such a process must outlive the module call that starts it (the next tasks talk to it), so it
runs in its own session with no pipe back to the module. It is found again by a *marker*: a
string that only its command line contains (a path with the build id in it). A pid alone is
not trusted — it may have been reused — so every kill checks the marker in
``/proc/<pid>/cmdline`` first. Ledger entries of kind ``process`` carry ``marker`` and, once
known, ``pid`` and ``pidfile``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time

LEDGER_KIND = "process"


def cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return handle.read().replace(b"\0", b" ").decode("utf-8", errors="replace")
    except OSError:
        return None


def _is_zombie(pid):
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return True


def alive(pid, marker):
    """Whether ``pid`` runs and is the process carrying ``marker``."""
    if not pid:
        return False
    line = cmdline(pid)
    return bool(line) and marker in line and not _is_zombie(pid)


def find(marker):
    """Pids of every live process whose command line contains ``marker``."""
    pids = []
    me = os.getpid()
    for name in os.listdir("/proc"):
        if name.isdigit() and int(name) != me:
            line = cmdline(int(name))
            if line and marker in line and not _is_zombie(int(name)):
                pids.append(int(name))
    return pids


def read_pidfile(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return int(handle.read().strip() or 0)
    except (OSError, ValueError):
        return 0


def spawn(argv, log_path, env=None, cwd=None):
    """Start ``argv`` detached (own session, output to ``log_path``). Returns the Popen."""
    with open(log_path, "ab") as log:
        return subprocess.Popen(  # noqa: S603 - argv is built by the caller, no shell
            argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, cwd=cwd, env=env,
            start_new_session=True, close_fds=True,
        )


def stop(marker, pid=0, pidfile="", grace=5.0, sig=signal.SIGTERM):
    """Stop every process carrying ``marker`` (TERM, then KILL after ``grace`` seconds).

    A process already gone is success. Returns whether anything was running.
    """
    pids = set(find(marker))
    for candidate in (pid, read_pidfile(pidfile) if pidfile else 0):
        if candidate and alive(candidate, marker):
            pids.add(candidate)
    if not pids:
        return False
    for target in pids:
        _signal(target, sig)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if not any(alive(target, marker) for target in pids):
            return True
        time.sleep(0.1)
    for target in pids:
        if alive(target, marker):
            _signal(target, signal.SIGKILL)
    deadline = time.monotonic() + 5.0
    while time.monotonic() < deadline and any(alive(target, marker) for target in pids):
        time.sleep(0.05)
    still = [target for target in pids if alive(target, marker)]
    if still:
        raise OSError(f"processes {still} ({marker}) did not stop after SIGKILL")
    return True


def _signal(pid, sig):
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def stop_process(entry):
    """The ledger cleaner for kind ``process``: stop the recorded process; a gone one is success."""
    marker = entry.get("marker")
    if not marker:
        raise ValueError(f"ledger entry {entry.get('name')!r} of kind process has no marker")
    stop(marker, pid=int(entry.get("pid") or 0), pidfile=entry.get("pidfile") or "", grace=float(entry.get("grace", 5)))
    for path in entry.get("remove_paths") or []:
        _remove_tree(path, marker)


def _remove_tree(path, marker):
    """Remove a temp dir that belongs to the process (its name holds the marker's build id)."""
    import shutil

    if path and os.path.isabs(path) and os.path.basename(os.path.normpath(path)) in marker:
        shutil.rmtree(path, ignore_errors=True)
