# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The qemu builder's driver for the builder front-end: what each ``state`` does."""

from __future__ import annotations

import os

from ansible_collections.cattle.images.plugins.module_utils import vm
from ansible_collections.cattle.images.plugins.module_utils.builder_frontend import LOCAL_VM_ARGUMENTS, BuilderDriver
from ansible_collections.cattle.images.plugins.module_utils.qemu import builder
from ansible_collections.cattle.images.plugins.module_utils.qemu.config import normalize


def output_directory(step):
    """The output directory to remove or keep at cleanup: the argument, else the one the launch made."""
    return step.params["output_directory"] or step.source.get("output_directory") or ""


def _normalize(raw, step):
    config = normalize(raw, build_name=step.build_name, where=step.where, cwd=step.cwd, force=step.params["force"])
    config["cwd"] = step.cwd
    return config


def _started(step):
    config = step.config
    if step.check_mode:
        vm.check_output_directory(config, error=builder.QemuError)
        step.result.update(changed=True, source=None)
        step.ui.say(f"Check mode: would boot {config['vm_name']} into {config['output_directory']}")
        return
    source = builder.launch(config, step.build_id, step.build_name, ledger=step.ledger, ui=step.ui,
                            ssh_public_key=step.params["ssh_public_key"])
    for note in source["notes"]:
        step.warn(note)
    step.result.update(changed=True, source=source)


def _shutdown_command(step):
    step.result["shutdown_command"] = step.config["shutdown_command"]


def _stopped(step):
    if step.check_mode:
        step.result["changed"] = builder.vm_running(step.build_id)
    elif step.params["shutdown_sent"]:
        builder.wait_for_shutdown(step.build_id, step.config["shutdown_timeout"], step.ui)
        step.result["changed"] = True
    else:
        step.result["changed"] = builder.halt(step.build_id, step.ui)


def _captured(step):
    config = step.config
    step.result["artifact"] = None
    if step.check_mode:
        step.result["changed"] = config["format"] == "qcow2" and not config["skip_compaction"]
        return
    accelerator = step.params["accelerator"] or step.source.get("accelerator") or ""
    step.result.update(changed=True, artifact=builder.capture(config, step.build_name, accelerator, step.ui))


def _absent(step):
    directory, keep = output_directory(step), step.params["keep_output"]
    if step.check_mode:
        step.result["changed"] = builder.vm_running(step.build_id) or os.path.isdir(builder.work_dir(step.build_id)) \
            or (not keep and bool(directory) and os.path.isdir(directory))
        return
    step.result["changed"] = builder.remove(step.build_id, directory, keep, step.ledger)


QEMU = BuilderDriver(
    types=("qemu",),
    states={"started": _started, "shutdown_command": _shutdown_command, "stopped": _stopped,
            "captured": _captured, "absent": _absent},
    normalize=_normalize,
    arguments=dict(LOCAL_VM_ARGUMENTS, accelerator={"type": "str", "default": ""}),
    secret_options=("ssh_password",),
    config_free_states=("absent",),
)
