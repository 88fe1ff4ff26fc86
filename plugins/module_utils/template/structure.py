"""A template's structure: its top-level keys, variables, builders, provisioners and
post-processors read into a `TemplateStructure` (Packer's `validate -syntax-only` checks).

Interpolation, validation and the plan build on it (`loader.py`).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from .decode import DecodeError, parse_duration, to_bool, to_list
from .errors import Diagnostic
from .functions import time_ordered_uuid
from .gosyntax import go_type
from .source import Document

ROOT_KEYS = frozenset({
    "variables", "sensitive-variables", "builders", "provisioners", "post-processors",
    "error-cleanup-provisioner", "min_packer_version", "description", "push", "comments",
})
PROVISIONER_SPECIAL = ("type", "only", "except", "override", "pause_before", "max_retries", "timeout")
POST_PROCESSOR_SPECIAL = ("type", "name", "only", "except", "keep_input_artifact")


def format_path(path) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


class TemplateStructure:
    """A parsed template, before interpolation; `loader.Template` adds the rest."""

    def __init__(self, path: str, doc: Document, user_values: dict, cwd: str):
        self.path = path
        self.abspath = os.path.abspath(path) if path != "-" else os.path.join(cwd, "stdin")
        self.template_dir = os.path.dirname(self.abspath)
        self.display = path
        self.doc = doc
        self.cwd = cwd
        self.cli_values = user_values
        self.init_time = datetime.now(UTC)
        self.run_uuid = time_ordered_uuid()
        self.description = ""
        self.variables: dict[str, str | None] = {}
        self.sensitive_names: list[str] = []
        self.builders: list[dict] = []
        self.provisioners: list[dict] = []
        self.error_cleanup: dict | None = None
        self.post_processors: list[list[dict]] = []
        self.min_version: str | None = None
        self._resolved: tuple | None = None

    # ---------------------------------------------------------------- diagnostics

    def diag(self, path, message: str, severity: str = "error") -> Diagnostic:
        line, column = self.doc.position(tuple(path))
        return Diagnostic(self.display, line, column, format_path(path), message, severity)

    def check_diag(self, path, suffix, message: str, severity: str = "error") -> Diagnostic:
        """A check's problem with the option `suffix` of the builder, provisioner or post-processor at `path`: at
        the option."""
        return self.diag(tuple(path) + tuple(suffix), message, severity)

    # ---------------------------------------------------------------- parse level

    def parse(self) -> list[Diagnostic]:
        problems: list[Diagnostic] = []
        root = self.doc.value
        for path, line, column in self.doc.duplicates:
            problems.append(Diagnostic(self.display, line, column, format_path(path),
                                       f"template has duplicate field: {path[-1]}"))
        if not isinstance(root, dict):
            problems.append(self.diag((), "the template must be an object of top-level keys"))
            return problems
        for key, value in root.items():
            if key.startswith("_"):
                if not isinstance(value, str):
                    problems.append(self.diag((key,), f'Failed to cast root level comment value in comment "{key}" to string.'))
            elif key not in ROOT_KEYS:
                problems.append(self.diag((key,), f"Unknown root level key in template: '{key}'"))
        self._parse_variables(root, problems)
        self._parse_builders(root, problems)
        provisioners = root.get("provisioners")
        if provisioners is not None:
            if not isinstance(provisioners, list):
                problems.append(self.diag(("provisioners",), "'Provisioners': source data must be an array or slice, "
                                          f"got {_go_kind(provisioners)}"))
            else:
                for index, item in enumerate(provisioners):
                    parsed = self._parse_provisioner(item, ("provisioners", index), f"provisioner {index + 1}", problems)
                    if parsed:
                        self.provisioners.append(parsed)
        if root.get("error-cleanup-provisioner") is not None:
            self.error_cleanup = self._parse_provisioner(
                root["error-cleanup-provisioner"], ("error-cleanup-provisioner",), "error-cleanup-provisioner", problems)
        self._parse_post_processors(root, problems)
        for key in ("min_packer_version", "description"):
            value = root.get(key)
            if value is not None and not isinstance(value, str):
                problems.append(self.diag((key,), f"'{key}' expected type 'string', got {_go_kind(value)}"))
        if isinstance(root.get("min_packer_version"), str):
            self.min_version = root["min_packer_version"]
        if isinstance(root.get("description"), str):
            self.description = root["description"]
        sensitive = root.get("sensitive-variables")
        if sensitive is not None:
            if not isinstance(sensitive, list) or not all(isinstance(s, str) for s in sensitive):
                problems.append(self.diag(("sensitive-variables",), "'sensitive-variables' must be a list of variable names"))
            else:
                self.sensitive_names = list(sensitive)
        return problems

    def _parse_variables(self, root: dict, problems: list) -> None:
        variables = root.get("variables")
        if variables is None:
            return
        if not isinstance(variables, dict):
            problems.append(self.diag(("variables",), f"'variables' expected a map, got '{_go_kind(variables)}'"))
            return
        for name, default in variables.items():
            if default is None or isinstance(default, str):
                self.variables[name] = default
            else:
                # Packer decodes JSON numbers as float64.
                decoded = float(default) if isinstance(default, int) and not isinstance(default, bool) else default
                problems.append(self.diag(("variables", name), f"variable {name}: '' expected type 'string', got "
                                          f"unconvertible type '{go_type(decoded)}'"))

    def _parse_builders(self, root: dict, problems: list) -> None:
        builders = root.get("builders")
        if builders is None:
            return
        if not isinstance(builders, list):
            problems.append(self.diag(("builders",), "'Builders': source data must be an array or slice, "
                                      f"got {_go_kind(builders)}"))
            return
        seen: set[str] = set()
        for index, item in enumerate(builders):
            path = ("builders", index)
            label = f"builder {index + 1}"
            if not isinstance(item, dict):
                problems.append(self.diag(path, f"{label}: expected an object, got {_go_kind(item)}"))
                continue
            builder_type = item.get("type")
            if builder_type is None or builder_type == "":
                problems.append(self.diag(path, f"{label}: missing 'type'"))
                continue
            if not isinstance(builder_type, str):
                problems.append(self.diag(path + ("type",), f"{label}: 'type' must be a string"))
                continue
            name = item.get("name", builder_type)
            if not isinstance(name, str) or name == "":
                name = builder_type if name in (None, "") else name
                if not isinstance(name, str):
                    problems.append(self.diag(path + ("name",), f"{label}: 'name' must be a string"))
                    continue
            if name in seen:
                problems.append(self.diag(path + ("name",) if "name" in item else path,
                                          f"{label}: builder with name '{name}' already exists"))
                continue
            seen.add(name)
            config = {k: v for k, v in item.items() if k not in ("type", "name")}
            self.builders.append({"raw_name": name, "type": builder_type, "config": config, "path": path})

    def _names_list(self, value, path, label, key, problems):
        if value is None:
            return []
        try:
            names = to_list(key, value)
        except DecodeError as exc:
            problems.append(self.diag(path, f"{label}: {exc}"))
            return []
        return names

    def _parse_provisioner(self, item, path, label, problems):
        if not isinstance(item, dict):
            problems.append(self.diag(path, f"{label}: expected an object, got {_go_kind(item)}"))
            return None
        ptype = item.get("type")
        if not isinstance(ptype, str) or not ptype:
            problems.append(self.diag(path, f"{label}: Provisioner missing 'type'"))
            return None
        parsed = {
            "type": ptype, "path": path, "label": label,
            "only": self._names_list(item.get("only"), path + ("only",), label, "only", problems),
            "except": self._names_list(item.get("except"), path + ("except",), label, "except", problems),
            "override": {}, "pause_before": 0.0, "timeout": 0.0, "max_retries": 0,
            "config": {k: v for k, v in item.items() if k not in PROVISIONER_SPECIAL},
        }
        override = item.get("override")
        if override is not None:
            if not isinstance(override, dict) or not all(isinstance(v, dict) for v in override.values()):
                problems.append(self.diag(path + ("override",), f"{label}: 'override' must map build names to objects"))
            else:
                parsed["override"] = override
        for key in ("pause_before", "timeout"):
            value = item.get(key)
            if value is None:
                continue
            try:
                if isinstance(value, str):
                    parsed[key] = parse_duration(value) if value else 0.0
                elif isinstance(value, (int, float)) and not isinstance(value, bool):
                    parsed[key] = float(value) / 1e9
                else:
                    raise DecodeError(f"'{key}' expected a duration, got {_go_kind(value)}")
            except DecodeError as exc:
                problems.append(self.diag(path + (key,), f"{label}: {exc}"))
        retries = item.get("max_retries")
        if retries is not None:
            if isinstance(retries, bool) or not isinstance(retries, (int, float, str)):
                problems.append(self.diag(path + ("max_retries",), f"{label}: 'max_retries' expected an int or a string"))
            else:
                parsed["max_retries"] = retries
        return parsed

    def _parse_post_processors(self, root: dict, problems: list) -> None:
        pps = root.get("post-processors")
        if pps is None:
            return
        if not isinstance(pps, list):
            pps = [pps]
        for i, item in enumerate(pps):
            sequence = item if isinstance(item, list) else [item]
            chain = []
            for j, element in enumerate(sequence):
                path = ("post-processors", i, j) if isinstance(item, list) else ("post-processors", i)
                label = f"post-processor {i + 1}.{j + 1}"
                if isinstance(element, list):
                    problems.append(self.diag(path, f"{label}: sequence not allowed to be nested in a sequence"))
                    continue
                if isinstance(element, str):
                    element = {"type": element}
                if not isinstance(element, dict):
                    problems.append(self.diag(path, f"{label}: expected a string or an object, got {_go_kind(element)}"))
                    continue
                pptype = element.get("type")
                if not isinstance(pptype, str) or not pptype:
                    problems.append(self.diag(path, f"{label}: type is required"))
                    continue
                name = element.get("name") or pptype
                keep = element.get("keep_input_artifact")
                if keep is not None and not isinstance(keep, bool):
                    try:
                        keep = to_bool("keep_input_artifact", keep)
                    except DecodeError as exc:
                        problems.append(self.diag(path + ("keep_input_artifact",), f"{label}: {exc}"))
                        keep = None
                chain.append({
                    "type": pptype, "name": name if isinstance(name, str) else pptype, "path": path, "label": label,
                    "only": self._names_list(element.get("only"), path + ("only",), label, "only", problems),
                    "except": self._names_list(element.get("except"), path + ("except",), label, "except", problems),
                    "keep_input_artifact": keep,
                    "config": {k: v for k, v in element.items() if k not in POST_PROCESSOR_SPECIAL},
                })
            self.post_processors.append(chain)

    def inspect(self) -> dict:
        """What `inspect` shows: no validation, raw names."""
        sensitive = set(self.sensitive_names)
        variables = []
        for name in sorted(self.variables):
            default = self.variables[name]
            variables.append({"name": name, "default": default, "required": default is None,
                              "sensitive": name in sensitive})
        return {
            "description": self.description,
            "variables": variables,
            "builders": [{"name": b["raw_name"], "type": b["type"]} for b in self.builders],
            "provisioners": [{"type": p["type"]} for p in self.provisioners],
            "post_processors": [[{"type": pp["type"], "name": pp["name"]} for pp in chain]
                                for chain in self.post_processors],
        }


def _go_kind(value) -> str:
    if isinstance(value, dict):
        return "map"
    if isinstance(value, list):
        return "slice"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "float64"
    if value is None:
        return "nil"
    return "string"
