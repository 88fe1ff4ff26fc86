# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The virtualbox builders' single steps, as Packer's step files have them: guest additions, the
ISO or OVF/OVA, the HTTP server, ISOs attached, VRDP, the communicator's port forward, the user's
``vboxmanage`` rows, the boot command. :mod:`.builder` runs them in Packer's order.

Every failure raises :class:`VirtualBoxError` with a message for the user.
"""

from __future__ import annotations

import os

from ansible_collections.cattle.images.plugins.module_utils import bootcommand, iso, vm
from ansible_collections.cattle.images.plugins.module_utils.durations import format_go_duration
from ansible_collections.cattle.images.plugins.module_utils.errors import CattleError
from ansible_collections.cattle.images.plugins.module_utils.template import TemplateErrors, render_runtime
from ansible_collections.cattle.images.plugins.module_utils.virtualbox import driver as vbox
from ansible_collections.cattle.images.plugins.module_utils.virtualbox.config import ISO
from ansible_collections.cattle.images.plugins.module_utils.virtualbox.scancodes import plan as scancode_plan

# VirtualBox NAT: the host as the guest sees it.
NAT_HOST_IP = "10.0.2.2"
VBOX_DOWNLOADS = "https://download.virtualbox.org/virtualbox"


class VirtualBoxError(CattleError):
    """A virtualbox build step failed; the message is for the user."""


def run_all(driver, commands, context):
    for argv in commands:
        try:
            driver.call(*argv)
        except vbox.VBoxManageError as exc:
            raise VirtualBoxError(f"{context}: {exc}") from None


def render(text, data, key):
    try:
        return render_runtime(text, data)
    except TemplateErrors as exc:
        raise VirtualBoxError(f"{key}: " + "; ".join(d.message for d in exc.diagnostics)) from None


def guest_additions(config, driver, version, ui, notes):
    """The guest additions ISO on this machine (found, or downloaded and checked), or "" when disabled."""
    if config["guest_additions_mode"] == "disable":
        return ""
    url = render(config["guest_additions_url"], {"Version": version}, "guest_additions_url") \
        if config["guest_additions_url"] else ""
    if not url:
        candidates = [driver.default_guest_additions()]
        beside = os.path.dirname(os.path.realpath(driver.path))
        candidates += [os.path.join(beside, "additions", "VBoxGuestAdditions.iso"),
                       os.path.join(beside, "VBoxGuestAdditions.iso"), *vbox.GUEST_ADDITIONS_CANDIDATES]
        for candidate in candidates:
            if candidate and os.path.isfile(candidate):
                return candidate
        raise VirtualBoxError(
            "Couldn't find the VirtualBox guest additions ISO (looked at VBoxManage's \"Default Guest Additions "
            "ISO\" and " + ", ".join(candidates[1:]) + "). Set guest_additions_url to it, or set "
            'guest_additions_mode to "disable"')
    if config["guest_additions_sha256"]:
        checksum = f"sha256:{config['guest_additions_sha256']}"
    elif iso.local_path(url, config["cwd"]) is not None:
        checksum = "none"  # a local file, as Packer uses VirtualBox's own ISO unchecked
    else:
        checksum = f"file:{VBOX_DOWNLOADS}/{version}/SHA256SUMS"  # Packer's default for a download
    ui.say(f"Retrieving Guest additions: {url}")
    try:
        fetched = iso.fetch([url], checksum, cwd=config["cwd"], target_extension="iso")
    except iso.ISOError as exc:
        raise VirtualBoxError(f"guest additions: {exc}") from None
    return fetched["path"]


def fetch_source(config, ui, notes):
    """The boot ISO (iso) or the OVF/OVA (ovf): a verified local file."""
    try:
        if config["type"] == ISO:
            fetched = iso.fetch(config["urls"], config["iso_checksum"], cwd=config["cwd"],
                                target_path=config["iso_target_path"], target_extension=config["iso_target_extension"])
            ui.say(f"Using ISO {fetched['path']}")
        else:
            fetched = iso.fetch([config["source_path"]], config["checksum"], cwd=config["cwd"],
                                target_path=config["target_path"], target_extension="ova")
            ui.say(f"Using OVF/OVA {fetched['path']}")
    except iso.ISOError as exc:
        what = "iso_url/iso_checksum" if config["type"] == ISO else "source_path/checksum"
        raise VirtualBoxError(f"{what}: {exc}") from None
    notes.extend(fetched["warnings"])
    return fetched["path"]


def start_http(config, build_id, build_name, work, ledger, ui):
    if not (config["http_directory"] or config["http_content"]):
        return None
    ui.say("Starting HTTP server...")
    http = vm.start_http_server(config, work, build_id, build_name, ledger, error=VirtualBoxError)
    ui.message(f"Serving on {http['bind_address']}:{http['port']} (the guest's http://{NAT_HOST_IP}:{http['port']})")
    return http


def iso_slots(config, driver):
    """Where the ISOs go; an imported VM's controllers are looked up by type (their names are the appliance's)."""
    try:
        controllers = driver.storage_controllers(config["vm_name"]) \
            if config["type"] != ISO and config["guest_additions_mode"] == "attach" else None
        return vbox.iso_slots(config, controllers)
    except vbox.VBoxManageError as exc:
        raise VirtualBoxError(f"Error attaching ISO: {exc}") from None


def attach_isos(config, driver, source_file, guest_additions, ui, slots):
    ui.say("Mounting ISOs...")
    if not slots:
        ui.message("No ISOs to mount; continuing...")
        return
    media = {"boot_iso": source_file, "guest_additions": guest_additions}
    for kind, slot in slots.items():
        ui.message("Mounting boot ISO..." if kind == "boot_iso" else "Mounting guest additions ISO...")
        medium = os.path.realpath(media[kind])
        run_all(driver, [vbox.attach_iso_command(config["vm_name"], slot, medium)], "Error attaching ISO")


def configure_vrdp(config, driver, version):
    """Packer gives every VM a VRDP server (the screen of a headless VM) on a free port; returns it."""
    port = vm.free_port(config["vrdp_port_min"], config["vrdp_port_max"], config["vrdp_bind_address"],
                        error=VirtualBoxError)
    run_all(driver, [vbox.vrdp_command(config["vm_name"], config["vrdp_bind_address"], port, version)],
            "Error enabling VRDP")
    return port


def configure_nat(config, driver, version, http):
    """NIC 1 on NAT for the communicator's forward, and the host reachable from the guest whenever the
    guest needs it: the build's HTTP server (even with ``communicator: none`` or ``skip_nat_mapping``)
    or the forward (as packer-plugin-virtualbox does)."""
    commands = vbox.nat_commands(config["vm_name"], version, forward=config["forward_port"],
                                 reach_host=config["forward_port"] or http is not None)
    run_all(driver, commands, "Failed to configure NAT interface")


def forward_port(config, driver, version, ui):
    """The NAT port forward to the communicator; returns the host port (the guest port with skip_nat_mapping)."""
    if config["communicator"] == "none":
        return 0
    if not config["forward_port"]:
        return config["comm_port"]
    name = config["vm_name"]
    port = vm.free_port(config["host_port_min"], config["host_port_max"], error=VirtualBoxError)
    ui.say(f"Creating forwarded port mapping for communicator (SSH, WinRM, etc) (host port {port})")
    rule = vbox.port_forward_command(name, port, config["comm_port"], version)
    try:
        driver.call(*rule)
    except vbox.VBoxManageError as exc:
        # An imported VM may carry the rule from an earlier build: replace it, as Packer does.
        if "already exists" not in str(exc):
            raise VirtualBoxError(f"Error creating port forwarding rule: {exc}") from None
        run_all(driver, [vbox.delete_port_forward_command(name, version), rule], "Error creating port forwarding rule")
    return port


def custom_commands(rows, driver, runtime, ui):
    if not rows:
        return
    ui.say("Executing custom VBoxManage commands...")
    for row in rows:
        argv = [render(arg, runtime, "vboxmanage") for arg in row]
        ui.message("Executing: " + " ".join(argv))
        run_all(driver, [argv], "Error executing command")


def type_boot_command(config, driver, runtime, ui, sleep):
    if config["boot_wait"] > 0:
        ui.say(f"Waiting {format_go_duration(config['boot_wait'])} for boot...")
        sleep(config["boot_wait"])
    if not config["boot_command"]:
        return
    text = render("".join(config["boot_command"]), runtime, "boot_command")
    steps = scancode_plan(bootcommand.parse(text))
    ui.say("Typing the boot command...")
    for kind, payload in steps:
        if kind == "wait":
            sleep(payload)
            continue
        try:
            driver.call(*vbox.scancode_command(config["vm_name"], payload))
        except vbox.VBoxManageError as exc:
            raise VirtualBoxError(f"Error running boot command: {exc}") from None
        sleep(config["boot_keygroup_interval"])
