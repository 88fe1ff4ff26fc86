# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Running commands on the controller for shell-local and the ansible provisioner."""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile

from ansible_collections.cattle.images.plugins.module_utils.ui import OutputLines

# How often the output files are read while the command runs: its lines reach the ui this late at most.
POLL_SECONDS = 0.1


def run_local(argv, env, ui, cancel=None, cwd=None):
    """Run ``argv``; stdout lines become ui messages, stderr lines ui errors, as they are written.

    Returns the exit code, or None when ``cancel`` was set (the whole process group is killed).
    Raises OSError when the program cannot be started.

    The output goes to files, not pipes, read as they grow: a background process the command
    leaves behind may keep them open without holding up the step.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env, cwd=cwd,
                                   start_new_session=True)
        streams = [(out, OutputLines(ui, "message")), (err, OutputLines(ui, "error"))]
        offsets = [0, 0]

        def drain():
            for index, (handle, lines) in enumerate(streams):
                chunk = os.pread(handle.fileno(), 1 << 20, offsets[index])
                while chunk:
                    offsets[index] += len(chunk)
                    lines.feed(chunk)
                    chunk = os.pread(handle.fileno(), 1 << 20, offsets[index])

        while True:
            try:
                code = process.wait(timeout=POLL_SECONDS)
                break
            except subprocess.TimeoutExpired:
                drain()
                if cancel is not None and cancel.is_set():
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
                    code = None
                    break
        drain()
        for _handle, lines in streams:
            lines.close()
    return code
