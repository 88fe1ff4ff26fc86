"""The VirtualBox builders end to end through `cattle build`, against the `VBoxManage` stand-in
(tests/fixtures/vbox/: VirtualBox 7.0's command grammar, real QEMU guests under TCG behind it).
VirtualBox itself does not run here.

virtualbox-iso boots the installer CD (tests/fixtures/installer_iso.py), types the install
command at its boot prompt, the installer fetches the disk from the build's HTTP server,
provisioners run over SSH, the VM shuts down and is exported as an OVA. virtualbox-ovf imports
an OVA the fixture made (tests/fixtures/vbox_ova.py). Each exported appliance is checked — a
valid OVF descriptor, a streamOptimized VMDK that qemu-img reads — and booted again under QEMU
with every change inside; and no VM, QEMU process or output of a failed build is left behind.
"""

from __future__ import annotations

import json
import os
import subprocess
import tarfile
import xml.etree.ElementTree as ET

import pytest

from ansible_collections.cattle.images.plugins.module_utils import iso as iso_module
from ansible_collections.cattle.images.plugins.module_utils import process
from tests.fixtures import installer_iso, qemu_image, vbox_ova, vbox_standin
from tests.fixtures.interrupt import interrupted_build

pytestmark = [pytest.mark.slow]

OVF_NS = "{http://schemas.dmtf.org/ovf/envelope/1}"


@pytest.fixture(scope="module")
def guest_disk():
    qemu_image.skip_without_qemu()
    return qemu_image.ensure_qemu_image()


@pytest.fixture
def vbox_env(tmp_path):
    env = vbox_standin.standin_env(tmp_path)
    # The builder finds VBoxManage where Packer does; PATH alone would do as well.
    env["VBOX_INSTALL_PATH"] = vbox_standin.STANDIN_DIR
    yield env
    vbox_standin.cleanup(env)


def cattle(venv_bin, *args, cwd, env, timeout=900):
    return subprocess.run([os.path.join(venv_bin, "cattle"), *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout, check=False)


def write(path, template):
    path.write_text(json.dumps(template, indent=2))
    return path


def communicator(**options):
    return {"headless": True, "ssh_username": "root", "ssh_password": qemu_image.ROOT_PASSWORD,
            "ssh_timeout": "10m", "shutdown_command": "shutdown -P now", "shutdown_timeout": "3m", **options}


def provisioners(marker):
    return [
        {"type": "shell", "inline": [f"echo {marker} > /root/provisioned"]},
        {"type": "file", "source": "upload.txt", "destination": "/root/upload.txt"},
    ]


def nothing_left(env, tmp_path):
    """No VM registered in the stand-in and no QEMU process on any file of this test."""
    listed = vbox_standin.vboxmanage(env, "list", "vms")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.strip() == ""
    assert process.find(str(tmp_path)) == []


def check_appliance(descriptor_path, files):
    """The OVF descriptor parses, names every file it references, and each disk is a streamOptimized VMDK."""
    root = ET.parse(descriptor_path).getroot()
    assert root.tag == f"{OVF_NS}Envelope"
    referenced = [ref.get(f"{OVF_NS}href") for ref in root.iter(f"{OVF_NS}File")]
    assert referenced and all(name in files for name in referenced), (referenced, files)
    assert list(root.iter(f"{OVF_NS}VirtualSystem")), "no VirtualSystem in the descriptor"
    disks = [files[name] for name in referenced if name.endswith(".vmdk")]
    assert len(disks) == 1
    info = json.loads(subprocess.run(["qemu-img", "info", "--output=json", disks[0]], capture_output=True,
                                     text=True, check=True).stdout)
    assert info["format"] == "vmdk"
    assert info["format-specific"]["data"]["create-type"] == "streamOptimized"
    return disks[0]


def boot_and_read(venv_bin, vmdk, tmp_path, env, paths):
    """Boot the exported disk under QEMU (a qemu build from a copy of it) and print ``paths``."""
    disk = tmp_path / "verify.qcow2"
    subprocess.run(["qemu-img", "convert", "-O", "qcow2", str(vmdk), str(disk)], check=True)
    template = write(tmp_path / "verify.json", {
        "builders": [{
            "type": "qemu", "name": "verify", "iso_url": str(disk), "iso_checksum": "none", "disk_image": True,
            "use_backing_file": True, "accelerator": "tcg", "headless": True, "output_directory": "output-verify",
            "ssh_username": "root", "ssh_password": qemu_image.ROOT_PASSWORD, "ssh_timeout": "5m",
            "boot_wait": "0s", "shutdown_timeout": "1m",
        }],
        "provisioners": [{"type": "shell", "inline": [f"cat {' '.join(paths)}"]}],
    })
    result = cattle(venv_bin, "build", "-color=false", template, cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_virtualbox_iso_types_the_installer_command_and_exports_an_ova(venv_bin, guest_disk, vbox_env, tmp_path):
    iso = installer_iso.ensure_installer_iso()
    www = tmp_path / "www"
    www.mkdir()
    os.symlink(installer_iso.ensure_install_payload(), www / installer_iso.PAYLOAD_NAME)
    (tmp_path / "upload.txt").write_text("uploaded by file\n")
    disk_mb = -(-installer_iso.payload_disk_size() // (1024 * 1024))
    template = write(tmp_path / "vbox-iso.json", {
        "builders": [{
            "type": "virtualbox-iso", "name": "vbi", **communicator(memory=1024),
            "iso_url": iso, "iso_checksum": "sha256:" + iso_module.file_digest(iso, "sha256"),
            "guest_os_type": "Debian_64", "disk_size": disk_mb, "hard_drive_interface": "sata",
            "http_directory": "www", "boot_wait": "5s", "boot_command": [installer_iso.INSTALL_BOOT_COMMAND],
            "vboxmanage": [["setextradata", "{{.Name}}", "cattle/built-by", "test"]],
            "format": "ova", "export_opts": ["--manifest", "--vsys", "0", "--description", "cattle test"],
        }],
        "provisioners": provisioners("iso-provisioned"),
    })
    result = cattle(venv_bin, "build", "-color=false", template, cwd=tmp_path, env=vbox_env)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    called = [call["argv"] for call in vbox_standin.calls(vbox_env)]
    # The boot command really went out as scancodes, after the VM started.
    assert any(argv[:3] == ["controlvm", "packer-vbi", "keyboardputscancode"] for argv in called), called
    assert ["setextradata", "packer-vbi", "cattle/built-by", "test"] in called
    nothing_left(vbox_env, tmp_path)

    ova = tmp_path / "output-vbi" / "packer-vbi.ova"
    assert ova.is_file(), sorted(os.listdir(tmp_path / "output-vbi"))
    unpacked = tmp_path / "unpacked"
    with tarfile.open(ova) as archive:
        names = archive.getnames()
        assert names[0].endswith(".ovf"), names  # OVF 1.0: the descriptor comes first
        assert all(member.isfile() and "/" not in member.name for member in archive.getmembers()), names
        archive.extractall(unpacked)
    vmdk = check_appliance(unpacked / names[0], {name: str(unpacked / name) for name in names})
    assert any(name.endswith(".mf") for name in names), names

    shown = boot_and_read(venv_bin, vmdk, tmp_path, vbox_env,
                          ["/root/provisioned", "/root/upload.txt", "/root/.vbox_version"])
    for line in ("iso-provisioned", "uploaded by file"):
        assert f"    verify: {line}" in shown, shown
    version = vbox_standin.vboxmanage(vbox_env, "--version").stdout.strip()
    assert f"    verify: {version.split('r')[0]}" in shown, shown  # .vbox_version holds VirtualBox's version


def test_virtualbox_ovf_imports_an_ova_and_a_failed_build_leaves_nothing(venv_bin, guest_disk, vbox_env, tmp_path):
    source = vbox_ova.ensure_source_ova()
    (tmp_path / "upload.txt").write_text("uploaded by file\n")
    checksum = iso_module.file_digest(source, "sha256")
    common = {"type": "virtualbox-ovf", "source_path": source, "checksum": f"sha256:{checksum}",
              "guest_additions_mode": "disable", "boot_wait": "0s", **communicator()}
    template = write(tmp_path / "vbox-ovf.json", {
        "builders": [
            # The guest additions go on the appliance's own IDE controller, named "IDE" (not "IDE Controller").
            {**common, "name": "vbo", "import_flags": ["--options", "keepallmacs"], "guest_additions_mode": "attach"},
            {**common, "name": "vbo-fail"},
        ],
        "provisioners": [
            *provisioners("ovf-provisioned"),
            {"type": "shell", "inline": ["echo failing on purpose; exit 3"], "only": ["vbo-fail"]},
        ],
    })
    result = cattle(venv_bin, "build", "-color=false", template, cwd=tmp_path, env=vbox_env)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Build 'vbo-fail' errored" in output, output
    assert not (tmp_path / "output-vbo-fail").exists()
    called = [call["argv"] for call in vbox_standin.calls(vbox_env)]
    imports = [argv for argv in called if argv[:1] == ["import"]]
    assert len(imports) == 2 and any(argv[-2:] == ["--options", "keepallmacs"] for argv in imports), imports
    additions = [argv for argv in called if argv[:2] == ["storageattach", "packer-vbo"]]
    assert [argv[3] for argv in additions] == ["IDE", "IDE"], additions  # attached, then detached before the export
    nothing_left(vbox_env, tmp_path)

    files = {name: str(tmp_path / "output-vbo" / name) for name in os.listdir(tmp_path / "output-vbo")}
    descriptors = [name for name in files if name.endswith(".ovf")]
    assert descriptors == ["packer-vbo.ovf"], files
    vmdk = check_appliance(files["packer-vbo.ovf"], files)
    shown = boot_and_read(venv_bin, vmdk, tmp_path, vbox_env, ["/root/provisioned", "/root/upload.txt"])
    for line in ("ovf-provisioned", "uploaded by file"):
        assert f"    verify: {line}" in shown, shown


def test_sigint_while_waiting_for_ssh_powers_off_and_unregisters_the_vm(venv_bin, guest_disk, vbox_env, tmp_path):
    source = vbox_ova.ensure_source_ova()
    template = write(tmp_path / "vbox-int.json", {"builders": [{
        "type": "virtualbox-ovf", "name": "vbint", "source_path": source, "checksum": "none",
        "guest_additions_mode": "disable", "boot_wait": "0s", **communicator(ssh_password="not-the-password"),
    }]})
    # The run directory (in ansible-playbook's and its workers' command lines) under tmp_path too.
    (tmp_path / "tmp").mkdir()
    env = dict(vbox_env, TMPDIR=str(tmp_path / "tmp"))
    returncode, output = interrupted_build(
        template, tmp_path, lambda: "packer-vbint" in vbox_standin.vboxmanage(vbox_env, "list", "runningvms").stdout,
        "the VM's start", env=env)
    assert returncode == 1, output
    assert "Cleanly cancelled builds after being interrupted." in output
    # ansible-playbook was stopped: the wrapper's ledger sweep powered the VM off and deleted it.
    assert "Removed virtualbox_vm packer-vbint" in output, output
    assert not (tmp_path / "output-vbint").exists()
    # Nor is any Ansible worker still waiting for SSH (they outlive ansible-playbook unless killed).
    nothing_left(vbox_env, tmp_path)
    assert not os.listdir(vbox_standin.machine_folder(vbox_env))  # unregistervm --delete took its disks
