# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A small QMP client (QEMU's JSON control protocol on a unix socket) and the boot-command typist.

Keys are sent with ``input-send-event`` (key down / key up with QEMU qcodes), which lets a
boot command hold modifiers across several keys (``<leftCtrlOn>x<leftCtrlOff>``).
"""

from __future__ import annotations

import json
import socket
import time

from ansible_collections.cattle.images.plugins.module_utils.bootcommand import KeyEvent
from ansible_collections.cattle.images.plugins.module_utils.errors import CattleError

SPECIAL_QCODES = {
    "bs": "backspace", "del": "delete", "enter": "ret", "esc": "esc", "home": "home", "insert": "insert",
    "end": "end", "pageUp": "pgup", "pageDown": "pgdn", "up": "up", "down": "down", "left": "left",
    "right": "right", "spacebar": "spc", "tab": "tab", "menu": "menu",
    "leftAlt": "alt", "leftCtrl": "ctrl", "leftShift": "shift", "leftSuper": "meta_l",
    "rightAlt": "alt_r", "rightCtrl": "ctrl_r", "rightShift": "shift_r", "rightSuper": "meta_r",
    **{f"f{n}": f"f{n}" for n in range(1, 13)},
}
# A US keyboard: character -> (qcode, shifted).
_PLAIN = {" ": "spc", "-": "minus", "=": "equal", "[": "bracket_left", "]": "bracket_right", "\\": "backslash",
          ";": "semicolon", "'": "apostrophe", "`": "grave_accent", ",": "comma", ".": "dot", "/": "slash",
          "\n": "ret", "\r": "ret", "\t": "tab"}
_SHIFTED = {"!": "1", "@": "2", "#": "3", "$": "4", "%": "5", "^": "6", "&": "7", "*": "8", "(": "9", ")": "0",
            "_": "minus", "+": "equal", "{": "bracket_left", "}": "bracket_right", "|": "backslash",
            ":": "semicolon", '"': "apostrophe", "~": "grave_accent", "<": "comma", ">": "dot", "?": "slash"}


class QMPError(CattleError):
    pass


def char_qcode(char):
    """``(qcode, needs shift)`` for one character on a US keyboard; raises QMPError when untypable."""
    if "a" <= char <= "z" or "0" <= char <= "9":
        return char, False
    if "A" <= char <= "Z":
        return char.lower(), True
    if char in _PLAIN:
        return _PLAIN[char], False
    if char in _SHIFTED:
        return _SHIFTED[char], True
    raise QMPError(f"boot_command: the character {char!r} cannot be typed on a US keyboard")


def _key(qcode, down):
    return {"type": "key", "data": {"down": down, "key": {"type": "qcode", "data": qcode}}}


def key_batches(events):
    """Turn neutral key events into QMP ``input-send-event`` batches and waits.

    Returns a list of ``("keys", [event])`` and ``("wait", seconds)``: one key down or up per batch,
    a shifted character's shift included, as Packer's VNC typist sends them one by one with the key
    interval after each, so the guest sees every press last the interval however loaded the host is.
    """
    steps = []
    for event in events:
        if not isinstance(event, KeyEvent):
            raise TypeError(event)
        if event.action == "wait":
            steps.append(("wait", event.seconds))
            continue
        if event.special:
            qcode, shifted = SPECIAL_QCODES[event.key], False
        else:
            qcode, shifted = char_qcode(event.key)
        if event.action == "down":
            sequence = [("shift", True), (qcode, True)] if shifted else [(qcode, True)]
        elif event.action == "up":
            sequence = [("shift", False), (qcode, False)] if shifted else [(qcode, False)]
        elif shifted:
            sequence = [("shift", True), (qcode, True), (qcode, False), ("shift", False)]
        else:
            sequence = [(qcode, True), (qcode, False)]
        steps.extend(("keys", [_key(code, down)]) for code, down in sequence)
    return steps


class QMP:
    """A connection to a QEMU monitor socket; use as a context manager."""

    def __init__(self, path, timeout=10.0):
        self.path = path
        self.timeout = timeout
        self._sock = None
        self._buffer = b""

    def __enter__(self):
        self.connect()
        return self

    def __exit__(self, *exc):
        self.close()

    def connect(self, wait=10.0):
        """Connect (retrying while QEMU creates the socket) and leave the capabilities negotiation."""
        deadline = time.monotonic() + wait
        while True:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(self.timeout)
            try:
                sock.connect(self.path)
                break
            except OSError as exc:
                sock.close()
                if time.monotonic() >= deadline:
                    raise QMPError(f"cannot connect to the QEMU monitor {self.path}: {exc}") from None
                time.sleep(0.1)
        self._sock = sock
        greeting = self._read()
        if "QMP" not in greeting:
            raise QMPError(f"unexpected QMP greeting: {greeting!r}")
        self.execute("qmp_capabilities")

    def close(self):
        if self._sock is not None:
            try:
                self._sock.close()
            finally:
                self._sock = None

    def _read(self):
        while b"\n" not in self._buffer:
            try:
                chunk = self._sock.recv(65536)
            except OSError as exc:
                raise QMPError(f"the QEMU monitor connection failed: {exc}") from None
            if not chunk:
                raise QMPError("the QEMU monitor closed the connection (did QEMU exit?)")
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return json.loads(line.decode("utf-8"))

    def execute(self, command, **arguments):
        message = {"execute": command}
        if arguments:
            message["arguments"] = arguments
        try:
            self._sock.sendall(json.dumps(message).encode("utf-8") + b"\n")
        except OSError as exc:
            raise QMPError(f"cannot send {command} to the QEMU monitor: {exc}") from None
        while True:
            reply = self._read()
            if "event" in reply:
                continue
            if "error" in reply:
                error = reply["error"]
                raise QMPError(f"QEMU refused {command}: {error.get('desc', error)}")
            if "return" in reply:
                return reply["return"]

    def type_events(self, events, key_interval=0.1, sleep=time.sleep):
        """Type a parsed boot command; ``<wait>`` pauses, each key down and up is followed by ``key_interval``."""
        for kind, payload in key_batches(events):
            if kind == "wait":
                sleep(payload)
                continue
            self.execute("input-send-event", events=payload)
            if key_interval:
                sleep(key_interval)
