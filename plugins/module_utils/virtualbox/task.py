# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The virtualbox-iso / virtualbox-ovf builders' driver for the builder front-end."""

from __future__ import annotations

import os

from ansible_collections.cattle.images.plugins.module_utils import vm
from ansible_collections.cattle.images.plugins.module_utils.builder_frontend import LOCAL_VM_ARGUMENTS, BuilderDriver
from ansible_collections.cattle.images.plugins.module_utils.virtualbox import builder
from ansible_collections.cattle.images.plugins.module_utils.virtualbox.config import ISO, OVF, normalize


def _normalize(raw, step):
    return normalize(raw, builder_type=step.type, build_name=step.build_name, where=step.where, cwd=step.cwd,
                     force=step.params["force"])


def _begin(step):
    """The VBoxManage to drive: the one the launch used (recorded), else the one Packer would find.

    ``shutdown_command`` runs none, and ``absent`` none when this build launched nothing.
    """
    step.result["commands"] = []
    launched = builder.read_state(step.build_id)
    if step.state == "shutdown_command" or (step.state == "absent" and not launched):
        return
    step.session = builder.driver_for(launched if step.state != "started" else None)


def _end(step):
    if step.session is not None:
        step.result["commands"] = step.session.log


def _started(step):
    config = step.config
    if step.check_mode:
        vm.check_output_directory(config, error=builder.VirtualBoxError)
        step.result.update(changed=True, source=None)
        step.ui.say(f"Check mode: would create the VirtualBox VM {config['vm_name']} ({config['type']})")
        return
    if not config["shutdown_command"]:
        step.warn("A shutdown_command was not specified. Without a shutdown command, Packer will forcibly halt the "
                  "virtual machine, which may result in data loss.")
    source = builder.launch(config, step.build_id, step.build_name, ledger=step.ledger, ui=step.ui,
                            ssh_public_key=step.params["ssh_public_key"], driver=step.session)
    for note in source["notes"]:
        step.warn(note)
    step.result.update(changed=True, source=source)


def _shutdown_command(step):
    step.result["shutdown_command"] = builder.shutdown_command(step.config)


def _stopped(step):
    if step.check_mode:
        step.result["changed"] = builder.vm_running(step.build_id, step.session)
        return
    step.result["changed"] = builder.stop(step.config, step.build_id, step.params["shutdown_sent"], ui=step.ui,
                                          driver=step.session)


def _captured(step):
    config = step.config
    step.result["artifact"] = None
    if step.check_mode:
        step.result["changed"] = True
        step.ui.say("Check mode: would " + ("unregister" if config["skip_export"] else "export") +
                    f" {config['vm_name']}")
        return
    step.result.update(changed=True, artifact=builder.capture(config, step.build_id, step.build_name,
                                                              ledger=step.ledger, ui=step.ui, driver=step.session))


def _absent(step):
    directory, keep = step.params["output_directory"] or "", step.params["keep_output"]
    if step.check_mode:
        step.result["changed"] = builder.vm_running(step.build_id, step.session) or os.path.isdir(
            builder.work_dir(step.build_id)) or (not keep and bool(directory) and os.path.isdir(directory))
        return
    step.result["changed"] = builder.remove(step.build_id, directory, keep, step.ledger, driver=step.session)


VIRTUALBOX = BuilderDriver(
    types=(ISO, OVF),
    states={"started": _started, "shutdown_command": _shutdown_command, "stopped": _stopped,
            "captured": _captured, "absent": _absent},
    normalize=_normalize,
    arguments=dict(LOCAL_VM_ARGUMENTS, type={"type": "str", "choices": [ISO, OVF]}),
    secret_options=("ssh_password", "winrm_password"),
    config_free_states=("absent",),
    begin=_begin,
    end=_end,
    build_name="virtualbox",
)
