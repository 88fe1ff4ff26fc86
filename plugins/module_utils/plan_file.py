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

from ansible_collections.cattle.images.plugins.module_utils.errors import CattleError


def write_plan(plan, run_dir):
    """Write the plan where only this user can read it; it may hold secrets."""
    path = os.path.join(run_dir, "plan.json")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(plan, handle)
    return path


class PlanError(CattleError):
    """The plan file cannot be read, or does not hold the build asked for."""


def read_plan_build(path, build_name, builder_type):
    """The build's entry of the plan file (checked to be a ``builder_type`` build — or one of
    them, when a module serves several types), and the plan."""
    types = (builder_type,) if isinstance(builder_type, str) else tuple(builder_type)
    try:
        with open(path, encoding="utf-8") as handle:
            plan = json.load(handle)
    except (OSError, ValueError) as exc:
        raise PlanError(f"plan file {path} cannot be read: {exc}") from None
    builds = plan.get("builds") if isinstance(plan, dict) else None
    if not isinstance(builds, list):
        raise PlanError(f"plan file {path} is not a plan: expected an object with a 'builds' list")
    for build in builds:
        if build.get("name") == build_name:
            if build.get("type") not in types:
                raise PlanError(
                    f"build {build_name!r} in {path} is a {build.get('type')!r} build, not {' or '.join(types)}")
            return build, plan
    raise PlanError(f"build {build_name!r} is not in the plan {path}")


def read_plan_config(path, build_name, builder_type):
    """The build's builder config, the plan's cwd and its sensitive values."""
    build, plan = read_plan_build(path, build_name, builder_type)
    return build.get("config") or {}, plan.get("cwd"), plan.get("sensitive_values") or []
