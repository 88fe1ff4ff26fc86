"""Loading a template: variables, full validation and the plan (its structure is `structure.py`)."""

from __future__ import annotations

import os
import re

from ..build_keys import build_keys
from .builder_checks import builder_checks, builder_problems
from .decode import DecodeError, Renderer, decode_config, to_int
from .errors import Diagnostic, GoTemplateError, TemplateErrors
from .functions import ALL_FUNCTION_NAMES, PACKER_COMPAT_VERSION, FuncContext, clean_resource_name_for, context_funcs
from .gotemplate import PartialEvaluator, parse
from .runtime import mask
from .schemas.packer_types import PACKER_TYPES
from .source import SourceError, read_document
from .structure import TemplateStructure
from .varfiles import read_var_file

# Values that reference runtime template data are left alone while variables are resolved.
_RUNTIME_FIELD = re.compile(r"{{(\s|)\.(.*?)(\s|)}}")
_VERSION = re.compile(r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$")


class Template(TemplateStructure):
    """A parsed template. Build it with `load_template`."""

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
                    "remove it or replace it with an implemented type"
                    + (f" ({schema['alternative']})" if schema and schema.get("alternative") else ""))))
            else:
                known = ", ".join(sorted(t for t, s in schemas.items() if s.get("implemented", True)))
                problems.append(self.diag(path + ("type",), f"Unknown {label_kind} {ctype}; known {label_kind}s: {known}"))
        if schema is None:
            # Still parse every string so unknown functions are reported, as Packer does early.
            self._parse_strings(raw_config, path, funcs, problems)
            return None
        renderer = Renderer(funcs, deferred)
        config, issues = decode_config(raw_config, schema, renderer, template_form, self.cwd)
        for key, message, severity, from_check in issues:
            suffix = (key,) if key else ()
            problems.append(self.check_diag(path, suffix, message, severity) if from_check
                            else self.diag(path + suffix, message, severity))
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
            for suffix, message, severity in builder_checks(config, schema, name, self.cwd, force):
                problems.append(self.check_diag(builder["path"], suffix, message, severity))
            if len([p for p in problems if p.severity == "error"]) == before:
                for message in builder_problems(btype, config, name, self.cwd, force):
                    problems.append(self.diag(builder["path"], f"cattle's {btype} builder: {message}"))
        build = {"name": name, "type": btype, "config": config or {}, "provisioners": [],
                 "error_cleanup_provisioner": None, "post_processors": []}
        raw_name = builder["raw_name"]
        # An HCL2 build carries its own steps (hcl2/loader.py); a JSON build shares the template's.
        for prov in builder.get("provisioners", self.provisioners):
            step = self._compile_provisioner(prov, raw_name, name, component_funcs, resolved, provisioners, problems)
            if step is not None:
                build["provisioners"].append(step)
        error_cleanup = builder.get("error_cleanup", self.error_cleanup)
        if error_cleanup:
            build["error_cleanup_provisioner"] = self._compile_provisioner(
                error_cleanup, raw_name, name, component_funcs, resolved, provisioners, problems)
        for chain in builder.get("post_processors", self.post_processors):
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


# ---------------------------------------------------------------------- loading


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
        values, issues = read_var_file(os.fspath(var_file), cwd)
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
