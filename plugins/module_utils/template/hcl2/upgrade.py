"""`hcl2_upgrade`: a legacy JSON (or YAML) template written out as the equivalent HCL2 file.

Pure Python. The template is read by the same reader and structure parser as `cattle validate`,
so a template that does not load is refused with the same diagnostics. Each string is then
translated on its own: every `{{ }}` action that has an HCL2 equivalent (`user`, `env`,
`timestamp`, `build`, `build_name`, ...) becomes a `${ }` interpolation; every other action
(`{{ .Vars }}`, `{{ .HTTPIP }}`, pipelines, `lower`, ...) is kept byte for byte, since the
plugins still expand the runtime ones themselves, and the call-based ones are listed in a
comment above their block for the user to finish by hand.

The layout follows Packer's command (sorted keys, `=` aligned in runs of one-line
attributes, objects in a list become nested blocks); where cattle deliberately does better,
docs/internals.md says how.
"""

from __future__ import annotations

import os
import re

from ..errors import Diagnostic, GoTemplateError, TemplateErrors
from ..functions import ALL_FUNCTION_NAMES
from ..gosyntax import Action, FieldRef, Ident, Literal, parse
from ..schemas.builders import BUILDERS
from ..schemas.post_processors import POST_PROCESSORS
from ..schemas.provisioners import PROVISIONERS
from ..source import SourceError, read_document
from ..structure import TemplateStructure

IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
# Keys whose object values stay one attribute rather than becoming nested blocks.
ATTRIBUTES_HOLDING_OBJECTS = frozenset({"override"})
# Objects the plugins declare as blocks although they hold only scalars (as Packer ≥1.7 knows).
BLOCKS_OF_SCALARS = frozenset({"linux_options", "network_interface", "shared_image_gallery"})
TIMESTAMP_LOCAL = 'locals { timestamp = regex_replace(timestamp(), "[- TZ:]", "") }'
# Functions with an HCL2 equivalent but no automatic translation: the user rewrites them.
HAND_UPGRADE = {
    "lower": "lower(string)", "upper": "upper(string)", "split": "split(separator, string)",
    "replace": "replace(string, substring, replacement)", "replace_all": "replace(string, substring, replacement)",
    "clean_resource_name": "regex_replace(string, pattern, replacement)",
    "aws_secretsmanager": "an amazon-secretsmanager data source", "consul_key": "a consul_key data source",
    "vault": "a vault() call", "sed": "regex_replace(string, pattern, replacement)",
}


def upgrade_file(path: str, cwd: str | None = None) -> str:
    """The HCL2 text equivalent to the legacy template at `path`; raises TemplateErrors if it does not load."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateErrors([Diagnostic(path, 0, 0, "", f"cannot read the template: {exc}")]) from None
    return upgrade_text(text, path, cwd or os.getcwd())


def upgrade_text(text: str, path: str = "template.json", cwd: str = ".") -> str:
    try:
        doc = read_document(path, text)
    except SourceError as exc:
        kind = "YAML" if path.endswith((".yml", ".yaml")) else "JSON"
        raise TemplateErrors([Diagnostic(path, exc.line, exc.column, "", f"Error parsing {kind}: {exc.message}")]) from None
    structure = TemplateStructure(path, doc, {}, cwd)
    errors = [d for d in structure.parse() if d.severity == "error"]
    if errors:
        raise TemplateErrors(errors)
    return _Upgrader(structure).render()


# ---------------------------------------------------------------- the HCL text


class _Expr:
    """An HCL expression already in source form (a quoted template, `null`, a number ...)."""

    __slots__ = ("source",)

    def __init__(self, source: str):
        self.source = source


_NAMED_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_ESCAPES = str.maketrans({**{chr(c): f"\\u{c:04x}" for c in [*range(0x20), 0x7F]}, **_NAMED_ESCAPES})


def _quote_literal(text: str) -> str:
    """Text as the inside of an HCL quoted template: escapes, and `${`/`%{` doubled so they stay literal."""
    return text.translate(_ESCAPES).replace("${", "$${").replace("%{", "%%{")


def _number(value) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def _key(name: str) -> str:
    return name if IDENTIFIER.match(name) else '"' + _quote_literal(name) + '"'


def _value_lines(value, indent: int) -> list:
    """An attribute value as lines: the first continues `key = `; objects span several lines."""
    if isinstance(value, _Expr):
        return [value.source]
    if isinstance(value, bool):
        return ["true" if value else "false"]
    if value is None:
        return ["null"]
    if isinstance(value, (int, float)):
        return [_number(value)]
    if isinstance(value, str):
        return ['"' + _quote_literal(value) + '"']
    if isinstance(value, list):
        return ["[" + ", ".join(_inline(v) for v in value) + "]"]
    if not value:
        return ["{}"]
    lines = ["{"]
    for key in sorted(value):
        lines.extend(_attribute(key, value[key], indent + 1))
    lines.append(("raw", indent, "}"))
    return lines


def _inline(value) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_inline(value[k])}" for k in sorted(value)) + " }" if value else "{}"
    return _value_lines(value, 0)[0]


def _attribute(key: str, value, indent: int) -> list:
    """Lines: ("attr", indent, key, rhs) for a one-line attribute, ("raw", indent, text) otherwise."""
    first, *rest = _value_lines(value, indent)
    if not rest:
        return [("attr", indent, _key(key), first)]
    return [("raw", indent, f"{_key(key)} = {first}")] + rest


def _align(lines: list) -> str:
    """Packer's (hclwrite's) layout: `=` aligned across each run of consecutive one-line attributes."""
    out, run = [], []

    def flush():
        width = max((len(entry[2]) for entry in run), default=0)
        out.extend("  " * ind + k.ljust(width) + " = " + rhs for _line, ind, k, rhs in run)
        run.clear()

    for line in lines:
        if line[0] == "attr":
            run.append(line)
            continue
        flush()
        out.append("  " * line[1] + line[2] if line[2] else "")
    flush()
    return "\n".join(out).rstrip("\n") + "\n"


def go_duration(seconds: float) -> str:
    """Go's time.Duration.String(), as Packer writes `timeout` and `pause_before`."""
    nanos = round(seconds * 1e9)
    if nanos == 0:
        return "0s"
    sign, nanos = ("-", -nanos) if nanos < 0 else ("", nanos)
    if nanos < 1_000_000_000:
        for unit, size in (("ms", 1_000_000), ("µs", 1_000), ("ns", 1)):
            if nanos >= size:
                return sign + _trim(nanos / size) + unit
    hours, rest = divmod(nanos, 3_600_000_000_000)
    minutes, rest = divmod(rest, 60_000_000_000)
    return sign + (f"{hours}h" if hours else "") + (f"{minutes}m" if hours or minutes else "") + _trim(rest / 1e9) + "s"


def _trim(number: float) -> str:
    return f"{number:.9f}".rstrip("0").rstrip(".")


# ---------------------------------------------------------------- translation


class _Upgrader:
    def __init__(self, structure: TemplateStructure):
        self.tpl = structure
        self.uses_timestamp = False
        self.notes: list[str] = []  # hand-upgrade notes for the block being written
        self.env_variables: dict[str, str] = {}  # environment variable -> generated variable name
        self.locals: set[str] = set()
        self.in_source: tuple | None = None  # (type, name) while a source block is written
        self.declared = dict(structure.variables)
        # Variables only a var file declares: Packer ≥1.7 declares them too, as required.
        for string in _strings(structure.doc.value):
            for name in re.findall(r"{{-?\s*user\s+[`\"]([^`\"]*)[`\"]", string):
                self.declared.setdefault(name, None)
        self.sources = self._source_names()

    # ------------------------------------------------------------ strings

    def transpose(self, text: str, in_variable: bool = False) -> tuple[str, bool]:
        """(HCL quoted template, whether it needs a local) for one legacy string."""
        out, pos, needs_local = [], 0, False
        while True:
            start = text.find("{{", pos)
            if start < 0:
                out.append(_quote_literal(text[pos:]))
                return '"' + "".join(out) + '"', needs_local
            end = _action_end(text, start)
            if end < 0:
                out.append(_quote_literal(text[pos:]))
                return '"' + "".join(out) + '"', needs_local
            out.append(_quote_literal(text[pos:start]))
            action = text[start:end]
            hcl, calls = self._action(action, in_variable)
            out.append(_quote_literal(action) if hcl is None else hcl)
            # A default that calls a function other than env() (even one left for the user) is an
            # expression, which HCL2 allows only in a local (as Packer ≥1.7 decides).
            needs_local = needs_local or (in_variable and calls and not (hcl or "").startswith("${env("))
            pos = end

    def _action(self, action: str, in_variable: bool) -> tuple[str | None, bool]:
        """(`${...}` for one `{{ }}` action or None to keep it as written, whether it calls a function)."""
        try:
            nodes = parse(action, ALL_FUNCTION_NAMES)
        except GoTemplateError as exc:
            self._note(f"{action} was kept as written: {str(exc).split(': ', 2)[-1]}")
            return None, False
        if len(nodes) != 1 or not isinstance(nodes[0], Action):
            return None, False
        commands = nodes[0].pipe.commands
        called = [a.name for c in commands for a in c.args if isinstance(a, Ident)]
        for name in called:
            if name in HAND_UPGRADE:
                self._note(f"{action} was kept as written: upgrade it by hand to {HAND_UPGRADE[name]}")
        if len(commands) != 1 or not isinstance(commands[0].args[0], Ident):
            if called and not any(n in HAND_UPGRADE for n in called):
                self._note(f"{action} was kept as written: HCL2 has no pipelines")
            return None, bool(called)
        name, args = commands[0].args[0].name, commands[0].args[1:]
        if any(isinstance(a, FieldRef) or not isinstance(a, Literal) or not isinstance(a.value, str) for a in args):
            return None, True
        return self._call(name, [a.value for a in args], in_variable), True

    def _call(self, name: str, args: list, in_variable: bool) -> str | None:
        if name == "user" and len(args) == 1:
            scope = "local" if args[0] in self.locals else "var"
            return "${" + _reference(scope, args[0]) + "}"
        if name == "env" and len(args) == 1:
            if in_variable:
                return '${env("' + _quote_literal(args[0]) + '")}'
            return "${" + _reference("var", self._env_variable(args[0])) + "}"
        if name == "build" and len(args) == 1:
            return "${" + _reference("build", args[0]) + "}"
        if name in ("isotime", "strftime") and len(args) <= 1:
            if not args:
                return "${timestamp()}"
            return "${legacy_" + name + '("' + _quote_literal(args[0]) + '")}'
        if name in ("build_name", "build_type") and not args and self.in_source:
            # Packer 1.6.6 leaves source.* unknown while it reads a source block; the values are known here.
            return _quote_literal(self.in_source[1] if name == "build_name" else self.in_source[0])
        simple = {
            "timestamp": "${local.timestamp}", "template_dir": "${path.root}", "pwd": "${path.cwd}",
            "packer_version": "${packer.version}", "uuid": "${uuidv4()}",
            "build_name": "${source.name}", "build_type": "${source.type}",
        }
        if name in simple and not args:
            self.uses_timestamp = self.uses_timestamp or name == "timestamp"
            return simple[name]
        return None

    def _note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def _env_variable(self, env_name: str) -> str:
        """`{{env}}` is legal only in a variable's default in HCL2: other uses read a generated variable."""
        if env_name not in self.env_variables:
            base = "env_" + re.sub(r"[^A-Za-z0-9_]", "_", env_name)
            name = base
            while name in self.declared or name in self.env_variables.values():
                name += "_"
            self.env_variables[env_name] = name
        return self.env_variables[env_name]

    def value(self, value):
        """A config value with every string transposed."""
        if isinstance(value, _Expr):
            return value
        if isinstance(value, str):
            return _Expr(self.transpose(value)[0])
        if isinstance(value, list):
            return [self.value(v) for v in value]
        if isinstance(value, dict):
            return {k: self.value(v) for k, v in value.items()}
        return value

    def weak_lists(self, schemas: dict, component_type: str, config: dict) -> dict:
        """Packer's JSON decoder reads a string as a comma-separated list where a list is expected
        (`"tag": "latest"`); HCL2 does not, so such strings become the list they meant."""
        options = schemas.get(component_type, {}).get("options", {})
        config = dict(config)
        for key, value in config.items():
            if options.get(key) not in ("list", "intlist") or not isinstance(value, str):
                continue
            if "{{" in value:  # the commas are known only once the template is evaluated
                config[key] = _Expr(f'split(",", {self.transpose(value)[0]})')
            else:
                config[key] = value.split(",") if value else []
        return config

    # ------------------------------------------------------------ bodies

    def body(self, config: dict, indent: int, first: list | None = None) -> list:
        """Packer's rule: an object of objects is a nested block, a list of objects is repeated blocks."""
        lines = list(first or [])
        for key in sorted(config):
            value = config[key]
            if key in ATTRIBUTES_HOLDING_OBJECTS:
                lines.extend(_attribute(key, self.value(value), indent))
            elif isinstance(value, dict) and (not value or key in BLOCKS_OF_SCALARS or any(isinstance(v, (dict, list)) or v is None for v in value.values())):
                lines.append(("raw", indent, f"{key} {{"))
                lines.extend(self.body(value, indent + 1))
                lines.append(("raw", indent, "}"))
            elif isinstance(value, list) and any(isinstance(v, dict) for v in value):
                for item in value:
                    lines.append(("raw", indent, f"{key} {{"))
                    lines.extend(self.body(item if isinstance(item, dict) else {}, indent + 1))
                    lines.append(("raw", indent, "}"))
            elif isinstance(value, list) and not value:
                continue
            else:
                lines.extend(_attribute(key, self.value(value), indent))
        return lines

    def block(self, header: str, config: dict, indent: int, first: list | None = None, notes: tuple = ()) -> list:
        """The block's lines, after a comment per call left for the user (`notes`: found in `first` already)."""
        self.notes = list(notes)
        inner = self.body(config, indent + 1, first)
        comments = [("raw", indent, "# " + note) for note in self.notes]
        return [("raw", 0, "")] + comments + [("raw", indent, header + " {")] + inner + [("raw", indent, "}")]

    # ------------------------------------------------------------ the file

    def _source_names(self) -> dict:
        """JSON builder name -> (type, HCL2 source name), in Packer's order (type then name)."""
        names = {}
        for builder in sorted(self.tpl.builders, key=lambda b: b["type"] + b["raw_name"]):
            name = re.sub(r"[^A-Za-z0-9_-]", "_", builder["raw_name"].strip()) or builder["type"]
            names[builder["raw_name"]] = (builder["type"], name)
        return names

    def _build_names(self, names: list) -> list:
        """`only`/`except` name builds as `type.name` in HCL2."""
        return [".".join(self.sources[n]) if n in self.sources else n for n in names]

    def render(self) -> str:
        lines = []
        if self.tpl.min_version:
            lines += [("raw", 0, "packer {"), ("attr", 1, "required_version", f'">= {_quote_literal(self.tpl.min_version)}"'),
                      ("raw", 0, "}")]
        # A default that uses more than env() can only be a local; references must know that first.
        for name, default in self.declared.items():
            if isinstance(default, str) and self.transpose(default, in_variable=True)[1]:
                self.locals.add(name)
        self.uses_timestamp = False
        self.env_variables.clear()
        body = self._sources() + self._build()  # before the variables: they find env() uses and the timestamp
        lines += self._variables()
        lines += body
        while lines and lines[0][0] == "raw" and not lines[0][2]:
            lines.pop(0)
        return _align(lines)

    def _variables(self) -> list:
        sensitive = set(self.tpl.sensitive_names)
        lines, plain_locals, local_blocks, locals_notes = [], [], [], []
        for name in sorted(self.declared):
            default = self.declared[name]
            self.notes = []
            expr = None if default is None else _Expr(self.transpose(default, in_variable=name not in self.locals)[0])
            notes = tuple(self.notes)
            if name in self.locals and name in sensitive:
                first = [("attr", 1, "sensitive", "true"), ("attr", 1, "expression", expr.source)]
                local_blocks += self.block(f'local "{name}"', {}, 0, first, notes)
            elif name in self.locals:
                plain_locals.append(("attr", 1, _key(name), expr.source))
                locals_notes += [("raw", 0, "# " + note) for note in notes]
            else:
                first = [("attr", 1, "type", "string")]
                if expr is not None:
                    first.append(("attr", 1, "default", expr.source))
                if name in sensitive:
                    first.append(("attr", 1, "sensitive", "true"))
                lines += self.block(f'variable "{name}"', {}, 0, first, notes)
        for env_name, name in sorted(self.env_variables.items(), key=lambda item: item[1]):
            lines += self.block(f'variable "{name}"', {}, 0, [("attr", 1, "type", "string"),
                                                              ("attr", 1, "default", '"${env("' + _quote_literal(env_name) + '")}"')])
        if self.uses_timestamp:
            lines += [("raw", 0, ""), ("raw", 0, TIMESTAMP_LOCAL)]
        lines += local_blocks
        if plain_locals:
            lines += [("raw", 0, "")] + locals_notes + [("raw", 0, "locals {")] + plain_locals + [("raw", 0, "}")]
        return lines

    def _sources(self) -> list:
        lines = []
        by_name = {b["raw_name"]: b for b in self.tpl.builders}
        for raw_name, (btype, name) in self.sources.items():
            self.in_source = (btype, name)
            lines += self.block(f'source "{btype}" "{name}"', self.weak_lists(BUILDERS, btype, by_name[raw_name]["config"]), 0)
        self.in_source = None
        return lines

    def _build(self) -> list:
        if not self.sources:
            return []
        first = []
        if self.tpl.description:
            first.append(("attr", 1, "description", '"' + _quote_literal(self.tpl.description) + '"'))
        refs = ", ".join(f'"source.{t}.{n}"' for t, n in self.sources.values())
        first += [("attr", 1, "sources", f"[{refs}]")]
        lines = [("raw", 0, ""), ("raw", 0, "build {")] + first
        for provisioner in self.tpl.provisioners:
            lines += self._provisioner("provisioner", provisioner)
        if self.tpl.error_cleanup:
            lines += self._provisioner("error-cleanup-provisioner", self.tpl.error_cleanup)
        for chain in self.tpl.post_processors:
            lines += self._chain(chain)
        return lines + [("raw", 0, "}")]

    def _provisioner(self, kind: str, provisioner: dict) -> list:
        config = self.weak_lists(PROVISIONERS, provisioner["type"], provisioner["config"])
        for key in ("only", "except"):
            if provisioner[key]:
                config[key] = self._build_names(provisioner[key])
        if provisioner["max_retries"]:
            config["max_retries"] = str(provisioner["max_retries"])
        for key in ("timeout", "pause_before"):
            if provisioner[key] > 0:
                config[key] = go_duration(provisioner[key])
        if provisioner["override"]:  # HCL2 keys overrides by source name
            config["override"] = {self.sources.get(k, (None, k))[1]: v for k, v in provisioner["override"].items()}
        return self.block(f'{kind} "{provisioner["type"]}"', config, 1)

    def _chain(self, chain: list) -> list:
        if not chain:
            return []
        nested = len(chain) > 1
        indent = 2 if nested else 1
        lines = []
        for pp in chain:
            config = self.weak_lists(POST_PROCESSORS, pp["type"], pp["config"])
            for key in ("only", "except"):
                if pp[key]:
                    config[key] = self._build_names(pp[key])
            if pp["name"] != pp["type"]:
                config["name"] = pp["name"]
            first = []
            if pp["keep_input_artifact"] is not None:
                first = [("attr", indent + 1, "keep_input_artifact", "true" if pp["keep_input_artifact"] else "false")]
            block = self.block(f'post-processor "{pp["type"]}"', config, indent, first)
            lines += block[1:] if nested else block
        if nested:
            return [("raw", 0, ""), ("raw", 1, "post-processors {")] + lines + [("raw", 1, "}")]
        return lines


def _strings(value):
    """Every string in a decoded document, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)


def _reference(scope: str, name: str) -> str:
    return f"{scope}.{name}" if IDENTIFIER.match(name) else f'{scope}["{_quote_literal(name)}"]'


def _action_end(text: str, start: int) -> int:
    """Index just past the `}}` closing the action at `start`, skipping quoted strings; -1 if unclosed."""
    pos = start + 2
    while pos < len(text):
        if text.startswith("}}", pos):
            return pos + 2
        ch = text[pos]
        if ch in "`\"'":
            close = pos + 1
            while close < len(text) and text[close] != ch:
                close += 2 if ch != "`" and text[close] == "\\" else 1
            pos = close + 1
            continue
        pos += 1
    return -1
