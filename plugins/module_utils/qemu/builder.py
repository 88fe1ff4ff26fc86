# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The qemu builder's steps, in Packer's order.

launch: output directory → ISO/disk image (download, checksum) → disk (create, copy or
overlay, resize) → HTTP server → ports → QEMU (recorded in the ledger first) → boot_wait →
boot_command over QMP. stop: wait for the guest to power off after the shutdown command (or
halt it). capture: compact/compress the disk, the artifact. remove: stop QEMU and the HTTP
server, drop the private work dir, and delete the output directory of a failed build.

Every failure raises :class:`QemuError` with a message for the user; a failed launch stops
what it started before raising.
"""

from __future__ import annotations

import os
import shutil
import time

from ansible_collections.cattle.images.plugins.module_utils import bootcommand, httpserver, iso, process, vm
from ansible_collections.cattle.images.plugins.module_utils.errors import CattleError
from ansible_collections.cattle.images.plugins.module_utils.qemu import accel, disk
from ansible_collections.cattle.images.plugins.module_utils.qemu.cmdline import (
    CommandLineError,
    additional_disk_paths,
    command_line,
    efi_vars_path,
)
from ansible_collections.cattle.images.plugins.module_utils.qemu.qmp import QMP, QMPError
from ansible_collections.cattle.images.plugins.module_utils.template import TemplateErrors, render_runtime
from ansible_collections.cattle.images.plugins.module_utils.ui import Ui

BUILDER_ID = "transcend.qemu"
OUTPUT_KIND = "qemu_output_directory"
# kind -> ledger cleaner (module_utils/cleaners.py gathers every builder's); its QEMU and HTTP server are `process` entries.
CLEANERS = {OUTPUT_KIND: vm.remove_output_directory}
WORK_PREFIX = "cattle-qemu-"
# QEMU's user networking: the host as the guest sees it.
USER_NET_HOST_IP = "10.0.2.2"
LAUNCH_ATTEMPTS = 3


class QemuError(CattleError):
    """A qemu build step failed; the message is for the user."""


def work_dir(build_id):
    """The build's private directory: QMP socket, pid file, logs, HTTP server files."""
    return vm.work_dir(WORK_PREFIX, build_id)


def process_name(build_id):
    return f"qemu-{build_id}"


def qemu_marker(build_id):
    # The pid file's path is in QEMU's command line and holds the build id.
    return os.path.join(work_dir(build_id), "qemu.pid")


# --- launch -------------------------------------------------------------------------------


def prepare_output_directory(config, build_name, ledger):
    vm.prepare_output_directory(config, build_name, ledger, kind=OUTPUT_KIND, error=QemuError)


def prepare_disk(config, source_path, runtime_notes):
    """Create, copy or overlay the build's disk in the output directory; returns its path."""
    path = os.path.join(config["output_directory"], config["vm_name"])
    args = config["qemu_img_args"] or {}
    if config["disk_image"]:
        source_format = disk.info(source_path).get("format", "raw")
        if config["use_backing_file"]:
            disk.create_backed(path, source_path, source_format, args.get("create"))
        elif _copies_without_conversion(config, source_path):
            disk.copy_file(source_path, path)
        else:
            disk.copy(source_path, path, config["format"], args.get("convert"))
        if not config["skip_resize_disk"] and disk.resize(path, config["format"], config["disk_size_mb"],
                                                          args.get("resize")):
            runtime_notes.append(f"Resized the disk to {config['disk_size_mb']}M")
    else:
        disk.create(path, config["format"], config["disk_size_mb"], args.get("create"))
    for extra_path, size_mb in zip(additional_disk_paths(config), config.get("additional_disk_mb") or [], strict=True):
        disk.create(extra_path, config["format"], size_mb, args.get("create"))
    if config["efi_boot"]:
        shutil.copyfile(config["efi_firmware_vars"], efi_vars_path(config))
    return path


def _copies_without_conversion(config, source_path):
    """Packer's copy-disk step notes when the image's extension already names the output format."""
    extension = os.path.splitext(source_path)[1]
    return (config["disk_image"] and not config["use_backing_file"] and extension[1:] == config["format"]
            and not (config["qemu_img_args"] or {}).get("convert"))


def vnc_note(config, vnc_port):
    """Packer's note on a headless VM. Like Packer it names the VNC display as the port's offset
    from ``vnc_port_min`` (QEMU's ``-vnc`` syntax), not the TCP port."""
    if not vnc_port:
        return ("The VM will be run headless, without a GUI, as configured.\n"
                "If the run isn't succeeding as you expect, please enable the GUI\n"
                "to inspect the progress of the build.")
    display = f"{config['vnc_bind_address'] or '127.0.0.1'}:{vnc_port - config['vnc_port_min']}"
    return ("The VM will be run headless, without a GUI. If you want to\n"
            "view the screen of the VM, connect via VNC without a password to\n"
            f"vnc://{display}")


def free_port(low, high, host="127.0.0.1", exclude=()):
    return vm.free_port(low, high, host, exclude, error=QemuError)


def headless_setting(config, environ=None):
    """``(headless, note)``: without ``DISPLAY`` the VM runs headless (QEMU's VNC server shows it)."""
    return vm.headless_setting(config, environ, fallback="running headless; watch the VM with a VNC client instead")


def launch(config, build_id, build_name, ledger=None, ui=None, ssh_public_key=""):
    """Start the VM and type the boot command. Returns the ``source`` dict.

    ``ui`` (a :class:`Ui`) gets Packer's step lines and indented notes.
    """
    ui = ui or Ui()
    notes = []
    work = work_dir(build_id)
    started = False
    made_output = False
    try:
        prepare_output_directory(config, build_name, ledger)
        made_output = True
        os.makedirs(work, mode=0o700, exist_ok=True)
        try:
            fetched = iso.fetch(config["urls"], config["iso_checksum"], cwd=config.get("cwd"),
                                target_path=config["iso_target_path"],
                                target_extension=config["iso_target_extension"], skip_cache=config["iso_skip_cache"],
                                cache_dir=config.get("cache_dir"))
        except iso.ISOError as exc:
            raise QemuError(str(exc)) from None
        notes.extend(fetched["warnings"])
        ui.say(f"Using {'disk image' if config['disk_image'] else 'ISO'} {fetched['path']}")
        if _copies_without_conversion(config, fetched["path"]):
            ui.message("File extension already matches desired output format. Skipping qemu-img convert step")
        disk_path = prepare_disk(config, fetched["path"], notes)

        http = None
        if config["http_directory"] or config["http_content"]:
            ui.say("Starting HTTP server...")
            http = vm.start_http_server(config, work, build_id, build_name, ledger, error=QemuError)
            started = True

        accelerator, note = accel.choose(config["accelerator"], config["qemu_binary"])
        if note:
            notes.append(note)
        headless, note = headless_setting(config)
        if note:
            notes.append(note)

        runtime = {
            "HTTPIP": USER_NET_HOST_IP,
            "HTTPPort": http["port"] if http else "",
            "HTTPDir": config["http_directory"],
            "OutputDir": config["output_directory"],
            "Name": config["vm_name"],
            "SSHPublicKey": ssh_public_key,
        }
        started = True  # from here on a failure must stop QEMU too
        child, host_port, vnc_port = _start_qemu(config, build_id, build_name, disk_path,
                                                 None if config["disk_image"] else fetched["path"],
                                                 accelerator, headless, runtime, ledger, ui)
        runtime["SSHHostPort"] = host_port
        if headless:
            ui.message(vnc_note(config, vnc_port))
        _boot(config, build_id, child, runtime, ui)
        ui.message("No communicator is configured -- skipping StepWaitGuestAddress"
                   if config["communicator"] == "none" else "Not using a NetBridge -- skipping StepWaitGuestAddress")
    except (QemuError, disk.DiskError, OSError) as exc:
        message = str(exc)
        if started:
            _stop_everything(build_id, ledger)
        vm.remove_work_dir(WORK_PREFIX, build_id)
        if made_output:  # never the directory of someone else that made us refuse to start
            vm.release_output_directory(config["output_directory"], False, ledger, kind=OUTPUT_KIND)
        raise QemuError(message) from None
    return {
        "host": "127.0.0.1",
        "port": host_port,
        "vnc_port": vnc_port,
        "http_port": http["port"] if http else None,
        "http_ip": USER_NET_HOST_IP,
        "pid": child.pid,
        "accelerator": accelerator,
        "headless": headless,
        "work_dir": work,
        "output_directory": config["output_directory"],
        "disk": disk_path,
        "vm_name": config["vm_name"],
        "communicator": config["communicator"],
        "shutdown_timeout": config["shutdown_timeout"],
        "has_shutdown_command": bool(config["shutdown_command"]),
        "notes": notes,
    }


def _start_qemu(config, build_id, build_name, disk_path, iso_path, accelerator, headless, runtime, ledger, ui):
    work = work_dir(build_id)
    pidfile = qemu_marker(build_id)
    qmp_socket = config["qmp_socket_path"] or os.path.join(work, "qmp.sock")
    log_path = os.path.join(work, "qemu.log")
    serial_log = os.path.join(work, "serial.log")
    last_error = ""
    for _attempt in range(LAUNCH_ATTEMPTS):
        forward = config["communicator"] != "none" and not config["skip_nat_mapping"]
        host_port = free_port(config["host_port_min"], config["host_port_max"]) if forward else 0
        vnc_port = 0 if config["disable_vnc"] else free_port(config["vnc_port_min"], config["vnc_port_max"],
                                                             config["vnc_bind_address"] or "127.0.0.1")
        runtime["SSHHostPort"] = host_port
        try:
            argv = command_line(config, disk_path, iso_path, accelerator, host_port, vnc_port, headless, qmp_socket,
                                pidfile, serial_log, runtime)
        except CommandLineError as exc:
            raise QemuError(str(exc)) from None
        for stale in (qmp_socket, pidfile):
            if os.path.exists(stale):
                os.remove(stale)
        if ledger is not None:
            ledger.record(build=build_name, kind=process.LEDGER_KIND, name=process_name(build_id), marker=pidfile,
                          pidfile=pidfile, build_id=build_id, role="qemu", grace=3, remove_paths=[work])
        ui.say(f"Starting VM, booting {'from disk' if config['disk_image'] else 'ISO'} ({accelerator})"
               + (f", SSH on 127.0.0.1:{host_port}" if host_port else "")
               + (f", VNC on {config['vnc_bind_address']}:{vnc_port}" if vnc_port else ""))
        open(log_path, "w").close()
        try:
            child = process.spawn(argv, log_path)
        except OSError as exc:
            raise QemuError(f"cannot run {config['qemu_binary']}: {exc.strerror or exc} (Debian: apt-get install "
                            "qemu-system-x86)") from None
        if ledger is not None:
            ledger.record(build=build_name, kind=process.LEDGER_KIND, name=process_name(build_id), marker=pidfile,
                          pidfile=pidfile, pid=child.pid, build_id=build_id, role="qemu", grace=3, remove_paths=[work])
        error = _wait_monitor(child, qmp_socket, log_path)
        if error is None:
            return child, host_port, vnc_port
        last_error = error
        if "hostfwd" not in error and "Could not set up host forwarding" not in error \
                and "Address already in use" not in error:
            break
    raise QemuError(f"QEMU failed to start: {last_error}. Command line: {' '.join(argv)}")


def _wait_monitor(child, qmp_socket, log_path, timeout=30.0):
    """None when QEMU runs and its monitor answers; else why not (QEMU's own output)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child.poll() is not None:
            return _log_tail(log_path) or f"it exited with status {child.returncode}"
        if os.path.exists(qmp_socket):
            try:
                with QMP(qmp_socket, timeout=5) as monitor:
                    status = monitor.execute("query-status")
            except QMPError:
                time.sleep(0.1)
                continue
            if status.get("status") in ("running", "prelaunch", "paused", "inmigrate"):
                return None
        time.sleep(0.05)
    return f"its monitor did not answer within {timeout:g} s"


def _log_tail(path, limit=800):
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = handle.read().strip()
    except OSError:
        return ""
    return text[-limit:]


def _boot(config, build_id, child, runtime, ui):
    """boot_wait, then the boot command typed over QMP; QEMU must stay up throughout."""
    qmp_socket = config["qmp_socket_path"] or os.path.join(work_dir(build_id), "qmp.sock")
    if config["boot_wait"] > 0:
        ui.say(f"Waiting {config['boot_wait']:g}s for boot...")
        deadline = time.monotonic() + config["boot_wait"]
        while time.monotonic() < deadline:
            _check_running(child, build_id, "during boot_wait")
            time.sleep(min(0.2, max(deadline - time.monotonic(), 0)))
    _check_running(child, build_id, "before the boot command")
    if not config["boot_command"]:
        return
    try:
        text = render_runtime("".join(config["boot_command"]), runtime)
    except TemplateErrors as exc:
        raise QemuError("boot_command: " + "; ".join(d.message for d in exc.diagnostics)) from None
    events = bootcommand.parse(text)
    ui.say("Typing the boot command over QMP...")
    try:
        with QMP(qmp_socket, timeout=10) as monitor:
            monitor.type_events(events, key_interval=config["boot_key_interval"])
    except QMPError as exc:
        _check_running(child, build_id, "while typing the boot command")
        raise QemuError(f"Error typing the boot command: {exc}") from None


def _check_running(child, build_id, when):
    if child.poll() is not None:
        tail = _log_tail(os.path.join(work_dir(build_id), "qemu.log"))
        raise QemuError(f"QEMU exited {when} (status {child.returncode})" + (f": {tail}" if tail else ""))


# --- stop ---------------------------------------------------------------------------------


def vm_running(build_id):
    return bool(process.find(qemu_marker(build_id)))


def wait_for_shutdown(build_id, timeout, ui=None):
    """After the shutdown command: wait up to ``timeout`` for QEMU to exit (the guest powered off).

    A guest still up then is an error (Packer's), and the VM is stopped anyway.
    """
    ui = ui or Ui()
    # Packer's line for this step (it says it as it sends the command, just before this wait).
    ui.say("Gracefully halting virtual machine...")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not vm_running(build_id):
            return True
        time.sleep(0.5)
    process.stop(qemu_marker(build_id), pidfile=qemu_marker(build_id), grace=3)
    raise QemuError(
        f"Timeout while waiting for machine to shut down: the guest did not power off within "
        f"shutdown_timeout ({timeout:g}s) after the shutdown_command; the VM was stopped."
    )


def halt(build_id, ui=None):
    """No shutdown_command: halt the VM, as Packer does (quit over QMP, else a signal)."""
    ui = ui or Ui()
    if not vm_running(build_id):
        return False
    ui.say("Halting the virtual machine...")
    socket_path = os.path.join(work_dir(build_id), "qmp.sock")
    try:
        with QMP(socket_path, timeout=5) as monitor:
            monitor.execute("quit")
    except (QMPError, OSError):
        pass
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and vm_running(build_id):
        time.sleep(0.1)
    process.stop(qemu_marker(build_id), pidfile=qemu_marker(build_id), grace=3)
    return True


# --- capture ------------------------------------------------------------------------------


def capture(config, build_name, accelerator="", ui=None):
    """Compact (and compress) the disk unless told not to; returns the artifact."""
    ui = ui or Ui()
    path = os.path.join(config["output_directory"], config["vm_name"])
    if not os.path.isfile(path):
        raise QemuError(f"Cannot capture: the disk {path} does not exist (did the launch fail?)")
    if config["format"] == "qcow2" and not config["skip_compaction"]:
        ui.say("Converting hard drive..." + (" (compressed)" if config["disk_compression"] else ""))
        try:
            disk.compact(path, config["disk_compression"], (config["qemu_img_args"] or {}).get("convert"))
        except disk.DiskError as exc:
            raise QemuError(str(exc)) from None
    # Named as the template wrote the directory (relative to the run's cwd), as Packer's artifact does:
    # post-processors resolve them against the cwd where they open them.
    shown = config.get("output_directory_as_written") or config["output_directory"]
    files = sorted(os.path.join(shown, name) for name in os.listdir(config["output_directory"]))
    size = disk.info(path).get("virtual-size", 0)
    return {
        "id": "VM",  # Packer's qemu artifact id, whatever the disk is called
        "builder_id": BUILDER_ID,
        "builder_type": "qemu",
        "build_name": build_name,
        "files": files,
        "string": f"VM files in directory: {shown}",
        "metadata": {
            "diskName": config["vm_name"],
            "diskType": config["format"],
            "diskSize": f"{size // (1024 * 1024)}M",
            "domainType": accelerator,
        },
    }


# --- cleanup ------------------------------------------------------------------------------


def _stop_everything(build_id, ledger=None):
    changed = process.stop(qemu_marker(build_id), pidfile=qemu_marker(build_id), grace=3)
    if ledger is not None:
        ledger.release(kind=process.LEDGER_KIND, name=process_name(build_id))
    changed = httpserver.stop(work_dir(build_id), build_id, ledger) or changed
    return changed


def remove(build_id, output_directory="", keep_output=True, ledger=None):
    """Stop QEMU and the HTTP server, remove the work dir; the output dir too unless kept."""
    changed = _stop_everything(build_id, ledger)
    changed = vm.remove_work_dir(WORK_PREFIX, build_id) or changed
    if output_directory:
        changed = vm.release_output_directory(output_directory, keep_output, ledger, kind=OUTPUT_KIND) or changed
    return changed
