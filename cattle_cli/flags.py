"""Packer-style command-line flags (Go's ``flag`` package rules).

``-name value``, ``-name=value``, ``--name`` all work; boolean flags take ``-flag`` or
``-flag=false``; parsing stops at the first argument that is not a flag.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field


class UsageError(Exception):
    pass


@dataclass
class Flag:
    name: str
    kind: str  # "bool", "str", "int", "list" (repeatable), "csv" (repeatable, comma separated)
    default: object = None
    help: str = ""
    choices: tuple = ()


@dataclass
class Parsed:
    values: dict = field(default_factory=dict)
    args: list = field(default_factory=list)
    variables: dict = field(default_factory=dict)  # the -var assignments, when the command has -var


def parse_command(argv, flags, usage_text, arguments, wrong_arguments):
    """A subcommand's flags and arguments, or None once the mistake and the usage are on stderr.

    ``arguments`` is how many positional arguments the command takes; ``wrong_arguments(args)``
    says what is wrong when the count differs.
    """
    try:
        parsed = parse(argv, flags)
        if len(parsed.args) != arguments:
            raise UsageError(wrong_arguments(parsed.args))
        parsed.variables = dict(parse_var(v) for v in parsed.values.get("var") or [])
    except UsageError as exc:
        if str(exc):
            sys.stderr.write(f"{exc}\n\n")
        sys.stderr.write(usage_text)
        return None
    return parsed


def parse(argv, flags):
    by_name = {f.name: f for f in flags}
    values = {}
    for f in flags:
        values[f.name] = [] if f.kind in ("list", "csv") else f.default
    argv = list(argv)
    while argv:
        arg = argv[0]
        if arg == "--":
            argv.pop(0)
            break
        if not arg.startswith("-") or arg == "-":
            break
        argv.pop(0)
        name, has_value, value = arg.lstrip("-").partition("=")
        flag = by_name.get(name)
        if flag is None:
            raise UsageError(f"flag provided but not defined: -{name}")
        if flag.kind == "bool":
            if has_value:
                if value.lower() not in ("true", "false", "1", "0", "t", "f"):
                    raise UsageError(f'invalid boolean value "{value}" for -{name}')
                values[name] = value.lower() in ("true", "1", "t")
            else:
                values[name] = True
            continue
        if not has_value:
            if not argv:
                raise UsageError(f"flag needs an argument: -{name}")
            value = argv.pop(0)
        if flag.choices and value not in flag.choices:
            raise UsageError(f"-{name} must be one of {', '.join(flag.choices)}, not {value!r}")
        if flag.kind == "list":
            values[name].append(value)
        elif flag.kind == "csv":
            values[name].extend(v for v in value.split(",") if v)
        elif flag.kind == "int":
            try:
                number = int(value)
            except ValueError:
                raise UsageError(f'invalid value "{value}" for flag -{name}: expected a number') from None
            if not -(2**63) <= number < 2**63:  # Go's int
                raise UsageError(f'invalid value "{value}" for flag -{name}: out of range')
            values[name] = number
        else:
            values[name] = value
    return Parsed(values=values, args=argv)


HELP_FLAGS = ("-h", "-help", "--help")


def wants_help(argv):
    """True when the arguments ask for a command's usage (``-h``, ``-help``, ``--help``).

    Looked for anywhere before ``--``, not only among the leading flags as Go's ``flag``
    package does: ``cattle build t.json -h`` shows the usage instead of a usage error.
    """
    for arg in argv:
        if arg == "--":
            return False
        if arg in HELP_FLAGS:
            return True
    return False


def parse_var(assignment):
    """``-var 'name=value'`` -> (name, value)."""
    name, sep, value = assignment.partition("=")
    if not sep or not name:
        raise UsageError(f"-var expects name=value, got {assignment!r}")
    return name, value


def usage(command, synopsis, flags):
    lines = [f"Usage: cattle {command} {synopsis}", "", "Options:", ""]
    for f in flags:
        lines.append(f"  -{f.name:<24} {f.help}")
    return "\n".join(lines) + "\n"
