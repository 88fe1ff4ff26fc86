# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Start the guard that sweeps a run killed with its ansible-playbook (see plugin_utils.run_guard)."""

from __future__ import annotations

import os

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.cattle.images.plugins.plugin_utils.run_guard import start_guard


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("run_dir",))

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        run_dir = self._task.args.get("run_dir")
        if not run_dir or not os.path.isdir(run_dir):
            raise AnsibleActionFail(f"run_dir must be the run directory the plan wrote, not {run_dir!r}")
        # In check mode too: the plan wrote a run directory that must not outlive a killed run.
        result.update(changed=False, pid=start_guard(run_dir))
        return result
