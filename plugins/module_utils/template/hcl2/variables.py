"""Input variables: declarations, their values from every source in Packer's order, validation, locals."""

from __future__ import annotations

import os

from . import syntax
from .diagnostics import HCLError, to_diagnostic
from .evaluate import Evaluator, Scope
from .values import ConversionError, convert, leaf_strings, parse_type

ENV_PREFIX = "PKR_VAR_"
VARIABLE_ARGS = ("type", "default", "description", "sensitive")


class Variable:
    __slots__ = ("name", "pos", "type", "type_declared", "default", "has_default", "description", "sensitive", "validations",
                 "value", "source", "value_pos")

    def __init__(self, name, pos):
        self.name, self.pos = name, pos
        self.type, self.type_declared, self.default, self.has_default = ("any",), False, None, False
        self.description, self.sensitive, self.validations = "", False, []
        self.value, self.source = None, None
        self.value_pos = None  # where the value was written (a default, a var file); None from env or -var


def declare(block, evaluator: Evaluator, problems: list) -> Variable | None:
    """A `variable "name" {}` block; its default is evaluated without references."""
    if len(block.labels) != 1:
        problems.append(to_diagnostic(block.pos, "Missing name for variable", "A variable block needs exactly one label."))
        return None
    variable = Variable(block.labels[0], block.pos)
    body = block.body
    for name, attribute in body.attributes.items():
        if name not in VARIABLE_ARGS:
            problems.append(to_diagnostic(attribute.pos, "Unsupported argument", f'An argument named "{name}" is not expected here.'))
    try:
        if "type" in body.attributes:
            try:
                variable.type = parse_type(body.attributes["type"].expr)
                variable.type_declared = True
            except ConversionError as exc:
                raise HCLError(body.attributes["type"].pos, "Invalid type specification", str(exc)) from None
        for key in ("description", "sensitive"):
            if key in body.attributes:
                value = evaluator.eval(body.attributes[key].expr)
                setattr(variable, key, value if key == "description" else value is True or value == "true")
        if "default" in body.attributes:
            attribute = body.attributes["default"]
            try:
                variable.default = convert(evaluator.eval(attribute.expr), variable.type)
            except ConversionError as exc:
                variable.source = "invalid"  # reported here; not "unset" as well
                raise HCLError(attribute.pos, "Invalid default value for variable", "This default value is not compatible "
                               f"with the variable's type constraint: {exc}.") from None
            variable.has_default = True
            variable.value, variable.source = variable.default, "default"
            variable.value_pos = attribute.expr.pos
    except HCLError as exc:
        problems.extend(exc.diagnostics)
    for inner in body.blocks:
        if inner.type != "validation":
            problems.append(to_diagnostic(inner.pos, "Unsupported block type", f'Blocks of type "{inner.type}" are not expected here.'))
            continue
        attributes = inner.body.attributes
        if "condition" not in attributes or "error_message" not in attributes:
            problems.append(to_diagnostic(inner.pos, "Missing required argument",
                                          'A validation block needs "condition" and "error_message".'))
            continue
        variable.validations.append(inner)
    return variable


def cli_value(variable: Variable, text: str, where, label: str):
    """A value given as text (`-var`, PKR_VAR_): a string type takes it as is, any other is an HCL expression."""
    # Without a declared type, a string default (or none) makes the variable a string, as Packer infers it.
    if variable.type == ("string",) or (not variable.type_declared and isinstance(variable.default, (str, type(None)))):
        return text
    try:
        value = Evaluator({}, {}, "").eval(syntax.parse_expression(text, where[0], where[1], where[2]))
        return convert(value, variable.type)
    except (ConversionError, HCLError) as exc:
        reason = (f"{exc.summary}: {exc.detail}" if isinstance(exc, HCLError) else str(exc)).rstrip(".")
        raise HCLError(where, f"Invalid argument value for {label} variable", f"The received arg value for {variable.name} "
                       f"is not compatible with the variable's type constraint: {reason}.") from None


def assign(variables: dict, env: dict, auto_files: list, var_files: list, cli: dict, cwd: str, problems: list):
    """Values in Packer's order, each later one winning: default, PKR_VAR_, *.auto.pkrvars.hcl, -var-file, -var."""
    for key, text in sorted(env.items()):
        if key.startswith(ENV_PREFIX) and key[len(ENV_PREFIX):] in variables:
            variable = variables[key[len(ENV_PREFIX):]]
            _set(variable, lambda v=variable, t=text, k=key: cli_value(v, t, (k, 0, 0), "environment"), "env", problems)
    for path, auto in [(p, True) for p in auto_files] + [(p, False) for p in var_files]:
        full = path if os.path.isabs(path) else os.path.join(cwd, path)
        try:
            with open(full, encoding="utf-8") as handle:
                text = handle.read()
            if path.endswith(".json"):
                from .json_syntax import parse_json_body

                body = parse_json_body(text, path)
            else:
                body = syntax.parse_body(text, path)
        except OSError as exc:
            problems.append(to_diagnostic((path, 0, 0), "Failed to read variable file", exc.strerror or str(exc)))
            continue
        except HCLError as exc:
            problems.extend(exc.diagnostics)
            continue
        for block in body.blocks:
            problems.append(to_diagnostic(block.pos, "Variable declaration in a .pkrvar file", "A .pkrvar file is used to "
                                          "assign values to variables that have already been declared in .pkr files, not "
                                          f'to declare new variables. To declare variable "{block.labels[:1]}", place this '
                                          "block in one of your .pkr files."))
        for name, attribute in body.attributes.items():
            if name not in variables:
                problems.append(to_diagnostic(attribute.pos, "Undefined variable", f'A "{name}" variable was set but was not '
                                              "found in known variables. To declare variable "
                                              f'"{name}", place this block in one of your .pkr files.',
                                              "warning" if auto else "error"))
                continue
            variable = variables[name]

            def value(v=variable, a=attribute):
                try:
                    return convert(Evaluator({}, {}, "").eval(a.expr), v.type)
                except ConversionError as exc:
                    raise HCLError(a.pos, "Invalid value for variable", f"The value for {v.name} is not compatible with the "
                                   f"variable's type constraint: {exc}.") from None

            _set(variable, value, "file", problems, attribute.expr.pos)
    for name, text in cli.items():
        if name not in variables:
            problems.append(to_diagnostic(("-var", 0, 0), "Undefined -var variable", f'A "{name}" variable was passed in '
                                          "the command line but was not found in known variables. To declare variable "
                                          f'"{name}", place this block in one of your .pkr files.'))
            continue
        variable = variables[name]
        _set(variable, lambda v=variable, t=text: cli_value(v, t, ("-var", 0, 0), "-var"), "cli", problems)


def _set(variable, compute, source, problems, pos=None):
    try:
        variable.value = compute()
        variable.source = source
        variable.value_pos = pos
    except HCLError as exc:
        variable.source = "invalid"  # reported here; not "unset" as well
        problems.extend(exc.diagnostics)


def check(variables: dict, functions: dict, template_dir: str, problems: list) -> dict:
    """Unset variables and validation rules; returns name -> value for the `var` scope."""
    values = {}
    for variable in variables.values():
        if variable.source == "invalid":
            continue
        if variable.source is None:
            problems.append(to_diagnostic(variable.pos, f'Unset variable "{variable.name}"', "A used variable must be set "
                                          "or have a default value; see https://packer.io/docs/configuration/from-1.5/"
                                          "syntax for details."))
            continue
        values[variable.name] = variable.value
    for variable in variables.values():
        if variable.name not in values:
            continue
        evaluator = Evaluator({"var": {variable.name: variable.value}}, functions, template_dir)
        for rule in variable.validations:
            condition = rule.body.attributes["condition"]
            try:
                ok = evaluator.eval(condition.expr)
                message = evaluator.eval(rule.body.attributes["error_message"].expr)
            except HCLError as exc:
                problems.extend(exc.diagnostics)
                continue
            if ok is None or not isinstance(ok, bool):
                problems.append(to_diagnostic(condition.pos, "Invalid variable validation result",
                                              "Validation condition expression must return either true or false."))
            elif not ok:
                # As Packer: at the value's expression, or at the rule when the value came from env or -var.
                problems.append(to_diagnostic(variable.value_pos or rule.pos, f"Invalid value for {variable.source} variable",
                                              f"{message}\n\nThis was checked by the validation rule at "
                                              f"{rule.pos[0]}:{rule.pos[1]},{rule.pos[2]}."))
    return values


def sensitive_values(variables: dict) -> list[str]:
    out = []
    for variable in variables.values():
        if variable.sensitive:
            for text in leaf_strings(variable.value):
                if text not in out:
                    out.append(text)
    return out


class Locals:
    """`locals {}` and `local "name" {}` values, each evaluated once on first use (any order, cycles refused)."""

    def __init__(self):
        self.definitions: dict = {}  # name -> (expr, pos, sensitive)
        self.values: dict = {}
        self.active: set = set()
        self.evaluator: Evaluator | None = None

    def define(self, name, expr, pos, problems, sensitive=False):
        if name in self.definitions:
            problems.append(to_diagnostic(pos, "Duplicate local definition", f'Local "{name}" is defined twice; '
                                          f"first at line {self.definitions[name][1][1]}."))
            return
        self.definitions[name] = (expr, pos, sensitive)

    def scope(self) -> Scope:
        return Scope("local", self.get)

    def get(self, name, pos):
        if name in self.values:
            return self.values[name]
        if name not in self.definitions:
            raise HCLError(pos, "Reference to undeclared local value", f'A local value with the name "{name}" has not '
                           "been declared.")
        if name in self.active:
            raise HCLError(pos, "Cycle in local values", f'local.{name} refers to itself, directly or through other locals.')
        self.active.add(name)
        try:
            self.values[name] = self.evaluator.eval(self.definitions[name][0])
        finally:
            self.active.discard(name)
        return self.values[name]

    def evaluate_all(self, problems):
        for name in self.definitions:
            try:
                self.get(name, self.definitions[name][1])
            except HCLError as exc:
                problems.extend(exc.diagnostics)

    def sensitive_values(self) -> list[str]:
        return [s for name, (_e, _p, sensitive) in self.definitions.items() if sensitive and name in self.values
                for s in leaf_strings(self.values[name])]
