"""Packer's HCL2 date and filesystem functions: the ones that read the clock or the disk."""

from __future__ import annotations

import glob
import os
import re
from datetime import UTC, datetime, timedelta

from ...durations import parse_go_duration
from ..functions import go_time_format

STR = ("string",)


class FunctionError(ValueError):
    """Invalid arguments or a failure inside a function."""


# ------------------------------------------------------------------ date

_FORMAT_TOKENS = re.compile(r"YYYY|YY|MMMM|MMM|MM|M|DD|D|EEEE|EEE|hh|h|HH|H|mm|m|ss|s|AA|aa|ZZZZZ|ZZZZ|ZZZ|Z|'[^']*'|.", re.S)


def parse_rfc3339(text):
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise FunctionError(f'not a valid RFC3339 timestamp: "{text}"') from None


def formatdate(spec, timestamp):
    moment = parse_rfc3339(timestamp)
    out = []
    for token in _FORMAT_TOKENS.findall(spec):
        offset = moment.utcoffset()
        mapping = {
            "YYYY": f"{moment.year:04d}", "YY": f"{moment.year % 100:02d}", "MMMM": moment.strftime("%B"),
            "MMM": moment.strftime("%b"), "MM": f"{moment.month:02d}", "M": str(moment.month),
            "DD": f"{moment.day:02d}", "D": str(moment.day), "EEEE": moment.strftime("%A"),
            "EEE": moment.strftime("%a"), "hh": f"{moment.hour:02d}", "h": str(moment.hour),
            "HH": f"{(moment.hour % 12) or 12:02d}", "H": str((moment.hour % 12) or 12),
            "mm": f"{moment.minute:02d}", "m": str(moment.minute), "ss": f"{moment.second:02d}",
            "s": str(moment.second), "AA": "PM" if moment.hour >= 12 else "AM", "aa": "pm" if moment.hour >= 12 else "am",
        }
        if token in mapping:
            out.append(mapping[token])
        elif token.startswith("Z"):
            minutes = int(offset.total_seconds() // 60) if offset else 0
            sign, minutes = ("-" if minutes < 0 else "+"), abs(minutes)
            if token == "Z":
                out.append("Z" if not minutes else f"{sign}{minutes // 60:02d}:{minutes % 60:02d}")
            elif token == "ZZZ":
                out.append("UTC" if not minutes else f"{sign}{minutes // 60:02d}{minutes % 60:02d}")
            else:
                out.append(f"{sign}{minutes // 60:02d}{':' if token == 'ZZZZZ' else ''}{minutes % 60:02d}")
        elif token.startswith("'") and len(token) > 1:
            out.append(token[1:-1] or "'")
        elif token.isalpha():
            raise FunctionError(f'invalid date format verb "{token}"')
        else:
            out.append(token)
    return "".join(out)


def timeadd(timestamp, duration):
    moment = parse_rfc3339(timestamp)
    result = moment + timedelta(seconds=parse_go_duration(duration))
    return result.isoformat().replace("+00:00", "Z")


# ------------------------------------------------------------------ filesystem (relative to cwd, as Packer)


def filesystem_functions(cwd: str) -> dict:
    def full(path):
        path = os.path.expanduser(path) if path.startswith("~") else path
        return path if os.path.isabs(path) else os.path.join(cwd, path)

    def read(path):
        try:
            with open(full(path), encoding="utf-8") as handle:
                return handle.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise FunctionError(f'failed to read "{path}": {exc.strerror if isinstance(exc, OSError) else exc}') from None

    def fileset(base, pattern):
        root = full(base)
        matches = glob.glob(pattern, root_dir=root, recursive=True)
        return sorted(m for m in matches if os.path.isfile(os.path.join(root, m)))

    return {
        "file": (read, [STR]),
        "fileexists": (lambda path: os.path.isfile(full(path)), [STR]),
        "fileset": (fileset, [STR, STR]),
        "abspath": (lambda path: os.path.abspath(full(path)), [STR]),
        "basename": (os.path.basename, [STR]),
        "dirname": (os.path.dirname, [STR]),
        "pathexpand": (os.path.expanduser, [STR]),
    }


def timestamp_function(now: datetime):
    """`timestamp()` is the run's start time, the same in every call of one run (as Packer's)."""
    text = now.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return (lambda: text, [])


def legacy_time_functions(now: datetime) -> dict:
    """`legacy_isotime(layout)` (a Go layout) and `legacy_strftime(format)` of the run's start time.

    Current Packer's (1.8+) HCL2 has them for what `hcl2_upgrade` writes from `{{isotime "…"}}` and
    `{{strftime "…"}}`; Packer 1.6.6 has neither, but cattle's own upgrade writes them."""
    moment = now.astimezone(UTC)

    def legacy_strftime(fmt):
        try:
            return moment.strftime(fmt)
        except ValueError as exc:
            raise FunctionError(str(exc)) from None

    return {"legacy_isotime": (lambda layout: go_time_format(moment, layout), [STR]),
            "legacy_strftime": (legacy_strftime, [STR])}
