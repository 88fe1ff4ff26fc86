# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading the plan file (see docs/internals.md, "The plan") from action plugins.

Task arguments carry only the plan's path, a build name and step indexes; the values
themselves are read here, never templated by Ansible.
"""

from __future__ import annotations

import json

from ansible_collections.cattle.images.plugins.module_utils.errors import CattleError

ERROR_CLEANUP = "error-cleanup"


class PlanError(CattleError):
    """The plan file or a reference into it is wrong; the message is for the user."""


def load_plan(path):
    """Return the plan at ``path`` as a dict."""
    try:
        with open(path, encoding="utf-8") as handle:
            plan = json.load(handle)
    except FileNotFoundError:
        raise PlanError(f"plan file {path} does not exist") from None
    except (OSError, ValueError) as exc:
        raise PlanError(f"plan file {path} cannot be read as JSON: {exc}") from None
    if not isinstance(plan, dict) or not isinstance(plan.get("builds"), list):
        raise PlanError(f"plan file {path} is not a plan: expected an object with a 'builds' list")
    return plan


def find_build(plan, name):
    """The build called ``name``."""
    for build in plan["builds"]:
        if build.get("name") == name:
            return build
    names = ", ".join(repr(b.get("name")) for b in plan["builds"]) or "none"
    raise PlanError(f"build {name!r} is not in the plan (builds: {names})")


def _index(value, what):
    try:
        return int(value)
    except (TypeError, ValueError):
        raise PlanError(f"{what} must be an integer index, not {value!r}") from None


def find_provisioner(plan, build_name, step):
    """The provisioner entry ``{"type", "config", "pause_before", "max_retries", "timeout"}``.

    ``step`` is an index into the build's ``provisioners`` or ``"error-cleanup"``.
    """
    build = find_build(plan, build_name)
    if step == ERROR_CLEANUP:
        entry = build.get("error_cleanup_provisioner")
        if not entry:
            raise PlanError(f"build {build_name!r} has no error-cleanup-provisioner")
        return entry
    index = _index(step, "step")
    provisioners = build.get("provisioners") or []
    if not 0 <= index < len(provisioners):
        raise PlanError(f"build {build_name!r} has {len(provisioners)} provisioner(s); step {index} does not exist")
    return provisioners[index]


def find_post_processor(plan, build_name, chain, index):
    """The post-processor entry ``{"type", "name", "config", "keep_input_artifact"}``."""
    build = find_build(plan, build_name)
    chains = build.get("post_processors") or []
    chain_index = _index(chain, "chain")
    if not 0 <= chain_index < len(chains):
        raise PlanError(f"build {build_name!r} has {len(chains)} post-processor chain(s); chain {chain_index} does not exist")
    sequence = chains[chain_index]
    position = _index(index, "index")
    if not 0 <= position < len(sequence):
        raise PlanError(
            f"post-processor chain {chain_index} of build {build_name!r} has {len(sequence)} step(s); "
            f"index {position} does not exist"
        )
    return sequence[position]
