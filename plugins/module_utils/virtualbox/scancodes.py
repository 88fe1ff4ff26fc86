# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Boot command key events as PC/XT (set 1) scancodes, for ``VBoxManage controlvm … keyboardputscancode``.

Packer's rules: a key press is its make code then its break code (make + 0x80); a special key
with an ``e0`` prefix keeps it on both; a capital letter or a shifted symbol (US layout) is
wrapped in left shift ``2a`` … ``aa``. Codes are buffered and sent in groups of at most 25
(never splitting one key), one ``keyboardputscancode`` call per group; a ``<wait>`` first sends
what is buffered. After every call the typist pauses ``boot_keygroup_interval``.
Pure Python, no Ansible import.
"""

from __future__ import annotations

from ansible_collections.cattle.images.plugins.module_utils.bootcommand import KeyEvent
from ansible_collections.cattle.images.plugins.module_utils.errors import CattleError

# Packer sends at most this many codes per VBoxManage call.
CHUNK_SIZE = 25
SHIFT_MAKE, SHIFT_BREAK = "2a", "aa"

# Special keys: make codes (break codes are derived).
SPECIAL_MAKE = {
    "bs": ["0e"], "del": ["e0", "53"], "down": ["e0", "50"], "end": ["e0", "4f"], "enter": ["1c"],
    "esc": ["01"], "f1": ["3b"], "f2": ["3c"], "f3": ["3d"], "f4": ["3e"], "f5": ["3f"], "f6": ["40"],
    "f7": ["41"], "f8": ["42"], "f9": ["43"], "f10": ["44"], "f11": ["57"], "f12": ["58"],
    "home": ["e0", "47"], "insert": ["e0", "52"], "left": ["e0", "4b"], "leftalt": ["38"], "leftctrl": ["1d"],
    "leftshift": ["2a"], "leftsuper": ["e0", "5b"], "menu": ["e0", "5d"], "pagedown": ["e0", "51"],
    "pageup": ["e0", "49"], "return": ["1c"], "right": ["e0", "4d"], "rightalt": ["e0", "38"],
    "rightctrl": ["e0", "1d"], "rightshift": ["36"], "rightsuper": ["e0", "5c"], "spacebar": ["39"],
    "tab": ["0f"], "up": ["e0", "48"],
}

# A US keyboard's rows: each run of characters has consecutive make codes from its start code.
_ROWS = (("1234567890-=", 0x02), ("!@#$%^&*()_+", 0x02), ("qwertyuiop[]", 0x10), ("QWERTYUIOP{}", 0x10),
         ("asdfghjkl;'`", 0x1E), ('ASDFGHJKL:"~', 0x1E), ("\\zxcvbnm,./", 0x2B), ("|ZXCVBNM<>?", 0x2B),
         (" ", 0x39))
CHAR_MAKE = {char: start + offset for chars, start in _ROWS for offset, char in enumerate(chars)}
# Characters typed with shift held (besides capital letters).
SHIFTED = set('~!@#$%^&*()_+{}|:"<>?')


class ScancodeError(CattleError, ValueError):
    """A boot command that cannot be typed as scancodes; worded for the user."""


def _break(codes):
    """Break codes for make codes: an ``e0`` prefix stays, the key's code gets 0x80."""
    return [code if code == "e0" else f"{int(code, 16) | 0x80:02x}" for code in codes]


def _special(event):
    make = SPECIAL_MAKE.get(event.key.lower())
    if make is None:
        raise ScancodeError(f"boot_command: special key <{event.key}> has no scancode")
    if event.action == "down":
        return list(make)
    if event.action == "up":
        return _break(make)
    return make + _break(make)


def _character(event):
    char = event.key
    if char not in CHAR_MAKE:
        raise ScancodeError(f"boot_command: the character {char!r} cannot be typed as a scancode "
                            "(a US keyboard's printable characters only)")
    shifted = char.isupper() or char in SHIFTED
    make = f"{CHAR_MAKE[char]:02x}"
    release = f"{CHAR_MAKE[char] | 0x80:02x}"
    codes = []
    if event.action in ("press", "down"):
        codes += ([SHIFT_MAKE] if shifted else []) + [make]
    if event.action in ("press", "up"):
        codes += [release] + ([SHIFT_BREAK] if shifted else [])
    return codes


def key_codes(event: KeyEvent):
    """The scancodes of one key event (not a wait)."""
    return _special(event) if event.special else _character(event)


def plan(events, chunk_size=CHUNK_SIZE):
    """``[("send", [codes…]), ("wait", seconds), …]`` for a parsed boot command.

    Each key's codes stay in one call; a call holds at most ``chunk_size`` codes.
    """
    steps = []
    buffered = []  # one list of codes per key

    def flush():
        running = []
        for codes in buffered:
            if running and len(running) + len(codes) > chunk_size:
                steps.append(("send", running))
                running = []
            running = running + codes
        if running:
            steps.append(("send", running))
        buffered.clear()

    for event in events:
        if event.action == "wait":
            flush()
            steps.append(("wait", event.seconds))
            continue
        buffered.append(key_codes(event))
    flush()
    return steps
