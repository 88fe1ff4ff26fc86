"""The template language: Packer's legacy JSON (or the same schema in YAML) to a plan.

Pure Python (stdlib + PyYAML); no Ansible import, so the CLI's validate/inspect stay fast.
"""

from .errors import Diagnostic, TemplateErrors
from .functions import PACKER_COMPAT_VERSION
from .runtime import SENSITIVE_MASK, mask, mask_data, render_runtime


def load_template(path, variables=None, var_files=None, cwd=None, env=None, strict=True):
    """Reads and parses a template: HCL2 (`*.pkr.hcl`, a directory) by `hcl2.load_hcl2_template`, else
    `loader.load_template` (JSON/YAML). `env` (default os.environ) gives HCL2's PKR_VAR_ values;
    `strict=False` checks an HCL2 template's syntax only (a JSON template's load is that already)."""
    import os

    full = path if path == "-" or os.path.isabs(os.fspath(path)) else os.path.join(cwd or os.getcwd(), path)
    if path != "-":
        from .hcl2 import is_hcl2_path

        if is_hcl2_path(full):
            from .hcl2.loader import load_hcl2_template

            return load_hcl2_template(path, variables=variables, var_files=var_files, cwd=cwd, env=env, strict=strict)
    from .loader import load_template as _load

    return _load(path, variables=variables, var_files=var_files, cwd=cwd)


__all__ = [
    "Diagnostic", "TemplateErrors", "PACKER_COMPAT_VERSION", "SENSITIVE_MASK",
    "load_template", "render_runtime", "mask", "mask_data",
]
