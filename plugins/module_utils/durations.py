# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Go durations (``1h30m``, ``500ms``), read and printed as Packer does. Pure Python."""

from __future__ import annotations

import os
import re

_PART = re.compile(r"([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)")
_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_go_duration(text):
    """Go's ``time.ParseDuration``, in seconds; ValueError with Go's message otherwise."""
    original = text
    if text in ("0", "+0", "-0"):
        return 0.0
    sign = 1.0
    if text[:1] in ("+", "-"):
        sign = -1.0 if text[0] == "-" else 1.0
        text = text[1:]
    if not text:
        raise ValueError(f'time: invalid duration "{original}"')
    total, position = 0.0, 0
    while position < len(text):
        match = _PART.match(text, position)
        if not match or match.group(1) in ("", "."):
            if re.match(r"[0-9.]+$", text[position:]):
                raise ValueError(f'time: missing unit in duration "{original}"')
            raise ValueError(f'time: invalid duration "{original}"')
        total += float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
        position = match.end()
    return sign * total


def seconds(value):
    """Seconds from a number (the plan stores durations as seconds) or a Go duration string;
    ValueError otherwise."""
    if value is None or value == "":
        return 0.0
    if isinstance(value, bool):
        raise ValueError(f"expected a duration such as '30s' or '5m', got {value!r}")
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip()
    try:
        return float(text)
    except ValueError:
        pass
    try:
        return parse_go_duration(text)
    except ValueError:
        raise ValueError(f"expected a duration such as '30s' or '5m', got {value!r}") from None


def format_go_duration(value):
    """Like Go's ``time.Duration.String``: ``5m0s``, ``1.5s``, ``500ms``, ``1h0m0s``."""
    nanos = round(value * 1e9)
    if nanos == 0:
        return "0s"
    sign = "-" if nanos < 0 else ""
    nanos = abs(nanos)
    if nanos < 1_000_000_000:
        for unit, size in (("ms", 1_000_000), ("µs", 1_000), ("ns", 1)):
            if nanos >= size:
                return sign + _trim(nanos / size) + unit
    hours, rest = divmod(nanos, 3600 * 1_000_000_000)
    minutes, rest = divmod(rest, 60 * 1_000_000_000)
    text = _trim(rest / 1e9) + "s"
    if hours:
        return f"{sign}{hours}h{minutes}m{text}"
    if minutes:
        return f"{sign}{minutes}m{text}"
    return sign + text


def _trim(number):
    text = f"{number:.9f}".rstrip("0").rstrip(".")
    return text or "0"


def key_interval(configured, environ=None):
    """The pause between typed keys, as Packer's boot command typists take it: a positive
    configured interval (seconds), else ``PACKER_KEY_INTERVAL`` when it is a Go duration
    (anything else there is ignored), else 100ms."""
    if configured and configured > 0:
        return configured
    environ = os.environ if environ is None else environ
    try:
        interval = parse_go_duration(environ.get("PACKER_KEY_INTERVAL", ""))
    except ValueError:
        return 0.1
    return max(interval, 0.0)
