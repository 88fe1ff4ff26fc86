"""HCL2 templates (`*.pkr.hcl`, or a directory of them) compiled into the same builds the JSON loader makes.

Blocks are evaluated here; each build's builder, provisioners and post-processors are then decoded
and checked by `loader.Template` exactly as a JSON template's are, so the plan cannot tell them apart.
"""

from __future__ import annotations

import fnmatch
import os
import re
from datetime import UTC, datetime

from ..errors import Diagnostic, TemplateErrors
from ..functions import time_ordered_uuid
from ..loader import Template
from ..runtime import mask
from ..structure import format_path
from . import JSON_SUFFIX, TEMPLATE_SUFFIXES, syntax
from . import variables as hvars
from .builds import BuildCompiler, source_key
from .dates_files import legacy_time_functions
from .diagnostics import HCLError, to_diagnostic
from .evaluate import Evaluator, Scope, default_functions
from .functions import filesystem_functions, timestamp_function
from .inspect import inspect_text
from .packer_block import packer_block, required_version

_UNKNOWN_KEY = re.compile(r"""unknown configuration key: '"(.*)"'""")
AUTO_VARS_SUFFIXES = (".auto.pkrvars.hcl", ".auto.pkrvars.json")
TOP_BLOCKS = {"variable": 1, "variables": 0, "locals": 0, "local": 1, "source": 2, "build": 0, "packer": 0, "data": 2,
              "communicator": 2}


class HCL2Template(Template):
    """The builds of an HCL2 template; validation and the plan are `Template`'s."""

    def __init__(self, path, cwd, builds, positions, sensitive, info):
        self.path = path
        self.abspath = path
        self.template_dir = path if os.path.isdir(path) else os.path.dirname(path)
        self.display = path
        self.cwd = cwd
        self.cli_values = {}
        self.init_time = info["init_time"]
        self.run_uuid = info["run_uuid"]
        self.description = info["description"]
        self.variables = {}
        self.sensitive_names = []
        self.builders = builds
        self.provisioners = []
        self.error_cleanup = None
        self.post_processors = []
        self.min_version = None
        self._resolved = ({}, [])
        self.positions = positions
        self._sensitive = sensitive
        self.info = info

    def diag(self, path, message, severity="error") -> Diagnostic:
        path = tuple(path)
        probe = path
        while probe not in self.positions and probe:
            probe = probe[:-1]
        file, line, column = self.positions.get(probe, (self.display, 0, 0))
        unknown = _UNKNOWN_KEY.fullmatch(message)
        if unknown:  # the decoder's words for JSON; HCL's for HCL2
            message = f'Unsupported argument; An argument named "{unknown.group(1)}" is not expected here.'
        return Diagnostic(file, line, column, format_path(path), message, severity)

    def check_diag(self, path, suffix, message, severity="error") -> Diagnostic:
        """Packer reports a component's own checks (its Prepare) at its block, not at the option (which the field names)."""
        at_block = self.diag(path, message, severity)
        return Diagnostic(at_block.file, at_block.line, at_block.column, format_path(tuple(path) + tuple(suffix)),
                          at_block.message, severity)

    def sensitive_values(self) -> list[str]:
        return list(self._sensitive)

    def _check_references(self, problems: list) -> None:
        """Sources and only/except names were checked while the builds were made; no build at all is valid."""

    def _compile(self, only=None, except_=None, force=False):
        builds, problems = super()._compile(only, except_, force)
        return builds, self.info["warnings"] + problems  # the load's warnings (required_plugins …) are shown too

    def _selected(self, only, except_):
        only = [g for item in (only or []) for g in item.split(",") if g]
        except_ = [g for item in (except_ or []) for g in item.split(",") if g]
        selected = []
        for builder in self.builders:
            name = builder["raw_name"]
            if only and not any(fnmatch.fnmatchcase(name, g) for g in only):
                continue
            if except_ and any(fnmatch.fnmatchcase(name, g) for g in except_):
                continue
            selected.append((builder, name))
        return selected, except_

    def inspect(self) -> dict:
        return self.info["inspect"]


# ---------------------------------------------------------------------- loading


def load_hcl2_template(path, variables=None, var_files=None, cwd=None, env=None, strict=True) -> HCL2Template:
    """Reads a `.pkr.hcl` file or a directory; raises TemplateErrors with every problem found, at once.

    `strict=False` (`validate -syntax-only`, `inspect`) raises only for syntax and block structure, as Packer:
    an unset or undeclared variable then leaves its uses unknown instead of failing."""
    cwd = os.path.abspath(cwd or os.getcwd())
    given = os.fspath(path)
    full = os.path.abspath(given if os.path.isabs(given) else os.path.join(cwd, given))
    env = os.environ if env is None else env
    problems: list[Diagnostic] = []
    files, auto_files = _template_files(given, full, problems)
    bodies = []
    for display, file_path in files:
        try:
            with open(file_path, encoding="utf-8") as handle:
                bodies.append(read_body(handle.read(), display))
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(to_diagnostic((display, 0, 0), "Failed to read file", str(exc)))
        except HCLError as exc:
            problems.extend(exc.diagnostics)
    if problems:
        raise TemplateErrors(problems)
    _check_required_version(bodies, cwd, full)
    loader = _Loader(full, cwd, problems, env, given)
    loader.read(bodies)
    if not strict:
        if any(p.severity == "error" for p in problems):
            raise TemplateErrors(problems)
        loader.strict = False
        try:
            loader.assign(env, auto_files, [os.fspath(v) for v in var_files or ()], {})
        except TemplateErrors:
            pass  # evaluation problems are not syntax problems
        template = loader.compile()
        template.info["warnings"] = []
        return template
    try:
        cli_values = {str(k): "" if v is None else str(v) for k, v in (variables or {}).items()}
        loader.assign(env, auto_files, [os.fspath(v) for v in var_files or ()], cli_values)
        template = loader.compile()
        if any(p.severity == "error" for p in problems):
            raise TemplateErrors(problems)
    except TemplateErrors as exc:
        secrets = hvars.sensitive_values(loader.variables)
        for diagnostic in exc.diagnostics:  # a secret never reaches output, not even in an error
            diagnostic.message = mask(diagnostic.message, secrets)
        raise TemplateErrors(exc.diagnostics) from None
    template.info["warnings"] = list(problems)
    return template


def path_root(given: str, is_dir: bool) -> str:
    """`path.root` as Packer 1.6.6 makes it: the directory given, as written, or the given file's directory."""
    return given if is_dir else os.path.normpath(os.path.dirname(given) or ".")


def _check_required_version(bodies, cwd, full):
    """As Packer: a template for another Packer version fails on that alone, before its blocks are read."""
    root = full if os.path.isdir(full) else os.path.dirname(full)
    plain = Evaluator({"path": {"root": root, "cwd": cwd}}, default_functions({}), root)
    found: list = []
    for body in bodies:
        for block in body.blocks:
            if block.type == "packer" and "required_version" in block.body.attributes:
                required_version(block.body.attributes["required_version"], plain, found)
    if any(p.severity == "error" for p in found):
        raise TemplateErrors(found)


def _template_files(given, full, problems):
    """The template files (native syntax first, then JSON syntax, each sorted) and the auto var files."""
    if os.path.isdir(full):
        names = sorted(os.listdir(full))
        files = [(os.path.join(given, n), os.path.join(full, n)) for suffix in (TEMPLATE_SUFFIXES[0], JSON_SUFFIX)
                 for n in names if n.endswith(suffix)]
        auto = [os.path.join(full, n) for n in names if n.endswith(AUTO_VARS_SUFFIXES)]
        if not files:
            problems.append(to_diagnostic((given, 0, 0), "No template files", f"no *.pkr.hcl or *.pkr.json file in {given}"))
        return files, auto
    if not os.path.exists(full):
        problems.append(to_diagnostic((given, 0, 0), "Failed to read template", f"{given}: no such file or directory"))
        return [], []
    return [(given, full)], []


def read_body(text: str, display: str):
    """One file's body, by its syntax: HCL's JSON for `*.json`, the native syntax otherwise."""
    if display.endswith(".json"):
        from .json_syntax import parse_json_body

        return parse_json_body(text, display)
    return syntax.parse_body(text, display)


class _Loader(BuildCompiler):
    def __init__(self, path, cwd, problems, env, given=None):
        self.path = path
        self.cwd = cwd
        self.problems = problems
        self.variables: dict = {}
        self.locals = hvars.Locals()
        self.sources: dict = {}
        self.builds: list = []
        self.late_problems: list = []  # found while reading, reported with the builds (not by -syntax-only), as Packer
        self.checked_types = set()
        self.strict = True
        now = datetime.now(UTC)
        self.init_time = now
        root = path if os.path.isdir(path) else os.path.dirname(path)
        # `env` is current Packer's (variable defaults); 1.6.6 has no way to read the environment in HCL2.
        # `legacy_isotime`/`legacy_strftime` too (current Packer's): cattle's hcl2_upgrade writes them.
        self.functions = default_functions({**filesystem_functions(cwd), "timestamp": timestamp_function(now),
                                            "env": (lambda name: env.get(name, ""), [("string",)]),
                                            **legacy_time_functions(now)})
        # Packer's path.root is the template's directory as given on the command line (`.` for `t.pkr.hcl`).
        self.path_values = {"root": path_root(given, os.path.isdir(path)) if given else root, "cwd": cwd}
        self.plain = Evaluator({"path": self.path_values}, self.functions, root)

    def error(self, pos, summary, detail=""):
        self.problems.append(to_diagnostic(pos, summary, detail))

    def read(self, bodies):
        for body in bodies:
            for name, attribute in body.attributes.items():
                self.error(attribute.pos, "Unsupported argument", f'An argument named "{name}" is not expected here.')
            for block in body.blocks:
                self._top_block(block)

    def _top_block(self, block):
        if block.type not in TOP_BLOCKS:
            self.error(block.pos, "Unsupported block type", f'Blocks of type "{block.type}" are not expected here.')
            return
        wanted = TOP_BLOCKS[block.type]
        if len(block.labels) != wanted and block.type != "variables":
            self.error(block.pos, f"Wrong number of labels for a {block.type} block",
                       f'A "{block.type}" block needs {wanted} label(s), got {len(block.labels)}.')
            return
        if block.type == "variable":
            variable = hvars.declare(block, self.plain, self.problems)
            if variable is None:
                return
            if variable.name in self.variables:
                self.error(block.pos, "Duplicate variable", f"Duplicate {variable.name} variable definition found.")
                return
            self.variables[variable.name] = variable
        elif block.type == "variables":  # Packer 1.5's short form: name = default
            for name, attribute in block.body.attributes.items():
                if name in self.variables:
                    self.error(attribute.pos, "Duplicate variable", f"Duplicate {name} variable definition found.")
                    continue
                variable = hvars.Variable(name, attribute.pos)
                try:
                    variable.default = variable.value = self.plain.eval(attribute.expr)
                    variable.has_default, variable.source = True, "default"
                except HCLError as exc:
                    self.problems.extend(exc.diagnostics)
                self.variables[name] = variable
        elif block.type == "locals":
            for name, attribute in block.body.attributes.items():
                self.locals.define(name, attribute.expr, attribute.pos, self.problems)
        elif block.type == "local":
            attributes = block.body.attributes
            if "expression" not in attributes:
                self.error(block.pos, "Missing required argument", 'The argument "expression" is required.')
                return
            sensitive = "sensitive" in attributes and isinstance(attributes["sensitive"].expr, syntax.Literal) \
                and attributes["sensitive"].expr.value is True
            self.locals.define(block.labels[0], attributes["expression"].expr, block.pos, self.problems, sensitive)
        elif block.type == "source":
            self._known_type("builder", block.labels[0], block.pos, "source type")
            key = ".".join(block.labels)
            if key in self.sources:
                self.late_problems.append(to_diagnostic(block.pos, "Duplicate source block", f"This {key} block is a "
                                                        f"duplicate of the one at {self.sources[key].pos[0]}:{self.sources[key].pos[1]}."))
                return
            self.sources[key] = block
        elif block.type == "build":
            self.builds.append(block)
        elif block.type == "packer":  # its required_version was checked first (_check_required_version)
            packer_block(block, self.plain, self.problems)
        elif block.type == "communicator":  # Packer 1.6.6 reads these and uses them nowhere
            self.problems.append(to_diagnostic(block.pos, "communicator block ignored", "A top-level communicator "
                                               "block is not used by any build; set the communicator in a source.",
                                               "warning"))
        else:
            self.error(block.pos, "Unsupported block type", f'"data" blocks ({block.labels[0]}.{block.labels[1]}) '
                       "are not supported by cattle (Packer 1.6.6 does not have them either); use a variable or a local.")

    def assign(self, env, auto_files, var_files, cli):
        hvars.assign(self.variables, env, auto_files, var_files, cli, self.cwd, self.problems)
        values = hvars.check(self.variables, self.functions, self.plain.template_dir, self.problems)
        if self.strict and any(p.severity == "error" for p in self.problems):
            raise TemplateErrors(self.problems)  # every later use of a bad variable would only repeat it

        def lookup_var(name, pos):
            if name not in self.variables:
                raise HCLError(pos, "Reference to undeclared input variable", f'An input variable with the name "{name}" '
                               f'has not been declared. This variable can be declared with a variable "{name}" {{}} block.')
            if name not in values:
                raise HCLError(pos, "Unset variable", f'var.{name} has no value.')
            return values[name]

        self.root = {"path": self.path_values, "var": Scope("var", lookup_var), "local": self.locals.scope()}
        self.locals.evaluator = Evaluator(self.root, self.functions, self.plain.template_dir)
        self.locals.evaluate_all(self.problems)

    # ------------------------------------------------------------ builds

    def compile(self) -> HCL2Template:
        self.problems.extend(self.late_problems)
        builds, positions = [], {}
        names = set()
        for build in self.builds:
            for entry in self._build(build, positions):
                if entry["raw_name"] in names:
                    self.error(build.pos, "Duplicate build", f'Two builds are named "{entry["raw_name"]}".')
                    continue
                names.add(entry["raw_name"])
                builds.append(entry)
        inspect_builds = [self._inspect_build(b) for b in self.builds]
        sensitive = hvars.sensitive_values(self.variables) + self.locals.sensitive_values()
        info = {
            "init_time": self.init_time, "run_uuid": time_ordered_uuid(), "description": "",
            "inspect": {
                "description": "", "mode": "HCL2",
                "variables": [{"name": v.name, "default": "" if v.value is None else str(v.value), "required": not v.has_default,
                               "sensitive": v.sensitive} for v in sorted(self.variables.values(), key=lambda v: v.name)],
                "builders": [{"name": b["raw_name"], "type": b["type"]} for b in builds],
                "provisioners": [{"type": p["type"]} for b in builds for p in b["provisioners"]],
                "post_processors": [[{"type": pp["type"], "name": pp["name"]} for pp in chain]
                                    for b in builds for chain in b["post_processors"]],
                "text": inspect_text([(v.name, v.value, v.sensitive, v.source not in (None, "invalid"))
                                      for v in self.variables.values()],
                                     [(n, self.locals.values.get(n), n in self.locals.values) for n in self.locals.definitions],
                                     inspect_builds),
            },
        }
        return HCL2Template(self.path, self.cwd, builds, positions, sensitive, info)

    def _inspect_build(self, block) -> dict:
        """A build block as `inspect` lists it: its sources and its steps' types, unevaluated."""
        attributes = block.body.attributes
        try:
            name = self.locals.evaluator.eval(attributes["name"].expr) if "name" in attributes else ""
            description = self.locals.evaluator.eval(attributes["description"].expr) if "description" in attributes else ""
            refs = self.locals.evaluator.eval(attributes["sources"].expr) if "sources" in attributes else []
        except HCLError:
            name, description, refs = "", "", []
        sources = [source_key(r) or str(r) for r in refs or []]
        sources += [source_key(b.labels[0]) or b.labels[0] for b in block.body.blocks if b.type == "source" and b.labels]
        provisioners = [b.labels[0] if b.labels else "" for b in block.body.blocks if b.type == "provisioner"]
        chains = [[b.labels[0]] if b.type == "post-processor" else [pp.labels[0] for pp in b.body.blocks if pp.labels]
                  for b in block.body.blocks if b.type in ("post-processor", "post-processors")]
        return {"name": name, "description": description, "sources": sources, "provisioners": provisioners,
                "post_processors": chains}
