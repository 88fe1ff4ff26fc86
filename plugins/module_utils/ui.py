# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Packer's output lines as data: every builder, provisioner and post-processor reports through one ``Ui``.

A line is ``[kind, text]``: ``say`` (``==> build: …``), ``message`` (``    build: …``) or ``error``.
Modules and plugins return ``ui.lines``; the ``cattle.images.packer`` callback prints them.
A ``Ui`` with a ``live`` sender (provisioners, in Ansible's worker) shows each line as it is
added instead; those lines are kept in ``ui.shown``, so nothing is printed twice.
"""

from __future__ import annotations

import threading


def _text(data):
    if isinstance(data, bytes):
        return data.decode("utf-8", errors="replace")
    return data or ""


class Ui:
    """Collects ``[kind, text]`` lines, optionally into a list the caller already holds."""

    def __init__(self, lines=None, live=None):
        self.lines = lines if lines is not None else []
        self.shown = []  # lines the live sender has shown already
        # ``live(kind, text)`` shows a line now (True) or cannot (False: it waits in ``lines``).
        self.live = live
        self._lock = threading.Lock()  # output may arrive from a reader thread per stream

    def add(self, kind, text):
        with self._lock:
            if self.live is not None and self.live(kind, text):
                self.shown.append([kind, text])
            else:
                self.lines.append([kind, text])

    def say(self, text):
        self.add("say", str(text))

    def message(self, text):
        self.add("message", str(text))

    def error(self, text):
        self.add("error", str(text))

    def output(self, data, kind="message"):
        """Add command output, one line per output line."""
        for line in _text(data).splitlines():
            self.add(kind, line.rstrip("\r"))


class OutputLines:
    """A command's stream (stdout or stderr) arriving in chunks, added to a ``Ui`` a whole line at a time.

    A partial line waits for its newline or for ``close``. The lines are those ``Ui.output`` makes of the
    whole output at once, so live output and output given at the end read the same.
    """

    def __init__(self, ui, kind):
        self.ui = ui
        self.kind = kind
        self._pending = b""
        self._closed = False

    def feed(self, chunk):
        if self._closed or not chunk:
            return
        if isinstance(chunk, str):
            chunk = chunk.encode("utf-8")
        *complete, self._pending = (self._pending + chunk).split(b"\n")
        for line in complete:
            # Split at bytes, decoded per line: a character is never cut in two.
            for part in _text(line).splitlines() or [""]:
                self.ui.add(self.kind, part.rstrip("\r"))

    def close(self):
        if not self._closed:
            self._closed = True
            self.ui.output(self._pending, self.kind)
            self._pending = b""
