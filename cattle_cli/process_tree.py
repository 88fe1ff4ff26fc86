"""Stop everything ansible-playbook started when a build is cancelled.

ansible-runner cancels a run by killing ansible-playbook's process group, but Ansible's
workers call ``setsid()``: they, and whatever they started (SSH, VBoxManage, a waiting AWS
call), outlive that kill and would go on creating things after the ledger sweep has looked.
So on cancel the wrapper first freezes (SIGSTOP) every process below it — repeating the
scan until nothing new appears, so that no process can start another and slip out — and,
once ansible-runner has returned, kills the frozen set before sweeping. A process is known
by its pid *and* start time, so a pid reused in between is never touched. Linux only (/proc).
"""

from __future__ import annotations

import os
import signal
import time


def _stat(pid):
    """``(parent pid, start time)`` of a live process, or None."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    if fields[0] == "Z":
        return None  # already dead, waiting to be reaped
    return int(fields[1]), int(fields[19])


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
        # A frozen parent keeps the children it started meanwhile: the next scan finds them.
    return frozen


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
