# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Remove whatever the ledger still lists, then the run directory."""

from __future__ import annotations

import shutil

from ansible.plugins.action import ActionBase

from ansible_collections.cattle.images.plugins.module_utils.ledger import Ledger, manual_removal


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("ledger", "run_dir", "keep"))

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        ledger = Ledger(self._task.args["ledger"])
        entries = ledger.entries()
        leftovers = [f"{e['kind']} {e['name']}" for e in entries]
        run_dir = self._task.args.get("run_dir")
        if self._task.args.get("keep") or self._play_context.check_mode:
            result.update(changed=False, kept=leftovers)
            if leftovers and self._task.args.get("keep"):
                result["ui"] = [["say", f"Leaving {e['kind']} {e['name']} in place (-on-error){manual_removal(e)}"]
                                for e in entries]
            elif run_dir and not leftovers:
                # Check mode created nothing; the plan it wrote to get here must not stay either.
                shutil.rmtree(run_dir, ignore_errors=True)
            return result
        errors = ledger.sweep()
        if run_dir and not errors:
            shutil.rmtree(run_dir, ignore_errors=True)
        result.update(changed=bool(leftovers), removed=leftovers)
        if errors:
            result.update(failed=True, msg="\n".join(errors))
        return result
