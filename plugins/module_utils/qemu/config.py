# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The qemu builder's configuration: Packer's option names, defaults and checks.

The plan already holds the config with Packer's weak typing applied (durations in seconds);
the module may also be called with a config directly, so values are coerced again here.
Errors name the option and say what was expected; all problems are reported at once.
"""

from __future__ import annotations

import os
import re

from ansible_collections.cattle.images.plugins.module_utils import vm
from ansible_collections.cattle.images.plugins.module_utils.durations import parse_go_duration
from ansible_collections.cattle.images.plugins.module_utils.errors import CattleError
from ansible_collections.cattle.images.plugins.module_utils.option_values import to_bool, to_int

ACCELERATORS = ("none", "kvm", "tcg", "hax", "hvf", "whpx", "xen")
FORMATS = ("qcow2", "raw")
DISK_INTERFACES = ("virtio", "ide", "scsi", "virtio-scsi", "nvme", "sata")
# UEFI firmware from Debian's ovmf package (Packer's defaults for efi_boot on Debian).
OVMF_CODE = "/usr/share/OVMF/OVMF_CODE.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS.fd"
# Runtime options that stay template text in the plan.
RUNTIME_OPTIONS = ("boot_command", "qemuargs")

DEFAULTS = {
    "iso_url": "",
    "iso_urls": [],
    "iso_checksum": "",
    "iso_target_path": "",
    "iso_target_extension": "iso",
    "iso_skip_cache": False,
    "accelerator": "",
    "disk_image": False,
    "use_backing_file": False,
    "skip_resize_disk": False,
    "disk_size": "40960M",
    "disk_additional_size": [],
    "format": "qcow2",
    "disk_interface": "virtio",
    "disk_cache": "writeback",
    "disk_discard": "ignore",
    "disk_detect_zeroes": "off",
    "disk_compression": False,
    "skip_compaction": False,
    "net_device": "virtio-net",
    "machine_type": "pc",
    "qemu_binary": "qemu-system-x86_64",
    "qemuargs": [],
    "qemu_img_args": {},
    "cpus": 1,
    "memory": 512,
    "headless": False,
    "display": "",
    "use_default_display": False,
    "disable_vnc": False,
    "vnc_bind_address": "127.0.0.1",
    "vnc_port_min": 5900,
    "vnc_port_max": 6000,
    "qmp_enable": False,
    "qmp_socket_path": "",
    "vm_name": "",
    "output_directory": "",
    "cdrom_interface": "",
    "boot_command": [],
    "boot_wait": 10.0,
    "boot_key_interval": None,
    "host_port_min": 2222,
    "host_port_max": 4444,
    "skip_nat_mapping": False,
    "http_directory": "",
    "http_content": {},
    "http_port_min": 8000,
    "http_port_max": 9000,
    "http_bind_address": "",
    "shutdown_command": "",
    "shutdown_timeout": 300.0,
    "firmware": "",
    "efi_boot": False,
    "efi_firmware_code": "",
    "efi_firmware_vars": "",
    "communicator": "ssh",
    "ssh_port": 22,
    "winrm_port": 5985,
}

_BOOL = {"iso_skip_cache", "disk_image", "use_backing_file", "skip_resize_disk", "disk_compression",
         "skip_compaction", "headless", "use_default_display", "disable_vnc", "qmp_enable", "skip_nat_mapping",
         "efi_boot"}
_INT = {"cpus", "memory", "vnc_port_min", "vnc_port_max", "host_port_min", "host_port_max", "http_port_min",
        "http_port_max", "ssh_port", "winrm_port"}
_DURATION = {"boot_wait", "shutdown_timeout", "boot_key_interval"}
_LIST = {"iso_urls", "disk_additional_size", "boot_command"}
_MAP = {"http_content", "qemu_img_args"}
# Accepted and ignored here (communicator keys, options of other features we do not offer).
_IGNORED_PREFIXES = ("ssh_", "winrm_", "packer_")
_IGNORED = {"type", "name", "pause_before_connecting", "ssh_host_port_min", "ssh_host_port_max"}
# Packer options this builder does not offer yet: an error when set, never silently ignored.
_UNSUPPORTED = {"floppy_files", "floppy_dirs", "floppy_label", "cd_files", "cd_label", "net_bridge",
                "vnc_use_password", "cpu_model", "sockets", "cores", "threads", "vga", "vtpm", "use_pflash",
                "tpm_device_type", "boot_steps"}

_SIZE = re.compile(r"^\s*(\d+)\s*([KMGT]i?B?|[kmgt]|B)?\s*$", re.IGNORECASE)
_GO_DURATION = re.compile(r"(-?\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


class ConfigError(CattleError, ValueError):
    """One or more problems with the builder's configuration; ``str()`` lists them all."""

    def __init__(self, problems, where="qemu builder"):
        self.problems = list(problems)
        super().__init__(f"{where}: " + "; ".join(self.problems))


def normalize(raw, build_name="qemu", where="qemu builder", cwd=None, force=False):
    """Checked config with Packer's defaults filled in. Raises :class:`ConfigError`."""
    if not isinstance(raw, dict):
        raise ConfigError([f"the builder config must be a mapping, got {type(raw).__name__}"], where)
    problems = []
    config = dict(DEFAULTS)
    config["http_content"] = {}
    for key, value in raw.items():
        if key in _IGNORED or (key.startswith(_IGNORED_PREFIXES) and key not in ("ssh_port", "winrm_port")):
            if key in ("ssh_host_port_min", "ssh_host_port_max"):  # Packer's old names
                key = key.removeprefix("ssh_")
            else:
                continue
        if key in _UNSUPPORTED:
            if value not in (None, "", [], {}, False, 0):
                problems.append(f"{key} is not supported by this qemu builder yet; remove it (or use qemuargs)")
            continue
        if key not in DEFAULTS:
            problems.append(f"unknown configuration key: {key!r}")
            continue
        try:
            config[key] = _coerce(key, value)
        except ValueError as exc:
            problems.append(str(exc))
    cwd = cwd or os.getcwd()

    if config["accelerator"] and config["accelerator"] not in ACCELERATORS:
        problems.append(f"accelerator {config['accelerator']!r}: expected one of {', '.join(ACCELERATORS)}")
    if config["format"] not in FORMATS:
        problems.append(f"format {config['format']!r}: expected one of {', '.join(FORMATS)}")
    if config["disk_interface"] not in DISK_INTERFACES:
        problems.append(f"disk_interface {config['disk_interface']!r}: expected one of {', '.join(DISK_INTERFACES)}")
    if config["use_backing_file"] and not (config["disk_image"] and config["format"] == "qcow2"):
        problems.append("use_backing_file can only be enabled for QCOW2 images and when disk_image is true")
    if config["format"] == "raw" and config["disk_compression"]:
        problems.append("disk_compression is only possible with the qcow2 format")
    try:
        config["disk_size_mb"] = disk_size_mb(config["disk_size"])
        config["additional_disk_mb"] = [disk_size_mb(size) for size in config["disk_additional_size"]]
    except ValueError as exc:
        problems.append(str(exc))
    if config["iso_url"] and config["iso_urls"]:
        problems.append("Only one of iso_url or iso_urls may be specified")
    urls = config["iso_urls"] or ([config["iso_url"]] if config["iso_url"] else [])
    if not urls:
        problems.append("One of iso_url or iso_urls must be specified")
    if not config["iso_checksum"]:
        problems.append('iso_checksum is required: give "<type>:<hex>", "file:<url>" or "none"')
    config["urls"] = urls
    for low, high in (("vnc_port_min", "vnc_port_max"), ("host_port_min", "host_port_max"),
                      ("http_port_min", "http_port_max")):
        if not 0 < config[low] <= config[high] <= 65535:
            problems.append(f"{low} ({config[low]}) must be a port no greater than {high} ({config[high]})")
    if config["cpus"] < 1:
        problems.append(f"cpus must be at least 1, not {config['cpus']}")
    if config["memory"] < 16:
        problems.append(f"memory is in MiB and must be at least 16, not {config['memory']}")
    if config["http_directory"] and config["http_content"]:
        problems.append("http_directory and http_content cannot both be set: choose one")
    if config["http_directory"]:
        config["http_directory"] = _absolute(config["http_directory"], cwd)
        if not os.path.isdir(config["http_directory"]):
            problems.append(f"http_directory {config['http_directory']}: no such directory")
    if config["communicator"] not in ("ssh", "winrm", "none"):
        problems.append(f"communicator {config['communicator']!r}: expected ssh, winrm or none")
    if config["firmware"]:
        config["firmware"] = _absolute(config["firmware"], cwd)
        if not os.path.isfile(config["firmware"]):
            problems.append(f"firmware {config['firmware']}: no such file (Debian's ovmf package installs "
                            "/usr/share/ovmf/OVMF.fd)")

    if config["efi_boot"]:
        config["efi_firmware_code"] = _absolute(config["efi_firmware_code"] or OVMF_CODE, cwd)
        config["efi_firmware_vars"] = _absolute(config["efi_firmware_vars"] or OVMF_VARS, cwd)
        for key in ("efi_firmware_code", "efi_firmware_vars"):
            if not os.path.isfile(config[key]):
                problems.append(f"{key} {config[key]}: no such file (install Debian's ovmf package)")
    config["vm_name"] = config["vm_name"] or f"packer-{build_name}"
    if "/" in config["vm_name"]:
        problems.append(f"vm_name {config['vm_name']!r} must be a file name, without '/'")
    # The artifact names its files under the directory as written (Packer's manifest shows them so);
    # everything the builder opens uses the absolute path.
    config["output_directory_as_written"] = config["output_directory"] or f"output-{build_name}"
    config["output_directory"] = _absolute(config["output_directory_as_written"], cwd)
    config["boot_key_interval"] = _key_interval(config["boot_key_interval"])
    config["boot_wait"] = vm.boot_wait(config["boot_wait"])
    config["comm_port"] = config["winrm_port"] if config["communicator"] == "winrm" else config["ssh_port"]
    config["force"] = bool(force)
    if problems:
        raise ConfigError(problems, where)
    return config


def _key_interval(configured):
    """Packer's VNC typist: a positive boot_key_interval, else PACKER_KEY_INTERVAL when it is a
    duration (anything else there is ignored), else 100ms."""
    if configured and configured > 0:
        return configured
    try:
        interval = parse_go_duration(os.environ.get("PACKER_KEY_INTERVAL", ""))
    except ValueError:
        return 0.1
    return max(interval, 0.0)


def _absolute(path, cwd):
    path = os.path.expanduser(path)
    return os.path.normpath(path if os.path.isabs(path) else os.path.join(cwd, path))


def disk_size_mb(value):
    """Packer's disk_size: a bare number is MiB; K/M/G/T suffixes (qemu-img's) are accepted."""
    text = str(value)
    match = _SIZE.match(text)
    if not match:
        raise ValueError(f"disk_size {text!r}: expected a size such as 40960M, 20G or a number of MiB")
    number = int(match.group(1))
    unit = (match.group(2) or "M").upper()[:1]
    factor = {"B": 1 / (1 << 20), "K": 1 / 1024, "M": 1, "G": 1024, "T": 1 << 20}[unit]
    size = number * factor
    if size < 1:
        raise ValueError(f"disk_size {text!r} is smaller than 1 MiB")
    return int(size)


def _duration(key, value):
    if isinstance(value, bool):
        raise ValueError(f"{key}: expected a duration such as 10s or 5m, got {value!r}")
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip()
    if text == "" or text == "0":
        return 0.0
    position, total = 0, 0.0
    while position < len(text):
        match = _GO_DURATION.match(text, position)
        if not match:
            raise ValueError(f"{key}: expected a duration such as 10s, 1m30s or 500ms, got {value!r}")
        total += float(match.group(1)) * _UNITS[match.group(2)]
        position = match.end()
    return total


def _coerce(key, value):
    if key in _BOOL:
        return to_bool(key, value)
    if key in _INT:
        return to_int(key, value)
    if key in _DURATION:
        return _duration(key, value)
    if key in _LIST:
        if value is None or value == "":
            return []
        if isinstance(value, str):
            return [value] if key == "boot_command" else value.split(",")
        if isinstance(value, (list, tuple)) and all(isinstance(item, (str, int, float)) for item in value):
            return [str(item) for item in value]
        raise ValueError(f"{key}: expected a list of strings, got {value!r}")
    if key in _MAP:
        if value is None:
            return {}
        if isinstance(value, dict):
            return {str(k): (v if key == "qemu_img_args" else str(v)) for k, v in value.items()}
        raise ValueError(f"{key}: expected a mapping, got {value!r}")
    if key == "qemuargs":
        if value is None:
            return []
        if isinstance(value, list) and all(isinstance(row, list) and row and all(
                isinstance(item, (str, int, float)) for item in row) for row in value):
            return [[str(item) for item in row] for row in value]
        raise ValueError('qemuargs: expected a list of non-empty lists of strings, e.g. [["-m", "1024M"]]')
    if value is None:
        return ""
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value)
    raise ValueError(f"{key}: expected a string, got {value!r}")
