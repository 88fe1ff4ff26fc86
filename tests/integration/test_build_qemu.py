"""The qemu slice end to end through `cattle build`: real VMs under TCG booted from the
fixture's Debian disk; a boot command typed on the VGA console, shell and file provisioners
over SSH, a file fetched from the build's HTTP server, a clean shutdown; the output disk booted
again holds every change; and a failure at each phase leaves no QEMU process and no output."""

from __future__ import annotations

import json
import os
import re
import subprocess

import pytest

from ansible_collections.cattle.images.plugins.module_utils import process
from tests.fixtures import qemu_image

pytestmark = [pytest.mark.slow]


@pytest.fixture(scope="module")
def disk():
    qemu_image.skip_without_qemu()
    return qemu_image.ensure_qemu_image()


def builder(disk, name, **options):
    config = {
        "type": "qemu", "name": name, "iso_url": disk, "iso_checksum": "none", "disk_image": True,
        "use_backing_file": True, "accelerator": "tcg", "headless": True, "disk_size": "2048M",
        "ssh_username": "root", "ssh_password": qemu_image.ROOT_PASSWORD, "ssh_timeout": "3m",
        "boot_wait": "0s", "shutdown_timeout": "1m",
    }
    config.update(options)
    return config


def cattle(venv_bin, *args, cwd, timeout=300):
    return subprocess.run([os.path.join(venv_bin, "cattle"), *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout, check=False)


def write(path, template):
    path.write_text(json.dumps(template))
    return path


def no_vm_left(tmp_path):
    # Every disk of these builds lives under tmp_path, and QEMU's command line names it.
    return process.find(str(tmp_path)) == []


def test_build_types_provisions_and_the_output_boots_again(venv_bin, disk, tmp_path):
    (tmp_path / "www").mkdir()
    (tmp_path / "www" / "hello.txt").write_text("served over http\n")
    (tmp_path / "upload.txt").write_text("uploaded by file\n")
    build = builder(
        disk, "qt", boot_wait=qemu_image.BOOT_WAIT, boot_key_interval="50ms", http_directory="www",
        shutdown_command="shutdown -P now", boot_command=qemu_image.BOOT_COMMAND,
    )
    template = write(tmp_path / "qemu.json", {
        "builders": [build],
        "provisioners": [
            {"type": "shell", "inline": [
                "cat /root/typed-marker",
                "wget -q -O /root/fetched.txt http://$(cut -d' ' -f3 /root/typed-marker)/hello.txt",
                "echo provisioned > /root/provisioned",
            ]},
            {"type": "file", "source": "upload.txt", "destination": "/root/upload.txt"},
        ],
    })
    result = cattle(venv_bin, "build", "-color=false", template, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    # The typed line reached the guest: its marker holds the rendered runtime values.
    assert "    qt: Typed packer-qt 10.0.2.2:" in result.stdout
    assert "--> qt: VM files in directory: output-qt" in result.stdout  # output_directory as written, as in Packer
    image = tmp_path / "output-qt" / "packer-qt"
    info = json.loads(subprocess.run(["qemu-img", "info", "--output=json", str(image)], capture_output=True,
                                     text=True, check=True).stdout)
    assert info["format"] == "qcow2" and "backing-filename" not in info  # compacted into one file
    assert no_vm_left(tmp_path)

    # Boot the output again (a second build from it, halted without a shutdown command).
    check = builder(str(image), "verify", output_directory="output-verify")
    template = write(tmp_path / "verify.json", {
        "builders": [check],
        "provisioners": [{"type": "shell", "inline": [
            "cat /root/typed-marker /root/fetched.txt /root/provisioned /root/upload.txt"]}],
    })
    result = cattle(venv_bin, "build", "-color=false", template, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    for line in ("served over http", "provisioned", "uploaded by file"):
        assert f"    verify: {line}" in result.stdout
    assert "==> verify: Halting the virtual machine..." in result.stdout
    assert no_vm_left(tmp_path)


def test_build_data_reaches_provisioners_and_post_processors(venv_bin, disk, tmp_path):
    # Issue #21: {{ build `PackerHTTPPort` }} read <no value>. Values as Packer 1.6.6 gives them on
    # this disk (compared by tests/compat/qemu): Host/Port where SSH connected, no ID for qemu.
    (tmp_path / "www").mkdir()
    (tmp_path / "www" / "hello.txt").write_text("served over http\n")
    template = write(tmp_path / "data.json", {
        "builders": [builder(disk, "qd", http_directory="www", shutdown_command="shutdown -P now")],
        "provisioners": [{"type": "shell", "inline": [
            "wget -q -O- http://{{ build `PackerHTTPIP` }}:{{ build `PackerHTTPPort` }}/hello.txt",
            "echo \"env=$PACKER_HTTP_ADDR build={{ build `PackerHTTPAddr` }}\"",
            "echo 'conn={{ build `ConnType` }} {{ build `User` }}@{{ build `Host` }}:{{ build `Port` }}'",
            "echo 'id={{ build `ID` }}'",
        ]}],
        "post-processors": [{"type": "shell-local", "inline": [
            "echo 'pp={{ build `PackerHTTPAddr` }} {{ build `User` }}@{{ build `Host` }}:{{ build `Port` }}'"]}],
    })
    result = cattle(venv_bin, "build", "-color=false", template, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "    qd: served over http" in result.stdout
    served = re.search(r"    qd: env=(10\.0\.2\.2:\d+) build=(\S+)\n", result.stdout)
    assert served and served.group(1) == served.group(2), result.stdout
    connected = re.search(r"SSH on 127\.0\.0\.1:(\d+)", result.stdout)
    assert connected, result.stdout
    port = connected.group(1)
    assert f"    qd: conn=ssh root@127.0.0.1:{port}\n" in result.stdout
    assert "    qd: id=ERR_ID_NOT_IMPLEMENTED_BY_BUILDER" in result.stdout
    # post-processor lines carry their type, as Packer prints them
    assert f"    qd (shell-local): pp={served.group(1)} root@127.0.0.1:{port}" in result.stdout
    assert no_vm_left(tmp_path)


def test_a_failure_at_each_phase_leaves_no_vm_and_no_output(venv_bin, disk, tmp_path):
    template = write(tmp_path / "failing.json", {"builders": [
        # boot: QEMU refuses its command line
        builder(disk, "fail-boot", qemuargs=[["-no-such-switch"]]),
        # a provisioner fails
        builder(disk, "fail-provision"),
        # the guest does not power off within shutdown_timeout
        builder(disk, "fail-shutdown", shutdown_command="true", shutdown_timeout="3s"),
    ], "provisioners": [
        {"type": "shell", "inline": ["exit 3"], "only": ["fail-provision"]},
        {"type": "shell", "inline": ["true"], "only": ["fail-shutdown"]},
    ]})
    result = cattle(venv_bin, "build", "-color=false", template, cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "QEMU failed to start" in output and "-no-such-switch" in output
    assert "==> fail-provision: Provisioning with shell script" in output
    assert "Timeout while waiting for machine to shut down" in output
    for name in ("fail-boot", "fail-provision", "fail-shutdown"):
        assert f"Build '{name}' errored" in output, output
        assert not (tmp_path / f"output-{name}").exists()
    assert no_vm_left(tmp_path)
