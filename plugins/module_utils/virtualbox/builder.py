# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The virtualbox-iso / virtualbox-ovf builders' steps, in Packer's order.

launch: guest additions (found or downloaded) → ISO / OVF-OVA (download, checksum) → output
directory → [the VM recorded in the ledger] → HTTP server → createvm + modifyvm + disks +
controllers (iso) or import (ovf) → ISOs attached → VRDP → NAT port forward for the
communicator → ``vboxmanage`` rows → startvm → boot_wait → boot command as scancodes.
The communicator, the version file / guest additions uploads and the provisioners are the
role's. stop: the shutdown (ACPI, none, or after the role sent ``shutdown_command``; else a
power-off) and the wait for ``VMState="poweroff"``. capture: ISOs detached →
``vboxmanage_post`` → NAT rule removed → export → the VM unregistered and deleted (unless
``keep_registered``) → the artifact. remove: whatever is left (VM, HTTP server, private dir;
the output directory of a failed build).

What later states need from the launch (the VM's name, VBoxManage's path, the ports) is kept
in the build's private directory (``state.json``); a VM is only ever removed when that file or
the ledger says this build created it. Every failure raises :class:`VirtualBoxError`.
"""

from __future__ import annotations

import json
import os
import shutil
import time

from ansible_collections.cattle.images.plugins.module_utils import httpserver, vm
from ansible_collections.cattle.images.plugins.module_utils.ui import Ui
from ansible_collections.cattle.images.plugins.module_utils.virtualbox import driver as vbox
from ansible_collections.cattle.images.plugins.module_utils.virtualbox import steps
from ansible_collections.cattle.images.plugins.module_utils.virtualbox.config import ISO
from ansible_collections.cattle.images.plugins.module_utils.virtualbox.scancodes import ScancodeError
from ansible_collections.cattle.images.plugins.module_utils.virtualbox.steps import NAT_HOST_IP, VirtualBoxError

BUILDER_ID = "mitchellh.virtualbox"
VM_KIND = "virtualbox_vm"
OUTPUT_KIND = "virtualbox_output_directory"
WORK_PREFIX = "cattle-vbox-"


def work_dir(build_id):
    """The build's private directory: state.json and the HTTP server's files."""
    return vm.work_dir(WORK_PREFIX, build_id)


def _state_path(build_id):
    return os.path.join(work_dir(build_id), "state.json")


def read_state(build_id):
    """What the launch left for the later states, or None when this build launched nothing."""
    try:
        with open(_state_path(build_id), encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def _write_state(build_id, state):
    path = _state_path(build_id)
    fd = os.open(path + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(state, handle)
    os.replace(path + ".tmp", path)


def driver_for(state=None, environ=None, run=None):
    """A driver for the VBoxManage the launch used (recorded), else the one Packer would find."""
    path = (state or {}).get("vboxmanage") or vbox.find_vboxmanage(environ)
    return vbox.Driver(path, run=run)


# --- launch -------------------------------------------------------------------------------


def launch(config, build_id, build_name, ledger=None, ui=None, ssh_public_key="", driver=None, environ=None,
           sleep=time.sleep):
    """Create and start the VM and type its boot command. Returns the ``source`` dict."""
    ui = ui or Ui()
    environ = os.environ if environ is None else environ
    notes = []
    try:
        driver = driver or vbox.Driver(vbox.find_vboxmanage(environ))
        version = driver.version()
    except vbox.VBoxManageError as exc:
        raise VirtualBoxError(str(exc)) from None
    name = config["vm_name"]
    made_output = recorded = False
    state = {"vm_name": name, "vboxmanage": driver.path, "version": version, "build_name": build_name,
             "output_directory": config["output_directory"], "host_port": 0, "http_port": 0}
    try:
        guest_additions = steps.guest_additions(config, driver, version, ui, notes)
        source_file = steps.fetch_source(config, ui, notes)
        vm.prepare_output_directory(config, build_name, ledger, kind=OUTPUT_KIND, error=VirtualBoxError)
        made_output = True
        if driver.registered(name):
            raise VirtualBoxError(
                f"a virtual machine named {name!r} is already registered with VirtualBox: remove it "
                "(VBoxManage unregistervm --delete) or set vm_name to another name")
        work = work_dir(build_id)
        os.makedirs(work, mode=0o700, exist_ok=True)
        if ledger is not None:
            ledger.record(build=build_name, kind=VM_KIND, name=name, vboxmanage=driver.path, work_dir=work,
                          build_id=build_id)
        _write_state(build_id, state)
        recorded = True

        http = steps.start_http(config, build_id, build_name, work, ledger, ui)
        state["http_port"] = http["port"] if http else 0
        _write_state(build_id, state)
        runtime = {"HTTPIP": NAT_HOST_IP, "HTTPPort": state["http_port"], "Name": name,
                   "SSHPublicKey": ssh_public_key}

        if config["type"] == ISO:
            ui.say("Creating virtual machine...")
            steps.run_all(driver, vbox.create_vm_commands(config, version), "Error creating VM")
            for path, size in zip(vbox.disk_paths(config), [config["disk_size"], *config["disk_additional_size"]],
                                  strict=True):
                ui.say(f"Creating hard drive {path} with size {size} MiB...")
            steps.run_all(driver, vbox.create_disk_commands(config), "Error creating hard drive")
        else:
            ui.say(f"Importing VM: {source_file}")
            steps.run_all(driver, [vbox.import_command(config, source_file)], "Error importing VM")

        slots = steps.iso_slots(config, driver)
        state["iso_slots"] = slots
        _write_state(build_id, state)
        steps.attach_isos(config, driver, source_file, guest_additions, ui, slots)
        state["vrdp_port"] = steps.configure_vrdp(config, driver, version)
        steps.configure_nat(config, driver, version, http)
        state["host_port"] = steps.forward_port(config, driver, version, ui)
        _write_state(build_id, state)
        steps.custom_commands(config["vboxmanage"], driver, runtime, ui)

        # VirtualBox shows a GUI on Windows and macOS without DISPLAY; on Linux it needs one.
        headless, note = vm.headless_setting(config, environ, display_platforms=("win32", "darwin"),
                                             fallback="starting the VM headless; watch it over VRDP instead")
        if note:
            notes.append(note)
        ui.say("Starting the virtual machine...")
        if headless:
            ui.message("The VM will be run headless, without a GUI. If you want to view the screen of the VM, "
                       f"connect via VRDP without a password to rdp://{config['vrdp_bind_address']}:"
                       f"{state['vrdp_port']}")
        steps.run_all(driver, [vbox.startvm_command(name, headless)], "Error starting VM")
        steps.type_boot_command(config, driver, runtime, ui, sleep)
    except (VirtualBoxError, vbox.VBoxManageError, ScancodeError, OSError) as exc:
        message = str(exc)
        if recorded:
            _destroy_vm_quietly(driver, name)
            if ledger is not None:
                ledger.release(kind=VM_KIND, name=name)
            httpserver.stop(work_dir(build_id), build_id, ledger)
            vm.remove_work_dir(WORK_PREFIX, build_id)
        if made_output:  # never the directory of someone else that made us refuse to start
            vm.release_output_directory(config["output_directory"], False, ledger, kind=OUTPUT_KIND)
        raise VirtualBoxError(message) from None
    return {
        "host": "127.0.0.1",
        "port": state["host_port"],
        "vm_name": name,
        "virtualbox_version": version,
        "http_port": state["http_port"] or None,
        "http_ip": NAT_HOST_IP,
        "vrdp_port": state.get("vrdp_port"),
        "headless": headless,
        "work_dir": work_dir(build_id),
        "output_directory": config["output_directory"],
        "communicator": config["communicator"],
        "shutdown_timeout": config["shutdown_timeout"],
        "has_shutdown_command": bool(shutdown_command(config)),
        # For the role's uploads over the communicator (Packer's StepUploadVersion / StepUploadGuestAdditions).
        "version_file": config["virtualbox_version_file"],
        "guest_additions_upload": guest_additions if config["guest_additions_mode"] == "upload" else "",
        "guest_additions_path": steps.render(config["guest_additions_path"], {"Version": version},
                                             "guest_additions_path") if config["guest_additions_mode"] == "upload" else "",
        "notes": notes,
    }


# --- stop ---------------------------------------------------------------------------------


def shutdown_command(config):
    """The command the role sends over the communicator; none when Packer would not send one.

    Never with ``communicator: none``: the build host's connection is then the controller's own.
    """
    if config["acpi_shutdown"] or config["disable_shutdown"] or config["communicator"] == "none":
        return ""
    return config["shutdown_command"]


def _launched(build_id):
    state = read_state(build_id)
    if not state:
        raise VirtualBoxError("this build has no virtual machine (the launch did not run or did not finish)")
    return state


def vm_running(build_id, driver=None):
    state = read_state(build_id)
    if not state or state.get("vm_done"):
        return False
    driver = driver or driver_for(state)
    try:
        return driver.registered(state["vm_name"]) and driver.is_running(state["vm_name"])
    except vbox.VBoxManageError:
        return False


def stop(config, build_id, shutdown_sent=False, ui=None, driver=None, sleep=time.sleep, clock=time.monotonic):
    """Packer's StepShutdown: shut the VM down and wait up to shutdown_timeout for it to power off."""
    ui = ui or Ui()
    state = _launched(build_id)
    driver = driver or driver_for(state)
    name = state["vm_name"]
    if config["acpi_shutdown"]:
        ui.say("Shutting down the virtual machine via ACPI power button...")
        steps.run_all(driver, [vbox.acpi_command(name)], "Error stopping VM")
    elif config["disable_shutdown"]:
        ui.say("Automatic shutdown disabled. Please shutdown virtual machine.")
    elif not shutdown_sent:
        ui.say("Halting the virtual machine...")
        steps.run_all(driver, [vbox.poweroff_command(name)], "Error stopping VM")
    else:
        # The role sent shutdown_command over the communicator just before this step.
        ui.say("Gracefully halting virtual machine...")
    deadline = clock() + config["shutdown_timeout"]
    while True:
        try:
            running = driver.is_running(name)
        except vbox.VBoxManageError:
            running = False
        if not running:
            break
        if clock() >= deadline:
            # Packer fails the build, and its cleanup powers the VM off.
            _poweroff_quietly(driver, name)
            raise VirtualBoxError("Timeout while waiting for machine to shutdown.")
        sleep(0.5)
    if config["post_shutdown_delay"] > 0:
        sleep(config["post_shutdown_delay"])
    return True


# --- capture ------------------------------------------------------------------------------


def capture(config, build_id, build_name, ledger=None, ui=None, driver=None):
    """Detach the ISOs, run vboxmanage_post, export, let go of the VM; returns the artifact."""
    ui = ui or Ui()
    state = _launched(build_id)
    driver = driver or driver_for(state)
    name = state["vm_name"]
    slots = {kind: tuple(slot) for kind, slot in state["iso_slots"].items()} if "iso_slots" in state else None
    steps.run_all(driver, vbox.detach_iso_commands(config, slots), "Error detaching ISO")
    runtime = {"HTTPIP": NAT_HOST_IP, "HTTPPort": state.get("http_port") or 0, "Name": name}
    steps.custom_commands(config["vboxmanage_post"], driver, runtime, ui)
    if config["skip_export"]:
        ui.say("Skipping export of virtual machine...")
    else:
        ui.say("Preparing to export machine...")
        if config["forward_port"] and state.get("host_port"):
            ui.message("Deleting forwarded port mapping for the communicator (SSH, WinRM, etc) "
                       f"(host port {state['host_port']})")
            steps.run_all(driver, [vbox.delete_port_forward_command(name, state.get("version") or "7.0")],
                          "Error deleting port forwarding rule")
        argv = vbox.export_command(config)
        ui.say("Exporting virtual machine...")
        ui.message("Executing: " + " ".join(argv))
        steps.run_all(driver, [argv], "Error exporting virtual machine")
    # Packer's cleanup of the create / import step, before the artifact lists the directory.
    if config["keep_registered"]:
        ui.say("Keeping virtual machine registered with VirtualBox host (keep_registered = true)")
    else:
        ui.say("Deregistering and deleting VM..." if config["type"] == ISO else
               "Deregistering and deleting imported VM...")
        steps.run_all(driver, [vbox.unregister_command(name)], "Error deleting VM")
    if ledger is not None:
        ledger.release(kind=VM_KIND, name=name)
    state["vm_done"] = True
    _write_state(build_id, state)
    directory = config["output_directory"]
    files = sorted(os.path.join(root, file) for root, _dirs, names in os.walk(directory) for file in names)
    return {
        "id": "VM",
        "builder_id": BUILDER_ID,
        "builder_type": config["type"],
        "build_name": build_name,
        "files": files,
        "string": f"VM files in directory: {directory}",
        "metadata": {"vm_name": name, "output_directory": directory,
                     "export": "" if config["skip_export"] else vbox.export_path(config),
                     "keep_registered": config["keep_registered"]},
    }


# --- cleanup ------------------------------------------------------------------------------


def _poweroff_quietly(driver, name):
    try:
        if driver.is_running(name):
            driver.call(*vbox.poweroff_command(name))
    except vbox.VBoxManageError:
        pass


def destroy_vm(driver, name, sleep=time.sleep):
    """Power the VM off if it runs, then unregister it with its disks. A VM that is gone is success.

    Returns whether there was a VM.
    """
    if not driver.registered(name):
        return False
    if driver.is_running(name):
        driver.call(*vbox.poweroff_command(name))
        for _attempt in range(20):  # the session may take a moment to let go
            if not driver.is_running(name):
                break
            sleep(0.5)
    driver.call(*vbox.unregister_command(name))
    return True


def _destroy_vm_quietly(driver, name):
    try:
        destroy_vm(driver, name)
    except vbox.VBoxManageError:
        pass


def remove_vm(entry):
    """The ledger cleaner for kind ``virtualbox_vm``: power off, unregister --delete, drop the private dir."""
    driver = driver_for({"vboxmanage": entry.get("vboxmanage")})
    try:
        destroy_vm(driver, entry["name"])
    except vbox.VBoxManageError as exc:
        raise RuntimeError(str(exc)) from None
    work = entry.get("work_dir") or ""
    if os.path.isabs(work) and os.path.basename(os.path.normpath(work)).startswith(WORK_PREFIX):
        shutil.rmtree(work, ignore_errors=True)


# kind -> ledger cleaner (module_utils/cleaners.py gathers every builder's); its HTTP server is a `process` entry.
CLEANERS = {VM_KIND: remove_vm, OUTPUT_KIND: vm.remove_output_directory}


def remove(build_id, output_directory="", keep_output=True, ledger=None, driver=None):
    """Whatever the build left: its VM (unless already exported / kept), HTTP server, private dir,
    and, for a failed build, its output directory. Idempotent."""
    state = read_state(build_id)
    changed = False
    if state and not state.get("vm_done"):
        driver = driver or driver_for(state)
        try:
            changed = destroy_vm(driver, state["vm_name"])
        except vbox.VBoxManageError as exc:
            raise VirtualBoxError(f"Error deleting VM: {exc}") from None
        if ledger is not None:
            ledger.release(kind=VM_KIND, name=state["vm_name"])
    changed = httpserver.stop(work_dir(build_id), build_id, ledger) or changed
    changed = vm.remove_work_dir(WORK_PREFIX, build_id) or changed
    output_directory = output_directory or (state or {}).get("output_directory") or ""
    if output_directory:
        changed = vm.release_output_directory(output_directory, keep_output, ledger, kind=OUTPUT_KIND) or changed
    return changed
