# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Writing the plan file into a run directory (see docs/internals.md, "The run directory").

Kept apart from the ``cattle.images.plan`` action plugin so the ``cattle`` command can
write a plan without importing Ansible's plugin machinery (a fifth of its start-up).
"""

from __future__ import annotations

import json
import os


def write_plan(plan, run_dir):
    """Write the plan where only this user can read it; it may hold secrets."""
    path = os.path.join(run_dir, "plan.json")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(plan, handle)
    return path
