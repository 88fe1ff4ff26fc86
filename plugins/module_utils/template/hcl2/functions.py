"""Packer's HCL2 function library (Packer 1.6.6's list, plus `templatefile`, `regex`, `regexall`, `sum`).

Each function takes already evaluated Python values; `can`/`try` and `templatefile` need the
evaluator and live there. A function raises FunctionError with a message in HCL's words.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import math
import re
import urllib.parse
import uuid

from .dates_files import FunctionError, filesystem_functions, formatdate, timeadd, timestamp_function
from .values import ConversionError, convert, format_number, to_bool, to_number, to_string, type_name

STR, NUM, BOOL, ANY = ("string",), ("number",), ("bool",), ("any",)
LIST_ANY, LIST_STR, MAP_ANY = ("list", ANY), ("list", STR), ("map", ANY)


def _collection(value, name="collection"):
    if isinstance(value, (list, dict, str)):
        return value
    raise FunctionError(f"{name} must be a list, a map or a string, got {type_name(value)}")


def _format(fmt, *args):
    """Go's fmt verbs as cty's format function knows them: %s %d %f %v %q %t %x %%."""
    out, index = [], 0
    for match in re.finditer(r"%([-+ 0#]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])|[^%]+|%", fmt):
        if not match.group(4):
            out.append(match.group(0))
            continue
        verb = match.group(4)
        if verb == "%":
            out.append("%")
            continue
        if index >= len(args):
            raise FunctionError(f"not enough arguments for format string {fmt!r}")
        arg = args[index]
        index += 1
        flags, width, precision = match.group(1), match.group(2) or "", match.group(3)
        if verb == "d":
            text = str(int(to_number(arg)))
        elif verb in "fFeg":
            text = f"%{'.' + precision if precision else ''}{verb}" % float(to_number(arg))
        elif verb == "q":
            text = json.dumps(to_string(arg))
        elif verb == "t":
            text = "true" if to_bool(arg) else "false"
        elif verb in "xX":
            number = arg if isinstance(arg, (int, float)) else None
            text = format(int(number), verb) if number is not None else to_string(arg).encode().hex()
        elif verb == "v" and isinstance(arg, (list, dict)):
            text = json.dumps(arg, separators=(",", ":"))
        else:
            text = to_string(arg)
        pad = "<" if "-" in flags else ">"
        fill = "0" if "0" in flags and pad == ">" else " "
        out.append(format(text, f"{fill}{pad}{width}") if width else text)
    if index < len(args):
        raise FunctionError(f"too many arguments for format string {fmt!r}")
    return "".join(out)


def _formatlist(fmt, *args):
    lengths = {len(a) for a in args if isinstance(a, list)}
    if len(lengths) > 1:
        raise FunctionError("all list arguments must have the same length")
    count = lengths.pop() if lengths else 1
    return [_format(fmt, *[a[i] if isinstance(a, list) else a for a in args]) for i in range(count)]


def _indent(spaces, text):
    lines = text.split("\n")
    return "\n".join([lines[0]] + [" " * int(spaces) + line for line in lines[1:]])


def _replace(text, search, replacement):
    if len(search) > 1 and search.startswith("/") and search.endswith("/"):
        return re.sub(search[1:-1], _go_replacement(replacement), text)
    return text.replace(search, replacement)


def _go_replacement(replacement: str) -> str:
    return re.sub(r"\$\{?(\w+)\}?", r"\\g<\1>", replacement.replace("\\", "\\\\"))


def _regex(pattern, text):
    match = re.search(pattern, text)
    if not match:
        raise FunctionError("pattern did not match any part of the given string")
    if match.groupdict():
        return match.groupdict()
    return list(match.groups()) if match.groups() else match.group(0)


def _regexall(pattern, text):
    out = []
    for match in re.finditer(pattern, text):
        out.append(match.groupdict() or (list(match.groups()) if match.groups() else match.group(0)))
    return out


def _substr(text, offset, length):
    offset, length = int(offset), int(length)
    if offset < 0:
        offset = max(len(text) + offset, 0)
    return text[offset:] if length < 0 else text[offset:offset + length]


def _title(text):
    return re.sub(r"(^|\s)(\S)", lambda m: m.group(1) + m.group(2).upper(), text)


def _element(items, index):
    if not items:
        raise FunctionError("cannot use element function with an empty list")
    return items[int(index) % len(items)]


def _flatten(items):
    out = []
    for item in items:
        out.extend(_flatten(item) if isinstance(item, list) else [item])
    return out


def _index(items, value):
    if value not in items:
        raise FunctionError("item not found")
    return items.index(value)


def _lookup(mapping, key, *default):
    if key in mapping:
        return mapping[key]
    if default:
        return default[0]
    raise FunctionError(f'the given key "{key}" does not exist in the map and no default value was given')


def _merge(*maps):
    out = {}
    for item in maps:
        if item is None:
            continue
        if not isinstance(item, dict):
            raise FunctionError(f"arguments must be maps or objects, got {type_name(item)}")
        out.update(item)
    return out


def _range(*args):
    numbers = [to_number(a) for a in args]
    start, stop, step = (0, numbers[0], 1) if len(numbers) == 1 else (numbers[0], numbers[1], numbers[2] if len(numbers) > 2 else 1)
    if step == 0:
        raise FunctionError("step must not be zero")
    out, value = [], start
    while (value < stop) if step > 0 else (value > stop):
        out.append(value)
        value += step
    return out


def _set(items):
    out = []
    for item in items:
        if item not in out:
            out.append(item)
    return out


def _setproduct(*lists):
    out = [[]]
    for items in lists:
        out = [prefix + [item] for prefix in out for item in items]
    return out


def _slice(items, start, end):
    start, end = int(start), int(end)
    if start < 0 or end > len(items) or start > end:
        raise FunctionError(f"invalid slice indexes {start}:{end} for a list of {len(items)}")
    return items[start:end]


def _sort(items):
    return sorted(to_string(i) for i in items)


def _values(mapping):
    return [mapping[k] for k in sorted(mapping)]


def _coalesce(*args):
    for arg in args:
        if arg is not None and arg != "":
            return arg
    raise FunctionError("no non-null, non-empty-string arguments")


def _coalescelist(*lists):
    for items in lists:
        if items:
            return items
    raise FunctionError("no non-null arguments")


def _parseint(text, base):
    try:
        return int(text, int(base))
    except ValueError:
        raise FunctionError(f"cannot parse {text!r} as a base {int(base)} integer") from None


def _log(number, base):
    return math.log(number, base)


def _min_max(pick):
    def function(*numbers):
        if not numbers:
            raise FunctionError("must pass at least one number")
        return pick(to_number(n) for n in numbers)
    return function


def _signum(number):
    return (number > 0) - (number < 0)


def _csvdecode(text):
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return []
    head = rows[0]
    out = []
    for row in rows[1:]:
        if len(row) != len(head):
            raise FunctionError("a CSV row has a different number of fields than the header")
        out.append(dict(zip(head, row, strict=True)))
    return out


def _yamldecode(text):
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise FunctionError(f"failed to decode YAML: {exc}") from None


def _yamlencode(value):
    """YAML as cty's yamlencode writes it: every string double-quoted, block style, lists not indented."""
    return "\n".join(_yaml_lines(value, "")) + "\n"


def _yaml_scalar(value) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if value is None:
        return "null"
    if isinstance(value, (dict, list)):
        return "{}" if isinstance(value, dict) else "[]"
    return to_string(value)


def _yaml_lines(value, indent):
    if isinstance(value, dict) and value:
        lines = []
        for key in sorted(value):
            item = value[key]
            if isinstance(item, (dict, list)) and item:
                lines.append(f"{indent}{json.dumps(key)}:")
                lines.extend(_yaml_lines(item, indent + "  " if isinstance(item, dict) else indent))
            else:
                lines.append(f"{indent}{json.dumps(key)}: {_yaml_scalar(item)}")
        return lines
    if isinstance(value, list) and value:
        lines = []
        for item in value:
            inner = _yaml_lines(item, indent + "  ")
            lines.append(f"{indent}- {inner[0].lstrip()}")
            lines.extend(inner[1:])
        return lines
    return [indent + _yaml_scalar(value)]


def _jsonencode(value):
    """Go's encoding/json: compact, keys sorted, <, > and & escaped."""
    text = json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _jsondecode(text):
    try:
        return json.loads(text)
    except ValueError as exc:
        raise FunctionError(f"failed to decode JSON: {exc}") from None


def _base64decode(text):
    try:
        return base64.b64decode(text, validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError) as exc:
        raise FunctionError(f"failed to decode base64 data {text!r}: {exc}") from None


def _hash(name):
    return lambda text: hashlib.new(name, text.encode()).hexdigest()


# ------------------------------------------------------------------ the table: name -> (function, parameter types[, variadic type])


FUNCTIONS = {
    # string
    "chomp": (lambda s: re.sub(r"(\r\n|\n|\r)+$", "", s), [STR]),
    "format": (_format, [STR], ANY),
    "formatlist": (_formatlist, [STR], ANY),
    "indent": (_indent, [NUM, STR]),
    "join": (lambda sep, *lists: sep.join(to_string(i) for items in lists for i in items), [STR], LIST_ANY),
    "lower": (str.lower, [STR]),
    "upper": (str.upper, [STR]),
    "replace": (_replace, [STR, STR, STR]),
    "regex_replace": (lambda s, p, r: re.sub(p, _go_replacement(r), s), [STR, STR, STR]),
    "regex": (_regex, [STR, STR]),
    "regexall": (_regexall, [STR, STR]),
    "split": (lambda sep, s: s.split(sep) if s else [""], [STR, STR]),
    "strrev": (lambda s: s[::-1], [STR]),
    "substr": (_substr, [STR, NUM, NUM]),
    "title": (_title, [STR]),
    "trim": (lambda s, chars: s.strip(chars), [STR, STR]),
    "trimprefix": (lambda s, p: s[len(p):] if p and s.startswith(p) else s, [STR, STR]),
    "trimsuffix": (lambda s, p: s[:-len(p)] if p and s.endswith(p) else s, [STR, STR]),
    "trimspace": (str.strip, [STR]),
    # numeric
    "abs": (abs, [NUM]),
    "ceil": (math.ceil, [NUM]),
    "floor": (math.floor, [NUM]),
    "log": (_log, [NUM, NUM]),
    "max": (_min_max(max), [], NUM),
    "min": (_min_max(min), [], NUM),
    "parseint": (_parseint, [STR, NUM]),
    "pow": (lambda a, b: a ** b, [NUM, NUM]),
    "signum": (_signum, [NUM]),
    "sum": (lambda items: sum(to_number(i) for i in items), [LIST_ANY]),
    # collection
    "chunklist": (lambda items, size: [items[i:i + int(size)] for i in range(0, len(items), int(size) or len(items) or 1)],
                  [LIST_ANY, NUM]),
    "coalesce": (_coalesce, [], ANY),
    "coalescelist": (_coalescelist, [], LIST_ANY),
    "compact": (lambda items: [i for i in items if i not in (None, "")], [LIST_ANY]),
    "concat": (lambda *lists: [i for items in lists for i in items], [], LIST_ANY),
    "contains": (lambda items, value: value in items, [LIST_ANY, ANY]),
    "distinct": (_set, [LIST_ANY]),
    "element": (_element, [LIST_ANY, NUM]),
    "flatten": (_flatten, [LIST_ANY]),
    "index": (_index, [LIST_ANY, ANY]),
    "keys": (sorted, [MAP_ANY]),
    "length": (lambda value: len(_collection(value)), [ANY]),
    "lookup": (_lookup, [MAP_ANY, STR], ANY),
    "merge": (_merge, [], ANY),
    "range": (_range, [], NUM),
    "reverse": (lambda items: list(reversed(items)), [LIST_ANY]),
    "setintersection": (lambda first, *rest: [i for i in _set(first) if all(i in r for r in rest)], [LIST_ANY], LIST_ANY),
    "setproduct": (_setproduct, [], LIST_ANY),
    "setunion": (lambda *lists: _set([i for items in lists for i in items]), [], LIST_ANY),
    "slice": (_slice, [LIST_ANY, NUM, NUM]),
    "sort": (_sort, [LIST_ANY]),
    "values": (_values, [MAP_ANY]),
    "zipmap": (lambda keys, values: dict(zip([to_string(k) for k in keys], values, strict=False)), [LIST_ANY, LIST_ANY]),
    # encoding
    "base64decode": (_base64decode, [STR]),
    "base64encode": (lambda s: base64.b64encode(s.encode()).decode(), [STR]),
    "csvdecode": (_csvdecode, [STR]),
    "jsondecode": (_jsondecode, [STR]),
    "jsonencode": (_jsonencode, [ANY]),
    "urlencode": (lambda s: urllib.parse.quote_plus(s, safe=""), [STR]),  # Go's url.QueryEscape
    "yamldecode": (_yamldecode, [STR]),
    "yamlencode": (_yamlencode, [ANY]),
    # date
    "formatdate": (formatdate, [STR, STR]),
    "timeadd": (timeadd, [STR, STR]),
    # hash and crypto
    "md5": (_hash("md5"), [STR]),
    "sha1": (_hash("sha1"), [STR]),
    "sha256": (_hash("sha256"), [STR]),
    "sha512": (_hash("sha512"), [STR]),
    "base64sha256": (lambda s: base64.b64encode(hashlib.sha256(s.encode()).digest()).decode(), [STR]),
    "base64sha512": (lambda s: base64.b64encode(hashlib.sha512(s.encode()).digest()).decode(), [STR]),
    "uuidv4": (lambda: str(uuid.uuid4()), []),
    "uuidv5": (lambda namespace, name: str(uuid.uuid5(_uuid_namespace(namespace), name)), [STR, STR]),
    # conversion
    "tostring": (lambda v: v if v is None else convert(v, STR), [ANY]),
    "tonumber": (lambda v: v if v is None else convert(v, NUM), [ANY]),
    "tobool": (lambda v: v if v is None else convert(v, BOOL), [ANY]),
    "tolist": (list, [LIST_ANY]),
    "toset": (_set, [LIST_ANY]),
    "tomap": (dict, [MAP_ANY]),
}

# Packer functions that need a service cattle does not talk to at validate time.
UNSUPPORTED = {
    "aws_secretsmanager": "reads AWS Secrets Manager", "consul_key": "reads Consul", "vault": "reads Vault",
    "bcrypt": "needs a bcrypt implementation", "rsadecrypt": "decrypts with a private key",
    "cidrhost": "", "cidrnetmask": "", "cidrsubnet": "", "cidrsubnets": "",
}


def _uuid_namespace(namespace):
    named = {"dns": uuid.NAMESPACE_DNS, "url": uuid.NAMESPACE_URL, "oid": uuid.NAMESPACE_OID, "x500": uuid.NAMESPACE_X500}
    if namespace in named:
        return named[namespace]
    try:
        return uuid.UUID(namespace)
    except ValueError:
        raise FunctionError(f"uuidv5 namespace must be dns, url, oid, x500 or a UUID, got {namespace!r}") from None


def call(name: str, table: dict, args: list):
    """Calls `name` with converted arguments; FunctionError for wrong counts or types."""
    entry = table[name]
    function, params = entry[0], entry[1]
    variadic = entry[2] if len(entry) > 2 else None
    if len(args) < len(params) or (variadic is None and len(args) > len(params)):
        raise FunctionError(f"Function {name!r} expects {len(params)} argument(s){' or more' if variadic else ''}; "
                            f"{len(args)} given.")
    converted = []
    for index, arg in enumerate(args):
        wanted = params[index] if index < len(params) else variadic
        try:
            value = convert(arg, wanted)
        except ConversionError as exc:
            raise FunctionError(f"Invalid value for argument {index + 1}: {exc}") from None
        if value is None and wanted != ANY:
            raise FunctionError(f"Invalid value for argument {index + 1}: argument must not be null.")
        converted.append(value)
    try:
        result = function(*converted)
    except FunctionError:
        raise
    except ConversionError as exc:
        raise FunctionError(str(exc)) from None
    except (ValueError, TypeError, ArithmeticError, KeyError, IndexError, re.error) as exc:
        raise FunctionError(str(exc)) from None
    if isinstance(result, float) and result.is_integer():
        return int(result)
    return result


ALL_NAMES = sorted(set(FUNCTIONS) | {"file", "fileexists", "fileset", "abspath", "basename", "dirname", "pathexpand",
                                     "timestamp", "templatefile", "can", "try", "convert", "env",
                                     "legacy_isotime", "legacy_strftime"})

__all__ = ["FUNCTIONS", "UNSUPPORTED", "ALL_NAMES", "FunctionError", "call", "filesystem_functions",
           "timestamp_function", "format_number"]
