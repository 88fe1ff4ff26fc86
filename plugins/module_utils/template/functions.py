"""Packer's template functions (and Go's builtins) with Packer 1.6.6 semantics."""

from __future__ import annotations

import os
import time
import urllib.parse
from datetime import UTC, datetime

from ..build_keys import missing_key_message
from .errors import GoTemplateError
from .gotemplate import MISSING, Func, go_print, truth

PACKER_COMPAT_VERSION = "1.6.6"

_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

# Go layout elements, longest first within each family (as Go's nextStdChunk matches them).
_STD_CHUNKS = [
    "January", "Jan", "Monday", "Mon", "MST",
    "2006", "_2", "01", "02", "03", "04", "05", "06", "15", "1", "2", "3", "4", "5",
    "PM", "pm",
    "-07:00:00", "-070000", "-0700", "-07:00", "-07",
    "Z07:00:00", "Z070000", "Z0700", "Z07:00", "Z07",
]


def go_time_format(moment: datetime, layout: str) -> str:
    """Formats `moment` (UTC) with a Go reference-time layout (`2006-01-02T15:04:05Z07:00`)."""
    out: list[str] = []
    i = 0
    n = len(layout)
    micro = moment.microsecond
    while i < n:
        ch = layout[i]
        if ch in ".," and i + 1 < n and layout[i + 1] in "09":
            digit = layout[i + 1]
            j = i + 1
            while j < n and layout[j] == digit:
                j += 1
            if j >= n or not layout[j].isdigit():
                width = j - i - 1
                frac = f"{micro:06d}000"[:width] if width <= 9 else f"{micro:06d}000"
                if digit == "9":
                    frac = frac.rstrip("0")
                    out.append(ch + frac if frac else "")
                else:
                    out.append(ch + frac)
                i = j
                continue
        if ch == "_" and layout.startswith("_2006", i):
            out.append("_")
            i += 1
            continue
        for chunk in _STD_CHUNKS:
            if layout.startswith(chunk, i):
                out.append(_format_chunk(moment, chunk))
                i += len(chunk)
                break
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _format_chunk(moment: datetime, chunk: str) -> str:
    hour12 = moment.hour % 12 or 12
    table = {
        "January": _MONTHS[moment.month - 1], "Jan": _MONTHS[moment.month - 1][:3],
        "Monday": _DAYS[moment.weekday()], "Mon": _DAYS[moment.weekday()][:3], "MST": "UTC",
        "2006": f"{moment.year:04d}", "06": f"{moment.year % 100:02d}",
        "01": f"{moment.month:02d}", "1": str(moment.month),
        "02": f"{moment.day:02d}", "2": str(moment.day), "_2": f"{moment.day:>2d}",
        "15": f"{moment.hour:02d}", "03": f"{hour12:02d}", "3": str(hour12),
        "04": f"{moment.minute:02d}", "4": str(moment.minute),
        "05": f"{moment.second:02d}", "5": str(moment.second),
        "PM": "PM" if moment.hour >= 12 else "AM", "pm": "pm" if moment.hour >= 12 else "am",
    }
    if chunk in table:
        return table[chunk]
    if chunk.startswith("Z"):
        return "Z"  # the time is always UTC
    return "+" + chunk[1:].replace("7", "0")


def time_ordered_uuid(now: float | None = None) -> str:
    """Packer's uuid: 8 hex digits of the Unix time, then 24 random hex digits."""
    unix = int(time.time() if now is None else now) & 0xFFFFFFFF
    rand = os.urandom(12).hex()
    return f"{unix:08x}-{rand[0:4]}-{rand[4:8]}-{rand[8:12]}-{rand[12:24]}"


def _clean_amazon(name: str) -> str:
    allowed = set("()[] ./-'@_")
    return "".join(c if (c.isascii() and c.isalnum()) or c in allowed else "-" for c in name)


def _clean_google(name: str) -> str:
    lowered = name.lower()
    cleaned = "".join(c if (c.isascii() and c.isalnum()) or c == "-" else "-" for c in lowered)
    return cleaned[:63]


def _clean_azure(name: str) -> str:
    allowed = set("()_-.")
    cleaned = "".join(c if (c.isascii() and c.isalnum()) or c in allowed else "-" for c in name)
    return cleaned.rstrip(".-")


def clean_resource_name_for(builder_type: str):
    """The builder-specific `clean_resource_name`, or None when that builder type has none."""
    if builder_type.startswith("amazon-"):
        return _clean_amazon
    if builder_type == "googlecompute":
        return _clean_google
    if builder_type.startswith("azure-"):
        return _clean_azure
    return None


def _go_replace(old: str, new: str, count: int, text: str) -> str:
    if count < 0:
        return text.replace(old, new)
    if old == "":
        # Go inserts `new` before each rune (and at the end) up to count times.
        pieces = list(text)
        out = []
        inserted = 0
        for piece in pieces:
            if inserted < count:
                out.append(new)
                inserted += 1
            out.append(piece)
        if inserted < count:
            out.append(new)
        return "".join(out)
    return text.replace(old, new, count)


def _split(text: str, sep: str, index: int) -> str:
    parts = text.split(sep) if sep else list(text)
    if index < 0 or index >= len(parts):
        raise GoTemplateError(
            f"the substring {index} was unavailable using the separator value, {sep}, "
            f"only {len(parts)} values were found"
        )
    return parts[index]


def _sprint(*args) -> str:
    out = []
    for i, arg in enumerate(args):
        if i and not isinstance(arg, str) and not isinstance(args[i - 1], str):
            out.append(" ")
        out.append(go_print(arg))
    return "".join(out)


def _eval_args(args) -> str:
    if len(args) == 1 and isinstance(args[0], str):
        return args[0]
    return _sprint(*args)


def _go_equal(a, b) -> bool:
    if isinstance(a, bool) != isinstance(b, bool):
        raise GoTemplateError("incompatible types for comparison")
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if type(a) is not type(b) and not (a in (None, MISSING) or b in (None, MISSING)):
        raise GoTemplateError("incompatible types for comparison")
    return a == b


def _eq(first, *others):
    if not others:
        raise GoTemplateError("missing argument for comparison")
    return any(_go_equal(first, other) for other in others)


def _compare(op):
    def compare(a, b):
        if isinstance(a, bool) or isinstance(b, bool) or type(a) is not type(b) and not (
            isinstance(a, (int, float)) and isinstance(b, (int, float))
        ):
            raise GoTemplateError("incompatible types for comparison")
        try:
            return op(a, b)
        except TypeError:
            raise GoTemplateError("invalid type for comparison") from None

    return compare


def _and(*args):
    value = None
    for value in args:
        if not truth(value):
            return value
    return value


def _or(*args):
    value = None
    for value in args:
        if truth(value):
            return value
    return value


def _len(value):
    if isinstance(value, (str, list, tuple, dict)):
        return len(value)
    raise GoTemplateError(f"len of type {type(value).__name__}")


def _index(value, *keys):
    for key in keys:
        try:
            value = value[key]
        except (KeyError, IndexError, TypeError):
            if isinstance(value, dict):
                return MISSING
            raise GoTemplateError(f"error calling index: index of untyped nil or out of range: {key}") from None
    return value


def _printf(fmt, *args):
    # Go's verbs map well enough onto %-formatting for %s %d %v %q.
    converted = fmt.replace("%v", "%s").replace("%q", '"%s"')
    try:
        return converted % tuple(go_print(a) if isinstance(a, (bool, type(None))) else a for a in args)
    except (TypeError, ValueError):
        return fmt + "".join(f"%!(EXTRA {go_print(a)})" for a in args)


def _html(*args):
    import html
    return html.escape(_eval_args(args), quote=True).replace("&#x27;", "&#39;")


def _js(*args):
    text = _eval_args(args)
    return (text.replace("\\", "\\\\").replace("'", "\\'").replace('"', '\\"')
            .replace("<", "\\u003C").replace(">", "\\u003E").replace("&", "\\u0026").replace("=", "\\u003D"))


def _urlquery(*args):
    return urllib.parse.quote_plus(_eval_args(args), safe="-_.~")


def builtin_funcs() -> dict[str, Func]:
    """Go text/template's own functions."""
    import operator

    return {
        "and": Func(_and, "a", "a"), "or": Func(_or, "a", "a"), "not": Func(lambda v: not truth(v), "a"),
        "len": Func(_len, "a"), "index": Func(_index, "a", "a"),
        "print": Func(_sprint, "", "a"), "println": Func(lambda *a: " ".join(go_print(x) for x in a) + "\n", "", "a"),
        "printf": Func(_printf, "s", "a"), "html": Func(_html, "", "a"), "js": Func(_js, "", "a"),
        "urlquery": Func(_urlquery, "", "a"),
        "eq": Func(_eq, "a", "a"), "ne": Func(lambda a, b: not _go_equal(a, b), "aa"),
        "lt": Func(_compare(operator.lt), "aa"), "le": Func(_compare(operator.le), "aa"),
        "gt": Func(_compare(operator.gt), "aa"), "ge": Func(_compare(operator.ge), "aa"),
    }


def pure_funcs() -> dict[str, Func]:
    """Functions that depend on nothing but their arguments."""
    funcs = builtin_funcs()
    funcs.update({
        "upper": Func(str.upper, "s"), "lower": Func(str.lower, "s"),
        "replace": Func(_go_replace, "ssis"), "replace_all": Func(lambda o, n, s: s.replace(o, n), "sss"),
        "split": Func(_split, "ssi"),
    })
    return funcs


def _not_allowed(message: str):
    def fail(*_args):
        raise GoTemplateError(message)

    return fail


# Every function name Packer knows, so that parsing fails only on truly unknown names.
ALL_FUNCTION_NAMES = frozenset(
    set(builtin_funcs()) | {
        "upper", "lower", "replace", "replace_all", "split", "user", "env", "timestamp", "isotime",
        "strftime", "uuid", "build_name", "build_type", "template_dir", "pwd", "packer_version",
        "build", "consul_key", "vault", "aws_secretsmanager", "sed",
    }
)


class FuncContext:
    """What the context-dependent functions read."""

    def __init__(self, user_vars=None, template_path=None, init_time=None, build_name=None, build_type=None,
                 in_variables=False, clean_resource_name=None, cwd=None, build_keys=None):
        self.user_vars = {} if user_vars is None else user_vars
        self.template_path = template_path
        self.init_time = init_time or datetime.now(UTC)
        self.build_name = build_name
        self.build_type = build_type
        self.in_variables = in_variables
        self.clean_resource_name = clean_resource_name  # a callable, for builders that offer it
        self.cwd = cwd
        self.build_keys = build_keys  # the `{{ build }}` keys a component of this build may name


def context_funcs(ctx: FuncContext) -> dict[str, Func]:
    funcs = pure_funcs()

    def user(name: str) -> str:
        if name in ctx.user_vars and ctx.user_vars[name] is not None:
            return ctx.user_vars[name]
        if ctx.in_variables:
            raise GoTemplateError(f"variable not set: {name}")
        return ""

    def env(name: str) -> str:
        if not ctx.in_variables:
            raise GoTemplateError("env vars are not allowed here")
        return os.environ.get(name, "")

    def isotime(*layout: str) -> str:
        if len(layout) > 1:
            raise GoTemplateError(f"too many values, 1 needed: {list(layout)}")
        if not layout:
            return go_time_format(ctx.init_time, "2006-01-02T15:04:05Z07:00")
        return go_time_format(ctx.init_time, layout[0])

    def strftime(fmt: str) -> str:
        try:
            return ctx.init_time.strftime(fmt)
        except ValueError as exc:
            raise GoTemplateError(str(exc)) from None

    def build_name() -> str:
        if ctx.build_name is None:
            raise GoTemplateError("build_name not available")
        return ctx.build_name

    def build_type() -> str:
        if ctx.build_type is None:
            raise GoTemplateError("build_type not available")
        return ctx.build_type

    def template_dir() -> str:
        if not ctx.template_path:
            raise GoTemplateError("template path not available")
        return os.path.dirname(os.path.abspath(ctx.template_path))

    def pwd() -> str:
        return ctx.cwd or os.getcwd()

    def build(key: str) -> str:
        # Only checked at validate: the value itself is filled in at run time.
        if ctx.build_keys is None:
            raise GoTemplateError("build data is not available here")
        if key not in ctx.build_keys:
            raise GoTemplateError(missing_key_message(key))
        return ""

    secret = "is not supported by cattle (no secret store lookups)" if ctx.in_variables else "is not allowed here"
    funcs.update({
        "user": Func(user, "s"), "env": Func(env, "s"),
        "timestamp": Func(lambda: str(int(ctx.init_time.timestamp()))),
        "isotime": Func(isotime, "", "s"), "strftime": Func(strftime, "s"),
        "uuid": Func(time_ordered_uuid),
        "build_name": Func(build_name), "build_type": Func(build_type),
        "template_dir": Func(template_dir), "pwd": Func(pwd),
        "packer_version": Func(lambda: PACKER_COMPAT_VERSION),
        "build": Func(build, "s"),
        "consul_key": Func(_not_allowed(f"consul_key {secret}"), "s"),
        "vault": Func(_not_allowed(f"vault {secret}"), "ss"),
        "aws_secretsmanager": Func(_not_allowed(f"aws_secretsmanager {secret}"), "s", "s"),
        "sed": Func(_not_allowed("sed is deprecated and no longer supported"), "ss"),
    })
    if ctx.clean_resource_name is not None:
        funcs["clean_resource_name"] = Func(ctx.clean_resource_name, "s")
    return funcs


def runtime_funcs(data: dict) -> dict[str, Func]:
    """Functions available to `render_runtime`: the pure ones and `build`."""
    funcs = pure_funcs()
    build_data = data.get("build") if isinstance(data, dict) else None

    def build(key: str):
        if isinstance(build_data, dict) and key in build_data:
            return build_data[key]
        return MISSING

    funcs["build"] = Func(build, "s")
    funcs["clean_resource_name"] = Func(_clean_amazon, "s")
    return funcs
