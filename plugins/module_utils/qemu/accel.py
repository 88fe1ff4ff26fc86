# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Choosing the accelerator when the template leaves it unset.

Packer picks ``kvm`` when ``/dev/kvm`` opens. That is not enough: on some hosts (nested
virtualisation) /dev/kvm opens but a VM stops with "KVM internal error … emulation failure" as
soon as the guest does what boot loaders do (this machine fails on the first 32-bit ``iret``)
and QEMU then sits paused forever. So KVM is chosen only when a real VM runs under it: a
one-sector boot disk that enters protected mode, executes an ``iretd``, goes back to real
mode and writes to QEMU's ``isa-debug-exit`` port must make QEMU exit within a few seconds
(it takes a fraction of a second when KVM works). Otherwise TCG.
"""

from __future__ import annotations

import os
import subprocess
import tempfile

# cli; lgdt; enter 32-bit protected mode; pushfd/push cs/push eip; iretd; far jump to a 16-bit
# segment; back to real mode; mov al, 1; out 0xf4, al; hlt — then a GDT and the boot signature.
_PROBE_CODE = bytes.fromhex(
    "fa31c08ed8660f0116887c0f20c06683c8010f22c066ea1d7c0000080066b810008ed88ed0bc007000009c6a0868337c"
    "0000cfea3a7c00001800b820008ed88ed00f20c06683e0fe0f22c0ea507c000031c08ed88ed0fbb001e6f4f48db40000"
    "0000000000000000ffff0000009acf00ffff00000092cf00ffff0000009a0000ffff0000009200002700607c"
)
_BOOT_SECTOR = _PROBE_CODE + bytes(510 - len(_PROBE_CODE)) + b"\x55\xaa"
# isa-debug-exit turns the value v written into the exit status (v << 1) | 1.
_EXPECTED_STATUS = 3


def kvm_usable(qemu_binary="qemu-system-x86_64", timeout=4.0):
    """``(usable, reason)``: whether a VM really runs under KVM here."""
    try:
        fd = os.open("/dev/kvm", os.O_RDWR)
    except OSError as exc:
        return False, f"/dev/kvm cannot be opened ({exc.strerror})"
    os.close(fd)
    with tempfile.TemporaryDirectory(prefix="cattle-kvm-probe-") as work:
        disk = os.path.join(work, "boot.img")
        with open(disk, "wb") as handle:
            handle.write(_BOOT_SECTOR)
        argv = [qemu_binary, "-machine", "pc,accel=kvm", "-nodefaults", "-no-user-config", "-display", "none",
                "-m", "16M", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
                "-drive", f"file={disk},format=raw,if=ide", "-boot", "c"]
        try:
            child = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,  # noqa: S603
                                     stderr=subprocess.PIPE, start_new_session=True)
        except OSError as exc:
            return False, f"{qemu_binary} cannot run: {exc}"
        try:
            _stdout, stderr = child.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            child.kill()
            child.communicate()
            return False, f"a test VM under KVM did not finish within {timeout:g} s (KVM hangs here)"
    if child.returncode == _EXPECTED_STATUS:
        return True, "a test VM ran under KVM"
    detail = stderr.decode("utf-8", errors="replace").strip().splitlines()
    return False, f"a test VM under KVM failed ({detail[-1] if detail else f'exit status {child.returncode}'})"


def choose(requested, qemu_binary="qemu-system-x86_64", probe=kvm_usable):
    """``(accelerator, note)``: the requested one, or KVM if usable else TCG when unset."""
    if requested:
        return requested, ""
    usable, reason = probe(qemu_binary)
    if usable:
        return "kvm", f"Using KVM: {reason}."
    return "tcg", f"KVM is not usable ({reason}); using TCG (software emulation, slower)."
