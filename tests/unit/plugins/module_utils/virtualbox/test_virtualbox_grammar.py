"""Every command line the builders send, run through the strict VBoxManage stand-in of each supported
VirtualBox release (tests/fixtures/vbox, ``VBOX_STANDIN_VERSION``): what 6.1 does not know it refuses
with "Unknown option", as 6.1 does. No VM is started (QEMU is not needed; qemu-img makes the disk).
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from ansible_collections.cattle.images.plugins.module_utils.virtualbox import driver as vbox
from ansible_collections.cattle.images.plugins.module_utils.virtualbox.config import normalize
from tests.fixtures import vbox_standin

pytestmark = pytest.mark.skipif(shutil.which("qemu-img") is None, reason="qemu-img makes the stand-in's disks")


@pytest.fixture(params=["6.1.50", "7.0.20", "7.1.4"])
def standin(request, tmp_path):
    env = vbox_standin.standin_env(tmp_path)
    env["VBOX_STANDIN_VERSION"] = request.param
    yield env, request.param
    vbox_standin.cleanup(env)


def run(env, argv):
    result = vbox_standin.vboxmanage(env, *argv)
    assert result.returncode == 0, f"VBoxManage {' '.join(argv)}:\n{result.stderr}"
    return result


def iso_config(tmp_path, **options):
    raw = {"iso_url": "debian.iso", "iso_checksum": "none", "ssh_username": "root", "output_directory": "out",
           "disk_size": 8, **options}
    return normalize(raw, "virtualbox-iso", build_name="deb", cwd=str(tmp_path), environ={})


@pytest.mark.parametrize("options", [
    {},
    {"cpus": 2, "usb": True, "sound": "pulse", "audio_controller": "hda", "nic_type": "virtio", "gfx_controller": "vmsvga",
     "rtc_time_base": "UTC", "nested_virt": True, "gfx_accelerate_3d": True, "chipset": "ich9", "firmware": "efi",
     "hard_drive_interface": "virtio", "iso_interface": "sata", "guest_additions_mode": "attach",
     "disk_additional_size": [4]},
    {"hard_drive_interface": "scsi"},
])
def test_each_release_accepts_the_builders_command_lines(tmp_path, standin, options):
    env, version = standin
    config = iso_config(tmp_path, **options)
    name = config["vm_name"]
    (tmp_path / "out").mkdir()

    def run_in_env(argv, **kw):
        return subprocess.run(argv, env=env, **kw)  # pylint: disable=subprocess-run-check

    assert vbox.Driver(vbox_standin.VBOXMANAGE, run=run_in_env).version() == version
    commands = [*vbox.create_vm_commands(config, version), *vbox.create_disk_commands(config),
                vbox.vrdp_command(name, "127.0.0.1", 5901, version),
                *vbox.nat_commands(name, version, forward=True, reach_host=True),
                vbox.port_forward_command(name, 3022, 22, version), vbox.delete_port_forward_command(name, version)]
    for argv in commands:
        run(env, argv)
    if vbox.version_at_least(version, "7.0"):
        assert ["modifyvm", name, "--nat-localhostreachable1", "on"] in commands
    settings = vbox_standin.vm_settings(env, name)
    assert settings["nics"]["1"]["natpf"] == []  # added, then deleted by name


def test_the_7_0_names_are_unknown_to_6_1(standin):
    env, version = standin
    run(env, ["createvm", "--name", "vm", "--register"])
    result = vbox_standin.vboxmanage(env, "modifyvm", "vm", "--nat-localhostreachable1", "on")
    if vbox.version_at_least(version, "7.0"):
        assert result.returncode == 0, result.stderr
    else:
        assert result.returncode == 2 and "Unknown option: --nat-localhostreachable1" in result.stderr
