# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Packer's user interface: prefixed lines per build, the summary, machine-readable events.

Shared by the ``cattle.images.packer`` callback and the ``cattle`` command so both print
the same thing. Controller-only (it prints), hence plugin_utils; pure Python, so the
``cattle`` command imports it without loading Ansible.
"""

from __future__ import annotations

import time

from ansible_collections.cattle.images.plugins.module_utils.template.runtime import mask

COLORS = ["1;32", "1;36", "1;35", "1;33", "1;34", "1;31"]  # Packer cycles through these
ERROR_COLOR = "1;31"


def machine_escape(text):
    return str(text).replace(",", "%!(PACKER_COMMA)").replace("\r", "\\r").replace("\n", "\\n")


def human_duration(seconds):
    """Packer's durations: the two largest units, e.g. '1 minute 3 seconds', '502 milliseconds'."""
    millis = int(round(seconds * 1000))
    units = [("hour", 3600000), ("minute", 60000), ("second", 1000), ("millisecond", 1)]
    parts = []
    for name, size in units:
        amount, millis = divmod(millis, size)
        if amount:
            parts.append(f"{amount} {name}{'' if amount == 1 else 's'}")
    return " ".join(parts[:2]) or "0 seconds"


class PackerUI:
    def __init__(self, write=print, machine_readable=False, timestamp=False, color=True, sensitive=()):
        self.write = write
        self.machine_readable = machine_readable
        self.timestamp = timestamp
        self.color = color
        self.sensitive = [v for v in sensitive if v]
        self._colors = {}

    def mask(self, text):
        return mask(str(text), self.sensitive)

    def _paint(self, code, text):
        return f"\x1b[{code}m{text}\x1b[0m" if self.color and not self.machine_readable else text

    def _prefix_time(self, line):
        if self.timestamp:
            return time.strftime("%Y-%m-%dT%H:%M:%SZ: ", time.gmtime()) + line
        return line

    def machine(self, target, kind, *data):
        fields = [str(int(time.time())), machine_escape(target), kind] + [machine_escape(self.mask(d)) for d in data]
        self.write(",".join(fields))

    def _line(self, kind, text, code=None):
        text = self.mask(text)
        if self.machine_readable:
            self.machine("", "ui", kind, text)
            return
        for line in text.split("\n") if kind == "message" else [text]:
            self.write(self._prefix_time(self._paint(code, line) if code else line))

    def build_color(self, build):
        if build not in self._colors:
            self._colors[build] = COLORS[len(self._colors) % len(COLORS)]
        return self._colors[build]

    def emit(self, build, kind, text):
        """One thing a build says: kind is 'say' (a step), 'message' (output) or 'error'."""
        color = ERROR_COLOR if kind == "error" else self.build_color(build)
        if kind == "message":
            for line in self.mask(text).split("\n"):
                self._line("message", f"    {build}: {line}", color if kind == "error" else None)
        else:
            self._line("error" if kind == "error" else "say", f"==> {build}: {text}", color)

    def say(self, text):
        self._line("say", text, "1")

    def error(self, text):
        self._line("error", text, ERROR_COLOR)

    def build_finished(self, build, elapsed):
        self._line("say", f"Build '{build}' finished after {human_duration(elapsed)}.", self.build_color(build))

    def build_errored(self, build, elapsed, error):
        self._line("error", f"Build '{build}' errored after {human_duration(elapsed)}: {error}", ERROR_COLOR)

    def artifacts(self, build, artifacts):
        if not self.machine_readable:
            return
        self.machine(build, "artifact-count", len(artifacts))
        for index, artifact in enumerate(artifacts):
            self.machine(build, "artifact", index, "builder-id", artifact.get("builder_id", ""))
            self.machine(build, "artifact", index, "id", artifact.get("id", ""))
            self.machine(build, "artifact", index, "string", artifact.get("string", ""))
            files = artifact.get("files") or []
            self.machine(build, "artifact", index, "files-count", len(files))
            for number, path in enumerate(files):
                self.machine(build, "artifact", index, "file", number, path)
            self.machine(build, "artifact", index, "end")

    def summary(self, builds, errors, artifacts, elapsed):
        self.say(f"==> Wait completed after {human_duration(elapsed)}")
        if errors:
            self.error("==> Some builds didn't complete successfully and had errors:")
            for build in builds:
                if build in errors:
                    self.error(f"--> {build}: {errors[build]}")
        produced = [(b, a) for b in builds if b not in errors for a in artifacts.get(b, [])]
        if produced:
            self.say("==> Builds finished. The artifacts of successful builds are:")
            for build, artifact in produced:
                self.say(f"--> {build}: {artifact.get('string') or artifact.get('id', '')}")
        else:
            self.say("==> Builds finished but no artifacts were created.")


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
