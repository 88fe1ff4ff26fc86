# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""-on-error=ask: ask the user whether to clean up or leave the failed build as it is."""

from __future__ import annotations

from ansible.plugins.action import ActionBase

from ansible_collections.cattle.images.plugins.module_utils.ledger import Ledger
from ansible_collections.cattle.images.plugins.plugin_utils.terminal import ask

PROMPT = "[c] Clean up and exit, [a] abort without cleanup? "


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("build", "error", "ledger"))

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        build = self._task.args.get("build", "")
        error = self._task.args.get("error", "")
        answer = ask(f"\n==> {build}: Step failed: {error}\n==> {build}: {PROMPT}", choices=("c", "a"))
        if answer is None:
            result["ui"] = [["say", "No terminal to ask on: cleaning up (as -on-error=cleanup)"]]
            answer = "c"
        choice = "cleanup" if answer == "c" else "abort"
        if choice == "abort" and self._task.args.get("ledger") and not self._play_context.check_mode:
            # The run's final sweep reads this and leaves the build's resources in place.
            Ledger(self._task.args["ledger"]).keep_build(build)
        result.update(changed=False, choice=choice)
        return result
