"""The qemu builder's steps that need no VM: output directory, display, ports, disks, cleanup."""

from __future__ import annotations

import shutil
import socket

import pytest

from ansible_collections.cattle.images.plugins.module_utils.ledger import Ledger
from ansible_collections.cattle.images.plugins.module_utils.qemu import builder, disk
from ansible_collections.cattle.images.plugins.module_utils.qemu.config import normalize

needs_qemu_img = pytest.mark.skipif(shutil.which("qemu-img") is None, reason="qemu-img is not installed")


def config_for(tmp_path, **options):
    return normalize(dict({"iso_url": "x.iso", "iso_checksum": "none"}, **options), build_name="b", cwd=str(tmp_path))


def test_an_existing_output_directory_is_refused_unless_forced(tmp_path):
    (tmp_path / "output-b").mkdir()
    (tmp_path / "output-b" / "old").write_text("x")
    with pytest.raises(builder.QemuError, match="Output directory exists: .*output-b. Use the force flag"):
        builder.prepare_output_directory(config_for(tmp_path), "b", None)
    ledger = Ledger(str(tmp_path / "ledger.jsonl"))
    builder.prepare_output_directory(config_for(tmp_path) | {"force": True}, "b", ledger)
    assert list((tmp_path / "output-b").iterdir()) == []
    assert [entry["kind"] for entry in ledger.entries()] == ["qemu_output_directory"]
    assert ledger.sweep() == [] and not (tmp_path / "output-b").exists()


def test_no_display_means_headless_with_a_note(tmp_path):
    config = config_for(tmp_path)
    headless, note = builder.headless_setting(config, {})
    assert headless is True and "no display" in note
    assert builder.headless_setting(config, {"DISPLAY": ":0"}) == (False, "")
    assert builder.headless_setting(config_for(tmp_path, headless=True), {}) == (True, "")


def test_free_port_skips_busy_ports():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        port = busy.getsockname()[1]
        with pytest.raises(builder.QemuError, match="no free port"):
            builder.free_port(port, port)
        assert builder.free_port(port, port + 1) == port + 1


@needs_qemu_img
def test_disks_created_copied_backed_resized_and_compacted(tmp_path):
    source = tmp_path / "source.qcow2"
    disk.create(str(source), "qcow2", 64)
    empty = config_for(tmp_path, disk_size="32M")
    empty["output_directory"] = str(tmp_path / "out1")
    (tmp_path / "out1").mkdir()
    path = builder.prepare_disk(empty, "unused.iso", [])
    assert disk.info(path)["virtual-size"] == 32 << 20

    notes = []
    backed = config_for(tmp_path, disk_image=True, use_backing_file=True, disk_size="128M",
                        disk_additional_size=["16M"])
    backed["output_directory"] = str(tmp_path / "out2")
    (tmp_path / "out2").mkdir()
    path = builder.prepare_disk(backed, str(source), notes)
    info = disk.info(path)
    assert info["backing-filename"] == str(source) and info["virtual-size"] == 128 << 20
    assert notes == ["Resized the disk to 128M"]
    assert disk.info(str(tmp_path / "out2" / "packer-b-1"))["virtual-size"] == 16 << 20

    backed["output_directory_as_written"] = "out2"
    artifact = builder.capture(backed, "b", "tcg")
    assert "backing-filename" not in disk.info(path)  # compaction flattens the overlay
    assert artifact["id"] == "VM"  # Packer's qemu artifact id
    # named under the directory as written (Packer's manifest shows them so)
    assert artifact["files"] == ["out2/packer-b", "out2/packer-b-1"]
    assert artifact["string"] == "VM files in directory: out2"
    assert artifact["metadata"] == {"diskName": "packer-b", "diskType": "qcow2", "diskSize": "128M",
                                    "domainType": "tcg"}

    copied = config_for(tmp_path, disk_image=True, format="raw", disk_size="32M")
    copied["output_directory"] = str(tmp_path / "out3")
    (tmp_path / "out3").mkdir()
    path = builder.prepare_disk(copied, str(source), [])
    assert disk.info(path)["format"] == "raw" and disk.info(path)["virtual-size"] == 64 << 20  # never shrunk


def test_remove_is_idempotent_and_keeps_a_good_output(tmp_path):
    out = tmp_path / "output-b"
    out.mkdir()
    assert builder.remove("nosuchbuild", str(out), keep_output=True) is False
    assert out.is_dir()
    assert builder.remove("nosuchbuild", str(out), keep_output=False) is True
    assert not out.exists()


def test_packer_notes_on_the_disk_copy_and_a_headless_vm(tmp_path):
    config = config_for(tmp_path, disk_image=True)
    assert builder._copies_without_conversion(config, "/images/base.qcow2")
    assert not builder._copies_without_conversion(config, "/images/base.img")
    assert not builder._copies_without_conversion(dict(config, use_backing_file=True), "/images/base.qcow2")
    # Packer names the VNC display (port - vnc_port_min), as QEMU's -vnc does.
    assert builder.vnc_note(dict(config, vnc_bind_address="127.0.0.1", vnc_port_min=5900), 5918).splitlines() == [
        "The VM will be run headless, without a GUI. If you want to",
        "view the screen of the VM, connect via VNC without a password to",
        "vnc://127.0.0.1:18",
    ]
    assert builder.vnc_note(config, 0).startswith("The VM will be run headless, without a GUI, as configured.")


def test_output_directory_is_kept_as_written_beside_its_absolute_path(tmp_path):
    written = config_for(tmp_path, output_directory="out")
    assert written["output_directory_as_written"] == "out"
    assert written["output_directory"] == str(tmp_path / "out")
    default = config_for(tmp_path)
    assert default["output_directory_as_written"] == "output-b"


@needs_qemu_img
def test_a_source_in_the_output_format_is_copied_byte_for_byte(tmp_path):
    # Packer's copy-disk step copies the file when its extension names the output format, so the
    # output keeps the source's layout (a `qemu-img convert` would rewrite it, and change its size).
    source = tmp_path / "source.qcow2"
    disk.create(str(source), "qcow2", 64)
    with open(source, "ab") as handle:
        handle.write(b"\0" * 65536)  # a layout qemu-img convert would not reproduce
    copied = config_for(tmp_path, disk_image=True, format="qcow2", disk_size="64M")
    copied["output_directory"] = str(tmp_path / "out")
    (tmp_path / "out").mkdir()
    path = builder.prepare_disk(copied, str(source), [])
    assert open(path, "rb").read() == source.read_bytes()
