# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Copy the files a job wrote below its working directory into its ansible-runner artifacts."""

from __future__ import annotations

import os

from ansible.errors import AnsibleActionFail
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase

from ansible_collections.cattle.images.plugins.plugin_utils.job_outputs import (
    copy_outputs,
    excluded_dirs,
    written_since,
)

# ansible-runner gives ansible-playbook the job's artifact directory in this variable; AWX reads
# the artifacts back from there (``ansible-runner worker`` streams them to ``process``).
ARTIFACT_DIR_VARIABLE = "AWX_ISOLATED_DATA_DIR"
SUBDIR = "cattle"


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("since", "enabled", "root", "dest"))

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        args = self._task.args
        enabled = str(args.get("enabled", "auto")).lower()
        artifact_dir = os.environ.get(ARTIFACT_DIR_VARIABLE)
        dest = args.get("dest") or (os.path.join(artifact_dir, SUBDIR) if artifact_dir else None)
        if enabled == "auto":
            wanted = bool(artifact_dir)
        else:
            try:
                wanted = boolean(enabled, strict=True)
            except TypeError:
                raise AnsibleActionFail(f"cattle_return_outputs must be auto, true or false, not {enabled!r}") from None
        if not wanted:
            result.update(changed=False, skipped=True, msg="not run by ansible-runner: outputs stay where they are")
            return result
        if not dest:
            raise AnsibleActionFail(f"cattle_return_outputs is true but {ARTIFACT_DIR_VARIABLE} is not set "
                                    "(not run by ansible-runner) and no dest was given")
        try:
            since = float(args["since"])
        except (KeyError, TypeError, ValueError):
            raise AnsibleActionFail(f"since must be the job's start (seconds since the epoch), not {args.get('since')!r}") from None
        root = args.get("root") or os.getcwd()
        exclude = {dest} | (excluded_dirs(artifact_dir) if artifact_dir else set())
        names = written_since(root, since, exclude)
        if not self._play_context.check_mode:
            copy_outputs(root, names, dest)
        result.update(changed=bool(names), files=names, dest=dest)
        return result
