# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Packer's user interface: prefixed lines per build, the summary, machine-readable events.

Shared by the ``cattle.images.packer`` callback and the ``cattle`` command so both print
the same thing. Controller-only (it prints), hence plugin_utils; pure Python, so the
``cattle`` command imports it without loading Ansible.
"""

from __future__ import annotations

import datetime
import re
import time


def mask(text, values):
    """``template.runtime.mask``, imported at the first use: the template package is not needed
    before then (``cattle build`` starts ansible-playbook first, then validates the template)."""
    from ansible_collections.cattle.images.plugins.module_utils.template.runtime import mask as runtime_mask

    return runtime_mask(text, values)


COLORS = (32, 36, 35, 33, 34)  # green, cyan, magenta, yellow, blue: Packer cycles through these
ERROR_COLOR = 31


def machine_escape(text):
    """A field of a machine-readable line, escaped as Packer escapes it."""
    return str(text).replace(",", "%!(PACKER_COMMA)").replace("\r", "\\r").replace("\n", "\\n")


def machine_line(kind, *data, target="", now=None):
    """Packer's machine-readable line: ``timestamp,target,type,data…``, each datum escaped."""
    stamp = int(time.time() if now is None else now)
    return ",".join([str(stamp), str(target), kind, *(machine_escape(d) for d in data)])


_ERASE_LINE = re.compile(r"\x1b\[[0-2]?K")


def settled_line(line):
    """What a terminal would finally show of a line redrawn with carriage returns.

    Progress output (``50%``, carriage return, ``100%``) ends as one clean line in a file,
    as it does on screen.
    """
    line = _ERASE_LINE.sub("", line.rstrip("\r"))
    if "\r" not in line:
        return line
    shown = ""
    for part in line.split("\r"):
        shown = part + shown[len(part):]
    return shown


_DURATION_UNITS = (  # durafmt's, as Packer 1.6.6 uses it: microseconds in each unit
    ("year", 365 * 86400 * 10**6), ("week", 7 * 86400 * 10**6), ("day", 86400 * 10**6),
    ("hour", 3600 * 10**6), ("minute", 60 * 10**6), ("second", 10**6), ("millisecond", 1000),
    ("microsecond", 1),
)


def human_duration(seconds):
    """Packer's durations: the two largest non-zero units, e.g. '1 minute 3 seconds',
    '72 milliseconds 245 microseconds'."""
    micros = int(round(seconds * 10**6))
    parts = []
    for name, size in _DURATION_UNITS:
        amount, micros = divmod(micros, size)
        if amount:
            parts.append(f"{amount} {name}{'' if amount == 1 else 's'}")
    return " ".join(parts[:2]) or "0 seconds"


class PackerUI:
    """Packer's UI: what builds say, prefixed and coloured per build, and the closing summary.

    ``say``/``message``/``error`` of a build are Packer's TargetedUI lines (``==> build: …``,
    ``    build: …``); ``say``/``error`` without a build are the command's own lines. With
    ``machine_readable`` every line becomes ``timestamp,target,type,data…`` instead.
    ``color`` paints lines with ANSI colours; ``timestamp`` prefixes a build's lines with an
    RFC 3339 time, as ``-timestamp-ui`` does. Off a terminal no line carries a carriage return.
    """

    def __init__(self, write=print, machine_readable=False, timestamp=False, color=True, sensitive=(),
                 clock=time.time):
        self.write = write
        self.machine_readable = machine_readable
        self.timestamp = timestamp
        self.color = color and not machine_readable
        self.sensitive = [v for v in sensitive if v]
        self.clock = clock
        self._colors = {}

    def mask(self, text):
        return mask(str(text), self.sensitive)

    # -- the two kinds of output ---------------------------------------------------------
    def machine(self, target, kind, *data):
        """One machine-readable line; nothing in human mode (as Packer's BasicUi)."""
        if not self.machine_readable:
            return
        self.write(machine_line(kind, *(self.mask(d) for d in data), target=self.mask(target), now=self.clock()))

    def _show(self, kind, text, color=None, bold=True):
        """A UI line (``say``, ``message`` or ``error``) of possibly several lines of text."""
        text = self.mask(text)
        if self.machine_readable:
            self.machine("", "ui", kind, text)
            return
        for line in text.split("\n"):
            line = settled_line(line)
            if self.color and color is not None:
                line = f"\x1b[{1 if bold else 0};{color}m{line}\x1b[0m"
            self.write(line)

    def say(self, text):
        self._show("say", text)

    def error(self, text):
        self._show("error", text)

    # -- a build's lines -----------------------------------------------------------------
    def set_builds(self, builds):
        """Give the builds their colours in the template's order, as Packer does."""
        for build in builds:
            self.build_color(build)

    def build_color(self, build):
        if build not in self._colors:
            self._colors[build] = COLORS[len(self._colors) % len(COLORS)]
        return self._colors[build]

    def color_intro(self, builds):
        """Packer's first lines, printed as soon as the template is valid (not machine-readable)."""
        if self.machine_readable or not builds:
            return
        self.set_builds(builds)
        for build in builds:
            self._show("say", f"{build}: output will be in this color.", self.build_color(build))
        self.say("")

    def _stamp(self, text):
        if not self.timestamp:
            return text
        now = datetime.datetime.fromtimestamp(self.clock()).astimezone()
        stamp = now.isoformat(timespec="seconds").replace("+00:00", "Z")
        return f"{stamp}: {text}"

    def emit(self, build, kind, text, component=None):
        """One thing a build says: kind is 'say' (a step), 'message' (output) or 'error'.

        ``component`` names the post-processor speaking: its lines read ``build (type): …``.
        """
        target = f"{build} ({component})" if component else build
        arrow = "    " if kind == "message" else "==> "
        lines = str(text).split("\n")
        if not self.machine_readable:  # settle redraws before the prefix, which they would overwrite
            lines = [settled_line(line) for line in lines]
        prefixed = "\n".join(f"{arrow}{target}: {line}" for line in lines).rstrip()
        color = ERROR_COLOR if kind == "error" else self.build_color(build)
        self._show(kind if kind in ("say", "message", "error") else "say", self._stamp(prefixed), color,
                   bold=kind != "message")

    def build_finished(self, build, elapsed):
        self._show("say", self._stamp(f"Build '{build}' finished after {human_duration(elapsed)}."),
                   self.build_color(build))

    def build_errored(self, build, elapsed, error):
        self._show("error", self._stamp(f"Build '{build}' errored after {human_duration(elapsed)}: {error}"),
                   ERROR_COLOR)

    # -- the end ---------------------------------------------------------------------------
    def summary(self, builds, errors, artifacts, elapsed):
        """Packer's closing lines; ``artifacts`` maps each build to its list of artifacts."""
        self.say(f"\n==> Wait completed after {human_duration(elapsed)}")
        failed = [b for b in builds if b in errors]
        if failed:
            self.machine("", "error-count", len(failed))
            self.error("\n==> Some builds didn't complete successfully and had errors:")
            for build in failed:
                self.machine(build, "error", errors[build])
                self.error(f"--> {build}: {errors[build]}")
        produced = [b for b in builds if b not in errors and artifacts.get(b)]
        if not produced:
            self.say("\n==> Builds finished but no artifacts were created.")
            return
        self.say("\n==> Builds finished. The artifacts of successful builds are:")
        for build in produced:
            self.machine(build, "artifact-count", len(artifacts[build]))
            for index, artifact in enumerate(artifacts[build]):
                self._artifact(build, index, artifact)
                self.say(f"--> {build}: {artifact.get('string') or artifact.get('id', '')}")

    def _artifact(self, build, index, artifact):
        self.machine(build, "artifact", index, "builder-id", artifact.get("builder_id", ""))
        self.machine(build, "artifact", index, "id", artifact.get("id", ""))
        self.machine(build, "artifact", index, "string", artifact.get("string", ""))
        files = artifact.get("files") or []
        self.machine(build, "artifact", index, "files-count", len(files))
        for number, path in enumerate(files):
            self.machine(build, "artifact", index, "file", number, path)
        self.machine(build, "artifact", index, "end")


class LiveView:
    """On a terminal: a status block under the output, one line per build with its
    current step and elapsed time, redrawn on every event and once a second."""

    def __init__(self, stream, clock=time.time):
        import threading

        self.stream = stream
        self.clock = clock
        self.lock = threading.RLock()
        self.steps = {}  # build -> (step, started)
        self.started = {}
        self.drawn = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._tick, daemon=True)
        self._thread.start()

    def _tick(self):
        while not self._stop.wait(1.0):
            with self.lock:
                if self.steps:
                    self._erase()
                    self._draw()

    def _erase(self):
        if self.drawn:
            self.stream.write(f"\x1b[{self.drawn}A\x1b[J")
        self.drawn = 0

    def _draw(self):
        now = self.clock()
        for build, (step, since) in self.steps.items():
            total = now - self.started.get(build, since)
            self.stream.write(f"\x1b[2m  [{build}] {step} ({int(now - since)}s, build {int(total)}s)\x1b[0m\n")
        self.drawn = len(self.steps)
        self.stream.flush()

    def write(self, line):
        """Print an output line above the status block."""
        with self.lock:
            self._erase()
            self.stream.write(line + "\n")
            self._draw()

    def step(self, build, step):
        with self.lock:
            now = self.clock()
            self.started.setdefault(build, now)
            self.steps[build] = (step, now)
            self._erase()
            self._draw()

    def done(self, build):
        with self.lock:
            self._erase()
            self.steps.pop(build, None)
            self._draw()

    def close(self):
        self._stop.set()
        with self.lock:
            self._erase()
            self.steps.clear()
            self.stream.flush()


# -- live output from Ansible's workers -------------------------------------------------------
#
# A provisioner runs in a worker process forked by ansible-playbook; its task result reaches the
# callback only when the step ends. Its lines travel earlier through Ansible's final queue, the
# channel that carries a worker's Display calls to the main process: the callback registers a
# receiver on the main process's Display singleton under LIVE_LINE_METHOD before any worker is
# forked; a worker sends ``(host, kind, text, component)`` there and the receiver prints it as the callback
# prints everything else. Workers of a playbook whose callback registered nothing (another stdout
# callback) show their lines at the end of the step, as before.

LIVE_LINE_METHOD = "cattle_images_live_line"


def register_live_receiver(receiver):
    """In ansible-playbook's main process: ``receiver(host, kind, text, component)`` prints a live line."""
    from ansible.utils.display import Display

    setattr(Display(), LIVE_LINE_METHOD, receiver)


def live_sender(host, sensitive=(), component=None):
    """In a worker: a ``live(kind, text)`` for ``Ui`` that sends lines to the callback, or None.

    ``component`` names the post-processor speaking (``build (type): …``).
    """
    from ansible.utils.display import Display

    display = Display()
    final_queue = getattr(display, "_final_q", None)  # set in workers only
    if final_queue is None or not host or not callable(getattr(display, LIVE_LINE_METHOD, None)):
        return None
    secrets = [value for value in sensitive or () if value]

    def send(kind, text):
        try:
            final_queue.send_display(LIVE_LINE_METHOD, str(host), kind, mask(str(text), secrets), component)
        except (OSError, ValueError):  # the main process is gone: keep the line for the result
            return False
        return True

    return send


def live_ui(task_vars, sensitive=()):
    """A ``Ui`` whose lines are shown as they are added, when the callback can show them."""
    from ansible_collections.cattle.images.plugins.module_utils.ui import Ui

    return Ui(live=live_sender((task_vars or {}).get("inventory_hostname"), sensitive))
