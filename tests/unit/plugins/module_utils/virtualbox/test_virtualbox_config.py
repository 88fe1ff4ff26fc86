"""The virtualbox builders' options: Packer's defaults and every refusal."""

from __future__ import annotations

import pytest

from ansible_collections.cattle.images.plugins.module_utils.virtualbox.config import ConfigError, normalize

ISO_BASE = {"iso_url": "debian.iso", "iso_checksum": "none", "ssh_username": "root"}
OVF_BASE = {"source_path": "base.ova", "ssh_username": "root"}


def iso(**options):
    return normalize(dict(ISO_BASE, **options), "virtualbox-iso", build_name="deb", cwd="/work", environ={})


def ovf(**options):
    return normalize(dict(OVF_BASE, **options), "virtualbox-ovf", build_name="deb", cwd="/work", environ={})


def problems(builder, **options):
    with pytest.raises(ConfigError) as caught:
        builder(**options)
    return caught.value.problems


def test_iso_defaults_are_packers():
    config = iso()
    assert config["vm_name"] == "packer-deb" and config["output_directory"] == "/work/output-deb"
    assert (config["guest_os_type"], config["cpus"], config["memory"], config["disk_size"]) == ("Other", 1, 512, 40000)
    assert (config["hard_drive_interface"], config["iso_interface"], config["guest_additions_interface"]) == \
        ("ide", "ide", "ide")
    assert (config["firmware"], config["chipset"], config["rtc_time_base"], config["nic_type"]) == \
        ("bios", "piix3", "local", "82540EM")
    assert (config["sound"], config["usb"], config["audio_controller"], config["gfx_vram_size"]) == \
        ("none", False, "ac97", 4)
    assert config["gfx_controller"] == "" and config["nested_virt"] is None
    assert (config["sata_port_count"], config["nvme_port_count"]) == (1, 1)
    assert config["headless"] is False and config["boot_wait"] == 10.0 and config["boot_keygroup_interval"] == 0.1
    assert (config["shutdown_timeout"], config["post_shutdown_delay"]) == (300.0, 2.0)
    assert (config["host_port_min"], config["host_port_max"]) == (2222, 4444)
    assert (config["http_port_min"], config["http_port_max"]) == (8000, 9000)
    assert (config["vrdp_bind_address"], config["vrdp_port_min"], config["vrdp_port_max"]) == ("127.0.0.1", 5900, 6000)
    assert config["guest_additions_mode"] == "upload" and config["guest_additions_path"] == "VBoxGuestAdditions.iso"
    assert config["virtualbox_version_file"] == ".vbox_version"
    assert config["format"] == "ovf" and config["export_opts"] == [] and config["output_filename"] == ""
    assert not config["skip_export"] and not config["keep_registered"]
    assert config["comm_port"] == 22 and config["forward_port"] and config["urls"] == ["debian.iso"]


def test_ovf_defaults_and_import_opts():
    config = ovf(import_opts="keepallmacs", import_flags=["--eula", "accept"])
    assert config["import_flags"] == ["--eula", "accept", "--options", "keepallmacs"]
    assert config["checksum"] == "none" and config["guest_additions_interface"] == "ide"
    assert config["vm_name"] == "packer-deb" and config["type"] == "virtualbox-ovf"


def test_ovf_split_checksum_is_joined():
    assert ovf(checksum="ab" * 32, checksum_type="sha256")["checksum"] == "sha256:" + "ab" * 32
    assert ovf(checksum="whatever", checksum_type="none")["checksum"] == "none"


def test_weak_typing_durations_and_old_names():
    config = iso(cpus="2", headless="true", boot_wait="1m30s", shutdown_timeout=12, disk_size="2048",
                 ssh_host_port_min=3000, ssh_host_port_max="3001", ssh_skip_nat_mapping=True,
                 boot_keygroup_interval="250ms", vboxmanage=[["modifyvm", "{{.Name}}", "--memory", 1024]])
    assert config["cpus"] == 2 and config["headless"] is True and config["boot_wait"] == 90.0
    assert config["shutdown_timeout"] == 12.0 and config["disk_size"] == 2048
    assert (config["host_port_min"], config["host_port_max"]) == (3000, 3001)
    assert config["skip_nat_mapping"] and not config["forward_port"]
    assert config["boot_keygroup_interval"] == 0.25
    assert config["vboxmanage"] == [["modifyvm", "{{.Name}}", "--memory", "1024"]]


def test_key_interval_from_the_environment():
    config = normalize(dict(ISO_BASE), "virtualbox-iso", environ={"PACKER_KEY_INTERVAL": "20ms"})
    assert config["boot_keygroup_interval"] == 0.02


def test_winrm_port_follows_ssl():
    assert iso(communicator="winrm", winrm_use_ssl=True, guest_additions_mode="disable")["comm_port"] == 5986
    assert iso(communicator="winrm")["comm_port"] == 5985


def test_iso_interface_is_the_guest_additions_default():
    assert iso(iso_interface="sata")["guest_additions_interface"] == "sata"


@pytest.mark.parametrize("options, message", [
    ({"format": "vmdk"}, "invalid format, only 'ovf' or 'ova' are allowed"),
    ({"guest_additions_mode": "copy"}, "guest_additions_mode is invalid"),
    ({"hard_drive_interface": "usb"}, "hard_drive_interface can only be ide, sata, pcie, scsi or virtio"),
    ({"iso_interface": "scsi"}, "iso_interface can only be ide, sata or virtio"),
    ({"chipset": "q35"}, "chipset can only be piix3 or ich9"),
    ({"firmware": "uefi"}, "firmware can only be bios or efi"),
    ({"rtc_time_base": "utc"}, "rtc_time_base can only be UTC or local"),
    ({"nic_type": "e1000"}, "NIC type can only be"),
    ({"gfx_controller": "vga"}, "Graphics controller type can only be"),
    ({"gfx_vram_size": 256}, "VGRAM size must be from 0 (use default) to 128"),
    ({"gfx_efi_resolution": "big"}, "EFI resolution must be in the format WIDTHxHEIGHT"),
    ({"audio_controller": "pcspk"}, "Audio controller type can only be ac97, hda or sb16"),
    ({"sata_port_count": 31}, "sata_port_count cannot be greater than 30"),
    ({"nvme_port_count": 256}, "nvme_port_count cannot be greater than 255"),
    ({"cpus": -1}, "An invalid number of cpus was specified (cpus < 0): -1"),
    ({"memory": -5}, "An invalid memory size was specified (memory < 0): -5"),
    ({"host_port_min": 5000, "host_port_max": 4000}, "host_port_min (5000) must be a port no greater than"),
    ({"vrdp_port_min": 6001}, "vrdp_port_min (6001) must be a port no greater than"),
    ({"iso_urls": ["b.iso"]}, "Only one of iso_url or iso_urls may be specified"),
    ({"iso_url": ""}, "One of iso_url or iso_urls must be specified"),
    ({"iso_checksum": ""}, "iso_checksum is required"),
    ({"floppy_files": ["preseed.cfg"]}, "floppy disks are not supported"),
    ({"floppy_dirs": ["http"]}, "floppy disks are not supported"),
    ({"cd_files": ["x"]}, "cd_files is not supported"),
    ({"http_directory": "/nonexistent-dir", "http_content": {"/a": "b"}}, "http_directory and http_content cannot"),
    ({"http_directory": "/nonexistent-dir"}, "http_directory /nonexistent-dir: no such directory"),
    ({"vboxmanage": [[]]}, "vboxmanage[0] is empty"),
    ({"vboxmanage": ["modifyvm"]}, "vboxmanage: expected a list of lists of strings"),
    ({"vm_name": "a/b"}, "vm_name 'a/b' must be a name"),
    ({"communicator": "none"}, "communicator must not be 'none' when guest_additions_mode = 'upload'"),
    ({"communicator": "none", "guest_additions_mode": "disable"}, "virtualbox_version_file has to be an empty string"),
    ({"communicator": "telnet"}, "communicator 'telnet': expected ssh, winrm or none"),
    ({"guest_additions_sha256": "abc"}, "guest_additions_sha256 must be a SHA-256 checksum"),
    ({"disk_additional_size": ["x"]}, "disk_additional_size: expected a list of sizes in MiB"),
    ({"cpus": "many"}, "cpus: expected a whole number, got 'many'"),
    ({"boot_wait": "soon"}, "boot_wait: expected a duration"),
    ({"headless": "maybe"}, "headless: expected a boolean"),
    ({"source_path": "x.ova"}, "source_path is not an option of the virtualbox-iso builder"),
    ({"bogus": 1}, "unknown configuration key: 'bogus'"),
])
def test_iso_refusals(options, message):
    assert any(message in problem for problem in problems(iso, **options)), problems(iso, **options)


@pytest.mark.parametrize("options, message", [
    ({"source_path": ""}, "source_path is required"),
    ({"cpus": 2}, "cpus is not an option of the virtualbox-ovf builder (set the imported VM's hardware with "
                  "vboxmanage)"),
    ({"iso_url": "a.iso"}, "iso_url is not an option of the virtualbox-ovf builder"),
    ({"guest_additions_interface": "scsi"}, "guest_additions_interface can only be ide, sata or virtio"),
])
def test_ovf_refusals(options, message):
    assert any(message in problem for problem in problems(ovf, **options)), problems(ovf, **options)


def test_every_problem_is_reported_at_once():
    found = problems(iso, format="zip", chipset="q35", floppy_files=["a"])
    assert len(found) == 3
    with pytest.raises(ConfigError, match=r"^virtualbox-iso builder: "):
        iso(format="zip")


def test_communicator_none_needs_no_uploads():
    config = iso(communicator="none", guest_additions_mode="attach", virtualbox_version_file="")
    assert config["comm_port"] == 22 and not config["forward_port"] and config["virtualbox_version_file"] == ""
