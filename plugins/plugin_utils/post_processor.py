# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Base class of the post-processor action plugins.

Arguments: ``config`` (the post-processor's Packer options) or ``plan_file`` + ``build`` +
``chain`` + ``index``, and ``artifact`` (the input artifact, a dict as in
docs/internals.md "Artifacts"). Result: ``artifact`` (the output artifact), ``keep``
(the post-processor's default decision about keeping its input), ``force_keep``
(Packer's forceOverride: the input is kept whatever ``keep_input_artifact`` says), ``ui``.
They run on the controller; nothing here uses the build host's connection.
"""

from __future__ import annotations

from ansible.errors import AnsibleError
from ansible.plugins.action import ActionBase

from ansible_collections.cattle.images.plugins.module_utils.errors import CattleError
from ansible_collections.cattle.images.plugins.module_utils.plan import PlanError
from ansible_collections.cattle.images.plugins.module_utils.template import mask_data
from ansible_collections.cattle.images.plugins.module_utils.ui import Ui
from ansible_collections.cattle.images.plugins.plugin_utils import build_data as packer_build_data
from ansible_collections.cattle.images.plugins.plugin_utils.common import UserError
from ansible_collections.cattle.images.plugins.plugin_utils.context import build_context
from ansible_collections.cattle.images.plugins.plugin_utils.output import live_sender

ARTIFACT_KEYS = ("id", "builder_id", "builder_type", "build_name", "files", "string", "metadata")


class PostProcessError(CattleError):
    """The post-processor ran and failed; the message is the build's error."""


def normalize_artifact(value, context):
    """The input artifact with every key present (``files`` a list of paths)."""
    if value is None:
        value = {}
    if not isinstance(value, dict):
        raise UserError(f"artifact: expected an artifact dictionary ({', '.join(ARTIFACT_KEYS)}), got {value!r}")
    artifact = dict(value)
    artifact.setdefault("id", "")
    artifact.setdefault("builder_id", "")
    artifact.setdefault("builder_type", context.build_type)
    artifact.setdefault("build_name", context.build_name)
    artifact["files"] = [str(f) for f in (artifact.get("files") or [])]
    artifact.setdefault("string", "")
    artifact["metadata"] = dict(artifact.get("metadata") or {})
    return artifact


def new_artifact(context, builder_id, artifact_id, files, string, metadata=None):
    return {
        "id": artifact_id,
        "builder_id": builder_id,
        "builder_type": context.build_type,
        "build_name": context.build_name,
        "files": list(files),
        "string": string,
        "metadata": dict(metadata or {}),
    }


class PostProcessorAction(ActionBase):
    """Subclasses set ``POST_PROCESSOR_TYPE`` and implement ``prepare``, ``describe``, ``post_process``.

    Any ``CattleError`` they raise ends the post-processor with its text as the message;
    a ``UserError`` from ``prepare`` is prefixed with where the post-processor sits.
    """

    POST_PROCESSOR_TYPE = ""
    # Options whose values are masked in the result like the plan's sensitive values.
    SECRET_OPTIONS = ()
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("config", "plan_file", "build", "chain", "index", "artifact"))
    _supports_check_mode = True

    def prepare(self, config, context):
        return config

    def describe(self, config, context, artifact, ui):
        """Check mode: say what would happen. May return the would-be ``(artifact, keep, force_keep)``;
        then the result carries them and says ``changed``; otherwise the input passes through."""
        ui.say(f"Check mode: would run the {self.POST_PROCESSOR_TYPE} post-processor")

    def post_process(self, config, context, artifact, ui):
        """Return ``(output artifact, keep, force_keep)``; raise ``PostProcessError``."""
        raise NotImplementedError

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        return self._run_post_processor(result, task_vars)

    def _run_post_processor(self, result, task_vars):
        ui = Ui()
        sensitive = []
        args = self._task.args
        try:
            context = build_context(args, task_vars, getattr(self, "_templar", None))
            sensitive = list(context.sensitive_values)
            config, where = self._pp_config(args, context)
            sensitive += [str(config[key]) for key in self.SECRET_OPTIONS if config.get(key)]
            # Lines are shown as they come (masked), when the callback listens for them.
            ui.live = live_sender((task_vars or {}).get("inventory_hostname"), sensitive, self.POST_PROCESSOR_TYPE)
            try:
                config = self.prepare(config, context)
                artifact = normalize_artifact(args.get("artifact"), context)
                _expose_artifact_build_data(context, artifact)
            except UserError as exc:
                raise UserError(f"{where}: {exc}") from None
            if self._task.check_mode:
                outcome = self.describe(config, context, artifact, ui)
                result.update(changed=False, artifact=artifact, keep=True, force_keep=False,
                              msg=f"check mode: the {self.POST_PROCESSOR_TYPE} post-processor was not run")
                if outcome is not None:
                    output, keep, force_keep = outcome
                    result.update(changed=True, artifact=output, keep=bool(keep), force_keep=bool(force_keep))
            else:
                try:
                    output, keep, force_keep = self.post_process(config, context, artifact, ui)
                    result.update(changed=True, artifact=output, keep=bool(keep), force_keep=bool(force_keep),
                                  msg=f"{self.POST_PROCESSOR_TYPE} post-processor finished")
                except (AnsibleError, OSError) as exc:
                    result.update(failed=True, changed=False, msg=f"{where}: {exc}")
        except CattleError as exc:
            result.update(failed=True, changed=False, msg=str(exc))
        result["ui"] = ui.lines
        if ui.shown:
            result["ui_shown"] = ui.shown  # already printed: kept for the record
        return mask_data(result, sensitive)

    def _pp_config(self, args, context):
        kind = self.POST_PROCESSOR_TYPE
        if args.get("config") is not None:
            if not isinstance(args["config"], dict):
                raise UserError(f"{kind}: 'config' must be a dictionary of Packer options")
            return dict(args["config"]), f"{kind} post-processor"
        if context.build is None or args.get("chain") is None or args.get("index") is None:
            raise UserError(
                f"{kind}: give either 'config' (the post-processor's options) or "
                "'plan_file', 'build', 'chain' and 'index' (its place in the plan)"
            )
        try:
            entry = context.build.post_processor(args["chain"], args["index"])
        except PlanError as exc:
            raise UserError(str(exc)) from None
        name = entry.get("name") or kind
        where = f"build {context.build_name!r}, post-processors[{args['chain']}][{args['index']}] ({name})"
        return dict(entry.get("config") or {}), where


def _expose_artifact_build_data(context, artifact):
    """Post-processors read the build data the builder's artifact carries (build_data.py), and Packer's
    docker builder adds ``ImageSha256`` to it once it has committed the image (provisioners never see it)."""
    context.phase = packer_build_data.POST_PROCESS
    sha256 = ((artifact or {}).get("metadata") or {}).get("ImageSha256")
    if context.build_type == "docker" and sha256:
        context.generated.setdefault("ImageSha256", sha256)
