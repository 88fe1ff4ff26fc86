# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``cattle.images.docker`` run in Ansible's worker on the controller: the build's entry point.

The module of the same name (``plugins/modules/docker.py``) holds the documentation; run
as a module it would cost an AnsiballZ payload, a new Python process and a Docker SDK
import on every task. The builder runs on the controller anyway, so this plugin runs the
same driver (:data:`module_utils.docker.task.DOCKER`) through the same builder front-end
in-process. The task's ``environment`` is applied to this worker's environment for the call
(DOCKER_HOST, TMPDIR … as the module would see them).
"""

from __future__ import annotations

import contextlib
import os

from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.cattle.images.plugins.module_utils.builder_frontend import (
    MUTUALLY_EXCLUSIVE,
    TaskFailed,
    run_task,
)
from ansible_collections.cattle.images.plugins.module_utils.docker.task import DOCKER
from ansible_collections.cattle.images.plugins.module_utils.template import mask, mask_data

display = Display()


@contextlib.contextmanager
def task_environment(environment):
    """``os.environ`` with the task's ``environment`` on top, put back afterwards."""
    saved = {key: os.environ.get(key) for key in environment}
    os.environ.update({key: str(value) for key, value in environment.items()})
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _supports_check_mode = True
    _VALID_ARGS = frozenset(DOCKER.argument_spec)

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        _validation, params = self.validate_argument_spec(
            argument_spec=DOCKER.argument_spec, mutually_exclusive=MUTUALLY_EXCLUSIVE, required_if=DOCKER.required_if,
        )
        environment = {}
        self._compute_environment_string(raw_environment_out=environment)
        secrets = []
        warnings = []
        with task_environment(environment):
            try:
                outcome = run_task(DOCKER, params, self._task.check_mode, warnings.append, secrets.extend)
            except TaskFailed as exc:
                outcome = dict(exc.result, failed=True, msg=str(exc))
        for warning in warnings:
            display.warning(mask(warning, secrets))
        # What the module's no_log values would hide.
        result.update(mask_data(outcome, secrets))
        return result
