"""What the commands print outside the callback: Packer-style UI lines, template diagnostics,
and the echo of ansible-playbook's output."""

from __future__ import annotations

import sys

from ansible_collections.cattle.images.plugins.plugin_utils.output import machine_line, settled_line

__all__ = ["Output", "PlaybookEcho", "machine_line", "report"]


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


class PlaybookEcho:
    """ansible-runner's event handler: print what ansible-playbook printed, as it comes.

    ansible-playbook runs on a pty whose line discipline turns each newline into CR LF, and
    runner would copy that through as-is; off a terminal every line is printed clean instead
    (carriage returns dropped, redrawn lines settled to what a terminal would finally show).
    """

    def __init__(self, stream=None, terminal=None, keep_events=False):
        self.stream = stream or sys.stdout
        self.terminal = self.stream.isatty() if terminal is None else terminal
        self.keep_events = keep_events

    def __call__(self, event) -> bool:
        text = event.get("stdout")
        if text:
            if self.terminal:  # the terminal's own line discipline adds the carriage returns back
                text = text.replace("\r\n", "\n")
            else:
                text = "\n".join(settled_line(line) for line in text.split("\n"))
            self.stream.write(text + "\n")
            self.stream.flush()
        # runner writes its per-event files only for -keep-artifacts: nothing else reads them.
        return self.keep_events
