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
      - The builder's Packer options, each checked and decoded as Packer does (listed below, generated from cattle's schemas).
      - An option left out takes Packer's default; an option the builder does not have is refused.
      - Mutually exclusive with O(plan_file); one of them is required unless O(state=absent).
    type: dict
  ssh_public_key:
    description: The temporary public key, exposed to C(boot_command) and C(qemuargs) as C({{ .SSHPublicKey }}).
  accelerator:
    description:
      - With O(state=captured), the accelerator the VM ran with (the artifact's C(domainType)); by default the one
        the launch recorded in the build's state file.
    type: str
    default: ""
attributes:
  check_mode:
    details: Checks the config (and that the output directory may be made) and reports what it would do; starts nothing.
extends_documentation_fragment:
  - cattle.images.builder
  - cattle.images.options_qemu
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

from ansible_collections.cattle.images.plugins.module_utils.builder_frontend import run_module  # noqa: E402
from ansible_collections.cattle.images.plugins.module_utils.qemu.task import QEMU  # noqa: E402


def main():
    run_module(QEMU)


if __name__ == "__main__":
    main()
