# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The virtualbox-iso / virtualbox-ovf builders' configuration: Packer's option names, defaults, checks.

The plan already holds the config with Packer's weak typing applied (durations in seconds);
the module may also be called with a config directly, so values are coerced again here.
Errors name the option and say what was expected; all problems are reported at once.
Pure Python, no Ansible import.
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

ISO = "virtualbox-iso"
OVF = "virtualbox-ovf"
TYPES = (ISO, OVF)

HARD_DRIVE_INTERFACES = ("ide", "sata", "scsi", "pcie", "virtio")
ISO_INTERFACES = ("ide", "sata", "virtio")
NIC_TYPES = ("82540EM", "82543GC", "82545EM", "Am79C970A", "Am79C973", "Am79C960", "virtio")
GFX_CONTROLLERS = ("vboxvga", "vboxsvga", "vmsvga", "none")
AUDIO_CONTROLLERS = ("ac97", "hda", "sb16")
# Runtime options that stay template text in the plan.
RUNTIME_OPTIONS = ("boot_command", "vboxmanage", "vboxmanage_post", "guest_additions_path", "guest_additions_url")

_OWN_CHECKS = ("http_port_min", "host_port_min", "vrdp_port_min", "iso_interface")
_OPTION_TYPES = {**BUILDERS[OVF]["options"], **BUILDERS[ISO]["options"]}
# Packer's old names, still real fields of the virtualbox builders.
_ALIASES = {"ssh_host_port_min": "host_port_min", "ssh_host_port_max": "host_port_max",
            "ssh_skip_nat_mapping": "skip_nat_mapping"}
# Packer options this builder does not offer: an error when set, never silently ignored.
_UNSUPPORTED = {
    "floppy_files": "floppy disks are not supported; serve the files with http_directory or http_content",
    "floppy_dirs": "floppy disks are not supported; serve the files with http_directory or http_content",
    "floppy_label": "floppy disks are not supported",
    "floppy_content": "floppy disks are not supported; serve the files with http_content",
    "cd_files": "cd_files is not supported; serve the files with http_directory or http_content",
    "cd_content": "cd_content is not supported; serve the files with http_content",
    "cd_label": "cd_files is not supported",
    "export_manifest": "export_manifest is not supported; add \"--manifest\" to export_opts",
    "ssh_listen_address": "ssh_listen_address is not supported; the port forward listens on 127.0.0.1",
}

_RESOLUTION = re.compile(r"^\d+x\d+$")


def normalize(raw, builder_type=ISO, build_name="virtualbox", where=None, cwd=None, force=False, environ=None):
    """Checked config with Packer's defaults filled in. Raises :class:`ConfigError`."""
    where = where or f"{builder_type} builder"
    if builder_type not in TYPES:
        raise ConfigError([f"builder type {builder_type!r}: expected one of {', '.join(TYPES)}"], where)
    if not isinstance(raw, dict):
        raise ConfigError([f"the builder config must be a mapping, got {type(raw).__name__}"], where)
    defaults = BUILDERS[builder_type]["defaults"]
    other = BUILDERS[OVF if builder_type == ISO else ISO]["defaults"]
    problems = []

    def unknown(key):
        if key not in other:
            return f"unknown configuration key: {key!r}"
        return f"{key} is not an option of the {builder_type} builder" + (
            " (set the imported VM's hardware with vboxmanage)" if builder_type == OVF else "")

    config = read_options(raw, defaults, _coerce, problems, aliases=_ALIASES, unsupported=_UNSUPPORTED,
                          ignored=("disable_vnc",), unknown=unknown)
    cwd = cwd or os.getcwd()
    environ = os.environ if environ is None else environ

    _check_common(config, builder_type, build_name, cwd, environ, problems)
    if builder_type == ISO:
        _check_iso(config, problems)
    else:
        _check_ovf(config, problems)
    config["type"] = builder_type
    config["force"] = bool(force)
    config["cwd"] = cwd
    if problems:
        raise ConfigError(problems, where)
    return config


def _check_common(config, builder_type, build_name, cwd, environ, problems):
    spec = BUILDERS[builder_type]
    for key in ("format", "guest_additions_mode"):
        _choice(config, key, spec["enums"][key], problems, spec["enum_messages"][key])
    # Packer's value checks, as `cattle validate` makes them (the ports and the ISO interface
    # are checked below, more strictly or more widely than Packer 1.6.6 does).
    problems.extend(spec_problems(spec, config, cwd, skip=_OWN_CHECKS))
    if config["virtualbox_version_file"] is None:
        config["virtualbox_version_file"] = ".vbox_version"
    problems.extend(vm_problems(config, cwd, (("http_port_min", "http_port_max"), ("host_port_min", "host_port_max"),
                                              ("vrdp_port_min", "vrdp_port_max"))))
    for key in ("vboxmanage", "vboxmanage_post"):
        for index, row in enumerate(config[key]):
            if not row:
                problems.append(f"{key}[{index}] is empty: each row is a VBoxManage command line, "
                                'e.g. ["modifyvm", "{{.Name}}", "--memory", "1024"]')
    config["vm_name"] = config["vm_name"] or f"packer-{build_name}"
    if "/" in config["vm_name"]:
        problems.append(f"vm_name {config['vm_name']!r} must be a name, without '/'")
    if "/" in config["output_filename"]:
        problems.append(f"output_filename {config['output_filename']!r} must be a file name, without '/'")
    config["output_directory"] = absolute_path(config["output_directory"] or f"output-{build_name}", cwd)
    config["boot_keygroup_interval"] = key_interval(config["boot_keygroup_interval"], environ)
    config["boot_wait"] = vm.boot_wait(config["boot_wait"])
    config["guest_additions_sha256"] = config["guest_additions_sha256"].lower()
    if config["guest_additions_sha256"] and not re.fullmatch(r"[0-9a-f]{64}", config["guest_additions_sha256"]):
        problems.append("guest_additions_sha256 must be a SHA-256 checksum (64 hex digits)")
    if config["winrm_port"] is None:
        config["winrm_port"] = 5986 if config["winrm_use_ssl"] else 5985
    config["comm_port"] = config["winrm_port"] if config["communicator"] == "winrm" else config["ssh_port"]
    config["forward_port"] = config["communicator"] != "none" and not config["skip_nat_mapping"]


def _check_iso(config, problems):
    if config["iso_url"] and config["iso_urls"]:
        problems.append("Only one of iso_url or iso_urls may be specified")
    config["urls"] = config["iso_urls"] or ([config["iso_url"]] if config["iso_url"] else [])
    if not config["urls"]:
        problems.append("One of iso_url or iso_urls must be specified")
    if not config["iso_checksum"]:
        problems.append('iso_checksum is required: give "<type>:<hex>", "file:<url>" or "none"')
    _choice(config, "hard_drive_interface", HARD_DRIVE_INTERFACES, problems,
            "hard_drive_interface can only be ide, sata, pcie, scsi or virtio")
    _choice(config, "iso_interface", ISO_INTERFACES, problems, "iso_interface can only be ide, sata or virtio")
    config["guest_additions_interface"] = config["guest_additions_interface"] or config["iso_interface"]
    _choice(config, "guest_additions_interface", ISO_INTERFACES, problems,
            "guest_additions_interface can only be ide, sata or virtio")
    _choice(config, "chipset", ("piix3", "ich9"), problems, "chipset can only be piix3 or ich9")
    _choice(config, "firmware", ("bios", "efi"), problems, "firmware can only be bios or efi")
    _choice(config, "rtc_time_base", ("UTC", "local"), problems, "rtc_time_base can only be UTC or local")
    _choice(config, "nic_type", NIC_TYPES, problems,
            "NIC type can only be 82540EM, 82543GC, 82545EM, Am79C970A, Am79C973, Am79C960 or virtio")
    if config["gfx_controller"]:
        _choice(config, "gfx_controller", GFX_CONTROLLERS, problems,
                "Graphics controller type can only be vboxvga, vboxsvga, vmsvga, none")
    if config["gfx_vram_size"] == 0:
        config["gfx_vram_size"] = 4
    elif not 1 <= config["gfx_vram_size"] <= 128:
        problems.append("VGRAM size must be from 0 (use default) to 128")
    if config["gfx_efi_resolution"] and not _RESOLUTION.match(config["gfx_efi_resolution"]):
        problems.append("EFI resolution must be in the format WIDTHxHEIGHT, e.g. 1920x1080")
    _choice(config, "audio_controller", AUDIO_CONTROLLERS, problems,
            "Audio controller type can only be ac97, hda or sb16")
    config["sound"] = config["sound"] or "none"
    config["cpus"] = config["cpus"] or 1
    config["memory"] = config["memory"] or 512
    if config["disk_size"] < 0:
        problems.append(f"disk_size is in MiB and must be positive, not {config['disk_size']}")
    config["disk_size"] = config["disk_size"] or 40000
    try:
        config["disk_additional_size"] = [int(size) for size in config["disk_additional_size"]]
        if any(size <= 0 for size in config["disk_additional_size"]):
            raise ValueError
    except ValueError:
        problems.append("disk_additional_size: expected a list of sizes in MiB, e.g. [1024, 2048]")
    config["sata_port_count"] = config["sata_port_count"] or 1
    config["nvme_port_count"] = config["nvme_port_count"] or 1


def _check_ovf(config, problems):
    if not config["source_path"]:
        problems.append("source_path is required")
    # Packer's old split form (packer fix joins them): checksum_type + checksum.
    kind = config["checksum_type"].lower()
    if kind == "none":
        config["checksum"] = "none"
    elif kind and config["checksum"] and ":" not in config["checksum"]:
        config["checksum"] = f"{kind}:{config['checksum']}"
    # Packer downloads an OVF/OVA without a checksum unverified.
    config["checksum"] = config["checksum"] or "none"
    config["guest_additions_interface"] = config["guest_additions_interface"] or "ide"
    _choice(config, "guest_additions_interface", ISO_INTERFACES, problems,
            "guest_additions_interface can only be ide, sata or virtio")
    config["import_flags"] = list(config["import_flags"])
    if config["import_opts"]:
        config["import_flags"] += ["--options", config["import_opts"]]


def _choice(config, key, allowed, problems, message):
    if config[key] not in allowed:
        problems.append(f"{message} (got {config[key]!r})")


def _coerce(key, value):
    """A value read by its type in the builder's spec (both builders type their options alike)."""
    if value is None and key in ("nested_virt", "virtualbox_version_file"):
        return None  # unset: VirtualBox's default; the version file's default depends on the communicator
    if key == "boot_command":
        return to_list(key, value, split=False)
    if key in ("vboxmanage", "vboxmanage_post"):
        return to_rows(key, value, '[["modifyvm", "{{.Name}}", "--memory", "1024"]]')
    kind = _OPTION_TYPES[key]
    return to_list(key, value, strip=True) if kind == "list" else read_option(kind, key, value)
