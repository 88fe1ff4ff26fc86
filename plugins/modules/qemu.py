#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: qemu
short_description: Packer's qemu builder - boot a VM from an ISO or a disk image, type its boot command, capture its disk
version_added: 0.1.0
description:
  - The controller side of a C(qemu) build, with the semantics of Packer's qemu builder.
  - O(state=started) makes the output directory (refused when it exists, unless O(force)), fetches and checks
    C(iso_url)/C(iso_urls) against C(iso_checksum), creates the disk (empty, a copy of C(disk_image), or a qcow2
    overlay with C(use_backing_file)) and resizes it, starts the HTTP server for C(http_directory)/C(http_content),
    starts QEMU (recorded in the ledger before it starts) with a forward of C(127.0.0.1:<host port>) to the
    communicator port, waits C(boot_wait) and types C(boot_command) over QMP.
  - When C(accelerator) is unset, KVM is used only if a test VM really runs under it within a few seconds;
    otherwise TCG. (Packer picks KVM whenever C(/dev/kvm) opens.)
  - O(state=shutdown_command) returns the C(shutdown_command) for the role to send over the communicator
    (run that task with C(no_log)); O(state=stopped) then waits up to C(shutdown_timeout) for the VM to power off
    (an error when it does not; the VM is stopped either way), or halts the VM when there is no C(shutdown_command).
  - O(state=captured) compacts the qcow2 disk (C(qemu-img convert), compressed with C(disk_compression)) unless
    C(skip_compaction), and returns the artifact (builder id C(transcend.qemu)).
  - O(state=absent) stops QEMU and the HTTP server and removes the build's private directory; with
    O(keep_output=false) it removes the output directory too (Packer removes it when a build fails). Idempotent.
  - "Runs on the controller (C(delegate_to: localhost))."
author:
  - cattle.images developers (@cattle-images)
options:
  build_id:
    description: The build's short unique id; it names the private directory C(<tmp>/cattle-qemu-<build_id>).
    type: str
    required: true
  build_name:
    default: qemu
  config:
    description:
      - The builder's options in Packer's shape (C(iso_url), C(iso_checksum), C(disk_image), C(use_backing_file),
        C(format), C(disk_size), C(disk_interface), C(net_device), C(accelerator), C(cpus), C(memory), C(qemuargs),
        C(headless), C(vnc_bind_address), C(vnc_port_min), C(vnc_port_max), C(boot_wait), C(boot_command),
        C(http_directory), C(http_content), C(http_port_min), C(http_port_max), C(host_port_min), C(host_port_max),
        C(shutdown_command), C(shutdown_timeout), C(output_directory), C(vm_name), C(skip_compaction),
        C(disk_compression), C(firmware), …), checked here as Packer checks them.
      - Mutually exclusive with O(plan_file); one of them is required unless O(state=absent).
    type: dict
  ssh_public_key:
    description: The temporary public key, exposed to C(boot_command) and C(qemuargs) as C({{ .SSHPublicKey }}).
  accelerator:
    description: With O(state=captured), the accelerator the VM ran with (the artifact's C(domainType)).
    type: str
    default: ""
attributes:
  check_mode:
    details: Checks the config (and that the output directory may be made) and reports what it would do; starts nothing.
extends_documentation_fragment:
  - cattle.images.builder
  - cattle.images.builder.local_vm
requirements:
  - qemu-system-x86_64 and qemu-img on the controller (Debian packages qemu-system-x86, qemu-utils); ovmf for UEFI
notes:
  - The boot command is typed over QMP (C(input-send-event)), not VNC; VNC still listens for watching the VM.
  - C(headless=false) needs a display; without C(DISPLAY) the VM runs headless and a warning says so.
  - The HTTP server binds 127.0.0.1 unless C(http_bind_address) is set (Packer binds 0.0.0.0); the guest reaches
    it as C(10.0.2.2) either way.
"""

EXAMPLES = r"""
- name: Boot the VM and type the boot command
  cattle.images.qemu:
    state: started
    build_id: 3f9a1c
    build_name: debian
    ledger: /tmp/run/ledger.jsonl
    config:
      iso_url: /var/tmp/debian.qcow2
      iso_checksum: none
      disk_image: true
      use_backing_file: true
      accelerator: tcg
      boot_wait: 5s
      boot_command: ["<enter>"]
      ssh_username: root
  delegate_to: localhost
  register: launched

- name: Capture the disk, reading the config from a plan file
  cattle.images.qemu:
    state: captured
    build_id: 3f9a1c
    plan_file: /tmp/run/plan.json
    build: debian
  delegate_to: localhost
  register: captured

- name: Stop the VM and remove its private directory
  cattle.images.qemu:
    state: absent
    build_id: 3f9a1c
    ledger: /tmp/run/ledger.jsonl
  delegate_to: localhost
"""

RETURN = r"""
source:
  description: The running VM (O(state=started)); null in check mode.
  returned: state is started
  type: dict
  sample:
    host: 127.0.0.1
    port: 3144
    vnc_port: 5931
    http_port: 8123
    http_ip: 10.0.2.2
    pid: 12345
    accelerator: tcg
    headless: true
    work_dir: /tmp/cattle-qemu-3f9a1c
    output_directory: /home/me/output-debian
    disk: /home/me/output-debian/packer-debian
    vm_name: packer-debian
    communicator: ssh
    shutdown_timeout: 300.0
    has_shutdown_command: true
    notes: []
shutdown_command:
  description: The shutdown command (O(state=shutdown_command)); empty when there is none.
  returned: state is shutdown_command
  type: str
artifact:
  description: The captured artifact (O(state=captured)); null in check mode.
  returned: state is captured
  type: dict
  sample:
    id: VM
    builder_id: transcend.qemu
    builder_type: qemu
    build_name: debian
    files: [/home/me/output-debian/packer-debian]
    string: "VM files in directory: /home/me/output-debian"
    metadata: {diskName: packer-debian, diskType: qcow2, diskSize: 40960M, domainType: tcg}
ui:
  description: Packer-style progress lines, C([kind, text]) with kind C(say), C(message) or C(error).
  returned: always
  type: list
"""

import os  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402

from ansible_collections.cattle.images.plugins.module_utils import vm  # noqa: E402
from ansible_collections.cattle.images.plugins.module_utils.ledger import (  # noqa: E402
    CAPTURE_CANCELLED,
    Ledger,
    capture_cancelled,
)
from ansible_collections.cattle.images.plugins.module_utils.plan_file import PlanError, read_plan_config  # noqa: E402
from ansible_collections.cattle.images.plugins.module_utils.qemu import builder  # noqa: E402
from ansible_collections.cattle.images.plugins.module_utils.qemu.config import ConfigError, normalize  # noqa: E402


def main():
    module = AnsibleModule(
        argument_spec=dict(
            state=dict(type="str", choices=["started", "shutdown_command", "stopped", "captured", "absent"],
                       default="started"),
            build_id=dict(type="str", required=True),
            build_name=dict(type="str", default="qemu"),
            config=dict(type="dict"),
            plan_file=dict(type="path"),
            build=dict(type="str"),
            ledger=dict(type="path"),
            force=dict(type="bool", default=False),
            ssh_public_key=dict(type="str", default=""),
            shutdown_sent=dict(type="bool", default=False),
            accelerator=dict(type="str", default=""),
            keep_output=dict(type="bool", default=True),
            output_directory=dict(type="path"),
        ),
        mutually_exclusive=[("config", "plan_file")],
        required_if=[
            ("state", "started", ("config", "plan_file"), True),
            ("state", "shutdown_command", ("config", "plan_file"), True),
            ("state", "stopped", ("config", "plan_file"), True),
            ("state", "captured", ("config", "plan_file"), True),
        ],
        supports_check_mode=True,
    )
    params = module.params
    state = params["state"]
    build_id = params["build_id"]
    build_name = params["build_name"]
    ui = []
    result = {"changed": False, "ui": ui}

    def say(text):
        ui.append(["say", text])

    def message(text):
        ui.extend(["message", line] for line in str(text).splitlines())

    raw_config, cwd, where = params["config"], None, "qemu builder"
    if params["plan_file"]:
        plan_build = params["build"] or build_name
        error = None
        try:
            raw_config, cwd, sensitive = read_plan_config(params["plan_file"], plan_build, "qemu")
        except PlanError as exc:
            error = str(exc)
        if error is not None:
            module.fail_json(msg=error, **result)
        module.no_log_values.update(value for value in sensitive if value)
        where = f"{params['plan_file']}: builds[{plan_build}]"
    if isinstance(raw_config, dict) and raw_config.get("ssh_password"):
        module.no_log_values.add(str(raw_config["ssh_password"]))

    config = None
    if raw_config is not None:
        error = None
        try:
            config = normalize(raw_config, build_name=build_name, where=where, cwd=cwd, force=params["force"])
            config["cwd"] = cwd
        except ConfigError as exc:
            error = str(exc)
        if error is not None:
            module.fail_json(msg=error, **result)

    ledger = Ledger(params["ledger"]) if params["ledger"] else None
    error = None
    try:
        if state == "started":
            started(module, config, build_id, build_name, ledger, result, say, message)
        elif state == "shutdown_command":
            result["shutdown_command"] = config["shutdown_command"]
        elif state == "stopped":
            stopped(module, config, build_id, result, say)
        elif state == "captured":
            captured(module, config, build_name, result, say)
        else:
            absent(module, build_id, ledger, result)
    except builder.QemuError as exc:
        error = str(exc)
    if error is not None:
        # Outside the except block: the message is the whole story, no traceback is attached.
        module.fail_json(msg=error, **result)
    module.exit_json(**result)


def started(module, config, build_id, build_name, ledger, result, say, message):
    if module.check_mode:
        vm.check_output_directory(config, error=builder.QemuError)
        result["changed"] = True
        result["source"] = None
        say(f"Check mode: would boot {config['vm_name']} into {config['output_directory']}")
        return
    source = builder.launch(config, build_id, build_name, ledger=ledger, say=say, message=message,
                            ssh_public_key=module.params["ssh_public_key"])
    for note in source["notes"]:
        module.warn(note)
    result["changed"] = True
    result["source"] = source


def stopped(module, config, build_id, result, say):
    if module.check_mode:
        result["changed"] = builder.vm_running(build_id)
        return
    if module.params["shutdown_sent"]:
        builder.wait_for_shutdown(build_id, config["shutdown_timeout"], say)
        result["changed"] = True
    else:
        result["changed"] = builder.halt(build_id, say)


def captured(module, config, build_name, result, say):
    result["artifact"] = None
    if capture_cancelled(module.params):
        raise builder.QemuError(CAPTURE_CANCELLED)
    if module.check_mode:
        result["changed"] = config["format"] == "qcow2" and not config["skip_compaction"]
        return
    result["artifact"] = builder.capture(config, build_name, module.params["accelerator"], say)
    result["changed"] = True


def absent(module, build_id, ledger, result):
    output_directory = module.params["output_directory"] or ""
    if module.check_mode:
        result["changed"] = builder.vm_running(build_id) or os.path.isdir(builder.work_dir(build_id)) or (
            not module.params["keep_output"] and bool(output_directory) and os.path.isdir(output_directory))
        return
    result["changed"] = builder.remove(build_id, output_directory, module.params["keep_output"], ledger)


if __name__ == "__main__":
    main()
