# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Packer's weak typing of option values, as the builders, the communicator and the plugins read them:
booleans and whole numbers given as strings (``"yes"``, ``" 8 "``), a comma-separated string for
a list, a Go duration or a number of seconds for a duration.

The plan already holds typed values (``template/decode.py`` decodes a template the way Packer's
decoder does, in its words); these readers accept those and what a user may give a module or
plugin directly. Pure Python. Errors are :class:`ValueError` naming the option; callers that
collect problems or have their own error class catch it. :func:`read_option` reads by the
type names of the builder specs (``template/schemas/builders.py``).
"""

from __future__ import annotations

import copy

from ansible_collections.cattle.images.plugins.module_utils.durations import seconds
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


def to_str(key, value):
    """A string from a string or a number; None is ""."""
    if value is None:
        return ""
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value)
    raise ValueError(f"{key}: expected a string, got {value!r}")


def to_list(key, value, split=True, strip=False):
    """A list of strings. A string is split at commas, as in Packer (``split=False``: one item);
    ``strip`` trims the parts and drops empty ones."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        if not split:
            return [value]
        parts = value.split(",")
        return [part.strip() for part in parts if part.strip()] if strip else parts
    if isinstance(value, (list, tuple)) and all(isinstance(item, (str, int, float)) for item in value):
        return [str(item) for item in value]
    raise ValueError(f"{key}: expected a list of strings, got {value!r}")


def to_rows(key, value, example, non_empty=False):
    """A list of lists of strings (qemuargs, vboxmanage); ``example`` words the error."""
    if value is None:
        return []
    if isinstance(value, list) and all(isinstance(row, list) and (row or not non_empty) and all(
            isinstance(item, (str, int, float)) for item in row) for row in value):
        return [[str(item) for item in row] for row in value]
    raise ValueError(f"{key}: expected a list of {'non-empty ' if non_empty else ''}lists of strings, e.g. {example}")


def to_map(key, value, what="a mapping", strings=True):
    """A dict with string keys; its values become strings unless ``strings`` is false."""
    if value is None:
        return {}
    if isinstance(value, dict) and (not strings or all(isinstance(v, (str, int, float)) for v in value.values())):
        return {str(k): (str(v) if strings else v) for k, v in value.items()}
    raise ValueError(f"{key}: expected {what}, got {value!r}")


def to_duration(key, value, expected="a duration such as 10s, 1m30s or 500ms"):
    """Seconds from a number of seconds (the plan's form) or a Go duration string."""
    try:
        return seconds(value)
    except ValueError:
        raise ValueError(f"{key}: expected {expected}, got {value!r}") from None


_READERS = {
    "str": to_str, "bool": to_bool, "int": to_int, "duration": to_duration, "list": to_list,
    "map": to_map, "map_any": lambda key, value: to_map(key, value, strings=False),
    "trilean": lambda key, value: None if value is None or value == "" else to_bool(key, value),
}


def read_option(kind, key, value):
    """A value read by its spec type name (``str``, ``bool``, ``int``, ``duration``, ``list``,
    ``map``, ``map_any``, ``trilean``); ValueError naming ``key`` when it is not one."""
    return _READERS[kind](key, value)


# Keys of a builder's config that are not its options: its identity, and the communicator's (read from the plan).
_NOT_OPTIONS = ("type", "name", "pause_before_connecting")
_COMMUNICATOR_PREFIXES = ("ssh_", "winrm_", "packer_")


def read_options(raw, defaults, read, problems, known=None, aliases=None, unsupported=None, ignored=(), unknown=None):
    """A builder's config: a copy of ``defaults`` with each option of ``raw`` read by ``read(key, value)``.

    ``known``: the builder's options (default: those with a default); ``aliases``: Packer's old names;
    ``unsupported``: {key: message} for options the builder refuses when set; ``ignored``: further keys
    to skip (communicator options always are); ``unknown(key)``: the message for any other key.
    Problems are appended to ``problems``; all of them are found in one pass.
    """
    known = defaults if known is None else known
    config = copy.deepcopy(defaults)
    for key, value in raw.items():
        key = (aliases or {}).get(key, key)
        if unsupported and key in unsupported:
            if value not in (None, "", [], {}, False, 0):
                problems.append(unsupported[key])
            continue
        if key in _NOT_OPTIONS or key in ignored or (key.startswith(_COMMUNICATOR_PREFIXES) and key not in known):
            continue
        if key not in known:
            problems.append(unknown(key) if unknown else f"unknown configuration key: {key!r}")
            continue
        try:
            config[key] = read(key, value)
        except ValueError as exc:
            problems.append(str(exc))
    return config
