"""The qemu builder's options: Packer's defaults and checks."""

from __future__ import annotations

import pytest

from ansible_collections.cattle.images.plugins.module_utils.qemu.config import ConfigError, disk_size_mb, normalize

BASE = {"iso_url": "disk.qcow2", "iso_checksum": "none"}


def test_packer_defaults(tmp_path):
    config = normalize(dict(BASE), build_name="deb", cwd=str(tmp_path))
    assert config["vm_name"] == "packer-deb"
    assert config["output_directory"] == str(tmp_path / "output-deb")
    assert config["format"] == "qcow2" and config["disk_interface"] == "virtio" and config["net_device"] == "virtio-net"
    assert config["disk_size_mb"] == 40960 and config["memory"] == 512 and config["cpus"] == 1
    assert config["boot_wait"] == 10.0 and config["shutdown_timeout"] == 300.0 and config["boot_key_interval"] == 0.1
    assert (config["host_port_min"], config["host_port_max"]) == (2222, 4444)
    assert (config["vnc_port_min"], config["vnc_port_max"]) == (5900, 6000)
    assert (config["http_port_min"], config["http_port_max"]) == (8000, 9000)
    assert config["accelerator"] == "" and config["comm_port"] == 22 and config["urls"] == ["disk.qcow2"]


def test_weak_typing_and_durations():
    config = normalize(dict(BASE, cpus="2", headless="true", boot_wait="1m30s", shutdown_timeout=12,
                            disk_size=2048, ssh_host_port_min=3000, ssh_host_port_max="3001"))
    assert config["cpus"] == 2 and config["headless"] is True and config["boot_wait"] == 90.0
    assert config["shutdown_timeout"] == 12.0 and config["disk_size_mb"] == 2048
    assert (config["host_port_min"], config["host_port_max"]) == (3000, 3001)


@pytest.mark.parametrize("size, mb", [("40960M", 40960), ("20G", 20480), ("512", 512), ("1T", 1 << 20),
                                      ("1048576K", 1024)])
def test_disk_size(size, mb):
    assert disk_size_mb(size) == mb


def test_every_problem_is_reported_at_once():
    with pytest.raises(ConfigError) as caught:
        normalize({"accelerator": "warp", "format": "vmdk", "use_backing_file": True, "disk_size": "big",
                   "bogus": 1, "cpus": "x", "vnc_port_min": 7000, "vnc_port_max": 6000})
    text = str(caught.value)
    for expected in ("accelerator 'warp'", "format 'vmdk'", "use_backing_file can only be enabled for QCOW2",
                     "disk_size 'big'", "unknown configuration key: 'bogus'", "cpus: expected a whole number",
                     "One of iso_url or iso_urls must be specified", "iso_checksum is required",
                     "vnc_port_min (7000)"):
        assert expected in text
    assert text.startswith("qemu builder: ")


def test_http_options(tmp_path):
    with pytest.raises(ConfigError, match="http_directory .*: no such directory"):
        normalize(dict(BASE, http_directory="www"), cwd=str(tmp_path))
    (tmp_path / "www").mkdir()
    assert normalize(dict(BASE, http_directory="www"), cwd=str(tmp_path))["http_directory"] == str(tmp_path / "www")
    with pytest.raises(ConfigError, match="cannot both be set"):
        normalize(dict(BASE, http_directory="www", http_content={"a": "b"}), cwd=str(tmp_path))


def test_iso_url_and_iso_urls_exclusive():
    with pytest.raises(ConfigError, match="Only one of iso_url or iso_urls"):
        normalize(dict(BASE, iso_urls=["a", "b"]))


def test_firmware_must_exist(tmp_path):
    with pytest.raises(ConfigError, match="ovmf"):
        normalize(dict(BASE, firmware="/nonexistent/OVMF.fd"))


def test_communicator_keys_are_accepted_and_winrm_port_used():
    config = normalize(dict(BASE, communicator="winrm", winrm_username="u", ssh_timeout="5m"))
    assert config["comm_port"] == 5985


def test_efi_boot_firmware_must_exist(tmp_path):
    with pytest.raises(ConfigError, match="efi_firmware_code .*none.fd: no such file"):
        normalize(dict(BASE, efi_boot=True, efi_firmware_code=str(tmp_path / "none.fd")))


def test_options_not_offered_yet_are_errors_when_set():
    assert normalize(dict(BASE, floppy_files=[], net_bridge=""))  # unset: fine
    with pytest.raises(ConfigError, match="floppy_files is not supported by this qemu builder yet"):
        normalize(dict(BASE, floppy_files=["a.cfg"]))


@pytest.mark.parametrize("configured, env, expected", [
    (None, None, 0.1), ("0s", None, 0.1), ("0s", "20ms", 0.02), ("250ms", "20ms", 0.25),
    (None, "not-a-duration", 0.1), (None, "0", 0.0),
])
def test_boot_key_interval_as_packers_vnc_typist(monkeypatch, configured, env, expected):
    # Packer: a positive boot_key_interval wins, else PACKER_KEY_INTERVAL when it parses, else 100ms
    if env is None:
        monkeypatch.delenv("PACKER_KEY_INTERVAL", raising=False)
    else:
        monkeypatch.setenv("PACKER_KEY_INTERVAL", env)
    raw = {"iso_url": "x.iso", "iso_checksum": "none"}
    if configured is not None:
        raw["boot_key_interval"] = configured
    assert normalize(raw, build_name="b", cwd="/tmp")["boot_key_interval"] == expected
