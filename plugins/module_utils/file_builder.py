# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Packer's file builder: write a file from content or a copy of another file; its driver for the builder front-end."""

from __future__ import annotations

import filecmp
import os
import shutil

from ansible_collections.cattle.images.plugins.module_utils.builder_frontend import BuilderDriver
from ansible_collections.cattle.images.plugins.module_utils.errors import CattleError
from ansible_collections.cattle.images.plugins.module_utils.ui import Ui

BUILDER_ID = "packer.file"


def file_artifact(path, shown, build_name):
    """Packer's FileArtifact: ``path`` is the real file, ``shown`` the name as the template wrote it."""
    return {
        "id": "File",
        "builder_id": BUILDER_ID,
        "builder_type": "file",
        "build_name": build_name,
        "files": [path],
        "string": f"Stored file: {shown}",
        "metadata": {},
    }


def _same(path, data=None, source=None):
    """Whether ``path`` already holds ``data`` (bytes) or the same bytes as the file ``source``."""
    if not os.path.isfile(path):
        return False
    if source is not None:
        return filecmp.cmp(source, path, shallow=False)
    with open(path, "rb") as handle:
        return handle.read(len(data) + 1) == data


def write_target(config, cwd, check_mode, ui=None):
    """Write the target as Packer does, saying so on ``ui``; returns (changed, absolute target, ui lines)."""
    shown = config["target"]
    target = os.path.normpath(os.path.join(cwd, shown))
    source = os.path.normpath(os.path.join(cwd, config["source"])) if config.get("source") else None
    ui = ui if ui is not None else Ui()
    if source is not None:
        if not os.path.isfile(source):
            raise OSError(f"open {config['source']}: no such file or directory")
        ui.say(f"Copying {config['source']} to {shown}")
        data, mode = None, 0o666
    else:
        data, mode = (config.get("content") or "").encode("utf-8"), 0o600
    changed = not _same(target, data, source)
    if not check_mode:
        if os.path.dirname(target):
            os.makedirs(os.path.dirname(target), mode=0o755, exist_ok=True)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        with os.fdopen(fd, "wb") as handle:
            if source is None:
                handle.write(data)
            else:
                # Streamed, as Packer's io.Copy: a source may be a disk image.
                with open(source, "rb") as reader:
                    shutil.copyfileobj(reader, handle, 1024 * 1024)
    if source is not None:
        ui.say(f"Copied {os.path.getsize(source)} bytes")
    return changed, target, ui.lines


class FileBuilderError(CattleError):
    """The file build cannot be done; the message names the plan's build."""


def _normalize(raw, step):
    problems = []
    if not raw.get("target"):
        problems.append("target required")
    if raw.get("content") and raw.get("source"):
        problems.append("Cannot specify source file AND content")
    if problems:
        raise FileBuilderError(f"{step.where}: {'; '.join(problems)}")
    # Relative paths are the plan's cwd's (where `cattle build` ran), as Packer's are its working directory's.
    return dict(raw, cwd=step.cwd or os.getcwd())


def _target(config):
    return os.path.normpath(os.path.join(config["cwd"], config["target"]))


def _present(step):
    config = step.config
    step.result["target"] = _target(config)
    try:
        changed, target, _lines = write_target(config, config["cwd"], step.check_mode, step.ui)
    except OSError as exc:
        message = str(exc) if not exc.filename else f"{exc.strerror}: {exc.filename}"
        raise FileBuilderError(f"{step.where}: {message}") from None
    step.result.update(changed=changed, target=target, artifact=file_artifact(target, config["target"],
                                                                              step.build_name))


def _absent(step):
    target = _target(step.config)
    exists = os.path.lexists(target)
    if exists and not step.check_mode:
        os.remove(target)
    step.result.update(changed=exists, target=target)


FILE = BuilderDriver(types=("file",), states={"present": _present, "absent": _absent}, normalize=_normalize)
