"""HCL2 templates (Packer's `*.pkr.hcl`): parsed with python-hcl2's lark grammar, evaluated here.

Entry point (stable; `cattle hcl2_upgrade` and the CLI use it): `load_hcl2_template(path, variables,
var_files, cwd, env)` returns a `Template` whose `validate`/`plan`/`checked_plan`/`inspect` are the
JSON loader's. `template.load_template` dispatches here for a `.pkr.hcl`/`.pkr.json` path or a directory.
"""

from __future__ import annotations

import os

TEMPLATE_SUFFIXES = (".pkr.hcl",)
JSON_SUFFIX = ".pkr.json"


def is_hcl2_path(path) -> bool:
    """Whether ``path`` names an HCL2 template (a directory, ``*.pkr.hcl``, ``*.pkr.json``).

    Here, not in loader.py, so that deciding costs no import of the HCL2 stack (a JSON template's
    ``cattle build`` would otherwise pay for loading the grammar and the evaluator).
    """
    path = os.fspath(path)
    return os.path.isdir(path) or path.endswith(TEMPLATE_SUFFIXES + (JSON_SUFFIX,))
