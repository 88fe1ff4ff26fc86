"""Entry point of the `cattle` command: dispatch to one module per subcommand."""

from __future__ import annotations

import importlib
import os
import sys

from cattle_cli import __version__, flags

COMMANDS = {
    "build": "build artifacts from a template",
    "validate": "check that a template is valid",
    "inspect": "see components of a template",
    "cache": "list or prune the step cache",
    "sweep": "remove what killed or crashed builds left behind",
    "hcl2_upgrade": "write the HCL2 equivalent of a JSON template",
    "test": "run testinfra tests against an existing image",
    "version": "print the version",
}

USAGE = "usage: cattle [--version] <command> [args]\n\nAvailable commands are:\n" + "".join(
    f"    {name:<10} {summary}\n" for name, summary in COMMANDS.items()
)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # Packer accepts -machine-readable before the subcommand too.
    global_flags = []
    while argv and argv[0] in ("-machine-readable", "--machine-readable"):
        global_flags.append("-machine-readable")
        argv.pop(0)
    if not argv:
        sys.stderr.write(USAGE)
        return 127
    if argv[0] in flags.HELP_FLAGS:
        sys.stdout.write(USAGE)
        return 0
    if argv[0] in ("-v", "-version", "--version", "version"):
        if global_flags:  # Packer's four lines
            from cattle_cli.output import machine_line

            for kind, value in (("version", __version__), ("version-prelease", ""), ("version-commit", "")):
                print(machine_line(kind, value))
            print(machine_line("ui", "say", f"cattle v{__version__}"))
        else:
            print(f"cattle {__version__}")
        return 0
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        sys.stderr.write(f"cattle: unknown command {name!r}\n\n{USAGE}")
        return 127
    module = importlib.import_module(f"cattle_cli.commands.{name}")
    if flags.wants_help(rest):  # as Packer: the command's usage on stdout, exit 0
        sys.stdout.write(getattr(module, "USAGE", None) or module.usage())
        return 0
    try:
        return module.run(global_flags + rest)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`cattle validate … | head`): stop quietly, as Packer does, and keep
        # Python from complaining again when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
