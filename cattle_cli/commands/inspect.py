"""`cattle inspect`: show a template's variables, builds, provisioners and post-processors."""

from __future__ import annotations

import os
import sys

from cattle_cli import flags
from cattle_cli.output import machine_line

USAGE = """Usage: cattle inspect [options] TEMPLATE

  Inspects a template, parsing and outputting the components a template
  defines. This does not validate the contents of a template (other than
  basic syntax by necessity).

Options:

  -machine-readable  Machine-readable output
"""

NOTE = """Note: If your build names contain user variables or template
functions such as 'timestamp', these are processed at build time,
and therefore only show in their raw form here."""


def run(argv: list[str]) -> int:
    parsed = flags.parse_command(argv, [flags.Flag("machine-readable", "bool", False)], USAGE, 1,
                                 lambda _args: "exactly one TEMPLATE argument is required")
    if parsed is None:
        return 1

    options, positional = parsed.values, parsed.args
    from ansible_collections.cattle.images.plugins.module_utils.template import (
        SENSITIVE_MASK,
        TemplateErrors,
        load_template,
        mask,
    )

    try:
        template = load_template(positional[0], cwd=os.getcwd(), strict=False)
    except TemplateErrors as exc:
        for diagnostic in exc.diagnostics:
            sys.stderr.write(f"Error: {diagnostic}\n")
        return 1
    info = template.inspect()
    if info.get("mode") == "HCL2":  # Packer's HCL2 mode has one layout, machine-readable or not
        sys.stdout.write(info["text"])
        return 0
    # Only the declared defaults are known here: mask the sensitive ones wherever they appear.
    sensitive_defaults = [v["default"] for v in info["variables"] if v["sensitive"] and v["default"]]

    def shown(variable) -> str:
        if variable["sensitive"] and variable["default"]:
            return SENSITIVE_MASK
        return mask(variable["default"] or "", sensitive_defaults)

    if options["machine-readable"]:
        lines = []
        if info["description"]:
            lines.append(machine_line("template-description", mask(info["description"], sensitive_defaults)))
        for variable in info["variables"]:
            lines.append(machine_line("template-variable", variable["name"],
                                      "" if variable["required"] else shown(variable),
                                      "1" if variable["required"] else "0"))
        for builder in sorted(info["builders"], key=lambda b: b["name"]):
            lines.append(machine_line("template-builder", builder["name"], builder["type"]))
        for provisioner in info["provisioners"]:
            lines.append(machine_line("template-provisioner", provisioner["type"]))
        for index, chain in enumerate(info["post_processors"]):
            for pp in chain:
                lines.append(machine_line("template-post-processor", str(index), pp["name"], pp["type"]))
        print("\n".join(lines))
        return 0

    out = ["Packer Inspect: JSON mode"]
    if info["description"]:
        out += ["Description:", "", mask(info["description"], sensitive_defaults), ""]
    variables = info["variables"]
    if not variables:
        out += ["Variables:", "", "  <No variables>", ""]
    else:
        width = max(len(v["name"]) for v in variables)
        required = [v for v in variables if v["required"]]
        optional = [v for v in variables if not v["required"]]
        if required:
            out += ["Required variables:", ""] + [f"  {v['name']}" for v in required] + [""]
        out += ["Optional variables and their defaults:", ""]
        out += [f"  {v['name'].ljust(width)} = {shown(v)}" for v in optional] + [""]
    out += ["Builders:", ""]
    builders = sorted(info["builders"], key=lambda b: b["name"])
    if builders:
        width = max(len(b["name"]) for b in builders)
        for builder in builders:
            suffix = f" ({builder['type']})" if builder["name"] != builder["type"] else ""
            out.append(f"  {builder['name'].ljust(width)}{suffix}")
    else:
        out.append("  <No builders>")
    out += ["", "Provisioners:", ""]
    out += [f"  {p['type']}" for p in info["provisioners"]] or ["  <No provisioners>"]
    out += ["", "Post-processors:", ""]
    chains = info["post_processors"]
    if chains:
        for chain in chains:
            out.append("  " + " -> ".join(pp["name"] if pp["name"] == pp["type"] else f"{pp['name']} ({pp['type']})"
                                          for pp in chain))
    else:
        out.append("  <No post-processors>")
    out += ["", NOTE]
    print("\n".join(out))
    return 0
