# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A run's guard: a process of its own session that sweeps the run when ansible-playbook dies.

ansible-playbook skips ``always`` on SIGINT and SIGTERM, and ansible-runner cancels a job (as AWX
does) by SIGKILL to its whole process group. Under ``cattle build`` the wrapper sweeps after any
exit; run directly (ansible-playbook, ansible-runner, AWX) nothing would. The guard, started once
the run directory is claimed, waits for the run's owner to die and then empties its ledger and
deletes the directory; it leaves at once when the run ends normally (its directory is gone) or
keeps resources on purpose.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

from ansible_collections.cattle.images.plugins.module_utils.ledger import is_kept, run_is_live, sweep_run

POLL_SECONDS = 0.5
# The guard runs outside Ansible: it imports this collection from the collections root it is given.
_GUARD_SCRIPT = ("import sys; sys.path.insert(0, sys.argv[1]); "
                 "from ansible_collections.cattle.images.plugins.plugin_utils.run_guard import watch; watch(sys.argv[2])")


def collections_root():
    """The directory holding ``ansible_collections/cattle/images`` this code was loaded from."""
    here = os.path.abspath(__file__)
    for _level in range(6):  # run_guard.py, plugin_utils, plugins, images, cattle, ansible_collections
        here = os.path.dirname(here)
    return here


def start_guard(run_dir):
    """Start the guard of ``run_dir`` (claimed already); returns its pid. It holds no descriptor of
    ours (a runner's pty would otherwise never see end of file) and is in no process group of ours."""
    process = subprocess.Popen([sys.executable, "-c", _GUARD_SCRIPT, collections_root(), run_dir],
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               close_fds=True, start_new_session=True, cwd="/")
    return process.pid


def watch(run_dir, poll=POLL_SECONDS):
    """Wait until the run ends; sweep it if its owner died with the directory still there.
    A sweep that fails leaves the directory for ``cattle sweep``."""
    while os.path.isdir(run_dir) and not is_kept(run_dir):
        if not run_is_live(run_dir):
            sweep_run(run_dir)
            return
        time.sleep(poll)
