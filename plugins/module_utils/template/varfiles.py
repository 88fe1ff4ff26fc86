"""`-var-file` files: JSON (Packer's streaming decoder) or YAML, string values only."""

from __future__ import annotations

import os

from .errors import Diagnostic
from .source import Document, SourceError, read_json, read_yaml


def read_var_file(path: str, cwd: str) -> tuple[dict, list[Diagnostic]]:
    full = path if os.path.isabs(path) else os.path.join(cwd, path)
    try:
        with open(full, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        return {}, [Diagnostic(path, 0, 0, "", f"Error reading variables in '{path}': {exc}")]
    try:
        if path.endswith((".yml", ".yaml")):
            doc = read_yaml(text)
        else:
            doc = _read_first_json_value(text)
    except SourceError as exc:
        return {}, [Diagnostic(path, exc.line, exc.column, "", f"Error reading variables in '{path}': {exc.message}")]
    if not isinstance(doc.value, dict):
        return {}, [Diagnostic(path, 1, 1, "", f"Error reading variables in '{path}': the file must hold an object")]
    values: dict = {}
    problems = []
    for key, value in doc.value.items():
        if not isinstance(value, str):
            line, column = doc.position((key,))
            problems.append(Diagnostic(path, line, column, key, (
                f"Error reading variables in '{path}': json: cannot unmarshal {_go_json_kind(value)} "
                "into Go value of type string")))
            continue
        values[key] = value
    return values, problems


def _go_json_kind(value) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null"


def _read_first_json_value(text: str) -> Document:
    """Packer decodes var files with a streaming decoder: trailing data is ignored."""
    try:
        return read_json(text)
    except SourceError as exc:
        if "after top-level value" not in exc.message:
            raise
        lines = text.splitlines(keepends=True)
        offset = sum(len(line) for line in lines[: exc.line - 1]) + exc.column - 1
        return read_json(text[:offset])
