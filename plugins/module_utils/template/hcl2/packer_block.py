"""The `packer {}` block: which Packer a template wants, and the plugins it would install."""

from __future__ import annotations

from ..functions import PACKER_COMPAT_VERSION
from ..loader import _parse_version
from .diagnostics import HCLError, to_diagnostic


def packer_block(block, evaluator, problems):
    """The `packer` block: `required_version` checked against cattle's Packer version; `required_plugins` noted."""
    attributes = block.body.attributes
    for name, attribute in attributes.items():
        if name != "required_version":
            problems.append(to_diagnostic(attribute.pos, "Unsupported argument",
                                          f'An argument named "{name}" is not expected here.'))
    for inner in block.body.blocks:
        if inner.type == "required_plugins":
            problems.append(to_diagnostic(inner.pos, "required_plugins not needed", "cattle's builders, provisioners "
                                          "and post-processors are built in; no plugin is installed.", "warning"))
        else:
            problems.append(to_diagnostic(inner.pos, "Unsupported block type",
                                          f'Blocks of type "{inner.type}" are not expected here.'))
    if "required_version" in attributes:
        required_version(attributes["required_version"], evaluator, problems)


def required_version(attribute, evaluator, problems):
    """`required_version` checked against cattle's Packer version."""
    try:
        constraint = evaluator.eval(attribute.expr)
    except HCLError as exc:
        problems.extend(exc.diagnostics)
        return
    problem = version_problem(str(constraint), PACKER_COMPAT_VERSION)
    if problem:
        problems.append(to_diagnostic(attribute.pos, "Unsupported Packer Core version", problem))


def version_problem(constraints: str, version: str) -> str:
    """Checks `required_version` (`>= 1.5, < 2`, `~> 1.6`) against cattle's Packer version; the problem or ''."""
    have = _parse_version(version)
    for raw in constraints.split(","):
        text = raw.strip()
        op = next((o for o in ("~>", ">=", "<=", "!=", ">", "<", "=") if text.startswith(o)), "=")
        wanted_text = text[len(op):].strip() if text.startswith(op) else text
        wanted = _parse_version(wanted_text)
        if wanted is None:
            return f"Malformed constraint: {raw.strip()}"
        if op == "~>":
            parts = wanted_text.lstrip("v").split(".")
            upper = list(wanted[:3])
            if len(parts) >= 3:
                upper = [upper[0], upper[1] + 1, 0]
            else:
                upper = [upper[0] + 1, 0, 0]
            ok = wanted <= have < (upper[0], upper[1], upper[2], 0)
        else:
            ok = {"=": have == wanted, "!=": have != wanted, ">": have > wanted, "<": have < wanted,
                  ">=": have >= wanted, "<=": have <= wanted}[op]
        if not ok:
            return (f"This configuration does not support Packer version {version}. To proceed, either choose another "
                    f"supported Packer version or update the root module's version constraint ({constraints}).")
    return ""
