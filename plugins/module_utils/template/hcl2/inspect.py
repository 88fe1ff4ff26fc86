"""`inspect` of an HCL2 template, laid out as Packer 1.6.6's HCL2 mode prints it."""

from __future__ import annotations

import json

from ..runtime import SENSITIVE_MASK
from .values import format_number


def printable(value, indent: str = "") -> str:
    """A value as Packer's console shows one: strings bare, collections in HCL's layout."""
    if isinstance(value, str):
        return value if not indent else json.dumps(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return format_number(value)
    if value is None:
        return "null"
    inner = indent + "  "
    if not value:
        return "[]" if isinstance(value, list) else "{}"
    if isinstance(value, list):
        return "[\n" + "".join(f"{inner}{printable(v, inner)},\n" for v in value) + indent + "]"
    return "{\n" + "".join(f"{inner}{json.dumps(k)} = {printable(v, inner)}\n" for k, v in sorted(value.items())) + indent + "}"


def inspect_text(variables, locals_, builds) -> str:
    """variables: [(name, value, sensitive, known)]; locals_: [(name, value, known)]; builds: build block summaries."""
    out = ["Packer Inspect: HCL2 mode", "", "> input-variables:", ""]
    for name, value, sensitive, known in sorted(variables):
        shown = SENSITIVE_MASK if sensitive else printable(value) if known else "<unknown>"
        out.append(f"var.{name}: {json.dumps(shown)}")
    out += ["", "> local-variables:", ""]
    for name, value, known in sorted(locals_):
        out.append(f"local.{name}: {json.dumps(printable(value) if known else '<unknown>')}")
    out += ["", "> builds:"]
    for index, build in enumerate(builds):
        out += ["", f"  > {build['name'] or f'<unnamed build {index}>'}:"]
        if build["description"]:
            out += ["", f"  > Description: {build['description']}"]
        out += ["", "    sources:"]
        for source in build["sources"] or ["<no source>"]:
            out += ["", f"      {source}"]
        out += ["", "    provisioners:", ""]
        out += [f"      {p}" for p in build["provisioners"]] or ["      <no provisioner>"]
        out += ["", "    post-processors:"]
        if not build["post_processors"]:
            out += ["", "      <no post-processor>"]
        for chain_index, chain in enumerate(build["post_processors"]):
            out += ["", f"      {chain_index}:"] + [f"        {pp}" for pp in chain]
    return "\n".join(out) + "\n\n"
