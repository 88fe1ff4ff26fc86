# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Packer's output lines as data: every builder, provisioner and post-processor reports through one ``Ui``.

A line is ``[kind, text]``: ``say`` (``==> build: …``), ``message`` (``    build: …``) or ``error``.
Modules and plugins return ``ui.lines``; the ``cattle.images.packer`` callback prints them.
"""

from __future__ import annotations


class Ui:
    """Collects ``[kind, text]`` lines, optionally into a list the caller already holds."""

    def __init__(self, lines=None):
        self.lines = lines if lines is not None else []

    def say(self, text):
        self.lines.append(["say", str(text)])

    def message(self, text):
        self.lines.append(["message", str(text)])

    def error(self, text):
        self.lines.append(["error", str(text)])

    def output(self, data, kind="message"):
        """Add command output, one line per output line."""
        if isinstance(data, bytes):
            data = data.decode("utf-8", errors="replace")
        for line in data.splitlines():
            self.lines.append([kind, line.rstrip("\r")])
