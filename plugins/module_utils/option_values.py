# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Packer's weak typing of builder and communicator options: booleans and whole numbers
given as strings (``"yes"``, ``" 8 "``) are accepted as Packer accepts them.

Pure Python (stdlib only). Errors are :class:`ValueError` naming the option; callers
that collect problems or have their own error class catch it. (The template's own
Go-style decoding is ``template/decode.py``; it differs on purpose.)
"""

from __future__ import annotations

from ansible_collections.cattle.images.plugins.module_utils.errors import CattleError


class ConfigError(CattleError, ValueError):
    """One or more problems with a builder's configuration; ``str()`` lists them all after ``where``."""

    def __init__(self, problems, where="builder"):
        self.problems = list(problems)
        super().__init__(f"{where}: " + "; ".join(self.problems))


TRUE_WORDS = frozenset({"1", "t", "true", "yes", "y", "on"})
FALSE_WORDS = frozenset({"0", "f", "false", "no", "n", "off", ""})


def to_bool(key, value, expected="a boolean", floats=False):
    """A bool from a bool, a number (non-zero is true) or one of the words above.

    ``floats``: accept a float as a number too (else it is an error, as a string would be);
    ``expected`` words the error, ``"{key}: expected {expected}, got {value!r}"``.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, int) or (floats and isinstance(value, float)):
        return value != 0
    if isinstance(value, str):
        text = value.strip().lower()
        if text in TRUE_WORDS:
            return True
        if text in FALSE_WORDS:
            return False
    raise ValueError(f"{key}: expected {expected}, got {value!r}")


def to_int(key, value, expected="a whole number"):
    """An int from an int or a string of decimal digits (spaces around allowed); never from a bool."""
    if not isinstance(value, bool):
        try:
            return int(str(value).strip())
        except ValueError:
            pass
    raise ValueError(f"{key}: expected {expected}, got {value!r}")
