# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Base class of the provisioner action plugins.

Arguments: ``config`` (the provisioner's Packer options, already interpolated) or
``plan_file`` + ``build`` + ``step`` (an index into the build's ``provisioners``, or
``error-cleanup``). With ``config``, ``pause_before`` / ``timeout`` / ``max_retries`` may be
given as arguments; with a plan they come from the plan's step.

Packer's wrapping, copied: ``pause_before`` replaces ``timeout`` (a provisioner with both
never times out); ``max_retries`` re-runs immediately, each retry announcing the *first*
error, and a build that runs out of retries fails with that first error.
"""

from __future__ import annotations

import threading
import time

from ansible.errors import AnsibleError
from ansible.plugins.action import ActionBase

from ansible_collections.cattle.images.plugins.module_utils.errors import CattleError
from ansible_collections.cattle.images.plugins.module_utils.plan import PlanError
from ansible_collections.cattle.images.plugins.module_utils.template import mask_data
from ansible_collections.cattle.images.plugins.module_utils.ui import Ui
from ansible_collections.cattle.images.plugins.plugin_utils.common import (
    UserError,
    as_int,
    go_duration,
    go_quote,
    masked_display,
    parse_duration,
)
from ansible_collections.cattle.images.plugins.plugin_utils.context import build_context
from ansible_collections.cattle.images.plugins.plugin_utils.output import live_sender

# After a timeout the provisioner is asked to stop; this long it may take to do so.
CANCEL_GRACE_SECONDS = 5.0


class ProvisionError(CattleError):
    """The provisioner ran and failed; the message is Packer's error for the build."""


class ProvisionerAction(ActionBase):
    """Subclasses set ``PROVISIONER_TYPE`` and implement ``prepare``, ``describe`` and ``provision``."""

    PROVISIONER_TYPE = ""
    # Provisioners that act on the build host through its connection; with `communicator: none`
    # the host's connection is the controller's own, so they must refuse rather than run there.
    NEEDS_COMMUNICATOR = True
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("config", "plan_file", "build", "step", "pause_before", "timeout", "max_retries"))
    _supports_check_mode = True

    # --- to implement -----------------------------------------------------------------

    def prepare(self, config, context):
        """Check and complete ``config`` (defaults); raise ``UserError`` for mistakes."""
        return config

    def describe(self, config, context, ui):
        """Check mode: say what would run, change nothing."""
        ui.say(f"Check mode: would run the {self.PROVISIONER_TYPE} provisioner")

    def provision(self, config, context, ui, cancel):
        """Do the work; raise ``ProvisionError``. ``cancel`` (a ``threading.Event``) is set on timeout."""
        raise NotImplementedError

    # --- the common part ----------------------------------------------------------------

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        return self._run_provisioner(result, task_vars)

    def _run_provisioner(self, result, task_vars):
        ui = Ui()
        sensitive = []
        args = self._task.args
        try:
            context = build_context(args, task_vars, getattr(self, "_templar", None))
            self._context = context  # for helpers that write files which may hold secrets (temp_file)
            sensitive = context.sensitive_values
            # Lines are shown as they come (masked), when the callback listens for them.
            ui.live = live_sender((task_vars or {}).get("inventory_hostname"), sensitive)
            entry = self._entry(args, context)
            where = self._where(args, context)
            try:
                config = self.prepare(dict(entry.get("config") or {}), context)
                pause_before = parse_duration(entry.get("pause_before"), "pause_before")
                timeout = parse_duration(entry.get("timeout"), "timeout")
                max_retries = as_int(entry.get("max_retries") or 0, "max_retries")
            except UserError as exc:
                raise UserError(f"{where}: {exc}") from None
            self._task_vars = task_vars or {}
            if self.NEEDS_COMMUNICATOR and self._task_vars.get("cattle_communicator") == "none":
                raise UserError(f"{where}: the {self.PROVISIONER_TYPE} provisioner needs a communicator, "
                                "but this build has communicator: none")
            if self._task.check_mode:
                self.describe(config, context, ui)
                result.update(changed=True, msg=f"check mode: the {self.PROVISIONER_TYPE} provisioner was not run")
            else:
                with masked_display(sensitive):
                    error = self._run_with_policies(config, context, ui, pause_before, timeout, max_retries)
                result["changed"] = True
                if error:
                    result.update(failed=True, msg=error)
                else:
                    result["msg"] = f"{self.PROVISIONER_TYPE} provisioner finished"
        except UserError as exc:
            result.update(failed=True, changed=False, msg=str(exc))
        result["ui"] = ui.lines
        if ui.shown:
            result["ui_shown"] = ui.shown  # already printed: kept for the record (-v, job events)
        return mask_data(result, sensitive)

    def _entry(self, args, context):
        if args.get("config") is not None:
            if not isinstance(args["config"], dict):
                raise UserError(f"{self.PROVISIONER_TYPE}: 'config' must be a dictionary of Packer options")
            return {
                "type": self.PROVISIONER_TYPE,
                "config": args["config"],
                "pause_before": args.get("pause_before"),
                "timeout": args.get("timeout"),
                "max_retries": args.get("max_retries"),
            }
        if args.get("step") is None or context.build is None:
            raise UserError(
                f"{self.PROVISIONER_TYPE}: give either 'config' (the provisioner's options) or "
                "'plan_file', 'build' and 'step' (the provisioner's index in the plan)"
            )
        try:
            return context.build.provisioner(args["step"])
        except PlanError as exc:
            raise UserError(str(exc)) from None

    def _where(self, args, context):
        if args.get("config") is not None:
            return f"{self.PROVISIONER_TYPE} provisioner"
        step = args.get("step")
        field = "error-cleanup-provisioner" if step == "error-cleanup" else f"provisioners[{step}]"
        return f"build {context.build_name!r}, {field} ({self.PROVISIONER_TYPE})"

    def _run_with_policies(self, config, context, ui, pause_before, timeout, max_retries):
        """Run with Packer's pause/timeout/retry wrapping; the error text, or None on success."""

        def attempt():
            if pause_before > 0:
                ui.say(f"Pausing {go_duration(pause_before)} before the next provisioner...")
                time.sleep(pause_before)
                return self._attempt(config, context, ui, None)
            if timeout > 0:
                ui.say(f"Setting a {go_duration(timeout)} timeout for the next provisioner...")
                return self._attempt(config, context, ui, timeout)
            return self._attempt(config, context, ui, None)

        first_error = attempt()
        if first_error is None or max_retries <= 0:
            return first_error
        for tries_left in range(max_retries, 0, -1):
            ui.say(f"Provisioner failed with {go_quote(first_error)}, retrying with {tries_left} trie(s) left")
            if attempt() is None:
                return None
        ui.say("retry limit reached.")
        return first_error

    def _attempt(self, config, context, ui, timeout):
        cancel = threading.Event()
        if timeout is None:
            return self._call(config, context, ui, cancel)
        outcome = {}
        worker = threading.Thread(
            target=lambda: outcome.setdefault("error", self._call(config, context, ui, cancel)),
            name=f"cattle-{self.PROVISIONER_TYPE}",
            daemon=True,
        )
        worker.start()
        worker.join(timeout)
        if not worker.is_alive():
            return outcome.get("error")
        ui.error("Cancelling provisioner after a timeout...")
        cancel.set()
        worker.join(CANCEL_GRACE_SECONDS)
        return f"the provisioner did not finish within its {go_duration(timeout)} timeout (context deadline exceeded)"

    def _call(self, config, context, ui, cancel):
        try:
            self.provision(config, context, ui, cancel)
        except ProvisionError as exc:
            return str(exc)
        except UserError as exc:
            return str(exc)
        except AnsibleError as exc:
            return str(exc.message if hasattr(exc, "message") else exc)
        except Exception as exc:  # a failure of ours must still end as a build error, not a traceback
            return f"{type(exc).__name__}: {exc}"
        return None
