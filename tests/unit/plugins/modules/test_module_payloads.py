"""A builder module's payload carries its own builder's code, not every builder's.

Ansible packs into a module's payload every module_utils file it imports, found by reading the
imports (also those inside functions). This follows the same finder Ansible uses.
"""

from __future__ import annotations

import ast
import pathlib

import pytest
from ansible.executor.module_common import ModuleDepFinder

ROOT = pathlib.Path(__file__).resolve().parents[4]
PACKAGE = ("ansible_collections", "cattle", "images")
BUILDER_PACKAGES = {"aws", "docker", "qemu", "virtualbox"}


def _file_of(parts):
    """The repository file of a dotted cattle name, trying shorter names (an imported attribute)."""
    parts = list(parts[len(PACKAGE):])
    while parts:
        base = ROOT.joinpath(*parts)
        for candidate in (base.with_suffix(".py"), base / "__init__.py"):
            if candidate.is_file():
                return ".".join(PACKAGE + tuple(parts)), candidate
        parts.pop()
    return None, None


def payload_module_utils(module):
    """Every cattle module_utils module the payload of ``plugins/modules/<module>.py`` carries."""
    seen, todo = set(), [(".".join(PACKAGE + ("plugins", "modules", module)), ROOT / "plugins" / "modules" / f"{module}.py")]
    while todo:
        fqn, path = todo.pop()
        finder = ModuleDepFinder(fqn, ast.parse(path.read_text()), is_pkg_init=path.name == "__init__.py")
        for parts in finder.submodules:
            if tuple(parts[:3]) != PACKAGE:
                continue
            name, found = _file_of(tuple(parts))
            if name and name not in seen:
                seen.add(name)
                todo.append((name, found))
    return {name for name in seen if ".module_utils." in name}


@pytest.mark.parametrize("module, own", [("amazon_ebs", "aws"), ("qemu", "qemu"), ("virtualbox", "virtualbox"),
                                         ("docker", "docker")])
def test_a_builder_payload_has_no_other_builders_code(module, own):
    carried = payload_module_utils(module)
    assert any(f".module_utils.{own}." in name for name in carried), carried
    others = {name for name in carried
              if name.split(".module_utils.")[1].split(".")[0] in BUILDER_PACKAGES - {own}}
    assert not others, f"{module} carries {sorted(others)}"
    assert not any(name.endswith(".module_utils.cleaners") for name in carried)
