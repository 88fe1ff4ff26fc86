# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run one provisioner of a planned build through the action plugin of its Packer type."""

from __future__ import annotations

import json

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.cattle.images.plugins.plugin_utils.terminal import ask


def component_plugin(packer_type):
    """The action plugin implementing a Packer provisioner/post-processor type."""
    return "cattle.images." + packer_type.replace("-", "_")


def run_component(action, packer_type, args, task_vars):
    """Invoke the type's action plugin in-process with ``args``, on this host's connection."""
    name = component_plugin(packer_type)
    task = action._task.copy()
    task.args = args
    plugin = action._shared_loader_obj.action_loader.get(
        name,
        task=task,
        connection=action._connection,
        play_context=action._play_context,
        loader=action._loader,
        templar=action._templar,
        shared_loader_obj=action._shared_loader_obj,
    )
    if plugin is None:
        raise AnsibleActionFail(f"no action plugin {name} for the Packer type {packer_type!r}")
    return plugin.run(task_vars=task_vars)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("plan_file", "build", "step"))

    def run(self, tmp=None, task_vars=None):
        super().run(tmp, task_vars)
        args = self._task.args
        with open(args["plan_file"], encoding="utf-8") as handle:
            plan = json.load(handle)
        build = next((b for b in plan["builds"] if b["name"] == args["build"]), None)
        if build is None:
            raise AnsibleActionFail(f"build {args['build']!r} is not in the plan")
        step = args["step"]
        if step == "error-cleanup":
            return self._run_error_cleanup(build, args, task_vars)
        component = build["provisioners"][int(step)]
        cattle_build = task_vars.get("cattle_build") or {}
        if cattle_build.get("debug") and not self._play_context.check_mode:
            # -debug: Packer pauses before each provisioner until the user presses Enter.
            ask(f"==> {args['build']}: Pausing before the next provisioner ({component['type']}). "
                "Press enter to continue. ")
        if cattle_build.get("cache") and not self._play_context.check_mode:
            return self._run_cached(plan, build, cattle_build, int(step), component, args, task_vars)
        return run_component(self, component["type"], dict(args), task_vars)

    def _run_error_cleanup(self, build, args, task_vars):
        """After a failure: the build's error-cleanup provisioner, if it has one (never paused by -debug)."""
        notice = ["say", "Provisioning step had errors: Running the cleanup provisioner, if present..."]
        component = build.get("error_cleanup_provisioner")
        if not component:
            return {"changed": False, "msg": "no error-cleanup-provisioner", "ui": [notice]}
        result = run_component(self, component["type"], dict(args), task_vars)
        result["ui"] = [notice] + list(result.get("ui") or [])
        return result

    def _run_cached(self, plan, build, cattle_build, index, component, args, task_vars):
        """The step through the step cache: reuse its layer, or run it and commit one."""
        from ansible_collections.cattle.images.plugins.module_utils.cache import CacheKeyError
        from ansible_collections.cattle.images.plugins.module_utils.docker import cache
        from ansible_collections.cattle.images.plugins.module_utils.docker.client import DockerError, connect
        from ansible_collections.cattle.images.plugins.module_utils.docker.config import ConfigError, normalize

        try:
            config = normalize(build.get("config") or {}, cwd=plan.get("cwd"))
            return cache.provision_step(
                connect, cache.state_path(args["plan_file"], cattle_build["id"]), build, cattle_build["id"],
                config, plan.get("cwd"), index,
                lambda: run_component(self, component["type"], dict(args), task_vars),
            )
        except (DockerError, ConfigError, CacheKeyError) as exc:
            return {"failed": True, "changed": False, "msg": f"step cache: {exc}"}
