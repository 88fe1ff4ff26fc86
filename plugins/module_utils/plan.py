# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plan file (docs/internals.md, "The plan"): the one loader, typed accessors, the writer.

Nothing else parses ``plan.json``. Plain Python, so modules ship it to their targets and the
``cattle`` command writes plans without importing Ansible.

A loaded plan is kept per path, size and modification time for the life of the process:
the plugins of one task (a provisioner run through ``cattle.images.provision``, its build
context, the step cache) and the workers Ansible forks after the plan was loaded all read it
for free. So a loaded plan is read-only: the entries handed out (a provisioner's or
post-processor's ``{"type", "config", ...}``) are the plan's own dicts; copy before changing.
"""

from __future__ import annotations

import copy
import json
import os
import uuid

from ansible_collections.cattle.images.plugins.module_utils.errors import CattleError

PLAN_FILE_NAME = "plan.json"
# The ``step`` that names a build's error-cleanup provisioner instead of an index.
ERROR_CLEANUP = "error-cleanup"


class PlanError(CattleError):
    """The plan file cannot be read, or a reference into it (build, step, chain) is wrong."""


def _index(value, what):
    try:
        return int(value)
    except (TypeError, ValueError):
        raise PlanError(f"{what} must be an integer index, not {value!r}") from None


class Build:
    """One build of the plan: its builder config and the steps that follow it."""

    def __init__(self, raw):
        self.raw = raw

    @property
    def name(self):
        return self.raw.get("name")

    @property
    def type(self):
        return self.raw.get("type")

    @property
    def config(self):
        """The builder's options (only the keys the user wrote; runtime keys still template text)."""
        return self.raw.get("config") or {}

    @property
    def provisioners(self):
        return self.raw.get("provisioners") or []

    @property
    def error_cleanup_provisioner(self):
        return self.raw.get("error_cleanup_provisioner") or None

    @property
    def post_processors(self):
        """The chains: a list of lists of post-processor entries."""
        return self.raw.get("post_processors") or []

    def provisioner(self, step):
        """The entry ``{"type", "config", "pause_before", "max_retries", "timeout"}`` of ``step``:
        an index into :attr:`provisioners`, or ``"error-cleanup"``."""
        if step == ERROR_CLEANUP:
            entry = self.error_cleanup_provisioner
            if not entry:
                raise PlanError(f"build {self.name!r} has no error-cleanup-provisioner")
            return entry
        index = _index(step, "step")
        provisioners = self.provisioners
        if not 0 <= index < len(provisioners):
            raise PlanError(f"build {self.name!r} has {len(provisioners)} provisioner(s); step {index} does not exist")
        return provisioners[index]

    def post_processor(self, chain, index):
        """The entry ``{"type", "name", "config", "keep_input_artifact"}`` at ``chain``, ``index``."""
        chains = self.post_processors
        chain_index = _index(chain, "chain")
        if not 0 <= chain_index < len(chains):
            raise PlanError(f"build {self.name!r} has {len(chains)} post-processor chain(s); chain {chain_index} does not exist")
        sequence = chains[chain_index]
        position = _index(index, "index")
        if not 0 <= position < len(sequence):
            raise PlanError(
                f"post-processor chain {chain_index} of build {self.name!r} has {len(sequence)} step(s); "
                f"index {position} does not exist"
            )
        return sequence[position]


class Plan:
    """A loaded plan file; ``raw`` is the JSON document as written."""

    def __init__(self, path, raw):
        self.path = path
        self.raw = raw
        self.builds = [Build(build) for build in raw["builds"] if isinstance(build, dict)]

    @property
    def run_dir(self):
        """The run directory the plan file lives in."""
        return os.path.dirname(os.path.abspath(self.path))

    @property
    def cwd(self):
        """Where relative paths resolve, as in Packer ("" when the plan names none)."""
        return self.raw.get("cwd") or ""

    @property
    def template_dir(self):
        return self.raw.get("template_dir") or ""

    @property
    def run_uuid(self):
        return self.raw.get("run_uuid") or ""

    @property
    def sensitive_values(self):
        """The values every output masks (empty ones dropped)."""
        return [value for value in self.raw.get("sensitive_values") or () if value]

    def build(self, name, types=None):
        """The build called ``name``; with ``types`` (a Packer type or several), checked to be one of them."""
        for build in self.builds:
            if build.name == name:
                break
        else:
            names = ", ".join(repr(b.name) for b in self.builds) or "none"
            raise PlanError(f"build {name!r} is not in the plan (builds: {names})")
        if types is not None:
            types = (types,) if isinstance(types, str) else tuple(types)
            if build.type not in types:
                raise PlanError(f"build {name!r} in {self.path} is a {build.type!r} build, not {' or '.join(types)}")
        return build


# path -> ((device, inode, size, mtime_ns), Plan)
_LOADED = {}


def load_plan(path):
    """The plan at ``path``, read and checked once per version of the file in this process."""
    path = os.fspath(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise PlanError(f"plan file {path} cannot be read: it does not exist") from None
    except OSError as exc:
        raise PlanError(f"plan file {path} cannot be read: {exc}") from None
    version = (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)
    known = _LOADED.get(path)
    if known is not None and known[0] == version:
        return known[1]
    try:
        with open(path, encoding="utf-8") as handle:
            raw = json.load(handle)
    except ValueError as exc:
        raise PlanError(f"plan file {path} cannot be read as JSON: {exc}") from None
    except OSError as exc:
        raise PlanError(f"plan file {path} cannot be read: {exc}") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("builds"), list):
        raise PlanError(f"plan file {path} is not a plan: expected an object with a 'builds' list")
    plan = Plan(path, raw)
    _LOADED[path] = (version, plan)
    return plan


def write_plan(plan, run_dir):
    """Write ``plan`` (a dict) as ``plan.json`` in ``run_dir`` where only this user can read it:
    it may hold secrets. Returns its path."""
    path = os.path.join(run_dir, PLAN_FILE_NAME)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(plan, handle)
    _LOADED.pop(path, None)
    return path


def read_plan_build(path, build_name, builder_type):
    """The raw entry of a builder module's build (checked to be a ``builder_type`` build, or one of
    several types) and the raw plan: copies, so the module may change them."""
    plan = load_plan(path)
    return copy.deepcopy(plan.build(build_name, builder_type).raw), copy.deepcopy(plan.raw)


def read_plan_config(path, build_name, builder_type):
    """A builder module's view: ``(builder config, the plan's cwd, its sensitive values)``, copies."""
    plan = load_plan(path)
    build = plan.build(build_name, builder_type)
    return copy.deepcopy(build.config), plan.raw.get("cwd"), list(plan.raw.get("sensitive_values") or [])


def build_entries(plan, plan_file, ledger, force, on_error, debug, cache=False):
    """The small, secret-free per-build facts the build play needs (``plan``: a loaded Plan).

    ``cache``: the run asked for the step cache (``-cache``); a docker builder may also ask
    with ``cache: true``. Other builders have no step cache.
    """
    entries = []
    for build in plan.builds:
        entries.append({
            "name": build.name,
            "type": build.type,
            "id": uuid.uuid4().hex[:12],
            "plan_file": plan_file,
            "ledger": ledger,
            "force": force,
            "on_error": on_error,
            "debug": debug,
            "cache": build.type == "docker" and bool(cache or build.config.get("cache")),
            "run_uuid": plan.run_uuid,
            "steps": [{"index": i, "type": p["type"]} for i, p in enumerate(build.provisioners)],
        })
    return entries
