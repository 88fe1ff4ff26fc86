"""Component config decoding: interpolation, Packer's weak typing, and schema checks."""

from __future__ import annotations

import glob
import os
import re

from ansible_collections.cattle.images.plugins.module_utils.errors import CattleError

from ..durations import parse_go_duration
from .checks import CHECKS
from .errors import GoTemplateError
from .gosyntax import go_type
from .gotemplate import PartialEvaluator, parse
from .schemas.deprecated import DEPRECATED_MESSAGE, is_fixable


class DecodeError(CattleError):
    pass


def parse_duration(text: str) -> float:
    """Go's time.ParseDuration, in seconds."""
    try:
        return parse_go_duration(text)
    except ValueError as exc:
        raise DecodeError(str(exc)) from None


def _format_float(value: float) -> str:
    if value == int(value) and abs(value) < 1e21:
        return str(int(value))
    return repr(value)


def to_string(key: str, value):
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _format_float(value)
    raise DecodeError(f"'{key}' expected type 'string', got unconvertible type '{go_type(value)}'")


_BOOL_STRINGS = {"1": True, "t": True, "T": True, "TRUE": True, "true": True, "True": True,
                 "0": False, "f": False, "F": False, "FALSE": False, "false": False, "False": False}


def to_bool(key: str, value):
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    if isinstance(value, (int, float)):
        return value != 0
    if isinstance(value, str):
        if value == "":
            return False
        if value in _BOOL_STRINGS:
            return _BOOL_STRINGS[value]
        raise DecodeError(f"cannot parse '{key}' as bool: strconv.ParseBool: parsing {value!r}: invalid syntax")
    raise DecodeError(f"'{key}' expected type 'bool', got unconvertible type '{go_type(value)}'")


def to_int(key: str, value):
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if value is None:
        return 0
    if isinstance(value, str):
        if value == "":
            return 0
        try:
            if re.fullmatch(r"[+-]?0[0-7]+", value):
                return int(value, 8)  # Go's base-0 parsing reads a leading 0 as octal
            return int(value, 0)
        except ValueError:
            raise DecodeError(f"cannot parse '{key}' as int: strconv.ParseInt: parsing {value!r}: invalid syntax") from None
    raise DecodeError(f"'{key}' expected type 'int', got unconvertible type '{go_type(value)}'")


def to_float(key: str, value):
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        return float(value)
    if value is None:
        return 0.0
    if isinstance(value, str):
        if value == "":
            return 0.0
        try:
            return float(value)
        except ValueError:
            raise DecodeError(f"cannot parse '{key}' as float: invalid syntax") from None
    raise DecodeError(f"'{key}' expected type 'float', got unconvertible type '{go_type(value)}'")


def to_duration(key: str, value):
    if isinstance(value, bool) or isinstance(value, (list, dict)):
        raise DecodeError(f"'{key}' expected type 'time.Duration', got unconvertible type '{go_type(value)}'")
    if value is None or value == "":
        return 0.0
    if isinstance(value, (int, float)):
        return float(value) / 1e9  # a bare number is nanoseconds, as in Go
    try:
        return parse_duration(value)
    except DecodeError as exc:
        raise DecodeError(f"error decoding '{key}': {exc}") from None


def to_list(key: str, value, item=to_string):
    if value is None:
        return []
    if isinstance(value, str):
        # Packer's decoder turns a comma-separated string into a list.
        return [] if value == "" else [item(key, part) for part in value.split(",")]
    if isinstance(value, list):
        return [item(f"{key}[{i}]", v) for i, v in enumerate(value)]
    if isinstance(value, dict):
        raise DecodeError(f"'{key}': source data must be an array or slice, got map")
    return [item(key, value)]


def to_map(key: str, value, item=to_string):
    if value is None:
        return {}
    if isinstance(value, list) and all(isinstance(v, dict) for v in value):
        merged: dict = {}
        for entry in value:
            merged.update(entry)
        value = merged
    if not isinstance(value, dict):
        raise DecodeError(f"'{key}' expected a map, got '{go_type(value).split(' ', maxsplit=1)[0]}'")
    return {str(k): item(f"{key}[{k}]", v) for k, v in value.items()}


def _any(_key, value):
    return value


COERCERS = {
    "str": to_string, "bool": to_bool, "trilean": lambda k, v: None if v is None else to_bool(k, v),
    "int": to_int, "float": to_float, "duration": to_duration,
    "list": to_list, "intlist": lambda k, v: to_list(k, v, to_int),
    "listlist": lambda k, v: to_list(k, v, to_list),
    "listmap": lambda k, v: [to_map(f"{k}[{i}]", m, _any) for i, m in enumerate(v if isinstance(v, list) else [v])],
    "map": to_map, "map_any": lambda k, v: to_map(k, v, _any), "any": _any,
}


# ------------------------------------------------------------------ interpolation


class Renderer:
    """Renders every string of a value (and its map keys) once, as Packer's decoder does."""

    def __init__(self, funcs, deferred_funcs=frozenset()):
        self.funcs = funcs
        self.deferred_funcs = deferred_funcs
        self.cache: dict = {}

    def render(self, text: str, runtime: bool, as_template: bool) -> str:
        if "{{" not in text:
            return text.replace("{{", '{{"{{"}}') if as_template else text
        tree = parse(text, self.funcs)
        evaluator = PartialEvaluator(self.funcs, self.deferred_funcs, defer_fields=runtime, as_template=as_template)
        return evaluator.render(tree)

    def render_value(self, value, runtime: bool, as_template: bool, errors: list, key: str):
        if isinstance(value, str):
            try:
                return self.render(value, runtime, as_template)
            except GoTemplateError as exc:
                message = str(exc)
                if "executing" in message:
                    errors.append(f"render '{key}': {message}")
                else:
                    errors.append(f"invalid '{key}': {message} in: {value}")
                return value
            except RecursionError:
                errors.append(f"invalid '{key}': template nested too deeply")
                return value
        if isinstance(value, list):
            return [self.render_value(v, runtime, as_template, errors, key) for v in value]
        if isinstance(value, dict):
            return {
                self.render_value(k, runtime, as_template, errors, key): self.render_value(
                    v, runtime, as_template, errors, key
                )
                for k, v in value.items()
            }
        return value


# ------------------------------------------------------------------ checks


def is_set(value) -> bool:
    return value not in (None, "", [], {}, False, 0, 0.0)


def decode_config(raw: dict, schema: dict, renderer: Renderer, template_form: bool, cwd: str):
    """Returns (config, [(key or None, message, severity)]) for one component's raw options.

    Severity is "error" or "warning" (an accepted deprecated option, as Packer warns).
    """
    options = schema.get("options", {})
    deprecated = schema.get("deprecated", {})
    runtime_keys = set(schema.get("runtime", ()))
    problems: list[tuple[str | None, str]] = []
    warnings: list[tuple[str, str, str]] = []
    config: dict = {}
    failed: set[str] = set()
    for key, value in raw.items():
        if key.startswith("packer_"):
            continue
        kind = options.get(key)
        if kind is None:
            if is_fixable(schema.get("plugin_id", ""), key):
                problems.append((key, DEPRECATED_MESSAGE.format(key=key)))
            else:
                problems.append((key, f"unknown configuration key: '\"{key}\"'"))
            continue
        if key in deprecated and is_set(value):
            warnings.append((key, deprecated[key], "warning"))
        errors: list[str] = []
        rendered = renderer.render_value(value, key in runtime_keys, template_form or key in runtime_keys, errors, key)
        for message in errors:
            problems.append((key, message))
        if errors:
            failed.add(key)
            continue
        try:
            config[key] = COERCERS[kind](key, rendered)
        except DecodeError as exc:
            problems.append((key, str(exc)))
            failed.add(key)
        except RecursionError:
            problems.append((key, "value nested too deeply"))
            failed.add(key)
    decoded = not problems
    checked = check_config(config, schema, cwd, failed)
    for key in schema.get("dropped", ()):
        config.pop(key, None)
    for old, new in schema.get("merged_into", {}).items():
        # Packer keeps a deprecated list option working by appending it to its successor.
        if old in config:
            config[new] = list(config.get(new) or []) + list(config.pop(old) or [])
    if decoded:  # as in Packer, whose Prepare checks run only once the whole config decoded
        for name in schema.get("checks", ()):
            warnings.extend(CHECKS[name](config, cwd))
    # Each issue says whether decoding found it or a check of the decoded config did (Packer's Prepare).
    return config, ([(key, message, "error", False) for key, message in problems]
                    + [(key, message, "error", True) for key, message in checked]
                    + [(key, message, severity, True) for key, message, severity in warnings])


def check_config(config: dict, schema: dict, cwd: str, failed: set = frozenset()):
    """Schema checks on a decoded config; keys that failed to decode (`failed`) count as given."""
    problems: list[tuple[str | None, str]] = []
    for key in schema.get("required", ()):
        if not is_set(config.get(key)) and key not in failed:
            problems.append((key, schema.get("required_messages", {}).get(key, f"{key} must be specified")))
    for group in schema.get("one_of", ()):
        given = [k for k in group if is_set(config.get(k)) or k in failed]
        if not given:
            problems.append((None, "one of " + ", ".join(f"'{k}'" for k in group) + " must be specified"))
        elif len(given) > 1:
            problems.append((given[1], "only one of " + ", ".join(f"'{k}'" for k in group) + " may be specified"))
    for group in schema.get("any_of", ()):
        if not any(is_set(config.get(k)) or k in failed for k in group):
            problems.append((None, " or ".join(f"'{k}'" for k in group) + " must be specified"))
    for group in schema.get("exclusive", ()):
        given = [k for k in group if is_set(config.get(k))]
        if len(given) > 1:
            problems.append((given[1], "only one of " + ", ".join(f"'{k}'" for k in group) + " may be specified"))
    for key in schema.get("key_value_lists", ()):
        for pair in config.get(key) or []:
            name, equals, _value = pair.partition("=") if isinstance(pair, str) else ("", "", "")
            if isinstance(pair, str) and "{{" not in pair and (not equals or not name):
                problems.append((key, f"Environment variable not in format 'key=value': {pair}"))
    for key, allowed in schema.get("enums", {}).items():
        value = config.get(key)
        values = value if isinstance(value, list) else [value]
        for item in values:
            if item not in (None, "") and isinstance(item, str) and "{{" not in item and item not in allowed:
                message = schema.get("enum_messages", {}).get(key) or f"{key} must be one of {', '.join(a for a in allowed if a)}; got {{value!r}}"
                problems.append((key, message.format(value=item)))
    skip_files = False
    for condition in schema.get("files_unless", ()):
        name, _equals, expected = condition.partition("=")
        actual = config.get(name)
        if (expected and actual == expected) or (not expected and actual):
            skip_files = True
    if not skip_files:
        for key, kind in schema.get("files", {}).items():
            value = config.get(key)
            for path in value if isinstance(value, list) else [value]:
                message = check_path(path, kind, cwd)
                if message and schema.get("file_messages") == "ansible":
                    problems.append((key, _ansible_file_message(key, path, kind, message)))
                elif message:
                    problems.append((key, f"Bad {_FILE_LABELS.get(key, key)} '{path}': {message}"))
    return problems


# How Packer names a missing local file in its "Bad ..." message, by option.
_FILE_LABELS = {"scripts": "script", "sources": "source", "floppy_files": "Floppy disk file",
                "floppy_dirs": "Floppy disk directory", "cd_files": "CD disk file"}


def _ansible_file_message(key: str, path: str, kind: str, problem: str) -> str:
    """The ansible provisioner's own wording (its validateFileConfig)."""
    if problem.startswith("stat "):
        return f"{key}: {path} is invalid: {problem}"
    return f"{key}: {path} must point to a {'file' if kind == 'file' else 'directory'}"


def check_path(path, kind: str, cwd: str) -> str | None:
    if not isinstance(path, str) or not path or "{{" in path or "://" in path:
        return None
    expanded = os.path.expanduser(path)
    full = expanded if os.path.isabs(expanded) else os.path.join(cwd, expanded)
    if any(c in path for c in "*?["):
        return None if glob.glob(full) else f"no file matches {path}"
    if not os.path.exists(full):
        return f"stat {path}: no such file or directory"
    if kind == "file" and os.path.isdir(full):
        return f"{path} is a directory, not a file"
    if kind == "dir" and not os.path.isdir(full):
        return f"{path} is not a directory"
    return None
