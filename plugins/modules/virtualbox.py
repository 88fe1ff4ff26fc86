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
      - The builder's Packer options, each checked and decoded as Packer does (listed below, generated from cattle's schemas).
      - An option left out takes Packer's default; an option the builder does not have is refused.
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
  - cattle.images.options_virtualbox
  - cattle.images.builder.local_vm
requirements:
  - VirtualBox 6.1 or later with its C(VBoxManage) on the controller (the command lines follow the grammar of the
    version that runs, 7.0's option names from 7.0 on and 6.1's before; an older VirtualBox is refused)
notes:
  - Floppy disks (C(floppy_files), C(floppy_dirs)) and C(cd_files) are refused; serve files with C(http_directory)
    or C(http_content).
  - C(headless=false) needs a display; on Linux without C(DISPLAY) the VM starts headless and a warning says so.
  - The HTTP server binds 127.0.0.1 unless C(http_bind_address) is set (Packer binds 0.0.0.0); from VirtualBox 7.0 on
    the NAT adapter gets C(--nat-localhostreachable1 on) whenever the HTTP server runs or the communicator's port is
    forwarded, so the guest reaches it as C(10.0.2.2).
  - virtualbox-ovf attaches the guest additions (C(guest_additions_mode=attach)) to the imported VM's first storage
    controller of C(guest_additions_interface)'s type, whatever the appliance named it.
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

from ansible_collections.cattle.images.plugins.module_utils.builder_frontend import run_module  # noqa: E402
from ansible_collections.cattle.images.plugins.module_utils.virtualbox.task import VIRTUALBOX  # noqa: E402


def main():
    run_module(VIRTUALBOX)


if __name__ == "__main__":
    main()
