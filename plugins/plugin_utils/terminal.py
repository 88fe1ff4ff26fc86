# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Asking the user something during a build (breakpoint, -debug, -on-error=ask).

Three situations:
- under the ``cattle`` command, ansible-playbook runs on ansible-runner's own pty, so
  ``/dev/tty`` is not the user's: the command passes its terminal's path in CATTLE_TTY
  (or ``none`` when it has none);
- under a plain ``ansible-playbook``, Ansible's own prompt reaches the user (a worker
  asks the main process, which owns the terminal);
- under a bare ansible-runner (or CI) nobody can answer: never hang.
"""

from __future__ import annotations

import os
import select

from ansible.errors import AnsiblePromptInterrupt, AnsiblePromptNoninteractive
from ansible.utils.display import Display

RUNNER_MARKERS = ("AWX_ISOLATED_DATA_DIR", "RUNNER_OMIT_EVENTS")


class PromptCancelled(Exception):
    """The user interrupted the prompt, or the build was cancelled while it waited."""


def prompt_channel(environ=None):
    """``"cattle_tty"`` (the path in CATTLE_TTY), ``"ansible"`` (Ansible's own prompt) or None."""
    environ = os.environ if environ is None else environ
    if environ.get("CATTLE_TTY"):
        return None if environ["CATTLE_TTY"] == "none" else "cattle_tty"
    if any(marker in environ for marker in RUNNER_MARKERS):
        return None
    return "ansible"


def _ask_on_tty(path, prompt, cancel):
    try:
        # O_NOCTTY: Ansible's workers lead their own sessions; the user's terminal must not
        # become theirs. (A tty is not seekable: no buffered open(..., "r+").)
        fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
    except OSError:
        return None
    try:
        os.write(fd, prompt.encode("utf-8"))
        while cancel is None or not cancel.is_set():
            ready, _writable, _failed = select.select([fd], [], [], 0.5)
            if ready:
                data = os.read(fd, 4096)  # a whole line: the terminal is in canonical mode
                return data.decode("utf-8", "replace") if data else None
        raise PromptCancelled("Build cancelled")
    except OSError:
        return None
    finally:
        os.close(fd)


def ask(prompt, choices=None, cancel=None, environ=None):
    """The user's answer (stripped), or None when nobody can answer.

    ``choices`` repeats the question until the answer is one of them; ``cancel`` is a
    threading.Event that ends the wait with PromptCancelled.
    """
    environ = os.environ if environ is None else environ
    channel = prompt_channel(environ)
    while channel:
        if channel == "cattle_tty":
            answer = _ask_on_tty(environ["CATTLE_TTY"], prompt, cancel)
        else:
            try:
                answer = Display().prompt_until(prompt, complete_input=(b"\r", b"\n"))
            except AnsiblePromptNoninteractive:
                return None
            except AnsiblePromptInterrupt:
                raise PromptCancelled("Build cancelled") from None
            answer = answer.decode("utf-8", "replace") if isinstance(answer, bytes) else answer
        if answer is None:
            return None
        answer = answer.strip()
        if choices is None or answer in choices:
            return answer
    return None
