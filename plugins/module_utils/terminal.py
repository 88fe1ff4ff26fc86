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
    """A read/write text stream on the user's terminal, or None when there is none."""
    path = os.environ.get("CATTLE_TTY") or "/dev/tty"
    if path == "none":
        return None
    try:
        return open(path, "r+", encoding="utf-8", buffering=1)
    except OSError:
        return None


def ask(prompt, choices=None):
    """Ask on the terminal; returns the answer (stripped), or None when nobody can answer."""
    term = open_terminal()
    if term is None:
        return None
    with term:
        while True:
            term.write(prompt)
            term.flush()
            answer = term.readline()
            if not answer:
                return None
            answer = answer.strip()
            if choices is None or answer in choices:
                return answer
