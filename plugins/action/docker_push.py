# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The docker-push post-processor (documentation: plugins/modules/docker_push.py)."""

from __future__ import annotations

from ansible.plugins.action import ActionBase

from ansible_collections.cattle.images.plugins.module_utils.docker import pp_runner


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = pp_runner.VALID_ARGS

    def run(self, tmp=None, task_vars=None):
        super().run(tmp, task_vars)
        return pp_runner.run("docker-push", dict(self._task.args), task_vars or {}, self._play_context.check_mode)
