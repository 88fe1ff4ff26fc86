"""The QEMU command line: Packer's defaults, qemuargs overrides, runtime rendering."""

from __future__ import annotations

import pytest

from ansible_collections.cattle.images.plugins.module_utils.qemu.cmdline import CommandLineError, command_line
from ansible_collections.cattle.images.plugins.module_utils.qemu.config import normalize

DISK = "/out/packer-x"


def argv(headless=True, vnc_port=5901, iso_path="/isos/x.iso", accelerator="tcg", **options):
    config = normalize(dict({"iso_url": "x.iso", "iso_checksum": "none"}, **options), build_name="x", cwd="/")
    runtime = {"HTTPIP": "10.0.2.2", "HTTPPort": 8123, "Name": config["vm_name"], "OutputDir": "/out",
               "HTTPDir": "", "SSHHostPort": 2345}
    return command_line(config, DISK, iso_path, accelerator, 2345, vnc_port, headless, "/w/qmp.sock",
                        "/w/qemu.pid", "", runtime)


def pairs(args):
    """switch -> list of values (a flag maps to '')."""
    out = {}
    index = 1
    while index < len(args):
        switch = args[index]
        value = args[index + 1] if index + 1 < len(args) and not args[index + 1].startswith("-") else ""
        out.setdefault(switch, []).append(value)
        index += 2 if value else 1
    return out


def test_packer_defaults_for_an_iso():
    args = argv()
    assert args[0] == "qemu-system-x86_64"
    switches = pairs(args)
    assert switches["-name"] == ["packer-x"]
    assert switches["-machine"] == ["type=pc,accel=tcg"]
    assert switches["-netdev"] == ["user,id=user.0,hostfwd=tcp:127.0.0.1:2345-:22"]
    assert switches["-device"] == ["virtio-net,netdev=user.0"]
    assert switches["-drive"] == [f"file={DISK},if=virtio,cache=writeback,discard=ignore,format=qcow2",
                                  "file=/isos/x.iso,media=cdrom"]
    assert switches["-boot"] == ["once=d"]
    assert switches["-vnc"] == ["127.0.0.1:1"]
    assert switches["-m"] == ["512M"]
    assert "-smp" not in switches and "-display" not in switches
    assert args[-4:] == ["-qmp", "unix:/w/qmp.sock,server=on,wait=off", "-pidfile", "/w/qemu.pid"]


def test_disk_image_boots_from_disk_without_cdrom():
    switches = pairs(argv(disk_image=True))
    assert switches["-boot"] == ["c"]
    assert len(switches["-drive"]) == 1


def test_options_shape_the_defaults():
    switches = pairs(argv(cpus=2, memory=1024, net_device="e1000", machine_type="q35", format="raw",
                          disk_interface="virtio-scsi", disk_detect_zeroes="unmap", accelerator="none"))
    assert switches["-smp"] == ["cpus=2,sockets=2"] and switches["-m"] == ["1024M"]
    assert switches["-machine"] == ["type=q35"]
    assert switches["-device"] == ["e1000,netdev=user.0", "virtio-scsi-pci,id=scsi0", "scsi-hd,bus=scsi0.0,drive=drive0"]
    assert switches["-drive"][0] == (f"file={DISK},if=none,id=drive0,cache=writeback,discard=ignore,format=raw,"
                                     "detect-zeroes=unmap")


def test_a_gui_unless_headless():
    assert pairs(argv(headless=False))["-display"] == ["gtk"]
    assert pairs(argv(headless=False, display="sdl"))["-display"] == ["sdl"]
    assert "-display" not in pairs(argv(headless=False, use_default_display=True))
    assert pairs(argv(vnc_port=0))["-display"] == ["none"]


def test_qemuargs_replace_the_defaults_of_their_switch_and_add_others():
    switches = pairs(argv(qemuargs=[["-m", "256M"], ["-smp", "2"], ["-no-reboot"], ["-serial", "mon:", "stdio"],
                                    ["-netdev", "user,id=user.0,hostfwd=tcp::{{ .SSHHostPort }}-:22"]]))
    assert switches["-m"] == ["256M"] and switches["-smp"] == ["2"] and switches["-no-reboot"] == [""]
    assert switches["-serial"] == ["mon:stdio"]  # values of a row are joined, as Packer does
    assert switches["-netdev"] == ["user,id=user.0,hostfwd=tcp::2345-:22"]


def test_a_switch_given_twice_appears_twice():
    switches = pairs(argv(qemuargs=[["-device", "virtio-rng-pci"], ["-device", "virtio-net,netdev=user.0"]]))
    assert switches["-device"] == ["virtio-rng-pci", "virtio-net,netdev=user.0"]


def test_the_net_device_and_the_disk_come_back_when_overridden_without_them():
    switches = pairs(argv(qemuargs=[["-device", "virtio-rng-pci"], ["-drive", "file=/other.img,if=virtio"]]))
    assert switches["-device"] == ["virtio-rng-pci", "virtio-net,netdev=user.0"]
    assert switches["-drive"] == ["file=/other.img,if=virtio",
                                  f"file={DISK},if=virtio,cache=writeback,discard=ignore,format=qcow2"]


def test_runtime_values_are_rendered():
    args = argv(qemuargs=[["-append", "url=http://{{ .HTTPIP }}:{{ .HTTPPort }}/ {{ .Name }} {{ .OutputDir }}"]])
    assert pairs(args)["-append"] == ["url=http://10.0.2.2:8123/ packer-x /out"]


def test_a_bad_template_in_qemuargs_names_the_row():
    with pytest.raises(CommandLineError, match=r"qemuargs\[0\]"):
        argv(qemuargs=[["-m", "{{ .Foo"]])


def test_firmware_is_the_bios(tmp_path):
    firmware = tmp_path / "OVMF.fd"
    firmware.write_bytes(b"x")
    assert pairs(argv(firmware=str(firmware)))["-bios"] == [str(firmware)]


def test_efi_boot_uses_ovmf_in_pflash(tmp_path):
    code, variables = tmp_path / "CODE.fd", tmp_path / "VARS.fd"
    code.write_bytes(b"c")
    variables.write_bytes(b"v")
    switches = pairs(argv(efi_boot=True, efi_firmware_code=str(code), efi_firmware_vars=str(variables)))
    assert switches["-drive"][:2] == [f"file={code},if=pflash,unit=0,format=raw,readonly=on",
                                      "file=/output-x/efivars.fd,if=pflash,unit=1,format=raw"]


def test_additional_disks_are_attached_like_the_first():
    switches = pairs(argv(disk_additional_size=["1G", "512"]))
    assert switches["-drive"][:3] == [
        f"file={DISK},if=virtio,cache=writeback,discard=ignore,format=qcow2",
        "file=/output-x/packer-x-1,if=virtio,cache=writeback,discard=ignore,format=qcow2",
        "file=/output-x/packer-x-2,if=virtio,cache=writeback,discard=ignore,format=qcow2",
    ]
    switches = pairs(argv(disk_additional_size=["1G"], disk_interface="sata"))
    assert switches["-device"][1:] == ["ahci,id=ahci0", "ide-hd,bus=ahci0.0,drive=drive0",
                                       "ide-hd,bus=ahci0.1,drive=drive1"]
