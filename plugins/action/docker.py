# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``cattle.images.docker`` run in Ansible's worker on the controller.

The module of the same name (``plugins/modules/docker.py``, which holds the documentation)
would cost an AnsiballZ payload, a new Python process and a Docker SDK import on every
task; the builder runs on the controller anyway, so this plugin calls the very same code
(:mod:`module_utils.docker.task`) in-process. The task's ``environment`` is applied to this
worker's environment for the call (DOCKER_HOST, TMPDIR … as the module would see them).
"""

from __future__ import annotations

import contextlib
import os

from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.cattle.images.plugins.module_utils.docker.task import (
    ARGUMENT_SPEC,
    MUTUALLY_EXCLUSIVE,
    REQUIRED_IF,
    TaskFailed,
    run_task,
)
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


def masked(value, secrets):
    """Every string in ``value`` with the secrets replaced, as the module's no_log values would be."""
    return mask_data(value, secrets)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _supports_check_mode = True
    _VALID_ARGS = frozenset(ARGUMENT_SPEC)

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        _validation, params = self.validate_argument_spec(
            argument_spec=ARGUMENT_SPEC, mutually_exclusive=MUTUALLY_EXCLUSIVE, required_if=REQUIRED_IF,
        )
        environment = {}
        self._compute_environment_string(raw_environment_out=environment)
        secrets = []
        warnings = []
        with task_environment(environment):
            try:
                outcome = run_task(params, self._task.check_mode, warnings.append, secrets.extend)
            except TaskFailed as exc:
                outcome = dict(exc.result, failed=True, msg=str(exc))
        for warning in warnings:
            display.warning(mask(warning, secrets))
        result.update(masked(outcome, secrets))
        return result
