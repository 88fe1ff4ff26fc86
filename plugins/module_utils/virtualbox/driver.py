# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``VBoxManage``: finding it, running it, and the command lines the builders send.

The command lines speak the grammar of the VirtualBox that runs (``VBoxManage --version``):
7.0's hyphenated option names from 7.0 on (``--nat-pf1``, ``--nic-type1``, ``--rtc-use-utc``,
``--audio-driver``/``--audio-enabled``), 6.1's spellings before it (``--natpf1``, ``--nictype1``,
``--rtcuseutc``, ``--audio``), which 6.1 alone knows (see :func:`option`). Below 6.1 the builder
refuses with a clear message. Each option and its value are separate arguments. The argv builders
are pure functions, so tests check them as data; :class:`Driver` runs them. No Ansible import.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time

from ansible_collections.cattle.images.plugins.module_utils.errors import CattleError

NAT_RULE = "packercomm"
IDE, SATA, SCSI, NVME, VIRTIO = "IDE Controller", "SATA Controller", "SCSI Controller", "NVMe Controller", \
    "VirtIO Controller"
CONTROLLER_NAMES = {"ide": IDE, "sata": SATA, "scsi": SCSI, "pcie": NVME, "virtio": VIRTIO}
# Where VirtualBox's installers put the guest additions ISO (Linux packages, macOS).
GUEST_ADDITIONS_CANDIDATES = (
    "/usr/share/virtualbox/VBoxGuestAdditions.iso",
    "/usr/lib/virtualbox/additions/VBoxGuestAdditions.iso",
    "/Applications/VirtualBox.app/Contents/MacOS/VBoxGuestAdditions.iso",
)
# The oldest VirtualBox whose VBoxManage grammar the builders speak (virtio-scsi, --nested-hw-virt).
MINIMUM_VERSION = "6.1"
# The option names VirtualBox 7.0 respelled, as 6.1 spells them (7.0 still takes these as aliases,
# but 6.1 does not know the new ones: "Unknown option").
_BEFORE_7 = {"--usb-ohci": "--usbohci", "--nic-type": "--nictype", "--rtc-use-utc": "--rtcuseutc",
             "--accelerate-3d": "--accelerate3d", "--audio-controller": "--audiocontroller", "--audio-in": "--audioin",
             "--audio-out": "--audioout", "--vrde-address": "--vrdeaddress", "--vrde-auth-type": "--vrdeauthtype",
             "--vrde-port": "--vrdeport", "--nat-pf": "--natpf"}
# showvminfo's controller types for each interface a builder option names.
CONTROLLER_TYPES = {"ide": ("PIIX3", "PIIX4", "ICH6"), "sata": ("IntelAhci",), "virtio": ("VirtioSCSI",)}
# VMState values Packer treats as still running.
RUNNING_STATES = ("running", "stopping", "paused")
_VERSION = re.compile(r"^([.0-9]+)(?:_(?:RC|OSEr)[0-9]+)?")
_ERROR_ON_STDERR = re.compile(r"VBoxManage([.a-z]+?): error:")


class VBoxManageError(CattleError):
    """VBoxManage is missing or a call failed; the message is for the user."""


def find_vboxmanage(environ=None):
    """VBoxManage as Packer finds it: ``VBOX_INSTALL_PATH`` / ``VBOX_MSI_INSTALL_PATH``, then ``PATH``.

    (Packer reads the two variables on Windows only; here they are honoured everywhere, which
    is how a test or a user points the builder at a particular VBoxManage.)
    """
    environ = os.environ if environ is None else environ
    for variable in ("VBOX_INSTALL_PATH", "VBOX_MSI_INSTALL_PATH"):
        for directory in re.split(r"[;" + re.escape(os.pathsep) + "]", environ.get(variable, "")):
            for name in ("VBoxManage", "VBoxManage.exe"):
                candidate = os.path.join(directory, name) if directory else ""
                if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
                    return candidate
    found = shutil.which("VBoxManage", path=environ.get("PATH"))
    if not found:
        raise VBoxManageError(
            "Failed creating VirtualBox driver: VBoxManage was not found in PATH (install VirtualBox, or set "
            "VBOX_INSTALL_PATH to the directory that holds VBoxManage)")
    return found


class Driver:
    """Runs VBoxManage. ``run`` (tests) replaces :func:`subprocess.run`."""

    # Packer retries a call that meets a VM still locked by a session ("VBOX_E_INVALID_OBJECT_STATE")
    # 5 times a minute apart; the lock is usually gone in seconds, so the waits here are shorter.
    RETRIES = 5
    RETRY_DELAY = 5.0

    def __init__(self, path, run=None, sleep=time.sleep, log=None):
        self.path = path
        self._run = run or subprocess.run
        self._sleep = sleep
        self.log = log if log is not None else []  # every argv sent, for the module's result

    def output(self, *args):
        """Run ``VBoxManage args…``; its stdout, or :class:`VBoxManageError` with its stderr."""
        self.log.append(list(args))
        try:
            completed = self._run([self.path, *args], stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                  check=False)
        except OSError as exc:
            raise VBoxManageError(f"cannot run {self.path}: {exc.strerror or exc}") from None
        stdout, stderr = (completed.stdout or "").strip(), (completed.stderr or "").strip()
        # VBoxManage sometimes reports an error with exit status 0: its message is the proof.
        if completed.returncode != 0 or _ERROR_ON_STDERR.search(stderr):
            raise VBoxManageError(f"VBoxManage error: {stderr or stdout or f'exit status {completed.returncode}'}")
        return stdout

    def call(self, *args):
        """:meth:`output`, retried while VirtualBox reports the VM locked."""
        for attempt in range(self.RETRIES):
            try:
                return self.output(*args)
            except VBoxManageError as exc:
                if not _locked(str(exc)) or attempt == self.RETRIES - 1:
                    raise
                self._sleep(self.RETRY_DELAY)
        return ""  # not reached

    def version(self):
        """VirtualBox's version (``7.0.14``), as Packer reads it from ``VBoxManage --version``; one older
        than :data:`MINIMUM_VERSION` is refused."""
        text = self.output("--version")
        if "vboxdrv" in text:
            raise VBoxManageError(f"VirtualBox is not properly setup: {text}")
        match = _VERSION.match(text)
        if not match:
            raise VBoxManageError(f"No version found: {text}")
        version = match.group(1)
        if not version_at_least(version, MINIMUM_VERSION):
            raise VBoxManageError(
                f"VirtualBox {version} ({self.path}) is too old: the virtualbox builders speak the VBoxManage "
                f"grammar of VirtualBox {MINIMUM_VERSION} and later; upgrade VirtualBox")
        return version

    def storage_controllers(self, name):
        """``[(name, type)]`` of the VM's storage controllers, as ``showvminfo --machinereadable`` lists them
        (``storagecontrollername0="SATA"``, ``storagecontrollertype0="IntelAhci"`` …)."""
        values = {}
        for line in self.output("showvminfo", name, "--machinereadable").splitlines():
            key, _equals, value = line.strip().partition("=")
            values[key.strip('"')] = value.strip().strip('"')
        found, number = [], 0
        while f"storagecontrollername{number}" in values:
            found.append((values[f"storagecontrollername{number}"], values.get(f"storagecontrollertype{number}", "")))
            number += 1
        return found

    def registered(self, name):
        """Whether a VM of this name is registered (``list vms`` lines are ``"name" {uuid}``)."""
        for line in self.output("list", "vms").splitlines():
            line = line.strip()
            if line.startswith('"') and line.rfind('"') > 0 and line[1:line.rfind('"')] == name:
                return True
        return False

    def vm_state(self, name):
        """``VMState`` from ``showvminfo --machinereadable`` (``running``, ``poweroff`` …)."""
        for line in self.output("showvminfo", name, "--machinereadable").splitlines():
            key, _equals, value = line.strip().partition("=")
            if key.strip('"') == "VMState":
                return value.strip().strip('"')
        return ""

    def is_running(self, name):
        return self.vm_state(name) in RUNNING_STATES

    def default_guest_additions(self):
        """VirtualBox's own guest additions ISO ("Default Guest Additions ISO" of ``list systemproperties``)."""
        try:
            text = self.output("list", "systemproperties")
        except VBoxManageError:
            return ""
        for line in text.splitlines():
            label, _colon, value = line.partition(":")
            if label.strip() == "Default Guest Additions ISO":
                return value.strip()
        return ""


def _locked(message):
    """VirtualBox still holds the machine's session lock (for a moment after a power-off, say)."""
    return "VBOX_E_INVALID_OBJECT_STATE" in message or "is already locked" in message


def version_at_least(version, minimum):
    def parts(text):
        return [int(part) for part in re.findall(r"\d+", text)[:3]]
    return parts(version) >= parts(minimum)


def on_off(flag):
    return "on" if flag else "off"


def option(name, version, index=""):
    """``name`` as the VBoxManage of ``version`` spells it (7.0's names, 6.1's before 7.0), with its index."""
    return (name if version_at_least(version, "7.0") else _BEFORE_7.get(name, name)) + str(index)


def audio_options(config, version):
    """The audio settings: 7.0's ``--audio-driver``/``--audio-enabled``, or 6.1's ``--audio <driver>|none``."""
    controller = [option("--audio-controller", version), config["audio_controller"]]
    disabled = config["sound"].lower() == "none"
    if not version_at_least(version, "7.0"):
        return ["--audio", "none"] + controller if disabled else \
            ["--audio", config["sound"], "--audioin", "on", "--audioout", "on"] + controller
    if disabled:
        return ["--audio-enabled", "off"] + controller
    return ["--audio-driver", config["sound"], "--audio-enabled", "on", "--audio-in", "on", "--audio-out", "on"] + \
        controller


# --- command lines (pure) -------------------------------------------------------------------


def create_vm_commands(config, version):
    """virtualbox-iso: ``createvm`` and the ``modifyvm`` calls of Packer's stepCreateVM, in ``version``'s grammar."""
    name = config["vm_name"]
    commands = [
        ["createvm", "--name", name, "--ostype", config["guest_os_type"], "--register"],
        ["modifyvm", name, "--boot1", "disk", "--boot2", "dvd", "--boot3", "none", "--boot4", "none"],
        ["modifyvm", name, "--cpus", str(config["cpus"])],
    ]
    if config["cpus"] > 1:
        commands.append(["modifyvm", name, "--ioapic", "on"])
    commands += [
        ["modifyvm", name, "--memory", str(config["memory"])],
        ["modifyvm", name, option("--usb-ohci", version), on_off(config["usb"])],
        ["modifyvm", name, *audio_options(config, version)],
        ["modifyvm", name, "--chipset", config["chipset"]],
        ["modifyvm", name, "--firmware", config["firmware"]],
        # The NIC type for all 8 adapters, as Packer does.
        ["modifyvm", name] + [arg for n in range(1, 9) for arg in (option("--nic-type", version, n), config["nic_type"])],
        ["modifyvm", name]
        + (["--graphicscontroller", config["gfx_controller"]] if config["gfx_controller"] else [])
        + ["--vram", str(config["gfx_vram_size"])],
        ["modifyvm", name, option("--rtc-use-utc", version), on_off(config["rtc_time_base"] == "UTC")],
    ]
    if config["nested_virt"] is not None:
        commands.append(["modifyvm", name, "--nested-hw-virt", on_off(config["nested_virt"])])
    commands.append(["modifyvm", name, option("--accelerate-3d", version), on_off(config["gfx_accelerate_3d"])])
    if config["gfx_efi_resolution"]:
        commands.append(["setextradata", name, "VBoxInternal2/EfiGraphicsResolution", config["gfx_efi_resolution"]])
    return commands


def disk_paths(config):
    """The VDI disks in the output directory: ``<vm>.vdi``, or ``<vm>-0.vdi``, ``<vm>-1.vdi`` … with extra disks."""
    directory, name = config["output_directory"], config["vm_name"]
    if not config["disk_additional_size"]:
        return [os.path.join(directory, f"{name}.vdi")]
    return [os.path.join(directory, f"{name}-{index}.vdi") for index in range(len(config["disk_additional_size"]) + 1)]


def create_disk_commands(config):
    """virtualbox-iso: the disks, the controllers and the disks attached (Packer's stepCreateDisk)."""
    name = config["vm_name"]
    sizes = [config["disk_size"], *config["disk_additional_size"]]
    paths = disk_paths(config)
    commands = [["createmedium", "disk", "--filename", path, "--size", str(size), "--format", "VDI",
                 "--variant", "Standard"] for path, size in zip(paths, sizes, strict=True)]
    # The IDE controller always exists: the ISOs go there by default.
    commands.append(["storagectl", name, "--name", IDE, "--add", "ide"])
    drive, cdrom = config["hard_drive_interface"], config["iso_interface"]
    guest_additions = config["guest_additions_interface"] if config["guest_additions_mode"] == "attach" else ""
    if "sata" in (drive, cdrom, guest_additions):
        commands.append(["storagectl", name, "--name", SATA, "--add", "sata",
                         "--portcount", str(config["sata_port_count"])])
    if "virtio" in (drive, cdrom, guest_additions):
        commands.append(["storagectl", name, "--name", VIRTIO, "--add", "virtio", "--controller", "VirtIO"])
    if drive == "scsi":
        commands.append(["storagectl", name, "--name", SCSI, "--add", "scsi", "--controller", "LSILogic"])
    elif drive == "pcie":
        commands.append(["storagectl", name, "--name", NVME, "--add", "pcie", "--controller", "NVMe",
                         "--portcount", str(config["nvme_port_count"])])
    for port, path in enumerate(paths):
        commands.append(["storageattach", name, "--storagectl", CONTROLLER_NAMES[drive], "--port", str(port),
                         "--device", "0", "--type", "hdd", "--medium", path,
                         "--nonrotational", on_off(config["hard_drive_nonrotational"]),
                         "--discard", on_off(config["hard_drive_discard"])])
    return commands


def _iso_slot(kind, interface):
    """``(controller, port, device)`` of Packer's fixed places for the boot ISO and the guest additions."""
    if interface in ("sata", "virtio"):
        return CONTROLLER_NAMES[interface], {"boot_iso": 13, "guest_additions": 14}[kind], 0
    return IDE, *{"boot_iso": (0, 1), "guest_additions": (1, 0)}[kind]


def iso_slots(config, controllers=None):
    """``{kind: (controller, port, device)}`` for the ISOs this build attaches.

    ``controllers`` (``[(name, type)]``, :meth:`Driver.storage_controllers`) are an imported VM's: an
    import keeps the appliance's controller names ("SATA", "IDE" …), so the ISO goes on the first
    controller of the interface's type, whatever its name.
    """
    slots = {}
    if config["type"] == "virtualbox-iso":
        slots["boot_iso"] = _iso_slot("boot_iso", config["iso_interface"])
    if config["guest_additions_mode"] == "attach":
        interface = config["guest_additions_interface"]
        slot = _iso_slot("guest_additions", interface)
        if controllers is not None:
            name = next((name for name, kind in controllers if kind in CONTROLLER_TYPES[interface]), None)
            if name is None:
                kinds = ", ".join(f"{name!r} ({kind})" for name, kind in controllers) or "none"
                raise VBoxManageError(
                    f"guest_additions_interface {interface!r}: the imported VM has no {interface} storage controller "
                    f"to attach the guest additions to (its controllers: {kinds}); set guest_additions_interface to "
                    "the interface of one of them")
            slot = (name, *slot[1:])
        slots["guest_additions"] = slot
    return slots


def attach_iso_command(name, slot, medium):
    controller, port, device = slot
    return ["storageattach", name, "--storagectl", controller, "--port", str(port), "--device", str(device),
            "--type", "dvddrive", "--medium", medium]


def detach_iso_commands(config, slots=None):
    """Packer's StepRemoveDevices: empty every drive the build filled (the boot ISO stays with bundle_iso)."""
    slots = iso_slots(config) if slots is None else slots
    return [attach_iso_command(config["vm_name"], slot, "none") for kind, slot in slots.items()
            if not (kind == "boot_iso" and config.get("bundle_iso"))]


def import_command(config, source):
    return ["import", source, "--vsys", "0", "--vmname", config["vm_name"], *config["import_flags"]]


def vrdp_command(name, address, port, version):
    return ["modifyvm", name, option("--vrde-address", version), address, option("--vrde-auth-type", version), "null",
            "--vrde", "on", option("--vrde-port", version), str(port)]


def nat_commands(name, version, forward, reach_host):
    """NIC 1 made NAT for the communicator's port forward (``forward``), and, when the guest must reach
    the host (``reach_host``: the HTTP server, the forward), its loopback made reachable at 10.0.2.2:
    VirtualBox 7.0's NAT refuses that by default (6.1 has neither the default nor the option)."""
    commands = [["modifyvm", name, "--nic1", "nat"]] if forward else []
    if reach_host and version_at_least(version, "7.0"):
        commands.append(["modifyvm", name, "--nat-localhostreachable1", "on"])
    return commands


def port_forward_command(name, host_port, guest_port, version, listen_address="127.0.0.1"):
    return ["modifyvm", name, option("--nat-pf", version, 1), f"{NAT_RULE},tcp,{listen_address},{host_port},,{guest_port}"]


def delete_port_forward_command(name, version):
    return ["modifyvm", name, option("--nat-pf", version, 1), "delete", NAT_RULE]


def startvm_command(name, headless):
    return ["startvm", name, "--type", "headless" if headless else "gui"]


def scancode_command(name, codes):
    return ["controlvm", name, "keyboardputscancode", *codes]


def poweroff_command(name):
    return ["controlvm", name, "poweroff"]


def acpi_command(name):
    return ["controlvm", name, "acpipowerbutton"]


def unregister_command(name):
    return ["unregistervm", name, "--delete"]


def export_path(config):
    return os.path.join(config["output_directory"],
                        f"{config['output_filename'] or config['vm_name']}.{config['format']}")


def export_command(config):
    return ["export", config["vm_name"], "--output", export_path(config), *config["export_opts"]]
