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
from ansible_collections.cattle.images.plugins.module_utils.durations import key_interval
from ansible_collections.cattle.images.plugins.module_utils.option_values import (
    ConfigError,
    read_option,
    read_options,
    to_list,
    to_rows,
)
from ansible_collections.cattle.images.plugins.module_utils.template.builder_checks import (
    absolute_path,
    spec_problems,
    vm_problems,
)
from ansible_collections.cattle.images.plugins.module_utils.template.schemas.builders import BUILDERS

# UEFI firmware from Debian's ovmf package (Packer's defaults for efi_boot on Debian).
OVMF_CODE = "/usr/share/OVMF/OVMF_CODE.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS.fd"
# Runtime options that stay template text in the plan.
RUNTIME_OPTIONS = ("boot_command", "qemuargs")

QEMU_SPEC = BUILDERS["qemu"]
DEFAULTS = QEMU_SPEC["defaults"]
ACCELERATORS = QEMU_SPEC["enums"]["accelerator"]
FORMATS = QEMU_SPEC["enums"]["format"]
DISK_INTERFACES = QEMU_SPEC["enums"]["disk_interface"]
# Packer's checks this builder makes its own way: ports (also no greater than 65535), disk sizes.
_OWN_CHECKS = ("http_port_min", "host_port_min", "vnc_port_min", "disk_size")

# Packer's old names for the host port range.
_ALIASES = {"ssh_host_port_min": "host_port_min", "ssh_host_port_max": "host_port_max"}
# Packer options this builder does not offer yet: an error when set, never silently ignored.
_UNSUPPORTED = {key: f"{key} is not supported by this qemu builder yet; remove it (or use qemuargs)" for key in (
    "floppy_files", "floppy_dirs", "floppy_label", "cd_files", "cd_label", "net_bridge", "vnc_use_password",
    "cpu_model", "sockets", "cores", "threads", "vga", "vtpm", "use_pflash", "tpm_device_type", "boot_steps")}

_SIZE = re.compile(r"^\s*(\d+)\s*([KMGT]i?B?|[kmgt]|B)?\s*$", re.IGNORECASE)


def normalize(raw, build_name="qemu", where="qemu builder", cwd=None, force=False):
    """Checked config with Packer's defaults filled in. Raises :class:`ConfigError`."""
    if not isinstance(raw, dict):
        raise ConfigError([f"the builder config must be a mapping, got {type(raw).__name__}"], where)
    problems = []
    config = read_options(raw, DEFAULTS, _coerce, problems, aliases=_ALIASES, unsupported=_UNSUPPORTED)
    cwd = cwd or os.getcwd()

    if config["accelerator"] and config["accelerator"] not in ACCELERATORS:
        problems.append(f"accelerator {config['accelerator']!r}: expected one of {', '.join(ACCELERATORS)}")
    if config["format"] not in FORMATS:
        problems.append(f"format {config['format']!r}: expected one of {', '.join(FORMATS)}")
    if config["disk_interface"] not in DISK_INTERFACES:
        problems.append(f"disk_interface {config['disk_interface']!r}: expected one of {', '.join(DISK_INTERFACES)}")
    problems.extend(spec_problems(QEMU_SPEC, config, cwd, skip=_OWN_CHECKS))  # as `cattle validate` words them
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
    problems.extend(vm_problems(config, cwd, (("vnc_port_min", "vnc_port_max"), ("host_port_min", "host_port_max"),
                                              ("http_port_min", "http_port_max"))))
    if config["cpus"] < 1:
        problems.append(f"cpus must be at least 1, not {config['cpus']}")
    if config["memory"] < 16:
        problems.append(f"memory is in MiB and must be at least 16, not {config['memory']}")
    if config["firmware"]:
        config["firmware"] = absolute_path(config["firmware"], cwd)
        if not os.path.isfile(config["firmware"]):
            problems.append(f"firmware {config['firmware']}: no such file (Debian's ovmf package installs "
                            "/usr/share/ovmf/OVMF.fd)")

    if config["efi_boot"]:
        config["efi_firmware_code"] = absolute_path(config["efi_firmware_code"] or OVMF_CODE, cwd)
        config["efi_firmware_vars"] = absolute_path(config["efi_firmware_vars"] or OVMF_VARS, cwd)
        for key in ("efi_firmware_code", "efi_firmware_vars"):
            if not os.path.isfile(config[key]):
                problems.append(f"{key} {config[key]}: no such file (install Debian's ovmf package)")
    config["vm_name"] = config["vm_name"] or f"packer-{build_name}"
    if "/" in config["vm_name"]:
        problems.append(f"vm_name {config['vm_name']!r} must be a file name, without '/'")
    # The artifact names its files under the directory as written (Packer's manifest shows them so);
    # everything the builder opens uses the absolute path.
    config["output_directory_as_written"] = config["output_directory"] or f"output-{build_name}"
    config["output_directory"] = absolute_path(config["output_directory_as_written"], cwd)
    config["boot_key_interval"] = key_interval(config["boot_key_interval"])
    config["boot_wait"] = vm.boot_wait(config["boot_wait"])
    config["comm_port"] = config["winrm_port"] if config["communicator"] == "winrm" else config["ssh_port"]
    config["force"] = bool(force)
    if problems:
        raise ConfigError(problems, where)
    return config


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


def _coerce(key, value):
    """A value read by its type in the qemu builder's spec."""
    if key == "boot_command":
        return to_list(key, value, split=False)
    if key == "qemuargs":
        return to_rows(key, value, '[["-m", "1024M"]]', non_empty=True)
    return read_option(QEMU_SPEC["options"][key], key, value)
