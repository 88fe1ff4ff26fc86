"""The VBoxManage command lines of each step, as data; finding and running VBoxManage."""

from __future__ import annotations

import os
import subprocess

import pytest

from ansible_collections.cattle.images.plugins.module_utils.virtualbox import driver as vbox
from ansible_collections.cattle.images.plugins.module_utils.virtualbox.config import normalize


def iso(**options):
    raw = {"iso_url": "debian.iso", "iso_checksum": "none", "ssh_username": "root", **options}
    return normalize(raw, "virtualbox-iso", build_name="deb", cwd="/out", environ={})


def ovf(**options):
    raw = {"source_path": "base.ova", "ssh_username": "root", **options}
    return normalize(raw, "virtualbox-ovf", build_name="deb", cwd="/out", environ={})


def test_create_vm_with_packers_defaults():
    assert vbox.create_vm_commands(iso(), "7.0.14") == [
        ["createvm", "--name", "packer-deb", "--ostype", "Other", "--register"],
        ["modifyvm", "packer-deb", "--boot1", "disk", "--boot2", "dvd", "--boot3", "none", "--boot4", "none"],
        ["modifyvm", "packer-deb", "--cpus", "1"],
        ["modifyvm", "packer-deb", "--memory", "512"],
        ["modifyvm", "packer-deb", "--usb-ohci", "off"],
        ["modifyvm", "packer-deb", "--audio-enabled", "off", "--audio-controller", "ac97"],
        ["modifyvm", "packer-deb", "--chipset", "piix3"],
        ["modifyvm", "packer-deb", "--firmware", "bios"],
        ["modifyvm", "packer-deb", "--nic-type1", "82540EM", "--nic-type2", "82540EM", "--nic-type3", "82540EM",
         "--nic-type4", "82540EM", "--nic-type5", "82540EM", "--nic-type6", "82540EM", "--nic-type7", "82540EM",
         "--nic-type8", "82540EM"],
        ["modifyvm", "packer-deb", "--vram", "4"],
        ["modifyvm", "packer-deb", "--rtc-use-utc", "off"],
        ["modifyvm", "packer-deb", "--accelerate-3d", "off"],
    ]


def test_create_vm_with_every_hardware_option():
    commands = vbox.create_vm_commands(iso(
        vm_name="box", guest_os_type="Debian_64", cpus=2, memory=2048, usb=True, sound="pulse", audio_controller="hda",
        chipset="ich9", firmware="efi", nic_type="virtio", gfx_controller="vmsvga", gfx_vram_size=16,
        rtc_time_base="UTC", nested_virt=True, gfx_accelerate_3d=True, gfx_efi_resolution="1920x1080"), "7.0.14")
    assert ["createvm", "--name", "box", "--ostype", "Debian_64", "--register"] in commands
    assert ["modifyvm", "box", "--ioapic", "on"] in commands
    assert ["modifyvm", "box", "--usb-ohci", "on"] in commands
    assert ["modifyvm", "box", "--audio-driver", "pulse", "--audio-enabled", "on", "--audio-in", "on", "--audio-out",
            "on", "--audio-controller", "hda"] in commands
    assert ["modifyvm", "box", "--graphicscontroller", "vmsvga", "--vram", "16"] in commands
    assert ["modifyvm", "box", "--rtc-use-utc", "on"] in commands
    assert ["modifyvm", "box", "--nested-hw-virt", "on"] in commands
    assert ["modifyvm", "box", "--accelerate-3d", "on"] in commands
    assert commands[-1] == ["setextradata", "box", "VBoxInternal2/EfiGraphicsResolution", "1920x1080"]
    assert ["modifyvm", "packer-deb", "--nested-hw-virt", "off"] in vbox.create_vm_commands(iso(nested_virt=False), "7.0.14")


def test_one_ide_disk():
    assert vbox.create_disk_commands(iso(disk_size=2048)) == [
        ["createmedium", "disk", "--filename", "/out/output-deb/packer-deb.vdi", "--size", "2048", "--format", "VDI",
         "--variant", "Standard"],
        ["storagectl", "packer-deb", "--name", "IDE Controller", "--add", "ide"],
        ["storageattach", "packer-deb", "--storagectl", "IDE Controller", "--port", "0", "--device", "0",
         "--type", "hdd", "--medium", "/out/output-deb/packer-deb.vdi", "--nonrotational", "off", "--discard", "off"],
    ]


def test_sata_disks_with_additional_ones():
    commands = vbox.create_disk_commands(iso(hard_drive_interface="sata", sata_port_count=4, disk_additional_size=[10],
                                             hard_drive_nonrotational=True, hard_drive_discard=True))
    assert commands[:2] == [
        ["createmedium", "disk", "--filename", "/out/output-deb/packer-deb-0.vdi", "--size", "40000", "--format",
         "VDI", "--variant", "Standard"],
        ["createmedium", "disk", "--filename", "/out/output-deb/packer-deb-1.vdi", "--size", "10", "--format", "VDI",
         "--variant", "Standard"],
    ]
    assert ["storagectl", "packer-deb", "--name", "SATA Controller", "--add", "sata", "--portcount", "4"] in commands
    assert commands[-1] == ["storageattach", "packer-deb", "--storagectl", "SATA Controller", "--port", "1",
                            "--device", "0", "--type", "hdd", "--medium", "/out/output-deb/packer-deb-1.vdi",
                            "--nonrotational", "on", "--discard", "on"]


@pytest.mark.parametrize("interface, controller", [
    ("scsi", ["storagectl", "packer-deb", "--name", "SCSI Controller", "--add", "scsi", "--controller", "LSILogic"]),
    ("pcie", ["storagectl", "packer-deb", "--name", "NVMe Controller", "--add", "pcie", "--controller", "NVMe",
              "--portcount", "1"]),
    ("virtio", ["storagectl", "packer-deb", "--name", "VirtIO Controller", "--add", "virtio", "--controller",
                "VirtIO"]),
])
def test_other_disk_controllers(interface, controller):
    commands = vbox.create_disk_commands(iso(hard_drive_interface=interface))
    assert controller in commands
    assert commands[-1][3] == controller[3]  # the disk goes on that controller


def test_isos_go_where_packer_puts_them():
    config = iso(guest_additions_mode="attach")
    assert vbox.attach_iso_command("vm", vbox.iso_slots(config)["boot_iso"], "/isos/d.iso") == [
        "storageattach", "vm", "--storagectl", "IDE Controller", "--port", "0", "--device", "1", "--type",
        "dvddrive", "--medium", "/isos/d.iso"]
    assert vbox.iso_slots(config) == {"boot_iso": ("IDE Controller", 0, 1), "guest_additions": ("IDE Controller", 1, 0)}
    assert vbox.iso_slots(iso(iso_interface="sata", guest_additions_mode="attach")) == {
        "boot_iso": ("SATA Controller", 13, 0), "guest_additions": ("SATA Controller", 14, 0)}
    assert vbox.iso_slots(ovf()) == {}
    assert vbox.iso_slots(ovf(guest_additions_mode="attach")) == {"guest_additions": ("IDE Controller", 1, 0)}


def test_devices_removed_after_shutdown():
    assert vbox.detach_iso_commands(iso(guest_additions_mode="attach")) == [
        ["storageattach", "packer-deb", "--storagectl", "IDE Controller", "--port", "0", "--device", "1", "--type",
         "dvddrive", "--medium", "none"],
        ["storageattach", "packer-deb", "--storagectl", "IDE Controller", "--port", "1", "--device", "0", "--type",
         "dvddrive", "--medium", "none"],
    ]
    assert vbox.detach_iso_commands(iso(bundle_iso=True)) == []


def test_import_with_flags_and_options():
    assert vbox.import_command(ovf(import_flags=["--eula", "accept"], import_opts="keepallmacs"), "/c/base.ova") == [
        "import", "/c/base.ova", "--vsys", "0", "--vmname", "packer-deb", "--eula", "accept", "--options",
        "keepallmacs"]


def test_network_and_run_commands():
    assert vbox.nat_commands("vm", "7.0.14", forward=True, reach_host=True) == [
        ["modifyvm", "vm", "--nic1", "nat"], ["modifyvm", "vm", "--nat-localhostreachable1", "on"]]
    assert vbox.nat_commands("vm", "7.1.4", forward=False, reach_host=True) == [
        ["modifyvm", "vm", "--nat-localhostreachable1", "on"]]
    assert vbox.nat_commands("vm", "7.0.14", forward=False, reach_host=False) == []
    assert vbox.nat_commands("vm", "6.1.50", forward=True, reach_host=True) == [["modifyvm", "vm", "--nic1", "nat"]]
    assert vbox.port_forward_command("vm", 3022, 22, "7.0.14") == [
        "modifyvm", "vm", "--nat-pf1", "packercomm,tcp,127.0.0.1,3022,,22"]
    assert vbox.port_forward_command("vm", 3022, 22, "6.1.50") == [
        "modifyvm", "vm", "--natpf1", "packercomm,tcp,127.0.0.1,3022,,22"]
    assert vbox.delete_port_forward_command("vm", "7.0.14") == ["modifyvm", "vm", "--nat-pf1", "delete", "packercomm"]
    assert vbox.delete_port_forward_command("vm", "6.1.50") == ["modifyvm", "vm", "--natpf1", "delete", "packercomm"]
    assert vbox.vrdp_command("vm", "127.0.0.1", 5901, "7.0.14") == [
        "modifyvm", "vm", "--vrde-address", "127.0.0.1", "--vrde-auth-type", "null", "--vrde", "on", "--vrde-port",
        "5901"]
    assert vbox.vrdp_command("vm", "127.0.0.1", 5901, "6.1.50") == [
        "modifyvm", "vm", "--vrdeaddress", "127.0.0.1", "--vrdeauthtype", "null", "--vrde", "on", "--vrdeport", "5901"]
    assert vbox.startvm_command("vm", True) == ["startvm", "vm", "--type", "headless"]
    assert vbox.startvm_command("vm", False) == ["startvm", "vm", "--type", "gui"]
    assert vbox.scancode_command("vm", ["1c", "9c"]) == ["controlvm", "vm", "keyboardputscancode", "1c", "9c"]
    assert vbox.poweroff_command("vm") == ["controlvm", "vm", "poweroff"]
    assert vbox.acpi_command("vm") == ["controlvm", "vm", "acpipowerbutton"]
    assert vbox.unregister_command("vm") == ["unregistervm", "vm", "--delete"]


def test_export():
    assert vbox.export_command(iso()) == ["export", "packer-deb", "--output", "/out/output-deb/packer-deb.ovf"]
    assert vbox.export_command(iso(format="ova", output_filename="box", export_opts=["--manifest", "--vsys", "0"])) == [
        "export", "packer-deb", "--output", "/out/output-deb/box.ova", "--manifest", "--vsys", "0"]


def _executable(path):
    path.write_text("#!/bin/sh\necho 7.0.14r161095\n")
    path.chmod(0o755)
    return str(path)


def test_find_vboxmanage_install_path_first(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    installed = _executable(tmp_path / "a" / "VBoxManage")
    on_path = _executable(tmp_path / "b" / "VBoxManage")
    assert vbox.find_vboxmanage({"VBOX_INSTALL_PATH": str(tmp_path / "a"), "PATH": str(tmp_path / "b")}) == installed
    assert vbox.find_vboxmanage({"VBOX_MSI_INSTALL_PATH": f"/nowhere;{tmp_path / 'a'}", "PATH": ""}) == installed
    assert vbox.find_vboxmanage({"VBOX_INSTALL_PATH": "/nowhere", "PATH": str(tmp_path / "b")}) == on_path
    with pytest.raises(vbox.VBoxManageError, match="VBoxManage was not found in PATH"):
        vbox.find_vboxmanage({"PATH": str(tmp_path)})


def run_returning(stdout="", stderr="", returncode=0, seen=None):
    def run(argv, **_kwargs):
        if seen is not None:
            seen.append(argv)
        return subprocess.CompletedProcess(argv, returncode, stdout, stderr)
    return run


def test_version_parsing():
    assert vbox.Driver("VBoxManage", run=run_returning("7.0.14r161095\n")).version() == "7.0.14"
    assert vbox.Driver("VBoxManage", run=run_returning("6.1.0_RC1r1234")).version() == "6.1.0"
    with pytest.raises(vbox.VBoxManageError, match=r"VirtualBox 5\.2\.44 \(VBoxManage\) is too old"):
        vbox.Driver("VBoxManage", run=run_returning("5.2.44r139111")).version()
    with pytest.raises(vbox.VBoxManageError, match="not properly setup"):
        vbox.Driver("VBoxManage", run=run_returning("WARNING: The vboxdrv kernel module is not loaded")).version()


def test_errors_carry_stderr_even_with_status_zero():
    with pytest.raises(vbox.VBoxManageError, match="VBoxManage error: VBoxManage: error: Invalid"):
        vbox.Driver("VBoxManage", run=run_returning(stderr="VBoxManage: error: Invalid", returncode=1)).call("x")
    with pytest.raises(vbox.VBoxManageError, match="no such VM"):
        vbox.Driver("VBoxManage", run=run_returning(stderr="VBoxManage.exe: error: no such VM")).call("x")


def test_locked_vm_calls_are_retried():
    outcomes = [(1, "VBOX_E_INVALID_OBJECT_STATE: locked"),
                (1, "VBoxManage: error: The machine 'vm' is already locked for a session (or being unlocked)"), (0, "")]
    naps = []

    def run(argv, **_kwargs):
        code, err = outcomes.pop(0)
        return subprocess.CompletedProcess(argv, code, "done", err)
    assert vbox.Driver("VBoxManage", run=run, sleep=naps.append).call("unregistervm", "vm", "--delete") == "done"
    assert naps == [vbox.Driver.RETRY_DELAY] * 2


def test_registered_state_and_guest_additions_are_parsed():
    listing = '"packer-deb" {1234}\n"packer-deb-2" {5678}\n'
    assert vbox.Driver("V", run=run_returning(listing)).registered("packer-deb")
    assert not vbox.Driver("V", run=run_returning(listing)).registered("packer")
    info = 'name="vm"\nVMState="running"\nVMStateChangeTime="2024"\n'
    assert vbox.Driver("V", run=run_returning(info)).vm_state("vm") == "running"
    assert vbox.Driver("V", run=run_returning(info)).is_running("vm")
    assert not vbox.Driver("V", run=run_returning('VMState="poweroff"')).is_running("vm")
    props = "API version:    7_0\nDefault Guest Additions ISO:     /usr/share/virtualbox/VBoxGuestAdditions.iso\n"
    assert vbox.Driver("V", run=run_returning(props)).default_guest_additions() == \
        "/usr/share/virtualbox/VBoxGuestAdditions.iso"
    assert vbox.Driver("V", run=run_returning(returncode=1)).default_guest_additions() == ""


def test_a_real_executable_is_run_with_its_argv(fake_vboxmanage):
    driver = vbox.Driver(fake_vboxmanage.path)
    assert driver.version() == "7.0.14"
    driver.call("createvm", "--name", "vm", "--register")
    assert fake_vboxmanage.registered() == {"vm": "poweroff"}
    assert fake_vboxmanage.calls == [["--version"], ["createvm", "--name", "vm", "--register"]]
    assert driver.log == fake_vboxmanage.calls
    assert os.access(fake_vboxmanage.path, os.X_OK)
