"""`cattle hcl2_upgrade`: write the HCL2 equivalent of a legacy JSON template."""

from __future__ import annotations

import os
import sys
import tempfile

from cattle_cli import flags
from cattle_cli.output import Output

USAGE = """Usage: cattle hcl2_upgrade [options] TEMPLATE

  Writes the HCL2 equivalent of a legacy JSON (or YAML) template.

Options:

  -output-file=path    Where to write it (default: TEMPLATE.pkr.hcl, i.e. the
                       template's name with ".pkr.hcl" appended). To be read as
                       HCL2 the file must end in ".pkr.hcl".
  -force               Replace the output file if it exists (without -force an
                       existing file is an error and is left untouched).
"""

FLAGS = [
    flags.Flag("output-file", "str", ""),
    flags.Flag("force", "bool", False),
]


def run(argv: list[str]) -> int:
    parsed = flags.parse_command(argv, FLAGS, USAGE, 1, lambda _args: "exactly one TEMPLATE argument is required")
    if parsed is None:
        return 1
    template = parsed.args[0]
    target = parsed.values["output-file"] or template + ".pkr.hcl"

    from ansible_collections.cattle.images.plugins.module_utils.template import TemplateErrors
    from ansible_collections.cattle.images.plugins.module_utils.template.hcl2.upgrade import upgrade_file

    try:
        text = upgrade_file(template, cwd=os.getcwd())
    except TemplateErrors as exc:
        out = Output(False)
        out.error(f"Failed to read {template}; nothing was written. Errors are shown below.\n")
        for diagnostic in exc.diagnostics:
            out.error(f"Error: {diagnostic}")
        return 1
    try:
        write_output(target, text, replace=parsed.values["force"])
    except FileExistsError:
        sys.stderr.write(f"Error: {target} already exists; use -force to replace it\n")
        return 1
    except OSError as exc:
        sys.stderr.write(f"Error: cannot write {target}: {exc}\n")
        return 1
    print(f"Successfully created {target}")
    return 0


def write_output(target: str, text: str, replace: bool) -> None:
    """Writes through a temporary file, so a failed write leaves no half file behind; without
    `replace`, a hard link puts it in place, which fails (atomically) if the target exists."""
    directory = os.path.dirname(os.path.abspath(target))
    os.makedirs(directory, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".cattle-hcl2-")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.chmod(temporary, 0o644)
        if replace:
            os.replace(temporary, target)
        else:
            os.link(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
