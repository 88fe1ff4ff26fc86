"""Where the installed cattle.images collection lives."""

from __future__ import annotations

import os
import sys


def collection_root():
    """The directory of the cattle.images collection Ansible will load."""
    for entry in sys.path:
        candidate = os.path.join(entry or ".", "ansible_collections", "cattle", "images")
        if os.path.isfile(os.path.join(candidate, "galaxy.yml")):
            return candidate
    raise RuntimeError(
        "the cattle.images collection is not installed next to the cattle command "
        "(expected ansible_collections/cattle/images in site-packages); reinstall the project"
    )


def playbook_path(name="build_image"):
    return os.path.join(collection_root(), "playbooks", f"{name}.yml")
