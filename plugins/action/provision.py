# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run one provisioner of a planned build through the action plugin of its Packer type."""

from __future__ import annotations

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.cattle.images.plugins.module_utils.plan import ERROR_CLEANUP, PlanError, load_plan
from ansible_collections.cattle.images.plugins.plugin_utils.common import component_plugin
from ansible_collections.cattle.images.plugins.plugin_utils.output import live_ui
from ansible_collections.cattle.images.plugins.plugin_utils.terminal import ask


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
        step = args["step"]
        try:
            build = load_plan(args["plan_file"]).build(args["build"])
            component = None if step == ERROR_CLEANUP else build.provisioner(step)
        except PlanError as exc:
            raise AnsibleActionFail(str(exc)) from None
        if component is None:
            return self._run_error_cleanup(build, args, task_vars)
        cattle_build = task_vars.get("cattle_build") or {}
        if cattle_build.get("debug") and not self._play_context.check_mode:
            # -debug: Packer pauses before each provisioner until the user presses Enter.
            ask(f"==> {args['build']}: Pausing before the next provisioner ({component['type']}). "
                "Press enter to continue. ")

        def run():
            return run_component(self, component["type"], dict(args), task_vars)

        if cattle_build.get("cache") and not self._play_context.check_mode:
            from ansible_collections.cattle.images.plugins.module_utils.docker import cache

            return cache.run_step(args["plan_file"], build.name, cattle_build["id"], int(step), run)
        return run()

    def _run_error_cleanup(self, build, args, task_vars):
        """After a failure: the build's error-cleanup provisioner, if it has one (never paused by -debug)."""
        notice = live_ui(task_vars)  # before the cleanup provisioner's own live lines
        notice.say("Provisioning step had errors: Running the cleanup provisioner, if present...")
        component = build.error_cleanup_provisioner
        if not component:
            return {"changed": False, "msg": "no error-cleanup-provisioner", "ui": notice.lines, "ui_shown": notice.shown}
        result = run_component(self, component["type"], dict(args), task_vars)
        result["ui"] = notice.lines + list(result.get("ui") or [])
        result["ui_shown"] = notice.shown + list(result.get("ui_shown") or [])
        return result
