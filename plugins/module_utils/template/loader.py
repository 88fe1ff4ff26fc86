"""Loading a template: parse-level checks, variables, full validation and the plan."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime

from ..build_keys import build_keys
from .builder_support import builder_problems
from .checks import CHECKS, iso_checksum_problems
from .decode import DecodeError, Renderer, decode_config, parse_duration, to_int, to_list
from .errors import Diagnostic, GoTemplateError, TemplateErrors
from .functions import (
    ALL_FUNCTION_NAMES,
    PACKER_COMPAT_VERSION,
    FuncContext,
    clean_resource_name_for,
    context_funcs,
    time_ordered_uuid,
)
from .gotemplate import PartialEvaluator, parse
from .runtime import mask
from .schemas.packer_types import PACKER_TYPES
from .source import Document, SourceError, read_document, read_json, read_yaml

ROOT_KEYS = frozenset({
    "variables", "sensitive-variables", "builders", "provisioners", "post-processors",
    "error-cleanup-provisioner", "min_packer_version", "description", "push", "comments",
})
PROVISIONER_SPECIAL = ("type", "only", "except", "override", "pause_before", "max_retries", "timeout")
POST_PROCESSOR_SPECIAL = ("type", "name", "only", "except", "keep_input_artifact")
# Values that reference runtime template data are left alone while variables are resolved.
_RUNTIME_FIELD = re.compile(r"{{(\s|)\.(.*?)(\s|)}}")
_VERSION = re.compile(r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$")


def format_path(path) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


_READ_THE_DOCS = ", please reference your communicator documentation"


def _null_builder_problems(config, comm):
    """The null builder's own checks on the machine it is told to use, in Packer's words and order
    (after the communicator's checks; the key and agent options are SSH's even with WinRM, as in Packer)."""
    problems = []
    if not config.get(f"{comm}_host"):
        problems.append("a Host must be specified" + _READ_THE_DOCS)
    if not config.get(f"{comm}_username"):
        problems.append("a Username must be specified" + _READ_THE_DOCS)
    password, key, agent = (config.get(k) for k in (f"{comm}_password", "ssh_private_key_file", "ssh_agent_auth"))
    if not agent and not password and not key:
        problems.append("one authentication method must be specified" + _READ_THE_DOCS)
    if (agent and (config.get("ssh_password") or key)) or (config.get("ssh_password") and key):
        problems.append("only one of ssh_agent_auth, ssh_password, and ssh_private_key_file must be specified")
    return problems


class Template:
    """A parsed template. Build it with `load_template`."""

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
                problems.append(self.diag(("variables", name), f"variable {name}: '' expected type 'string', got "
                                          f"unconvertible type '{_go_type_name(default)}'"))

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
                        from .decode import to_bool

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

    # ---------------------------------------------------------------- variables

    def resolve_variables(self) -> tuple[dict, list[Diagnostic]]:
        """Packer's recursive rendering of variable values (core.go renderVarsRecursively)."""
        if self._resolved is not None:
            return self._resolved
        problems: list[Diagnostic] = []
        original: dict[str, str] = {k: v for k, v in self.variables.items() if v is not None}
        original.update(self.cli_values)
        resolved: dict[str, str] = dict(self.cli_values)
        ctx = FuncContext(user_vars=resolved, template_path=self.abspath, init_time=self.init_time,
                          in_variables=True, cwd=self.cwd)
        funcs = context_funcs(ctx)
        keys = sorted(original)
        failures: dict[str, str] = {}
        for _attempt in range(100):
            failures = {}
            changed = False
            for key in keys:
                value = original[key]
                if _RUNTIME_FIELD.search(value):
                    resolved.setdefault(key, value)
                    continue
                try:
                    rendered = PartialEvaluator(funcs, defer_fields=True, as_template=False).render(parse(value, funcs))
                except GoTemplateError as exc:
                    if "variable not set" in str(exc):
                        failures[key] = f'"{key}": "{value}"; error: {exc}'
                        continue
                    problems.append(self.diag(self._variable_path(key),
                                              f"error interpolating default value for '{key}' ({value}): {exc}"))
                    resolved[key] = value
                    continue
                except RecursionError:
                    problems.append(self.diag(self._variable_path(key), f"variable {key}: template nested too deeply"))
                    continue
                changed = True
                resolved[key] = rendered
            if not failures:
                break
            if not changed:
                break
        for key, failure in sorted(failures.items()):
            problems.append(self.diag(self._variable_path(key), (
                f"Failed to interpolate {failure}: Please make sure that the variable you're referencing has "
                "been defined; Packer treats all variables used to interpolate other user variables as required.")))
        for name, default in sorted(self.variables.items()):
            if default is None and name not in self.cli_values:
                problems.append(self.diag(("variables", name), f"required variable not set: {name}"))
        self._resolved = (resolved, problems)
        return self._resolved

    def _variable_path(self, key: str):
        return ("variables", key) if key in self.variables else ()

    def sensitive_values(self) -> list[str]:
        resolved, _problems = self.resolve_variables()
        values = []
        for name in self.sensitive_names:
            value = resolved.get(name)
            if isinstance(value, str) and value and value not in values:
                values.append(value)
        return values

    # ---------------------------------------------------------------- builds

    def build_names(self) -> list[tuple[dict, str]]:
        """Each builder with its interpolated name."""
        resolved, _problems = self.resolve_variables()
        ctx = FuncContext(user_vars=resolved, template_path=self.abspath, init_time=self.init_time, cwd=self.cwd)
        funcs = context_funcs(ctx)
        out = []
        for builder in self.builders:
            name = builder["raw_name"]
            if "{{" in name:
                try:
                    name = PartialEvaluator(funcs).render(parse(name, funcs))
                except (GoTemplateError, RecursionError):
                    pass
            out.append((builder, name))
        return out

    def _selected(self, only, except_):
        only = _split_names(only)
        except_ = _split_names(except_)
        selected = []
        for builder, name in self.build_names():
            if only and name not in only:
                continue
            if except_ and name in except_:
                continue
            selected.append((builder, name))
        return selected, except_

    def _check_references(self, problems: list) -> None:
        names = {b["raw_name"] for b in self.builders}
        if not self.builders:
            problems.append(self.diag(("builders",) if "builders" in self.doc.value else (),
                                      "at least one builder must be defined"))
        components = list(self.provisioners)
        if self.error_cleanup:
            components.append(self.error_cleanup)
        for prov in components + [pp for chain in self.post_processors for pp in chain]:
            if prov["only"] and prov["except"]:
                problems.append(self.diag(prov["path"], f"{prov['label']}: only one of 'only' or 'except' may be specified"))
            for key in ("only", "except"):
                for name in prov[key]:
                    if name not in names:
                        problems.append(self.diag(prov["path"] + (key,),
                                                  f"{prov['label']}: '{key}' specified builder '{name}' not found"))
            for name in prov.get("override", {}):
                if name not in names:
                    problems.append(self.diag(prov["path"] + ("override", name),
                                              f"{prov['label']}: override '{name}' doesn't exist"))

    def _check_min_version(self, problems: list) -> None:
        if not self.min_version:
            return
        wanted = _parse_version(self.min_version)
        if wanted is None:
            problems.append(self.diag(("min_packer_version",),
                                      f"min_version is invalid: Malformed version: {self.min_version}"))
            return
        if wanted > _parse_version(PACKER_COMPAT_VERSION):
            problems.append(self.diag(("min_packer_version",), (
                f"This template requires Packer version {self.min_version} or higher; using {PACKER_COMPAT_VERSION}")))

    def _compile(self, only=None, except_=None, force=False):
        """Validates and builds the plan's builds; returns (builds, diagnostics)."""
        from .schemas.builders import BUILDERS
        from .schemas.post_processors import POST_PROCESSORS
        from .schemas.provisioners import PROVISIONERS

        problems: list[Diagnostic] = []
        self._check_references(problems)
        self._check_min_version(problems)
        resolved, variable_problems = self.resolve_variables()
        problems.extend(variable_problems)
        selected, cli_except = self._selected(only, except_)
        builds = []
        for builder, name in selected:
            build = self._compile_build(builder, name, resolved, cli_except, force, problems,
                                        BUILDERS, PROVISIONERS, POST_PROCESSORS)
            builds.append(build)
        sensitive = self.sensitive_values()
        unique: list[Diagnostic] = []
        seen: set = set()
        for problem in problems:
            if sensitive:
                problem.message = mask(problem.message, sensitive)
            key = (problem.line, problem.column, problem.path, problem.message)
            if key not in seen:
                seen.add(key)
                unique.append(problem)
        return builds, unique

    def _component(self, kind, label_kind, ctype, raw_config, path, schemas, funcs, deferred, template_form, problems):
        schema = schemas.get(ctype)
        implemented = schema is not None and schema.get("implemented", True)
        if not implemented:
            if ctype in PACKER_TYPES[kind]:
                problems.append(self.diag(path + ("type",), (
                    f"{label_kind} type '{ctype}' is built into Packer 1.6.6 but not implemented in cattle; "
                    "remove it or replace it with an implemented type")))
            else:
                known = ", ".join(sorted(t for t, s in schemas.items() if s.get("implemented", True)))
                problems.append(self.diag(path + ("type",), f"Unknown {label_kind} {ctype}; known {label_kind}s: {known}"))
        if schema is None:
            # Still parse every string so unknown functions are reported, as Packer does early.
            self._parse_strings(raw_config, path, funcs, problems)
            return None
        renderer = Renderer(funcs, deferred)
        config, issues = decode_config(raw_config, schema, renderer, template_form, self.cwd)
        for key, message, severity in issues:
            problems.append(self.diag(path + ((key,) if key else ()), message, severity))
        return config if implemented else None

    def _parse_strings(self, value, path, funcs, problems):
        if isinstance(value, str):
            if "{{" in value:
                try:
                    parse(value, funcs)
                except GoTemplateError as exc:
                    problems.append(self.diag(path, f"invalid '{path[-1]}': {exc}"))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                self._parse_strings(item, path + (i,), funcs, problems)
        elif isinstance(value, dict):
            for key, item in value.items():
                self._parse_strings(item, path + (key,), funcs, problems)

    def _compile_build(self, builder, name, resolved, cli_except, force, problems, builders, provisioners, pps):
        btype = builder["type"]
        base = dict(user_vars=resolved, template_path=self.abspath, init_time=self.init_time,
                    build_name=name, build_type=btype, cwd=self.cwd)
        schema = builders.get(btype)
        cleaner = clean_resource_name_for(btype) if schema is None or schema.get("clean_resource_name") else None
        builder_funcs = context_funcs(FuncContext(**base, clean_resource_name=cleaner))
        component_funcs = context_funcs(FuncContext(**base, build_keys=build_keys(btype)))
        before = len([p for p in problems if p.severity == "error"])
        config = self._component("builder", "builder", btype, builder["config"], builder["path"], builders,
                                 builder_funcs, frozenset(), False, problems)
        if config is not None and schema is not None:
            self._check_builder(config, schema, name, builder["path"], force, problems)
            if len([p for p in problems if p.severity == "error"]) == before:
                for message in builder_problems(btype, config, name, self.cwd, force):
                    problems.append(self.diag(builder["path"], f"cattle's {btype} builder: {message}"))
        build = {"name": name, "type": btype, "config": config or {}, "provisioners": [],
                 "error_cleanup_provisioner": None, "post_processors": []}
        raw_name = builder["raw_name"]
        for prov in self.provisioners:
            step = self._compile_provisioner(prov, raw_name, name, component_funcs, resolved, provisioners, problems)
            if step is not None:
                build["provisioners"].append(step)
        if self.error_cleanup:
            build["error_cleanup_provisioner"] = self._compile_provisioner(
                self.error_cleanup, raw_name, name, component_funcs, resolved, provisioners, problems)
        for chain in self.post_processors:
            steps = []
            for pp in chain:
                if cli_except and pp["name"] in cli_except:
                    break  # -except on a post-processor stops the rest of its sequence
                if not _applies(pp, raw_name, name):
                    continue
                config = self._component("post-processor", "post-processor", pp["type"], pp["config"], pp["path"],
                                         pps, component_funcs, frozenset({"build"}), True, problems)
                steps.append({"type": pp["type"], "name": pp["name"], "config": config or {},
                              "keep_input_artifact": pp["keep_input_artifact"]})
            if steps:
                build["post_processors"].append(steps)
        return build

    def _compile_provisioner(self, prov, raw_name, name, funcs, resolved, schemas, problems):
        if not _applies(prov, raw_name, name):
            return None
        raw = dict(prov["config"])
        override = prov["override"].get(raw_name, prov["override"].get(name))
        if isinstance(override, dict):
            raw.update(override)
        config = self._component("provisioner", "provisioner", prov["type"], raw, prov["path"], schemas, funcs,
                                 frozenset({"build"}), True, problems)
        retries = prov["max_retries"]
        if isinstance(retries, str):
            try:
                rendered = PartialEvaluator(funcs).render(parse(retries, funcs)) if "{{" in retries else retries
                retries = to_int("max_retries", rendered)
            except (GoTemplateError, DecodeError, RecursionError) as exc:
                problems.append(self.diag(prov["path"] + ("max_retries",), f"{prov['label']}: {exc}"))
                retries = 0
        return {"type": prov["type"], "config": config or {}, "pause_before": prov["pause_before"],
                "max_retries": int(retries), "timeout": prov["timeout"]}

    def _check_builder(self, config, schema, name, path, force, problems):
        from .schemas.communicator import COMMUNICATOR_TYPES, DOCKER_COMMUNICATOR_TYPES

        default = schema.get("communicator")
        if default is not None:
            comm = config.get("communicator") or default
            allowed = COMMUNICATOR_TYPES + (DOCKER_COMMUNICATOR_TYPES if default == "docker" else ())
            if comm not in allowed:
                problems.append(self.diag(path + ("communicator",), f"Communicator type {comm} is invalid"))
            elif comm == "ssh":
                for key, message, severity in CHECKS["ssh"](config, self.cwd):
                    problems.append(self.diag(path + ((key,) if key else ()), message, severity))
                if not config.get("ssh_username"):
                    problems.append(self.diag(path, "An ssh_username must be specified\n  Note: some builders used "
                                              "to default ssh_username to \"root\"."))
            elif comm == "winrm":
                if not config.get("winrm_username"):
                    problems.append(self.diag(path, "winrm_username must be specified."))
            if schema.get("null_auth") and comm in ("ssh", "winrm"):
                problems.extend(self.diag(path, message) for message in _null_builder_problems(config, comm))
        if schema.get("require_iso"):
            if not config.get("iso_url") and not config.get("iso_urls"):
                problems.append(self.diag(path, "One of iso_url or iso_urls must be specified"))
            elif config.get("iso_url") and config.get("iso_urls"):
                problems.append(self.diag(path + ("iso_urls",), "Only one of iso_url or iso_urls may be specified"))
            else:
                checksum = "none" if config.get("iso_skip_cache") else config.get("iso_checksum") or ""
                for severity, message in iso_checksum_problems(checksum):
                    problems.append(self.diag(path + ("iso_checksum",) if "iso_checksum" in config else path,
                                              message, severity))
        for key in schema.get("block_device_keys", ()):
            for i, mapping in enumerate(config.get(key) or []):
                if isinstance(mapping, dict) and not mapping.get("device_name"):
                    problems.append(self.diag(path + (key, i), "The `device_name` must be specified for every "
                                              "device in the block device mapping."))
        if schema.get("clean_resource_name"):
            ami_name = config.get("ami_name")
            if isinstance(ami_name, str) and ami_name:
                if len(ami_name) < 3 or len(ami_name) > 128:
                    problems.append(self.diag(path + ("ami_name",), "ami_name must be between 3 and 128 characters long"))
                if re.search(r"[^A-Za-z0-9()\[\] ./\-'@_]", ami_name):
                    problems.append(self.diag(path + ("ami_name",), (
                        "AMIName should only contain alphanumeric characters, parentheses (()), square brackets "
                        "([]), spaces ( ), periods (.), slashes (/), dashes (-), single quotes ('), at-signs (@), "
                        "or underscores(_). You can use the `clean_resource_name` template filter to "
                        "automatically clean your ami name.")))
        if schema.get("output_directory_must_not_exist") and not force:
            out_dir = config.get("output_directory") or f"output-{name}"
            full = out_dir if os.path.isabs(out_dir) else os.path.join(self.cwd, out_dir)
            if os.path.exists(full):
                problems.append(self.diag(path + ("output_directory",) if "output_directory" in config else path,
                                          f"Output directory '{out_dir}' already exists. It must not exist."))

    # ---------------------------------------------------------------- public API

    def validate(self, only=None, except_=None, force=False) -> list[Diagnostic]:
        """Full validation (Packer's `validate` without -syntax-only); every problem found."""
        _builds, problems = self._compile(only, except_, force)
        return problems

    def plan(self, only=None, except_=None, force=False) -> dict:
        """The plan (see docs/internals.md); raises TemplateErrors when the template is invalid."""
        plan, problems = self.checked_plan(only, except_, force)
        if plan is None:
            raise TemplateErrors([p for p in problems if p.severity == "error"])
        return plan

    def checked_plan(self, only=None, except_=None, force=False) -> tuple[dict | None, list[Diagnostic]]:
        """Validation and plan from one pass: ``(plan or None when there are errors, diagnostics)``."""
        builds, problems = self._compile(only, except_, force)
        if any(p.severity == "error" for p in problems):
            return None, problems
        return {
            "template_path": self.abspath, "template_dir": self.template_dir, "cwd": self.cwd,
            "run_uuid": self.run_uuid, "init_time": int(self.init_time.timestamp()),
            "packer_version": PACKER_COMPAT_VERSION, "sensitive_values": self.sensitive_values(),
            "builds": builds,
        }, problems

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


def _applies(component: dict, raw_name: str, name: str) -> bool:
    if component["only"]:
        return raw_name in component["only"] or name in component["only"]
    if component["except"]:
        return raw_name not in component["except"] and name not in component["except"]
    return True


def _split_names(value) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        value = [value]
    names = []
    for item in value:
        names.extend(n for n in item.split(",") if n)
    return names


def _parse_version(text: str):
    match = _VERSION.match(text.strip())
    if not match:
        return None
    major, minor, patch, pre = match.groups()
    # A pre-release sorts before its release.
    return (int(major), int(minor or 0), int(patch or 0), 0 if pre else 1)


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


def _go_type_name(value) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "float64"
    if isinstance(value, list):
        return "[]interface {}"
    if isinstance(value, dict):
        return "map[string]interface {}"
    return "string"


# ---------------------------------------------------------------------- loading


def _read_var_file(path: str, cwd: str) -> tuple[dict, list[Diagnostic]]:
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


def load_template(path, variables=None, var_files=None, cwd=None) -> Template:
    """Reads `path` (JSON, or YAML by extension or content) and checks its structure.

    `variables` are `-var` values, `var_files` `-var-file` paths (JSON or YAML); a `-var`
    always beats a var file, and a later var file beats an earlier one. Raises
    TemplateErrors for anything `packer validate -syntax-only` would reject.
    """
    cwd = os.path.abspath(cwd or os.getcwd())
    path = os.fspath(path)
    display = path
    try:
        if path == "-":
            import sys

            text = sys.stdin.read()
        else:
            full = path if os.path.isabs(path) else os.path.join(cwd, path)
            with open(full, encoding="utf-8") as handle:
                text = handle.read()
            path = full
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateErrors([Diagnostic(display, 0, 0, "", f"Failed to read template: {exc}")]) from None
    try:
        doc = read_document(path, text)
    except SourceError as exc:
        kind = "YAML" if path.endswith((".yml", ".yaml")) else "JSON"
        raise TemplateErrors([Diagnostic(display, exc.line, exc.column, "",
                                         f"Error parsing {kind}: {exc.message}")]) from None
    except RecursionError:
        raise TemplateErrors([Diagnostic(display, 0, 0, "", "template nested too deeply")]) from None
    problems: list[Diagnostic] = []
    user_values: dict[str, str] = {}
    for var_file in var_files or ():
        values, issues = _read_var_file(os.fspath(var_file), cwd)
        user_values.update(values)
        problems.extend(issues)
    for key, value in (variables or {}).items():
        user_values[str(key)] = "" if value is None else str(value)
    template = Template(path, doc, user_values, cwd)
    template.display = display
    problems.extend(template.parse())
    if problems:
        raise TemplateErrors(problems)
    # Packer parses every template string early: an unknown function fails even in keys
    # rendered later. Builder-specific functions are checked when the build is compiled.
    return template


__all__ = ["Template", "load_template", "ALL_FUNCTION_NAMES"]
