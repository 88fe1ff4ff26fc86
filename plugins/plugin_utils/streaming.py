# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A command's output as it is produced, from connections whose ``exec_command`` returns it only at the end.

``streaming_exec(connection)`` gives a context manager ``streams(on_stdout, on_stderr)``: while it is
open, the connection's ``exec_command`` (called by ``Remote.run``, the only caller) also hands each
chunk of output to the two functions as it arrives, and still returns the whole output. It is a thin
wrapper around one call inside the connection, never a copy of the connection's code: all the rest
(authentication, ControlPersist, retries, exit codes) stays the connection's. For any other connection
it gives None, and the output is shown when the command ends.

- ``community.docker.docker_api``: the exec's output is read from Docker's attach stream frame by
  frame (``stream=True``) instead of all at once.
- ``ansible.builtin.ssh``: the ssh process's stdout and stderr pipes are teed: a thread per pipe
  passes each chunk on and copies it into the pipe the connection reads, so the connection sees
  exactly what it would have seen.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading

DOCKER_EXEC_START = "/exec/{0}/start"
SSH_MODULE = "ansible.plugins.connection.ssh"


def streaming_exec(connection):
    """``streams(on_stdout, on_stderr)`` for ``connection``, or None when it cannot stream."""
    if _is_docker_api(connection):
        return lambda on_stdout, on_stderr: _docker_api_streams(connection, on_stdout, on_stderr)
    ssh_module = _ssh_module(connection)
    if ssh_module is not None:
        return lambda on_stdout, on_stderr: _ssh_streams(ssh_module, on_stdout, on_stderr)
    return None


# -- community.docker.docker_api ---------------------------------------------------------------

def _is_docker_api(connection):
    return any(cls.__module__.endswith("community.docker.plugins.connection.docker_api")
               for cls in type(connection).__mro__)


@contextlib.contextmanager
def _docker_api_streams(connection, on_stdout, on_stderr):
    if getattr(connection, "client", None) is None:
        connection._connect()  # creates the client, as exec_command would first
    client = connection.client
    original = client.post_json_to_stream

    def post_json_to_stream(pathfmt, *args, **kwargs):
        # The connection starts an exec without input as `stream=False, demux=True`: read it frame by frame.
        if pathfmt != DOCKER_EXEC_START or kwargs.get("stream") or not kwargs.get("demux"):
            return original(pathfmt, *args, **kwargs)
        stdout, stderr = [], []
        for out, err in original(pathfmt, *args, **dict(kwargs, stream=True)):
            if out:
                stdout.append(out)
                on_stdout(out)
            if err:
                stderr.append(err)
                on_stderr(err)
        return b"".join(stdout) or None, b"".join(stderr) or None

    with _instance_override(client, "post_json_to_stream", post_json_to_stream):
        yield


# -- ansible.builtin.ssh -------------------------------------------------------------------------

def _ssh_module(connection):
    """The module of ansible.builtin.ssh when ``connection`` is (a subclass of) it."""
    for cls in type(connection).__mro__:
        if cls.__module__ == SSH_MODULE and cls.__name__ == "Connection":
            module = sys.modules.get(SSH_MODULE)
            return module if getattr(module, "subprocess", None) is subprocess else None
    return None


_ssh_lock = threading.Lock()  # the patch below is the module's: one streaming exec at a time


@contextlib.contextmanager
def _ssh_streams(ssh_module, on_stdout, on_stderr):
    """The connection starts ssh with ``subprocess.Popen(…, stdout=PIPE, stderr=PIPE)``: for Popen calls
    of this thread only, hand it a process whose two pipes are teed."""
    caller = threading.get_ident()

    class TeeingSubprocess:
        def __getattr__(self, name):
            return getattr(subprocess, name)

        @staticmethod
        def Popen(*args, **kwargs):  # noqa: N802 - subprocess's name
            process = subprocess.Popen(*args, **kwargs)
            if threading.get_ident() == caller and process.stdout is not None and process.stderr is not None:
                process.stdout = _tee(process.stdout, on_stdout)
                process.stderr = _tee(process.stderr, on_stderr)
            return process

    with _ssh_lock:
        ssh_module.subprocess = TeeingSubprocess()
        try:
            yield
        finally:
            ssh_module.subprocess = subprocess


def _tee(source, on_chunk):
    """A pipe read end carrying what ``source`` carries, each chunk given to ``on_chunk`` first.

    The copy ends when ``source`` ends (then the returned pipe reads EOF) or when the reader closed
    the returned pipe. A thread blocked on a ``source`` that never ends (an ssh ControlMaster keeps
    stderr open) is a daemon: it dies with the worker.
    """
    read_end, write_end = os.pipe()

    def copy():
        try:
            while True:
                chunk = os.read(source.fileno(), 65536)
                if not chunk:
                    break
                try:
                    on_chunk(chunk)
                except Exception:  # pylint: disable=broad-except  # showing a line must never cut the output
                    pass
                view = memoryview(chunk)
                while view:
                    view = view[os.write(write_end, view):]
        except OSError:
            pass  # the reader is gone (closed the pipe): nothing more to copy
        finally:
            os.close(write_end)
            source.close()

    threading.Thread(target=copy, name="cattle-tee", daemon=True).start()
    return os.fdopen(read_end, "rb")


@contextlib.contextmanager
def _instance_override(obj, name, value):
    """``obj.name = value`` for the block; whatever ``obj`` had of its own before is put back."""
    missing = object()
    saved = vars(obj).get(name, missing)
    setattr(obj, name, value)
    try:
        yield
    finally:
        if saved is missing:
            delattr(obj, name)
        else:
            setattr(obj, name, saved)
