#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: virtualbox
short_description: Packer's virtualbox-iso and virtualbox-ovf builders - a VirtualBox VM from an ISO or an OVF/OVA, exported
version_added: 0.1.0
description:
  - The controller side of a C(virtualbox-iso) or C(virtualbox-ovf) build, with the semantics of Packer's VirtualBox
    builders, driving C(VBoxManage) (found through C(VBOX_INSTALL_PATH), C(VBOX_MSI_INSTALL_PATH), then C(PATH)).
  - O(state=started) finds (or downloads with C(guest_additions_url)) the guest additions ISO unless
    C(guest_additions_mode=disable), fetches and checks C(iso_url)/C(iso_urls) against C(iso_checksum) (iso) or
    C(source_path) against C(checksum) (ovf), makes the output directory (refused when it exists, unless O(force)),
    records the VM in the ledger, starts the HTTP server for C(http_directory)/C(http_content), creates the VM
    (C(createvm), C(modifyvm), C(createmedium), C(storagectl), C(storageattach)) or imports it (C(import)), attaches
    the ISOs, enables VRDP, forwards C(127.0.0.1:<host port>) to the communicator port (rule C(packercomm)), runs the
    C(vboxmanage) rows, starts the VM, waits C(boot_wait) and types C(boot_command) with
    C(controlvm keyboardputscancode).
  - O(state=shutdown_command) returns the C(shutdown_command) for the role to send over the communicator (run that
    task with C(no_log)); empty with C(acpi_shutdown) or C(disable_shutdown). O(state=stopped) then presses the ACPI
    power button (C(acpi_shutdown)), powers the VM off (no C(shutdown_command)) or just waits (command sent, or
    C(disable_shutdown)) up to C(shutdown_timeout) for C(VMState="poweroff") - an error when it does not (the VM is
    powered off either way) - then waits C(post_shutdown_delay).
  - O(state=captured) detaches the ISOs, runs the C(vboxmanage_post) rows, deletes the C(packercomm) rule and exports
    the VM to C(<output_directory>/<output_filename or vm_name>.<format>) with C(export_opts) (unless C(skip_export)),
    unregisters and deletes the VM unless C(keep_registered), and returns the artifact (builder id
    C(mitchellh.virtualbox), every file of the output directory).
  - O(state=absent) powers off and deletes the VM this build created (if still there), stops the HTTP server and
    removes the build's private directory; with O(keep_output=false) it removes the output directory too (Packer
    removes it when a build fails). Idempotent.
  - "Runs on the controller (C(delegate_to: localhost))."
author:
  - cattle.images developers (@cattle-images)
options:
  build_id:
    description: The build's short unique id; it names the private directory C(<tmp>/cattle-vbox-<build_id>).
    type: str
    required: true
  build_name:
    default: virtualbox
  type:
    description:
      - The builder type. With O(plan_file) it is read from the plan when not given.
    type: str
    choices: [virtualbox-iso, virtualbox-ovf]
  config:
    description:
      - The builder's options in Packer's shape (C(iso_url), C(iso_checksum), C(source_path), C(checksum),
        C(import_flags), C(import_opts), C(guest_os_type), C(cpus), C(memory), C(disk_size), C(hard_drive_interface),
        C(iso_interface), C(firmware), C(headless), C(boot_wait), C(boot_command), C(http_directory), C(http_content),
        C(host_port_min), C(host_port_max), C(shutdown_command), C(shutdown_timeout), C(guest_additions_mode),
        C(guest_additions_path), C(guest_additions_url), C(vboxmanage), C(vboxmanage_post), C(format), C(export_opts),
        C(output_directory), C(vm_name), C(keep_registered), C(skip_export), …), checked here as Packer checks them.
      - Mutually exclusive with O(plan_file); one of them is required unless O(state=absent).
    type: dict
  output_directory:
    description: With O(state=absent), the output directory the launch made (default, what the launch recorded).
attributes:
  check_mode:
    details: Checks the config (and that the output directory may be made) and reports what it would do; runs no
      VBoxManage command that changes anything.
extends_documentation_fragment:
  - cattle.images.builder
  - cattle.images.builder.local_vm
requirements:
  - VirtualBox's C(VBoxManage) on the controller (the command lines follow VirtualBox 7.0's documented grammar)
notes:
  - Floppy disks (C(floppy_files), C(floppy_dirs)) and C(cd_files) are refused; serve files with C(http_directory)
    or C(http_content).
  - C(headless=false) needs a display; on Linux without C(DISPLAY) the VM starts headless and a warning says so.
  - The HTTP server binds 127.0.0.1 unless C(http_bind_address) is set (Packer binds 0.0.0.0); from VirtualBox 7.0 on
    the NAT adapter gets C(--nat-localhostreachable1 on), so the guest reaches it as C(10.0.2.2).
  - The default C(vm_name) is C(packer-<build name>) as Packer documents it (Packer's code appends the start time).
"""

EXAMPLES = r"""
- name: Create the VM from an ISO and type the boot command
  cattle.images.virtualbox:
    state: started
    build_id: 3f9a1c
    build_name: debian
    type: virtualbox-iso
    ledger: /tmp/run/ledger.jsonl
    config:
      iso_url: /var/tmp/debian.iso
      iso_checksum: none
      guest_os_type: Debian_64
      guest_additions_mode: disable
      headless: true
      boot_wait: 5s
      # Packer's {{ .HTTPIP }} would be templated by Ansible in task arguments: use plan_file for those.
      boot_command: ["<esc><wait>auto priority=critical<enter>"]
      ssh_username: root
  delegate_to: localhost
  register: launched

- name: Export the VM, reading the config from a plan file
  cattle.images.virtualbox:
    state: captured
    build_id: 3f9a1c
    plan_file: /tmp/run/plan.json
    build: debian
  delegate_to: localhost
  register: captured

- name: Remove whatever the build left
  cattle.images.virtualbox:
    state: absent
    build_id: 3f9a1c
    ledger: /tmp/run/ledger.jsonl
    keep_output: false
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
    vm_name: packer-debian
    virtualbox_version: 7.0.14
    http_port: 8123
    http_ip: 10.0.2.2
    vrdp_port: 5931
    headless: true
    work_dir: /tmp/cattle-vbox-3f9a1c
    output_directory: /home/me/output-debian
    communicator: ssh
    shutdown_timeout: 300.0
    has_shutdown_command: true
    version_file: .vbox_version
    guest_additions_upload: /usr/share/virtualbox/VBoxGuestAdditions.iso
    guest_additions_path: VBoxGuestAdditions.iso
    notes: []
shutdown_command:
  description: The shutdown command (O(state=shutdown_command)); empty when there is none to send.
  returned: state is shutdown_command
  type: str
artifact:
  description: The artifact (O(state=captured)); null in check mode.
  returned: state is captured
  type: dict
  sample:
    id: VM
    builder_id: mitchellh.virtualbox
    builder_type: virtualbox-iso
    build_name: debian
    files: [/home/me/output-debian/packer-debian-disk001.vmdk, /home/me/output-debian/packer-debian.ovf]
    string: "VM files in directory: /home/me/output-debian"
    metadata: {vm_name: packer-debian, output_directory: /home/me/output-debian,
               export: /home/me/output-debian/packer-debian.ovf, keep_registered: false}
commands:
  description: Every VBoxManage command line this call ran (arguments after C(VBoxManage)).
  returned: always
  type: list
  elements: list
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
from ansible_collections.cattle.images.plugins.module_utils.plan_file import PlanError, read_plan_build  # noqa: E402
from ansible_collections.cattle.images.plugins.module_utils.virtualbox import builder  # noqa: E402
from ansible_collections.cattle.images.plugins.module_utils.virtualbox import driver as vbox  # noqa: E402
from ansible_collections.cattle.images.plugins.module_utils.virtualbox.config import (  # noqa: E402
    ISO,
    OVF,
    ConfigError,
    normalize,
)

STATES_NEEDING_CONFIG = ("started", "shutdown_command", "stopped", "captured")


def read_plan(path, build_name, builder_type):
    """``(config, cwd, sensitive values, type)`` of a virtualbox build in the plan."""
    build, plan = read_plan_build(path, build_name, builder_type or (ISO, OVF))
    return build.get("config") or {}, plan.get("cwd"), plan.get("sensitive_values") or [], build["type"]


def main():
    module = AnsibleModule(
        argument_spec=dict(
            state=dict(type="str", choices=["started", "shutdown_command", "stopped", "captured", "absent"],
                       default="started"),
            build_id=dict(type="str", required=True),
            build_name=dict(type="str", default="virtualbox"),
            type=dict(type="str", choices=[ISO, OVF]),
            config=dict(type="dict"),
            plan_file=dict(type="path"),
            build=dict(type="str"),
            ledger=dict(type="path"),
            force=dict(type="bool", default=False),
            ssh_public_key=dict(type="str", default=""),
            shutdown_sent=dict(type="bool", default=False),
            keep_output=dict(type="bool", default=True),
            output_directory=dict(type="path"),
        ),
        mutually_exclusive=[("config", "plan_file")],
        required_if=[(("state", state, ("config", "plan_file"), True)) for state in STATES_NEEDING_CONFIG],
        supports_check_mode=True,
    )
    params = module.params
    state = params["state"]
    ui = builder.Ui()
    result = {"changed": False, "ui": ui.lines, "commands": []}

    raw_config, cwd, builder_type = params["config"], None, params["type"] or ISO
    where = f"{builder_type} builder"
    if params["plan_file"]:
        plan_build = params["build"] or params["build_name"]
        error = None
        try:
            raw_config, cwd, sensitive, builder_type = read_plan(params["plan_file"], plan_build, params["type"])
        except PlanError as exc:
            error = str(exc)
        if error is not None:
            module.fail_json(msg=error, **result)
        module.no_log_values.update(value for value in sensitive if value)
        where = f"{params['plan_file']}: builds[{plan_build}]"
    for secret in ("ssh_password", "winrm_password"):
        if isinstance(raw_config, dict) and raw_config.get(secret):
            module.no_log_values.add(str(raw_config[secret]))

    config = None
    if raw_config is not None:
        error = None
        try:
            config = normalize(raw_config, builder_type=builder_type, build_name=params["build_name"], where=where,
                               cwd=cwd, force=params["force"])
        except ConfigError as exc:
            error = str(exc)
        if error is not None:
            module.fail_json(msg=error, **result)

    ledger = Ledger(params["ledger"]) if params["ledger"] else None
    error = None
    driver = None
    try:
        if state == "shutdown_command":
            result["shutdown_command"] = builder.shutdown_command(config)
        elif state != "absent" or builder.read_state(params["build_id"]):
            driver = builder.driver_for(builder.read_state(params["build_id"]) if state != "started" else None)
        if state == "started":
            started(module, config, driver, ledger, result, ui)
        elif state == "stopped":
            stopped(module, config, driver, result, ui)
        elif state == "captured":
            captured(module, config, driver, ledger, result, ui)
        elif state == "absent":
            absent(module, driver, ledger, result)
    except (builder.VirtualBoxError, vbox.VBoxManageError) as exc:
        error = str(exc)
    if driver is not None:
        result["commands"] = driver.log
    if error is not None:
        # Outside the except block: the message is the whole story, no traceback is attached.
        module.fail_json(msg=error, **result)
    module.exit_json(**result)


def started(module, config, driver, ledger, result, ui):
    params = module.params
    if module.check_mode:
        vm.check_output_directory(config, error=builder.VirtualBoxError)
        result["changed"] = True
        result["source"] = None
        ui.say(f"Check mode: would create the VirtualBox VM {config['vm_name']} ({config['type']})")
        return
    if not config["shutdown_command"]:
        module.warn("A shutdown_command was not specified. Without a shutdown command, Packer will forcibly halt the "
                    "virtual machine, which may result in data loss.")
    source = builder.launch(config, params["build_id"], params["build_name"], ledger=ledger, ui=ui,
                            ssh_public_key=params["ssh_public_key"], driver=driver)
    for note in source["notes"]:
        module.warn(note)
    result["changed"] = True
    result["source"] = source


def stopped(module, config, driver, result, ui):
    if module.check_mode:
        result["changed"] = builder.vm_running(module.params["build_id"], driver)
        return
    result["changed"] = builder.stop(config, module.params["build_id"], module.params["shutdown_sent"], ui=ui,
                                     driver=driver)


def captured(module, config, driver, ledger, result, ui):
    result["artifact"] = None
    if capture_cancelled(module.params):
        raise builder.VirtualBoxError(CAPTURE_CANCELLED)
    if module.check_mode:
        result["changed"] = True
        ui.say("Check mode: would " + ("unregister" if config["skip_export"] else "export") + f" {config['vm_name']}")
        return
    result["artifact"] = builder.capture(config, module.params["build_id"], module.params["build_name"],
                                         ledger=ledger, ui=ui, driver=driver)
    result["changed"] = True


def absent(module, driver, ledger, result):
    params = module.params
    output_directory = params["output_directory"] or ""
    if module.check_mode:
        result["changed"] = builder.vm_running(params["build_id"], driver) or os.path.isdir(
            builder.work_dir(params["build_id"])) or (
            not params["keep_output"] and bool(output_directory) and os.path.isdir(output_directory))
        return
    result["changed"] = builder.remove(params["build_id"], output_directory, params["keep_output"], ledger,
                                       driver=driver)


if __name__ == "__main__":
    main()
