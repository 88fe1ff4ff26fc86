# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Remove whatever the ledger still lists, then the run directory.

Resources left on purpose stay: every one with -on-error=abort or
run-cleanup-provisioner, else those of the builds whose user answered abort at the
-on-error=ask prompt. Their local files stay with them; the rest of the run directory goes.
"""

from __future__ import annotations

import shutil

from ansible.plugins.action import ActionBase

from ansible_collections.cattle.images.plugins.module_utils.ledger import Ledger, keep_run_dir, leaving_messages


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("ledger", "run_dir", "on_error"))

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        ledger = Ledger(self._task.args["ledger"])
        run_dir = self._task.args.get("run_dir")
        if self._play_context.check_mode:
            leftovers = [f"{e['kind']} {e['name']}" for e in ledger.entries()]
            result.update(changed=False, kept=leftovers)
            if run_dir and not leftovers:
                # Check mode created nothing; the plan it wrote to get here must not stay either.
                shutil.rmtree(run_dir, ignore_errors=True)
            return result
        on_error = self._task.args.get("on_error") or "cleanup"
        ledger.wait_for_releases()  # removals a cleanup left running in the background: theirs, not ours
        kept, to_remove = ledger.to_keep(on_error)
        errors = ledger.sweep(entries=to_remove)
        if run_dir:
            # Under `cattle build` (no run_dir here) the wrapper keeps the run directory and tells
            # the user what was left, once the whole run is over.
            if errors:
                # The run directory stays for a later sweep to try again: it must not take what was kept.
                for entry in kept:
                    ledger.release(entry["kind"], entry["name"])
                kept_run_dir = None
            else:
                kept_run_dir = keep_run_dir(run_dir, kept)  # deletes it when nothing kept has files there
            lines = leaving_messages(kept, on_error, kept_run_dir)
            if lines:
                # ui for cattle's output callback, warnings for Ansible's own (which ignores ui).
                result.update(ui=[["say", line] for line in lines], warnings=lines)
        result.update(changed=bool(to_remove), removed=[f"{e['kind']} {e['name']}" for e in to_remove],
                      kept=[f"{e['kind']} {e['name']}" for e in kept])
        if errors:
            result.update(failed=True, msg="\n".join(errors))
        return result
