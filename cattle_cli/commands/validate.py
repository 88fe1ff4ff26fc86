"""`cattle validate`: check a template the way `packer validate` does, with positions."""

from __future__ import annotations

import os

from cattle_cli import flags
from cattle_cli.output import Output, report

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

FLAGS = [
    flags.Flag("syntax-only", "bool", False),
    flags.Flag("machine-readable", "bool", False),
    flags.Flag("force", "bool", False),
    flags.Flag("var", "list"),
    flags.Flag("var-file", "list"),
    flags.Flag("only", "csv"),
    flags.Flag("except", "csv"),
]


def run(argv: list[str]) -> int:
    parsed = flags.parse_command(argv, FLAGS, USAGE, 1, lambda _args: "exactly one TEMPLATE argument is required")
    if parsed is None:
        return 1
    variables = parsed.variables
    options, positional = parsed.values, parsed.args
    out = Output(options["machine-readable"])

    from ansible_collections.cattle.images.plugins.module_utils.template import TemplateErrors, load_template

    try:
        template = load_template(positional[0], variables=variables, var_files=options["var-file"], cwd=os.getcwd(),
                                 strict=not options["syntax-only"])
    except TemplateErrors as exc:
        return report(out, exc.diagnostics)
    if options["syntax-only"]:
        out.say("Syntax-only check passed. Everything looks okay.")
        return 0
    diagnostics = template.validate(only=options["only"], except_=options["except"], force=options["force"])
    if report(out, diagnostics):
        return 1
    out.say("Template validated successfully.")
    return 0
