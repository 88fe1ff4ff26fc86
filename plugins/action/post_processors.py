# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a build's post-processor chains on its artifact, with Packer's keep/destroy rules.

Each chain starts from the builder's artifact; inside a chain each post-processor gets
the previous one's artifact. A failing post-processor stops its own chain at once
(nothing after it in that chain runs); the other chains still run and the build fails
with every error, as in Packer 1.6.6. An intermediate artifact is destroyed unless kept;
the builder's artifact is kept only when there are no chains or the first post-processor
of some chain keeps it.
"""

from __future__ import annotations

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.cattle.images.plugins.action.provision import run_component
from ansible_collections.cattle.images.plugins.module_utils.artifacts import destroy_artifact
from ansible_collections.cattle.images.plugins.module_utils.ledger import cancelled
from ansible_collections.cattle.images.plugins.module_utils.plan import PlanError, load_plan
from ansible_collections.cattle.images.plugins.plugin_utils.output import live_ui


def multi_error(errors):
    """Packer's MultiError text, which is how a build with post-processor errors fails."""
    points = "\n".join(f"* {error}" for error in errors)
    return f"{len(errors)} error(s) occurred:\n\n{points}"


def running_line(post_processor):
    name, kind = post_processor.get("name") or post_processor["type"], post_processor["type"]
    return f"Running post-processor: {kind}" if name == kind else f"Running post-processor: {name} (type {kind})"


def keep_input(post_processor, default_keep, force_keep):
    """Packer's decision whether a post-processor's input artifact survives."""
    user_keep = post_processor.get("keep_input_artifact")
    if user_keep is None:
        return default_keep
    if default_keep and not user_keep and force_keep:
        return True  # the post-processor needs its input: the user's false is ignored
    return bool(user_keep)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("plan_file", "build", "artifact"))

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        args = self._task.args
        try:
            plan = load_plan(args["plan_file"])
            chains = plan.build(args["build"]).post_processors
        except PlanError as exc:
            raise AnsibleActionFail(str(exc)) from None
        cwd = plan.raw.get("cwd")
        builder_artifact = args.get("artifact") or None

        ui = live_ui(task_vars)  # "Running post-processor" lines, shown as they come
        errors, artifacts = [], []
        keep_builder_artifact = not chains
        changed = False
        for chain_index, chain in enumerate(chains):
            prior = builder_artifact
            for index, post_processor in enumerate(chain):
                if prior is None:
                    break  # Packer halts a chain on a nil artifact
                if cancelled(args["plan_file"]):
                    # The run was interrupted: start no post-processor (no tag, push, upload) after it.
                    raise AnsibleActionFail("Build cancelled: no post-processor is started after an interrupt.")
                kind = post_processor["type"]
                ui.say(running_line(post_processor))
                outcome = run_component(
                    self,
                    kind,
                    {"plan_file": args["plan_file"], "build": args["build"], "chain": chain_index,
                     "index": index, "artifact": prior},
                    task_vars,
                )
                # Its lines read "build (type): …", as Packer prints them.
                ui.lines.extend([line[0], line[1], kind] for line in outcome.get("ui") or [])
                ui.shown.extend([line[0], line[1], kind] for line in outcome.get("ui_shown") or [])
                changed = changed or bool(outcome.get("changed"))
                if outcome.get("failed"):
                    errors.append(f"Post-processor failed: {outcome.get('msg', 'unknown error')}")
                    prior = None
                    break
                keep = keep_input(post_processor, outcome.get("keep", False), outcome.get("force_keep", False))
                if index == 0:
                    keep_builder_artifact = keep_builder_artifact or keep
                elif keep:
                    artifacts.append(prior)
                else:
                    self._destroy(prior, errors, post_processor["type"], cwd)
                prior = outcome.get("artifact")
            if prior is not None:  # Packer lists a pass-through artifact again
                artifacts.append(prior)

        if builder_artifact:
            if keep_builder_artifact:
                artifacts.insert(0, builder_artifact)
            elif not self._play_context.check_mode:
                try:
                    destroy_artifact(builder_artifact, cwd)
                except Exception as exc:  # noqa: BLE001 - reported like Packer
                    errors.append(f"Error destroying builder artifact: {exc}; bad artifact: {builder_artifact.get('files')}")

        result.update(changed=changed, artifacts=artifacts, ui=ui.lines, ui_shown=ui.shown)
        if errors:
            result.update(failed=True, msg=multi_error(errors))
        return result

    @staticmethod
    def _destroy(artifact, errors, who, cwd):
        try:
            destroy_artifact(artifact, cwd)
        except Exception as exc:  # noqa: BLE001 - reported like Packer, the chain goes on
            errors.append(f"Failed cleaning up prior artifact: {exc}; pp is {who}")
