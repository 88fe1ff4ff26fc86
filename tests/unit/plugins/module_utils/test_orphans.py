"""Which run a leftover names: the run tag of remote resources and the work dir on a VM's command line."""

from __future__ import annotations

import socket

from ansible_collections.cattle.images.plugins.module_utils import orphans
from ansible_collections.cattle.images.plugins.module_utils.ledger import boot_id


def test_a_run_tag_of_this_boot_is_dead_only_when_its_run_dir_is():
    tag = orphans.run_tag("/tmp/cattle-run-abc")
    assert orphans.run_tag_is_dead(tag, lambda run_dir: run_dir == "/tmp/cattle-run-abc")
    assert not orphans.run_tag_is_dead(tag, lambda run_dir: False)


def test_a_run_tag_of_an_earlier_boot_is_dead():
    tag = f"{socket.gethostname()} not-{boot_id()} /tmp/cattle-run-abc"
    assert orphans.run_tag_is_dead(tag, lambda run_dir: False)


def test_another_machines_or_a_malformed_tag_is_never_dead():
    def always(run_dir):
        return True
    assert not orphans.run_tag_is_dead(f"other-host {boot_id()} /tmp/cattle-run-abc", always)
    assert not orphans.run_tag_is_dead(f"{socket.gethostname()} {boot_id()} /tmp/not-a-run", always)
    assert not orphans.run_tag_is_dead("", always)
    assert not orphans.run_tag_is_dead(None, always)


def test_the_vm_work_dir_and_its_run_dir_are_read_from_a_command_line():
    line = ("qemu-system-x86_64 -drive file=/tmp/x/cattle-run-k1/tmp/cattle-qemu-0a1b2c/disk.qcow2,if=virtio "
            "-pidfile /tmp/x/cattle-run-k1/tmp/cattle-qemu-0a1b2c/qemu.pid -name /tmp/cattle-qemu-ffff/qemu.pid")
    assert orphans.vm_work_dirs_named(line) == {"/tmp/x/cattle-run-k1/tmp/cattle-qemu-0a1b2c": "/tmp/x/cattle-run-k1"}
