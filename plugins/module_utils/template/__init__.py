"""The template language: Packer's legacy JSON (or the same schema in YAML) to a plan.

Pure Python (stdlib + PyYAML); no Ansible import, so the CLI's validate/inspect stay fast.
"""

from .errors import Diagnostic, TemplateErrors
from .functions import PACKER_COMPAT_VERSION
from .runtime import SENSITIVE_MASK, mask, mask_data, render_runtime


def load_template(path, variables=None, var_files=None, cwd=None):
    """Reads and parses a template; see `loader.load_template`."""
    from .loader import load_template as _load

    return _load(path, variables=variables, var_files=var_files, cwd=cwd)


__all__ = [
    "Diagnostic", "TemplateErrors", "PACKER_COMPAT_VERSION", "SENSITIVE_MASK",
    "load_template", "render_runtime", "mask", "mask_data",
]
