# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Packer's ``boot_command`` key syntax, parsed into neutral key events.

The syntax (shared by the qemu and virtualbox builders): plain characters are typed as they
are; ``<name>`` is a special key (``<enter>``, ``<esc>``, ``<f5>``, ``<leftCtrl>`` …, case does
not matter); ``<nameOn>`` / ``<nameOff>`` hold / release it, and so do ``<cOn>`` / ``<cOff>``
for one character; ``<wait>`` waits a second, ``<wait5>`` five seconds, ``<wait1m30s>`` any Go
duration. Anything else between ``<`` and ``>`` is typed literally, as Packer does.

:func:`parse` returns a list of :class:`KeyEvent`; each platform turns them into its own key
codes (QEMU: QMP qcodes, VirtualBox: scancodes). Pure Python, no Ansible import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ansible_collections.cattle.images.plugins.module_utils.durations import parse_go_duration

# Canonical spelling of each special key (the one Packer documents), keyed by lower case.
SPECIAL_KEYS = {name.lower(): name for name in (
    "bs", "del", "enter", "esc", "f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9", "f10", "f11", "f12",
    "home", "insert", "end", "pageUp", "pageDown", "up", "down", "left", "right", "spacebar", "tab", "menu",
    "leftAlt", "leftCtrl", "leftShift", "leftSuper", "rightAlt", "rightCtrl", "rightShift", "rightSuper",
)}
# <return> is another name for <enter>.
SPECIAL_KEYS["return"] = "enter"

_INTEGER = re.compile(r"0|[1-9][0-9]*")
# Longest names first so <f10> is not read as <f1> followed by "0>".
_SPECIAL_NAMES = sorted(SPECIAL_KEYS, key=len, reverse=True)


@dataclass(frozen=True)
class KeyEvent:
    """One step of a boot command.

    ``action`` is ``press`` (down then up), ``down``, ``up`` or ``wait``. ``key`` is a special
    key's canonical name (``enter``, ``leftCtrl``, ``f10`` …) or a single character; ``special``
    tells which. ``seconds`` is set for ``wait``.
    """

    action: str
    key: str = ""
    special: bool = False
    seconds: float = 0.0


def parse_duration(text):
    """A Go duration (``1m30s``, ``500ms``, ``1.5h``) in seconds, or None when it is not one."""
    if not text or text[:1] in ("+", "-"):
        return None
    try:
        return parse_go_duration(text)
    except ValueError:
        return None


def _wait(body):
    """Seconds for the body of ``<wait…>``, or None when it is not a wait."""
    rest = body[4:]
    if body[:4].lower() != "wait":
        return None
    if rest == "":
        return 1.0
    if _INTEGER.fullmatch(rest):
        return float(rest)
    seconds = parse_duration(rest)
    return None if seconds is None else max(seconds, 0.0)


def _toggle(suffix):
    lowered = suffix.lower()
    if lowered == "on":
        return "down"
    if lowered == "off":
        return "up"
    return None


def _expression(body):
    """The event for the text between ``<`` and ``>``, or None when it is typed literally."""
    seconds = _wait(body)
    if seconds is not None:
        return KeyEvent("wait", seconds=seconds)
    lowered = body.lower()
    for name in _SPECIAL_NAMES:
        if lowered.startswith(name):
            suffix = body[len(name):]
            if suffix == "":
                return KeyEvent("press", SPECIAL_KEYS[name], special=True)
            action = _toggle(suffix)
            if action:
                return KeyEvent(action, SPECIAL_KEYS[name], special=True)
    if len(body) >= 3:
        action = _toggle(body[1:])
        if action:
            return KeyEvent(action, body[0])
    return None


def parse(command):
    """The key events of a boot command (a string, or Packer's list of strings joined).

    Every input parses: text that is not a known ``<…>`` expression is typed as it is.
    """
    if isinstance(command, (list, tuple)):
        command = "".join(str(part) for part in command)
    events = []
    position = 0
    while position < len(command):
        char = command[position]
        if char == "<":
            end = command.find(">", position + 1)
            if end != -1:
                # Not an expression: "<" is typed and parsing goes on after it, so
                # "<<enter>" types "<" then Enter (Packer's grammar does the same).
                event = _expression(command[position + 1:end])
                if event is not None:
                    events.append(event)
                    position = end + 1
                    continue
        events.append(KeyEvent("press", char))
        position += 1
    return events


def describe(events):
    """A short human-readable rendering of events, for logs (never for secrets)."""
    parts = []
    for event in events:
        if event.action == "wait":
            parts.append(f"<wait {event.seconds:g}s>")
        elif event.special or event.action != "press":
            suffix = {"press": "", "down": "On", "up": "Off"}[event.action]
            parts.append(f"<{event.key}{suffix}>")
        else:
            parts.append(event.key)
    return "".join(parts)
