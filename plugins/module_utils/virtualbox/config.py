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
from ansible_collections.cattle.images.plugins.module_utils.durations import seconds
from ansible_collections.cattle.images.plugins.module_utils.errors import CattleError
from ansible_collections.cattle.images.plugins.module_utils.option_values import to_bool, to_int

ISO = "virtualbox-iso"
OVF = "virtualbox-ovf"
TYPES = (ISO, OVF)

GUEST_ADDITIONS_MODES = ("upload", "attach", "disable")
FORMATS = ("ovf", "ova")
HARD_DRIVE_INTERFACES = ("ide", "sata", "scsi", "pcie", "virtio")
ISO_INTERFACES = ("ide", "sata", "virtio")
NIC_TYPES = ("82540EM", "82543GC", "82545EM", "Am79C970A", "Am79C973", "Am79C960", "virtio")
GFX_CONTROLLERS = ("vboxvga", "vboxsvga", "vmsvga", "none")
AUDIO_CONTROLLERS = ("ac97", "hda", "sb16")
# Runtime options that stay template text in the plan.
RUNTIME_OPTIONS = ("boot_command", "vboxmanage", "vboxmanage_post", "guest_additions_path", "guest_additions_url")

# Options of both builders, with Packer's defaults.
COMMON = {
    "http_directory": "",
    "http_content": {},
    "http_port_min": 8000,
    "http_port_max": 9000,
    "http_bind_address": "",
    "boot_command": [],
    "boot_wait": 10.0,
    "boot_keygroup_interval": None,  # PACKER_KEY_INTERVAL, else 100 ms
    "shutdown_command": "",
    "shutdown_timeout": 300.0,
    "post_shutdown_delay": 2.0,
    "disable_shutdown": False,
    "acpi_shutdown": False,
    "output_directory": "",
    "output_filename": "",
    "format": "ovf",
    "export_opts": [],
    "skip_export": False,
    "keep_registered": False,
    "headless": False,
    "vrdp_bind_address": "127.0.0.1",
    "vrdp_port_min": 5900,
    "vrdp_port_max": 6000,
    "vboxmanage": [],
    "vboxmanage_post": [],
    "virtualbox_version_file": None,  # ".vbox_version"; "" skips the upload
    "guest_additions_mode": "upload",
    "guest_additions_path": "VBoxGuestAdditions.iso",
    "guest_additions_url": "",
    "guest_additions_sha256": "",
    "guest_additions_interface": "",
    "host_port_min": 2222,
    "host_port_max": 4444,
    "skip_nat_mapping": False,
    "vm_name": "",
    "communicator": "ssh",
    "ssh_port": 22,
    "winrm_port": None,
    "winrm_use_ssl": False,
}

# Options only virtualbox-iso has (Packer's ovf builder has no hardware settings: use vboxmanage).
ISO_ONLY = {
    "iso_url": "",
    "iso_urls": [],
    "iso_checksum": "",
    "iso_target_path": "",
    "iso_target_extension": "iso",
    "guest_os_type": "Other",
    "disk_size": 40000,
    "disk_additional_size": [],
    "hard_drive_interface": "ide",
    "hard_drive_discard": False,
    "hard_drive_nonrotational": False,
    "sata_port_count": 1,
    "nvme_port_count": 1,
    "iso_interface": "ide",
    "bundle_iso": False,
    "cpus": 1,
    "memory": 512,
    "sound": "none",
    "usb": False,
    "nic_type": "82540EM",
    "gfx_controller": "",
    "gfx_vram_size": 4,
    "gfx_accelerate_3d": False,
    "gfx_efi_resolution": "",
    "nested_virt": None,  # a trilean: unset leaves VirtualBox's default
    "rtc_time_base": "local",
    "firmware": "bios",
    "chipset": "piix3",
    "audio_controller": "ac97",
}

OVF_ONLY = {
    "source_path": "",
    "checksum": "",
    "checksum_type": "",
    "target_path": "",
    "import_flags": [],
    "import_opts": "",
}

_BOOL = {"disable_shutdown", "acpi_shutdown", "skip_export", "keep_registered", "headless", "skip_nat_mapping",
         "winrm_use_ssl", "hard_drive_discard", "hard_drive_nonrotational", "bundle_iso", "usb", "gfx_accelerate_3d",
         "nested_virt"}
_INT = {"http_port_min", "http_port_max", "vrdp_port_min", "vrdp_port_max", "host_port_min", "host_port_max",
        "ssh_port", "winrm_port", "disk_size", "sata_port_count", "nvme_port_count", "cpus", "memory",
        "gfx_vram_size"}
_DURATION = {"boot_wait", "shutdown_timeout", "post_shutdown_delay", "boot_keygroup_interval"}
_LIST = {"boot_command", "export_opts", "iso_urls", "import_flags", "disk_additional_size"}
_LISTLIST = {"vboxmanage", "vboxmanage_post"}
_MAP = {"http_content"}
# Packer's old names, still real fields of the virtualbox builders.
_ALIASES = {"ssh_host_port_min": "host_port_min", "ssh_host_port_max": "host_port_max",
            "ssh_skip_nat_mapping": "skip_nat_mapping"}
# Accepted and not used here (the communicator role reads them from the plan).
_IGNORED_PREFIXES = ("ssh_", "winrm_", "packer_")
_IGNORED = {"type", "name", "pause_before_connecting", "disable_vnc"}
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


class ConfigError(CattleError, ValueError):
    """One or more problems with the builder's configuration; ``str()`` lists them all."""

    def __init__(self, problems, where="virtualbox builder"):
        self.problems = list(problems)
        super().__init__(f"{where}: " + "; ".join(self.problems))


def normalize(raw, builder_type=ISO, build_name="virtualbox", where=None, cwd=None, force=False, environ=None):
    """Checked config with Packer's defaults filled in. Raises :class:`ConfigError`."""
    where = where or f"{builder_type} builder"
    if builder_type not in TYPES:
        raise ConfigError([f"builder type {builder_type!r}: expected one of {', '.join(TYPES)}"], where)
    if not isinstance(raw, dict):
        raise ConfigError([f"the builder config must be a mapping, got {type(raw).__name__}"], where)
    own, other = (ISO_ONLY, OVF_ONLY) if builder_type == ISO else (OVF_ONLY, ISO_ONLY)
    defaults = {**COMMON, **own}
    problems = []
    config = {key: (list(value) if isinstance(value, list) else dict(value) if isinstance(value, dict) else value)
              for key, value in defaults.items()}
    for key, value in raw.items():
        key = _ALIASES.get(key, key)
        if key in _UNSUPPORTED:
            if value not in (None, "", [], {}, False):
                problems.append(_UNSUPPORTED[key])
            continue
        if key in _IGNORED or (key.startswith(_IGNORED_PREFIXES) and key not in defaults):
            continue
        if key not in defaults:
            if key in other:
                problems.append(f"{key} is not an option of the {builder_type} builder"
                                + (" (set the imported VM's hardware with vboxmanage)" if builder_type == OVF else ""))
            else:
                problems.append(f"unknown configuration key: {key!r}")
            continue
        try:
            config[key] = _coerce(key, value)
        except ValueError as exc:
            problems.append(str(exc))
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
    _choice(config, "format", FORMATS, problems, "invalid format, only 'ovf' or 'ova' are allowed")
    _choice(config, "guest_additions_mode", GUEST_ADDITIONS_MODES, problems,
            "guest_additions_mode is invalid. Must be one of: upload, attach, disable")
    if config["communicator"] not in ("ssh", "winrm", "none"):
        problems.append(f"communicator {config['communicator']!r}: expected ssh, winrm or none")
    if config["virtualbox_version_file"] is None:
        config["virtualbox_version_file"] = ".vbox_version"
    if config["communicator"] == "none":
        if config["guest_additions_mode"] == "upload":
            problems.append("communicator must not be 'none' when guest_additions_mode = 'upload' "
                            "(set guest_additions_mode to attach or disable)")
        if config["virtualbox_version_file"]:
            problems.append("virtualbox_version_file has to be an empty string when communicator = 'none'")
    for low, high in (("http_port_min", "http_port_max"), ("host_port_min", "host_port_max"),
                      ("vrdp_port_min", "vrdp_port_max")):
        if not 0 < config[low] <= config[high] <= 65535:
            problems.append(f"{low} ({config[low]}) must be a port no greater than {high} ({config[high]})")
    if config["http_directory"] and config["http_content"]:
        problems.append("http_directory and http_content cannot both be set: choose one")
    if config["http_directory"]:
        config["http_directory"] = _absolute(config["http_directory"], cwd)
        if not os.path.isdir(config["http_directory"]):
            problems.append(f"http_directory {config['http_directory']}: no such directory")
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
    config["output_directory"] = _absolute(config["output_directory"] or f"output-{build_name}", cwd)
    if config["boot_keygroup_interval"] is None or config["boot_keygroup_interval"] <= 0:
        interval = environ.get("PACKER_KEY_INTERVAL", "")
        try:
            config["boot_keygroup_interval"] = seconds(interval) if interval else 0.1
        except ValueError:
            config["boot_keygroup_interval"] = 0.1  # Packer ignores a value it cannot read
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
    if config["cpus"] < 0:
        problems.append(f"An invalid number of cpus was specified (cpus < 0): {config['cpus']}")
    config["cpus"] = config["cpus"] or 1
    if config["memory"] < 0:
        problems.append(f"An invalid memory size was specified (memory < 0): {config['memory']}")
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
    if config["sata_port_count"] > 30:
        problems.append("sata_port_count cannot be greater than 30")
    config["nvme_port_count"] = config["nvme_port_count"] or 1
    if config["nvme_port_count"] > 255:
        problems.append("nvme_port_count cannot be greater than 255")


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


def _absolute(path, cwd):
    path = os.path.expanduser(path)
    return os.path.normpath(path if os.path.isabs(path) else os.path.join(cwd, path))


def _coerce(key, value):
    if key in _BOOL:
        if value is None and key == "nested_virt":
            return None
        return to_bool(key, value)
    if key in _INT:
        return to_int(key, value)
    if key in _DURATION:
        try:
            return seconds(value)
        except ValueError:
            raise ValueError(f"{key}: expected a duration such as 10s, 1m30s or 500ms, got {value!r}") from None
    if key in _LIST:
        if value is None or value == "":
            return []
        if isinstance(value, str):
            return [value] if key == "boot_command" else [part.strip() for part in value.split(",")]
        if isinstance(value, (list, tuple)) and all(isinstance(item, (str, int, float)) for item in value):
            return [str(item) for item in value]
        raise ValueError(f"{key}: expected a list of strings, got {value!r}")
    if key in _LISTLIST:
        if value is None:
            return []
        if isinstance(value, list) and all(isinstance(row, list) and all(
                isinstance(item, (str, int, float)) for item in row) for row in value):
            return [[str(item) for item in row] for row in value]
        raise ValueError(f'{key}: expected a list of lists of strings, e.g. [["modifyvm", "{{{{.Name}}}}", '
                         '"--memory", "1024"]]')
    if key in _MAP:
        if value is None:
            return {}
        if isinstance(value, dict):
            return {str(k): str(v) for k, v in value.items()}
        raise ValueError(f"{key}: expected a mapping, got {value!r}")
    if value is None:
        return "" if key != "virtualbox_version_file" else None
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value)
    raise ValueError(f"{key}: expected a string, got {value!r}")
