"""What the commands print outside a build: Packer-style UI lines and template diagnostics."""

from __future__ import annotations

import sys
import time

from ansible_collections.cattle.images.plugins.plugin_utils.output import machine_escape


def machine_line(kind: str, *data: str, target: str = "") -> str:
    return ",".join([str(int(time.time())), target, kind, *(machine_escape(d) for d in data)])


class Output:
    """Packer-style UI lines. Diagnostics arrive with sensitive values already masked."""

    def __init__(self, machine: bool):
        self.machine = machine

    def say(self, text: str) -> None:
        print(machine_line("ui", "say", text) if self.machine else text)

    def error(self, text: str) -> None:
        if self.machine:
            print(machine_line("ui", "error", text))
        else:
            sys.stderr.write(text + "\n")


def report(out: Output, diagnostics) -> bool:
    """Print warnings and errors; True when there were errors."""
    errors = [d for d in diagnostics if d.severity == "error"]
    for warning in (d for d in diagnostics if d.severity != "error"):
        out.error(f"Warning: {warning}")
    if not errors:
        return False
    out.error("Template validation failed. Errors are shown below.\n")
    for diagnostic in errors:
        out.error(f"Error: {diagnostic}")
    return True
