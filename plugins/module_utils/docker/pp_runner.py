# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the docker_* post-processor action plugins share: arguments, plan lookup, result shape.

Arguments (docs/internals.md): ``config`` or ``plan_file`` + ``build`` + ``chain`` + ``index``,
and ``artifact``. Result: ``artifact``, ``keep``, ``force_keep``, ``ui``, ``changed``, and
``failed``/``msg`` on error; every string is masked with the plan's sensitive values (and
the post-processor's own secrets) before it is returned.
"""

from __future__ import annotations

import json
import os

from ansible_collections.cattle.images.plugins.module_utils.docker import postprocessors
from ansible_collections.cattle.images.plugins.module_utils.docker.client import DockerError, connect

VALID_ARGS = frozenset(("config", "plan_file", "build", "chain", "index", "artifact"))


def _plan_entry(args):
    """``(config, cwd, sensitive_values)`` of the post-processor the arguments point at."""
    path = args["plan_file"]
    try:
        with open(path, encoding="utf-8") as handle:
            plan = json.load(handle)
    except (OSError, ValueError) as exc:
        raise postprocessors.PostProcessorError(f"plan file {path} cannot be read: {exc}") from None
    build = next((b for b in plan.get("builds") or [] if b.get("name") == args.get("build")), None)
    if build is None:
        raise postprocessors.PostProcessorError(f"build {args.get('build')!r} is not in the plan {path}")
    try:
        entry = build["post_processors"][int(args["chain"])][int(args["index"])]
    except (KeyError, IndexError, TypeError, ValueError):
        raise postprocessors.PostProcessorError(
            f"build {args.get('build')!r} has no post-processor at chain {args.get('chain')!r}, "
            f"index {args.get('index')!r}"
        ) from None
    return entry.get("config") or {}, plan.get("cwd"), list(plan.get("sensitive_values") or [])


def _mask(value, secrets):
    if not secrets:
        return value
    if isinstance(value, str):
        try:
            from ansible_collections.cattle.images.plugins.module_utils.template import mask
        except ImportError:
            def mask(text, values):
                for secret in sorted(values, key=len, reverse=True):
                    text = text.replace(secret, "<sensitive>")
                return text
        return mask(value, secrets)
    if isinstance(value, dict):
        return {_mask(k, secrets): _mask(v, secrets) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_mask(item, secrets) for item in value]
    return value


def run(kind, args, task_vars, check_mode=False):
    """Run post-processor ``kind`` (Packer type name) for an action plugin; returns the result dict."""
    ui = []
    secrets = []
    result = {"changed": False, "ui": ui}
    try:
        unknown = sorted(set(args) - VALID_ARGS)
        if unknown:
            raise postprocessors.PostProcessorError(f"{kind}: unsupported argument(s): {', '.join(unknown)}")
        if "config" in args:
            raw_config, cwd = args["config"] or {}, None
        elif "plan_file" in args:
            raw_config, cwd, secrets = _plan_entry(args)
        else:
            raise postprocessors.PostProcessorError(f"{kind}: give either config or plan_file, build, chain and index")
        if isinstance(raw_config, dict):
            secrets += [str(raw_config[key]) for key in postprocessors.SECRET_OPTIONS if raw_config.get(key)]
        config = postprocessors.check_config(kind, raw_config)
        artifact = args.get("artifact")
        cattle_build = (task_vars or {}).get("cattle_build")
        force = bool(cattle_build.get("force")) if isinstance(cattle_build, dict) else False
        client = None if check_mode else connect()
        if kind == "docker-tag":
            output, keep, force_keep = postprocessors.tag(client, config, artifact, force, ui, check_mode)
        elif kind == "docker-import":
            output, keep, force_keep = postprocessors.import_image(client, config, artifact, force, ui, check_mode)
        elif kind == "docker-save":
            output, keep, force_keep = postprocessors.save(client, config, artifact, cwd or os.getcwd(), ui, check_mode)
        elif kind == "docker-push":
            output, keep, force_keep = postprocessors.push(client, config, artifact, ui, check_mode)
        else:  # pragma: no cover - the action plugins name their own kind
            raise postprocessors.PostProcessorError(f"unknown docker post-processor {kind!r}")
        # Each of them changes something (a tag, an image, a file, a registry); check mode says it would.
        result.update(artifact=output, keep=keep, force_keep=force_keep, changed=True)
    except (postprocessors.PostProcessorError, DockerError) as exc:
        result.update(failed=True, msg=str(exc))
    return _mask(result, [s for s in secrets if s])
