# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The user's terminal, for the few steps that ask something (breakpoint, -on-error=ask).

Under ansible-runner, ansible-playbook runs on a pseudo-terminal of runner's own, so
``/dev/tty`` there is not the user's: the ``cattle`` command passes the path of its own
terminal in ``CATTLE_TTY``. With no terminal at all (CI) nothing can be asked.
"""

from __future__ import annotations

import os


def open_terminal():
    """A file descriptor on the user's terminal, or None when there is none."""
    path = os.environ.get("CATTLE_TTY") or "/dev/tty"
    if path == "none":
        return None
    try:
        # O_NOCTTY: Ansible's workers lead their own sessions; opening a tty must not
        # make it their controlling terminal. (A tty is not seekable, so no open(..., "r+").)
        return os.open(path, os.O_RDWR | os.O_NOCTTY)
    except OSError:
        return None


def _read_line(fd):
    chunks = []
    while True:
        byte = os.read(fd, 1)
        if not byte:
            return None if not chunks else b"".join(chunks).decode("utf-8", "replace")
        if byte == b"\n":
            return b"".join(chunks).decode("utf-8", "replace")
        chunks.append(byte)


def ask(prompt, choices=None):
    """Ask on the terminal; returns the answer (stripped), or None when nobody can answer."""
    fd = open_terminal()
    if fd is None:
        return None
    try:
        while True:
            os.write(fd, prompt.encode("utf-8"))
            answer = _read_line(fd)
            if answer is None:
                return None
            answer = answer.strip()
            if choices is None or answer in choices:
                return answer
    finally:
        os.close(fd)
