# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The docker builder's driver for the builder front-end: what each ``state`` does.

The action plugin ``plugins/action/docker.py`` runs it in Ansible's worker on the controller
(no Python start and SDK import per task); ``plugins/modules/docker.py`` documents it.
"""

from __future__ import annotations

import os

from ansible_collections.cattle.images.plugins.module_utils.builder_frontend import BUILD_ID_ARGUMENT, BuilderDriver
from ansible_collections.cattle.images.plugins.module_utils.docker import artifacts, builder, capture
from ansible_collections.cattle.images.plugins.module_utils.docker.client import (
    DockerError,
    connect,
    connection_settings,
)
from ansible_collections.cattle.images.plugins.module_utils.docker.config import SECRET_OPTIONS, normalize
from ansible_collections.cattle.images.plugins.module_utils.ledger import Ledger
from ansible_collections.cattle.images.plugins.module_utils.plan import read_plan_build


def _begin(step):
    step.result["container_name"] = builder.container_name(step.build_id)
    step.session = connect()


def _started(step):
    client, config, build_id, build_name = step.session, step.config, step.build_id, step.build_name
    result = step.result
    # For the build host's connection: computed here rather than by templates in launch.yml, which
    # every launch's worker would compile again.
    result["daemon"] = dict(connection_settings(), api_version=client.api.api_version)
    if config["windows_container"] and client.info().get("OSType") != "windows":
        raise DockerError(
            "windows_container is true but this Docker daemon runs Linux containers; Windows containers "
            "can only be built on a Windows Docker host."
        )
    if step.check_mode:
        if not config["pull"]:
            builder.base_image(client, config["image"], pulled=False)
        existing = builder.find_container(client, build_id)
        temp_dir = builder.mounted_temp_dir(existing) if existing is not None else ""
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
    launch_config, start, cached, create = config, True, None, True
    if step.params["cache"] or config["cache"]:
        launch_config, start, cached, create = _resolve_cache(step)
    source = builder.launch(client, launch_config, build_id, build_name, ledger=step.ledger, start=start,
                            ui=step.ui, create=create)
    if cached is not None:
        from ansible_collections.cattle.images.plugins.module_utils.docker import cache

        if not create:
            # Where relaunch finds the temp dir when the step cache creates the container after all.
            state = cache.load_state(result["cache"]["state_file"])
            state.update(container=False, temp_dir=source["temp_dir"])
            cache.save_state(result["cache"]["state_file"], state)
        done = 0
        if step.params["reuse_leading_steps"]:
            # The role's provision loop would load the plan and compute each step's key again: take
            # the steps the launch can vouch for (after the container's lines, where the loop would say them).
            done = cache.reuse_leading_steps(client, result["cache"]["state_file"], cached, step.ui)
        result["cache"]["steps_done"] = done
    source["image"] = config["image"]
    result["container_name"] = source["container_name"]
    result["changed"] = source.pop("changed")
    for warning in source.pop("warnings"):
        step.warn(warning)
    result["source"] = source


def _resolve_cache(step):
    """Find the longest cached prefix of the build's steps.

    Returns the config to launch with; whether to start the container: when every
    step that changes the image is cached (and no breakpoint wants to look at the
    container), nothing runs in it, and a created container commits the same; the build;
    and whether to create the container at all: not when the final image is cached too
    (outside -debug, which pauses to look at the container).
    """
    from ansible_collections.cattle.images.plugins.module_utils.docker import cache

    params, client, config = step.params, step.session, step.config
    if not params["plan_file"]:
        raise DockerError("the step cache needs the build's steps: give plan_file, not config")
    build, plan = read_plan_build(params["plan_file"], params["build"] or step.build_name, "docker")
    if config["pull"]:
        builder.pull(client, config["image"], config.get("platform", ""), builder.login(client, config))
    state = cache.resolve(client, build, build["name"], config, plan.get("cwd"))
    state_file = cache.state_path(params["plan_file"], step.build_id)
    cache.save_state(state_file, state)
    every_step = build.get("provisioners") or []
    steps = [provisioner for provisioner in every_step if cache.keys.step_kind(provisioner) == "image"]
    reused = len(state["cached_steps"])
    if reused:
        step.ui.say(f"Step cache: reusing {reused} of {len(steps)} provisioner layers, starting from "
                    f"{cache.short(state['start_image'])}")
    else:
        step.ui.say(f"Step cache: nothing cached yet for these {len(steps)} provisioners")
    if state.get("uncacheable"):
        # Said again, with the step, when the provisioner's turn comes.
        step.ui.say(f"Step cache: not cached from here on: {state['uncacheable']}")
    step.result["cache"] = {"state_file": state_file, "resume": state["resume"],
                            "cached_steps": state["cached_steps"]}
    all_cached = len(state["planned"]) == len(every_step) and reused == len(steps)
    start = not all_cached or any(provisioner["type"] == "breakpoint" for provisioner in every_step)
    create = True
    if not start and params["reuse_leading_steps"]:
        final = cache.final_image_at_launch(client, state, build, config)
        if final is not None:
            create = False
            step.ui.say(f"Step cache: the image is cached too ({cache.short(final.id)}): no container is "
                        "created unless a step's inputs change during the build")
    return dict(config, image=state["start_image"], pull=False), start, build, create


def _captured(step):
    config, build_id, build_name = step.config, step.build_id, step.build_name
    step.result["artifact"] = None
    if step.check_mode:
        step.result["changed"] = bool(config["commit"] or config["export_path"])
        return
    # The run's ledger sits beside its plan: a commit cut short leaves an image to sweep.
    ledger = Ledger(os.path.join(step.run_dir, "ledger.jsonl")) if step.run_dir else None
    commit_record = ledger is not None and config["commit"]
    cache = None
    if config["commit"] and step.params["plan_file"]:
        from ansible_collections.cattle.images.plugins.module_utils.docker import cache

        reused = cache.reuse_final(step.session, step.params["plan_file"], build_id, build_name, config, step.ui)
        if reused is not None:
            step.result["artifact"] = artifacts.commit_artifact(reused, build_name)
            step.result["changed"] = False
            return
        # A -cache build whose container holds exactly its last layer commits from that layer.
        cache.settle_for_capture(step.session, config, build_id, build_name, step.params["plan_file"])
    if commit_record:
        # The daemon finishes a commit even when this process is killed during it: until the
        # artifact is handed on, its image (labelled with the build id) is the run's to remove.
        ledger.record(build=build_name, kind=builder.COMMIT_LEDGER_KIND, name=build_id, build_id=build_id,
                      docker_host=os.environ.get("DOCKER_HOST", ""))
    step.result["artifact"] = capture.capture(step.session, config, build_id, build_name, step.ui)
    if cache is not None:
        cache.remember_final(step.session, step.params["plan_file"], build_id, build_name, config,
                             step.result["artifact"]["id"])
    if commit_record:
        ledger.release(kind=builder.COMMIT_LEDGER_KIND, name=build_id)
    step.result["changed"] = bool(config["commit"] or config["export_path"])


def _absent(step):
    client, build_id = step.session, step.build_id
    # The temp dir the launch made; without one known, the builder reads it from the container's mount.
    temp_dir = step.params["temp_dir"] or step.source.get("temp_dir")
    if step.check_mode:
        existing = builder.find_container(client, build_id)
        if not temp_dir and existing is not None:
            temp_dir = builder.mounted_temp_dir(existing)
        step.result["changed"] = existing is not None or bool(temp_dir and os.path.isdir(temp_dir))
        return
    if step.params["background"] and step.ledger is not None:
        step.result["changed"] = builder.remove_in_background(client, build_id, step.ledger, temp_dir, step.ui)
        return
    step.result["changed"] = builder.remove(client, build_id, temp_dir, step.ui)
    if step.ledger is not None:
        step.ledger.release(kind=builder.LEDGER_KIND, name=builder.container_name(build_id))


DOCKER = BuilderDriver(
    types=("docker",),
    states={"started": _started, "captured": _captured, "absent": _absent},
    normalize=lambda raw, step: normalize(raw, where=step.where, cwd=step.cwd),
    arguments=dict(BUILD_ID_ARGUMENT, temp_dir={"type": "path"}, cache={"type": "bool", "default": False},
                   background={"type": "bool", "default": False},
                   reuse_leading_steps={"type": "bool", "default": False}),
    secret_options=SECRET_OPTIONS,
    config_free_states=("absent",),
    begin=_begin,
)
