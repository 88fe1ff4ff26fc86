# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One ``cattle.images.docker`` task: its arguments and what each ``state`` does.

Two callers, one logic: the module ``plugins/modules/docker.py`` (AnsiballZ, a process of
its own) and the action plugin ``plugins/action/docker.py`` (the same work in Ansible's
worker on the controller, without a Python start and an SDK import per task). Both parse
the arguments with :data:`ARGUMENT_SPEC` and call :func:`run_task`.
"""

from __future__ import annotations

import os

from ansible_collections.cattle.images.plugins.module_utils.cache import CacheKeyError
from ansible_collections.cattle.images.plugins.module_utils.docker import builder
from ansible_collections.cattle.images.plugins.module_utils.docker.client import DockerError, connect
from ansible_collections.cattle.images.plugins.module_utils.docker.config import (
    SECRET_OPTIONS,
    ConfigError,
    normalize,
)
from ansible_collections.cattle.images.plugins.module_utils.errors import CattleError
from ansible_collections.cattle.images.plugins.module_utils.ledger import CAPTURE_CANCELLED, Ledger, capture_cancelled
from ansible_collections.cattle.images.plugins.module_utils.plan_file import (
    PlanError,
    read_plan_build,
    read_plan_config,
)

ARGUMENT_SPEC = dict(
    state=dict(type="str", choices=["started", "captured", "absent"], default="started"),
    build_id=dict(type="str", required=True),
    build_name=dict(type="str", default="docker"),
    config=dict(type="dict"),
    plan_file=dict(type="path"),
    build=dict(type="str"),
    ledger=dict(type="path"),
    temp_dir=dict(type="path"),
    cache=dict(type="bool", default=False),
)
MUTUALLY_EXCLUSIVE = [("config", "plan_file")]
REQUIRED_IF = [
    ("state", "started", ("config", "plan_file"), True),
    ("state", "captured", ("config", "plan_file"), True),
]


class TaskFailed(CattleError):
    """The task failed; ``str()`` is the message for the user, ``result`` what to return with it."""

    def __init__(self, message, result):
        super().__init__(message)
        self.result = result


def run_task(params, check_mode, warn, hide):
    """Do what ``params`` (already checked against :data:`ARGUMENT_SPEC`) ask; return the result.

    ``warn(text)`` reports a warning; ``hide(values)`` is given every secret (the plan's
    sensitive values, ``login_password`` …) before anything can print it. Raises
    :class:`TaskFailed`.
    """
    state = params["state"]
    build_id = params["build_id"]
    build_name = params["build_name"]
    result = {"changed": False, "container_name": builder.container_name(build_id)}

    raw_config, cwd, where = params["config"], None, "docker builder"
    if params["plan_file"]:
        plan_build = params["build"] or build_name
        try:
            raw_config, cwd, sensitive = read_plan_config(params["plan_file"], plan_build, "docker")
        except PlanError as exc:
            raise TaskFailed(str(exc), result) from None
        hide([value for value in sensitive if value])
        where = f"{params['plan_file']}: builds[{plan_build}]"
    if isinstance(raw_config, dict):
        hide([str(raw_config[key]) for key in SECRET_OPTIONS if raw_config.get(key)])

    config = None
    if raw_config is not None:
        try:
            config = normalize(raw_config, where=where, cwd=cwd)
        except ConfigError as exc:
            raise TaskFailed(str(exc), result) from None

    try:
        client = connect()
        if state == "started":
            _started(params, check_mode, warn, client, config, result)
        elif state == "captured":
            if capture_cancelled(params):
                raise DockerError(CAPTURE_CANCELLED)
            run_file = params["ledger"] or params["plan_file"]
            # The run's ledger sits beside its plan: a commit cut short leaves an image to sweep.
            ledger = Ledger(os.path.join(os.path.dirname(run_file), "ledger.jsonl")) if run_file else None
            _captured(check_mode, client, config, build_id, build_name, result, ledger)
        else:
            _absent(params, check_mode, client, build_id, result)
    except (DockerError, PlanError, CacheKeyError) as exc:
        # The message is the whole story, no traceback is attached.
        raise TaskFailed(str(exc), result) from None
    return result


def _started(params, check_mode, warn, client, config, result):
    build_id, build_name = params["build_id"], params["build_name"]
    if config["windows_container"] and client.info().get("OSType") != "windows":
        raise DockerError(
            "windows_container is true but this Docker daemon runs Linux containers; Windows containers "
            "can only be built on a Windows Docker host."
        )
    if check_mode:
        if not config["pull"]:
            builder.base_image(client, config["image"], pulled=False)
        existing = builder.find_container(client, build_id)
        temp_dirs = builder.build_temp_dirs(build_id) if existing is not None else []
        temp_dir = temp_dirs[0] if temp_dirs else ""
        # container_spec checks run_command without creating anything.
        kwargs, _warnings = builder.container_spec(config, build_id, build_name,
                                                   temp_dir or "/tmp/cattle-docker-check")
        result["changed"] = existing is None or existing.status != "running"
        result["container_name"] = kwargs["name"]
        result["source"] = {
            "container_id": None if existing is None else existing.id,
            "container_name": kwargs["name"],
            "image": config["image"],
            "exec_user": config["exec_user"],
            "container_user": config["exec_user"],
            "temp_dir": temp_dir,
            "container_dir": config["container_dir"],
            "fix_upload_owner": config["fix_upload_owner"],
        }
        return
    ledger = Ledger(params["ledger"]) if params["ledger"] else None
    launch_config, start = config, True
    ui = []
    if params["cache"] or config["cache"]:
        launch_config, start = _resolve_cache(params, client, config, result)
        ui = result["ui"]
    source = builder.launch(client, launch_config, build_id, build_name, ledger=ledger, start=start, ui=ui)
    if ui:
        result["ui"] = ui
    source["image"] = config["image"]
    result["container_name"] = source["container_name"]
    result["changed"] = source.pop("changed")
    for warning in source.pop("warnings"):
        warn(warning)
    result["source"] = source


def _resolve_cache(params, client, config, result):
    """Find the longest cached prefix of the build's steps.

    Returns the config to launch with, and whether to start the container: when every
    step that changes the image is cached (and no breakpoint wants to look at the
    container), nothing runs in it, and a created container commits the same.
    """
    from ansible_collections.cattle.images.plugins.module_utils.docker import cache

    if not params["plan_file"]:
        raise DockerError("the step cache needs the build's steps: give plan_file, not config")
    build, plan = read_plan_build(params["plan_file"], params["build"] or params["build_name"], "docker")
    if config["pull"]:
        builder.pull(client, config["image"], config.get("platform", ""), builder.login(client, config))
    state = cache.resolve(client, build, build["name"], config, plan.get("cwd"))
    state_file = cache.state_path(params["plan_file"], params["build_id"])
    cache.save_state(state_file, state)
    steps = [step for step in build.get("provisioners") or [] if cache.keys.step_kind(step) == "image"]
    reused = len(state["cached_steps"])
    if reused:
        text = (f"Step cache: reusing {reused} of {len(steps)} provisioner layers, starting from "
                f"{cache.short(state['start_image'])}")
    else:
        text = f"Step cache: nothing cached yet for these {len(steps)} provisioners"
    result["ui"] = [["say", text]]
    if state.get("uncacheable"):
        # Said again, with the step, when the provisioner's turn comes.
        result["ui"].append(["say", f"Step cache: not cached from here on: {state['uncacheable']}"])
    result["cache"] = {"state_file": state_file, "resume": state["resume"], "cached_steps": state["cached_steps"]}
    every_step = build.get("provisioners") or []
    all_cached = len(state["planned"]) == len(every_step) and reused == len(steps)
    start = not all_cached or any(step["type"] == "breakpoint" for step in every_step)
    return dict(config, image=state["start_image"], pull=False), start


def _captured(check_mode, client, config, build_id, build_name, result, ledger=None):
    result["artifact"] = None
    if check_mode:
        result["changed"] = bool(config["commit"] or config["export_path"])
        return
    ui = []
    result["ui"] = ui
    commit_record = ledger is not None and config["commit"]
    if commit_record:
        # The daemon finishes a commit even when this process is killed during it: until the
        # artifact is handed on, its image (labelled with the build id) is the run's to remove.
        ledger.record(build=build_name, kind=builder.COMMIT_LEDGER_KIND, name=build_id, build_id=build_id,
                      docker_host=os.environ.get("DOCKER_HOST", ""))
    result["artifact"] = builder.capture(client, config, build_id, build_name, ui)
    if commit_record:
        ledger.release(kind=builder.COMMIT_LEDGER_KIND, name=build_id)
    result["changed"] = bool(config["commit"] or config["export_path"])


def _absent(params, check_mode, client, build_id, result):
    temp_dir = params["temp_dir"]
    if check_mode:
        existing = builder.find_container(client, build_id)
        leftovers = [temp_dir] if temp_dir else builder.build_temp_dirs(build_id)
        result["changed"] = existing is not None or any(os.path.isdir(path) for path in leftovers)
        return
    ui = []
    result["changed"] = builder.remove(client, build_id, temp_dir, ui)
    result["ui"] = ui
    if params["ledger"]:
        Ledger(params["ledger"]).release(kind=builder.LEDGER_KIND, name=builder.container_name(build_id))
