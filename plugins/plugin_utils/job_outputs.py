# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The files a job wrote below its working directory, for the job's artifacts (AWX, ansible-runner).

Relative outputs (a manifest, docker-save tars, a qemu output directory, checksum files) land below
the working directory of ansible-playbook; ``ansible-runner worker`` runs in a temporary private data
directory that it deletes at exit. Copying those files into the job's artifact directory sends
them back with the job events to ``ansible-runner process``. The rule: every regular file below
the working directory modified since the job started, except the runner's own artifacts and
cattle's run directories (plans, keys: never copied).
"""

from __future__ import annotations

import contextlib
import os
import shutil

from ansible_collections.cattle.images.plugins.module_utils.ledger import RUN_DIR_PREFIX


def excluded_dirs(artifact_dir):
    """The runner's artifact directories: this job's, and the ``artifacts`` root of its private data dir."""
    artifact_dir = os.path.realpath(artifact_dir)
    found = {artifact_dir}
    if os.path.basename(os.path.dirname(artifact_dir)) == "artifacts":
        found.add(os.path.dirname(artifact_dir))
    return found


def written_since(root, since, exclude=()):
    """Paths (relative to ``root``) of the regular files below ``root`` modified at or after ``since``."""
    root = os.path.realpath(root)
    exclude = {os.path.realpath(path) for path in exclude}
    found = []
    for directory, subdirs, names in os.walk(root):
        subdirs[:] = sorted(name for name in subdirs if not name.startswith(RUN_DIR_PREFIX)
                            and os.path.join(directory, name) not in exclude
                            and not os.path.islink(os.path.join(directory, name)))
        for name in sorted(names):
            path = os.path.join(directory, name)
            with contextlib.suppress(OSError):
                info = os.lstat(path)
                # Regular files only: a runner's fifos (ssh keys) and symlinks stay where they are.
                if os.path.isfile(path) and not os.path.islink(path) and info.st_mtime >= since:
                    found.append(os.path.relpath(path, root))
    return found


def copy_outputs(root, names, dest):
    """Copy each of ``names`` below ``root`` to the same place below ``dest``. Copies, not hard links:
    a manifest is rewritten in place by the next run, and a job's artifacts must not change after it."""
    for name in names:
        target = os.path.join(dest, name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(os.path.join(root, name), target)
