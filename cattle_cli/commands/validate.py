"""`cattle validate`: check a template the way `packer validate` does, with positions."""

from __future__ import annotations

import os
import sys
import time

USAGE = """Usage: cattle validate [options] TEMPLATE

  Checks the template is valid by parsing the template and also
  checking the configuration with the various builders, provisioners, etc.

  If it is not valid, the errors will be shown and the command will exit
  with a non-zero exit status. If it is valid, it will exit with a zero
  exit status.

Options:

  -syntax-only           Only check syntax. Do not verify config of the template.
  -except=foo,bar,baz    Validate all builds other than these.
  -only=foo,bar,baz      Validate only these builds.
  -var 'key=value'       Variable for templates, can be used multiple times.
  -var-file=path         JSON or YAML file containing user variables.
  -machine-readable      Produce machine-readable output.
"""

_VALUE_FLAGS = ("var", "var-file", "only", "except")
_BOOL_FLAGS = ("syntax-only", "machine-readable", "force")


class UsageError(Exception):
    pass


def parse_args(argv: list[str], value_flags=_VALUE_FLAGS, bool_flags=_BOOL_FLAGS) -> tuple[dict, list[str]]:
    """Go `flag`-style parsing: `-name value`, `-name=value`, `--name`; flags stop at the first argument."""
    options: dict = {name: [] for name in value_flags}
    options.update({name: False for name in bool_flags})
    args = list(argv)
    positional: list[str] = []
    while args:
        arg = args.pop(0)
        if arg == "--":
            positional.extend(args)
            break
        if not arg.startswith("-") or arg == "-":
            positional.append(arg)
            positional.extend(args)
            break
        name, has_value, value = arg.lstrip("-").partition("=")
        if name in ("h", "help"):
            raise UsageError("")
        if name in bool_flags:
            if has_value:
                if value.lower() not in ("true", "false", "1", "0", "t", "f"):
                    raise UsageError(f"invalid boolean value {value!r} for -{name}")
                options[name] = value.lower() in ("true", "1", "t")
            else:
                options[name] = True
        elif name in value_flags:
            if not has_value:
                if not args:
                    raise UsageError(f"flag needs an argument: -{name}")
                value = args.pop(0)
            options[name].append(value)
        else:
            raise UsageError(f"flag provided but not defined: -{name}")
    return options, positional


def parse_vars(pairs: list[str]) -> dict[str, str]:
    variables: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"invalid value {pair!r} for flag -var: Bad var format, expected key=value")
        variables[key] = value
    return variables


def machine_line(kind: str, *data: str, target: str = "") -> str:
    escaped = [str(d).replace(",", "%!(PACKER_COMMA)").replace("\r", "\\r").replace("\n", "\\n") for d in data]
    return ",".join([str(int(time.time())), target, kind, *escaped])


class Output:
    """Packer-style UI lines. Diagnostics arrive with sensitive values already masked."""

    def __init__(self, machine: bool):
        self.machine = machine

    def say(self, text: str) -> None:
        print(machine_line("ui", "say", text) if self.machine else text)

    def error(self, text: str) -> None:
        if self.machine:
            print(machine_line("ui", "error", text))
        else:
            sys.stderr.write(text + "\n")


def run(argv: list[str]) -> int:
    try:
        options, positional = parse_args(argv)
        if len(positional) != 1:
            raise UsageError("exactly one TEMPLATE argument is required")
        variables = parse_vars(options["var"])
    except UsageError as exc:
        if str(exc):
            sys.stderr.write(f"{exc}\n\n")
        sys.stderr.write(USAGE)
        return 1
    out = Output(options["machine-readable"])

    from ansible_collections.cattle.images.plugins.module_utils.template import TemplateErrors, load_template

    try:
        template = load_template(positional[0], variables=variables, var_files=options["var-file"], cwd=os.getcwd())
    except TemplateErrors as exc:
        return _report(out, "Template validation failed. Errors are shown below.", exc.diagnostics)
    if options["syntax-only"]:
        out.say("Syntax-only check passed. Everything looks okay.")
        return 0
    diagnostics = template.validate(only=options["only"], except_=options["except"], force=options["force"])
    errors = [d for d in diagnostics if d.severity == "error"]
    warnings = [d for d in diagnostics if d.severity != "error"]
    for warning in warnings:
        out.error(f"Warning: {warning}")
    if errors:
        return _report(out, "Template validation failed. Errors are shown below.", errors)
    out.say("Template validated successfully.")
    return 0


def _report(out: Output, headline: str, diagnostics) -> int:
    out.error(headline + "\n")
    for diagnostic in diagnostics:
        out.error(f"Error: {diagnostic}")
    return 1
