# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Leftovers of dead runs that no ledger lists any more, found by what they carry.

The ledger is the first way back to what a build made; when it is gone (the run directory was
deleted) a resource is still taken when it proves both that it is cattle's and which run made
it. A VM's processes (QEMU, the HTTP server) carry their build's work directory on their command
line; under ``cattle build`` that directory lies inside the run directory (``TMPDIR`` is the
run's own ``tmp``), so the path names the run. A process whose path names no run directory (a
playbook run directly, whose work dirs are in the shared temp directory) is never touched.
Cloud resources carry a :func:`run_tag` naming the machine, its boot and the run directory.
"""

from __future__ import annotations

import os
import re
import shutil
import socket

from ansible_collections.cattle.images.plugins.module_utils import process
from ansible_collections.cattle.images.plugins.module_utils.ledger import RUN_DIR_PREFIX, boot_id

# The builders' work-directory prefixes (qemu/builder.py and virtualbox/builder.py WORK_PREFIX).
VM_WORK_PREFIXES = ("cattle-qemu-", "cattle-vbox-")

_VM_WORK_DIR = re.compile(
    r"(?P<run_dir>/(?:[^\s/]+/)*" + re.escape(RUN_DIR_PREFIX) + r"[^\s/]+)"
    r"(?:/[^\s/]+)*?/(?P<name>(?:" + "|".join(re.escape(p) for p in VM_WORK_PREFIXES) + r")[0-9a-zA-Z]+)(?=/|\s|$)"
)


def vm_work_dirs_in_use():
    """``{work_dir: run_dir}`` for every live process of this user whose command line names a
    VM work directory inside a run directory."""
    found = {}
    me = os.getpid()
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == me:
            continue
        try:
            if os.stat(f"/proc/{name}").st_uid != os.getuid():
                continue
        except OSError:
            continue
        found.update(vm_work_dirs_named(process.cmdline(int(name)) or ""))
    return found


def vm_work_dirs_named(command_line):
    """``{work_dir: run_dir}`` for the VM work directories inside run directories that a command line names."""
    return {match.group(0)[:match.end("name") - match.start(0)]: match.group("run_dir")
            for match in _VM_WORK_DIR.finditer(command_line)}


def stop_orphaned_vms(is_dead_run_dir):
    """Stop the VM processes (QEMU, HTTP server) of runs ``is_dead_run_dir(path)`` says are dead
    (or gone) and remove their work directories. Returns the work directories stopped."""
    stopped = []
    for work_dir, run_dir in sorted(vm_work_dirs_in_use().items()):
        if not is_dead_run_dir(run_dir):
            continue
        process.stop(work_dir, grace=3)
        shutil.rmtree(work_dir, ignore_errors=True)
        stopped.append(work_dir)
    return stopped


def run_tag(run_dir):
    """The value that names the run making a remote resource: ``<host> <boot id> <run dir>``."""
    return f"{socket.gethostname()} {boot_id()} {run_dir}"


def run_tag_is_dead(value, is_dead_run_dir):
    """Whether a :func:`run_tag` value names a run of this machine that is over: a boot before this
    one, or a run directory ``is_dead_run_dir`` says is dead (or gone). A tag of another machine,
    or one that does not parse, is not ours to judge: False."""
    host, rest = (value or "").partition(" ")[::2]
    boot, run_dir = rest.partition(" ")[::2]
    if host != socket.gethostname() or not boot or not os.path.basename(run_dir).startswith(RUN_DIR_PREFIX):
        return False
    return boot != boot_id() or is_dead_run_dir(run_dir)
