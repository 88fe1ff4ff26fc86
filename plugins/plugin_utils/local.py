# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Running commands on the controller for shell-local and the ansible provisioner."""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile


def run_local(argv, env, ui, cancel=None, cwd=None):
    """Run ``argv``; stdout lines become ui messages, stderr lines ui errors.

    Returns the exit code, or None when ``cancel`` was set (the whole process group is killed).
    Raises OSError when the program cannot be started.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env, cwd=cwd,
                                   start_new_session=True)
        while True:
            try:
                code = process.wait(timeout=0.1)
                break
            except subprocess.TimeoutExpired:
                if cancel is not None and cancel.is_set():
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
                    code = None
                    break
        for handle, kind in ((out, "message"), (err, "error")):
            handle.seek(0)
            ui.output(handle.read(), kind)
    return code
