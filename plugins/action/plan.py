# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Turn a Packer template into a plan file and one entry per build (the fan-out)."""

from __future__ import annotations

import os
import tempfile
import time

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.action import ActionBase

from ansible_collections.cattle.images.plugins.module_utils.ledger import RUN_DIR_PREFIX, claim_run_dir
from ansible_collections.cattle.images.plugins.module_utils.plan import PlanError, build_entries, load_plan, write_plan
from ansible_collections.cattle.images.plugins.module_utils.template import TemplateErrors, load_template

ON_ERROR_CHOICES = ("cleanup", "abort", "ask", "run-cleanup-provisioner")


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset((
        "template", "plan_file", "vars", "var_files", "only", "except", "force", "on_error", "debug", "cache",
    ))

    def run(self, tmp=None, task_vars=None):
        job_started = time.time()
        result = super().run(tmp, task_vars)
        args = self._task.args
        on_error = args.get("on_error") or "cleanup"
        if on_error not in ON_ERROR_CHOICES:
            raise AnsibleActionFail(f"on_error must be one of {', '.join(ON_ERROR_CHOICES)}, not {on_error!r}")
        force = bool(args.get("force", False))
        debug = bool(args.get("debug", False))

        plan_file = args.get("plan_file")
        if plan_file:
            # The cattle CLI already loaded and validated the template.
            run_dir = os.path.dirname(plan_file)
            owns_run_dir = False
        else:
            template = args.get("template")
            if not template:
                raise AnsibleActionFail("either 'template' (a Packer JSON/YAML template) or 'plan_file' is required")
            plan = self._plan_from_template(template, args)
            run_dir = tempfile.mkdtemp(prefix=RUN_DIR_PREFIX)
            # The run dies with ansible-playbook (this worker's parent): a later sweep then knows.
            claim_run_dir(run_dir, os.getppid())
            plan_file = write_plan(plan, run_dir)
            owns_run_dir = True
        try:
            plan = load_plan(plan_file)
        except PlanError as exc:
            raise AnsibleActionFail(str(exc)) from None

        ledger = os.path.join(run_dir, "ledger.jsonl")
        result.update(
            changed=False,
            run_dir=run_dir,
            owns_run_dir=owns_run_dir,
            ledger=ledger,
            plan_file=plan_file,
            job_started=job_started,
            builds=build_entries(plan, plan_file, ledger, force, on_error, debug, bool(args.get("cache", False))),
        )
        return result

    def _plan_from_template(self, template, args):
        variables = {to_text(k): to_text(v) for k, v in (args.get("vars") or {}).items()}
        only = _as_list(args.get("only"))
        except_ = _as_list(args.get("except"))
        try:
            tpl = load_template(template, variables=variables, var_files=_as_list(args.get("var_files")))
            return tpl.plan(only=only, except_=except_, force=bool(args.get("force", False)))
        except TemplateErrors as exc:
            raise AnsibleActionFail("the template has errors:\n" + "\n".join(str(d) for d in exc.diagnostics)) from None


def _as_list(value):
    if not value:
        return []
    if isinstance(value, str):
        return [v for v in value.split(",") if v]
    return list(value)
