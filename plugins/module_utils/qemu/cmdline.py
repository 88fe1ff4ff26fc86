# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The QEMU command line: Packer's default switches, overridden row by row by ``qemuargs``.

Each ``qemuargs`` row is ``["-switch", "value", …]`` (the values are joined without a separator,
as Packer does; a row of one element is a bare flag). A switch given in ``qemuargs`` replaces
*all* the defaults of that switch; a switch given several times appears several times. As in
Packer, when ``-device`` is overridden without the network device, or ``-drive`` without the
build's disk, those are added back so the build still has its disk and its SSH forward.

The switches the builder itself needs (``-qmp`` to type and stop, ``-pidfile`` to find the
process) are always added after the rest.
"""

from __future__ import annotations

from ansible_collections.cattle.images.plugins.module_utils.errors import CattleError
from ansible_collections.cattle.images.plugins.module_utils.template import TemplateErrors, render_runtime


class CommandLineError(CattleError, ValueError):
    pass


def additional_disk_paths(config):
    """Packer's names for ``disk_additional_size`` disks: ``<vm_name>-1``, ``<vm_name>-2``, …"""
    return [f"{config['output_directory']}/{config['vm_name']}-{index}"
            for index in range(1, len(config.get("additional_disk_mb") or []) + 1)]


def drive_devices(config, disk_path, extra_disks=()):
    """``(-drive values, -device values)`` for the build's disks on ``disk_interface``."""
    options = (f"cache={config['disk_cache']},discard={config['disk_discard']},format={config['format']}")
    if config["disk_detect_zeroes"] and config["disk_detect_zeroes"] != "off":
        options += f",detect-zeroes={config['disk_detect_zeroes']}"
    interface = config["disk_interface"]
    paths = [disk_path, *extra_disks]
    if interface in ("virtio", "ide", "scsi"):
        return [f"file={path},if={interface},{options}" for path in paths], []
    drives = [f"file={path},if=none,id=drive{index},{options}" for index, path in enumerate(paths)]
    if interface == "virtio-scsi":
        return drives, ["virtio-scsi-pci,id=scsi0",
                        *(f"scsi-hd,bus=scsi0.0,drive=drive{index}" for index in range(len(paths)))]
    if interface == "nvme":
        return drives, [f"nvme,serial=cattle{index},drive=drive{index}" for index in range(len(paths))]
    # sata
    return drives, ["ahci,id=ahci0", *(f"ide-hd,bus=ahci0.{index},drive=drive{index}" for index in range(len(paths)))]


def efi_vars_path(config):
    return f"{config['output_directory']}/efivars.fd"


def default_switches(config, disk_path, iso_path, accelerator, host_port, vnc_port, headless):
    """Packer's defaults, as an ordered ``{switch: [values]}`` ('' = a flag without value)."""
    switches = {"-name": [config["vm_name"]]}
    machine = f"type={config['machine_type']}"
    if accelerator != "none":
        machine += f",accel={accelerator}"
    switches["-machine"] = [machine]
    netdev = "user,id=user.0"
    if host_port:
        netdev += f",hostfwd=tcp:127.0.0.1:{host_port}-:{config['comm_port']}"
    switches["-netdev"] = [netdev]
    drives, devices = drive_devices(config, disk_path, additional_disk_paths(config))
    switches["-device"] = [f"{config['net_device']},netdev=user.0", *devices]
    if not config["disk_image"] and iso_path:
        cdrom = f"file={iso_path},media=cdrom"
        if config["cdrom_interface"]:
            cdrom += f",if={config['cdrom_interface']}"
        drives.append(cdrom)
    if config["efi_boot"]:
        # UEFI as Packer's efi_boot: the firmware read-only, its variables in the output directory.
        drives = [f"file={config['efi_firmware_code']},if=pflash,unit=0,format=raw,readonly=on",
                  f"file={efi_vars_path(config)},if=pflash,unit=1,format=raw", *drives]
    switches["-drive"] = drives
    switches["-boot"] = ["c" if config["disk_image"] else "once=d"]
    if vnc_port:
        switches["-vnc"] = [f"{config['vnc_bind_address']}:{vnc_port - 5900}"]
    switches["-m"] = [f"{config['memory']}M"]
    if config["cpus"] > 1:
        switches["-smp"] = [f"cpus={config['cpus']},sockets={config['cpus']}"]
    if config["firmware"]:
        switches["-bios"] = [config["firmware"]]
    if not headless:
        if config["display"]:
            switches["-display"] = [config["display"]]
        elif not config["use_default_display"]:
            switches["-display"] = ["gtk"]
    elif not vnc_port:
        switches["-display"] = ["none"]
    return switches


def render_rows(rows, data):
    """``qemuargs`` with ``{{ .HTTPIP }}`` etc. filled in."""
    rendered = []
    for index, row in enumerate(rows):
        try:
            rendered.append([render_runtime(str(item), data) for item in row])
        except TemplateErrors as exc:
            detail = "; ".join(d.message for d in exc.diagnostics)
            raise CommandLineError(f"qemuargs[{index}]: {detail}") from None
    return rendered


def merge(defaults, rows, config, disk_path):
    """Apply ``qemuargs`` rows to the defaults; returns the flat argument list (no binary)."""
    given = {}
    for row in rows:
        switch = row[0]
        value = "".join(row[1:])
        given.setdefault(switch, [])
        given[switch].append(value)
    merged = {}
    for switch, values in defaults.items():
        merged[switch] = given.pop(switch) if switch in given else list(values)
    # Packer adds back the network device and the build's disk when the user left them out.
    if "-device" in merged and not any(config["net_device"] in value for value in merged["-device"]):
        merged["-device"].append(f"{config['net_device']},netdev=user.0")
    if "-drive" in merged and not any(disk_path in value for value in merged["-drive"]):
        drives, devices = drive_devices(config, disk_path)
        merged["-drive"].extend(drives)
        merged.setdefault("-device", []).extend(devices)
    merged.update(given)
    flat = []
    for switch, values in merged.items():
        for value in values:
            flat.append(switch)
            if value != "":
                flat.append(value)
    return flat


def command_line(config, disk_path, iso_path, accelerator, host_port, vnc_port, headless, qmp_socket,
                 pidfile, serial_log, runtime_data):
    """The full argv to start QEMU."""
    defaults = default_switches(config, disk_path, iso_path, accelerator, host_port, vnc_port, headless)
    if serial_log:
        defaults["-serial"] = [f"file:{serial_log}"]
    rows = render_rows(config["qemuargs"], runtime_data)
    argv = [config["qemu_binary"], *merge(defaults, rows, config, disk_path)]
    argv += ["-qmp", f"unix:{qmp_socket},server=on,wait=off", "-pidfile", pidfile]
    return argv
