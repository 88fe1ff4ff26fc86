# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Packer's ``windows-restart`` provisioner: restart the Windows guest and wait until WinRM answers again.

Packer's algorithm: run ``restart_command`` (exit 0, 1115 or 1190 is fine; sent again only
while the guest has not accepted it, never after it started); probe whether
the machine is going down by scheduling a restart of our own (``shutdown /r /f /t 60``): a
failure to run it or exit 1 means it is already restarting, 1115/1190/1717 mean "in
progress, ask again in 10 s", 0 means it is not, so the probe is cancelled (``shutdown /a``).
Then every 5 s: the user's ``restart_check_command`` until it runs, and the default check
until its output says "restarted." (and, with ``check_registry``, no pending-reboot
registry key is left), all within ``restart_timeout``.
"""

from __future__ import annotations

import time

from ansible.errors import AnsibleError

from ansible_collections.cattle.images.plugins.plugin_utils.common import (
    UserError,
    as_bool,
    as_list,
    go_duration,
    parse_duration,
    unknown_keys,
)
from ansible_collections.cattle.images.plugins.plugin_utils.provisioner import ProvisionerAction, ProvisionError
from ansible_collections.cattle.images.plugins.plugin_utils.winrm import (
    CommandLost,
    WindowsShell,
    decode_output,
    encode_powershell,
    show_output,
)

DEFAULT_RESTART_COMMAND = 'shutdown /r /f /t 0 /c "packer restart"'
DEFAULT_RESTART_CHECK_COMMAND = encode_powershell('echo ("{0} restarted." -f [System.Net.Dns]::GetHostName())')
TRY_CHECK_REBOOT = 'shutdown /r /f /t 60 /c "packer restart test"'
ABORT_REBOOT = "shutdown /a"
DEFAULT_REGISTRY_KEYS = [
    "HKLM:SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\RebootPending",
    "HKLM:SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\PackagesPending",
    "HKLM:Software\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\RebootInProgress",
]
KNOWN_KEYS = {"restart_command", "restart_check_command", "restart_timeout", "check_registry", "registry_keys"}
RESTART_OK = (0, 1115, 1190)
IN_PROGRESS = (1115, 1190, 1717)
TIMEOUT_ERROR = "Timeout waiting for machine to restart."


class ActionModule(ProvisionerAction):
    PROVISIONER_TYPE = "windows-restart"
    # Packer's pauses: between checks, and while a restart is "in progress".
    check_interval = 5.0
    in_progress_interval = 10.0
    clock = staticmethod(time.monotonic)

    def prepare(self, config, context):
        problems = unknown_keys(config, KNOWN_KEYS)
        if problems:
            raise UserError("; ".join(problems))
        return {
            "restart_command": config.get("restart_command") or DEFAULT_RESTART_COMMAND,
            "restart_check_command": config.get("restart_check_command") or DEFAULT_RESTART_CHECK_COMMAND,
            "restart_timeout": parse_duration(config.get("restart_timeout"), "restart_timeout") or 300.0,
            "check_registry": as_bool(config.get("check_registry", False), "check_registry"),
            "registry_keys": as_list(config.get("registry_keys"), "registry_keys") or list(DEFAULT_REGISTRY_KEYS),
        }

    def describe(self, config, context, ui):
        ui.say(f"Check mode: would restart the machine with: {config['restart_command']} and wait up to "
               f"{go_duration(config['restart_timeout'])} for it to come back")

    def provision(self, config, context, ui, cancel):
        shell = WindowsShell(self._connection)
        ui.say("Restarting Machine")
        rc = self._run_restart_command(shell, config, ui, cancel)
        if rc not in RESTART_OK:
            raise ProvisionError(f"Restart script exited with non-zero exit status: {rc}")
        ui.say("Waiting for machine to restart...")
        deadline = self.clock() + config["restart_timeout"]
        self._wait_until_going_down(shell, ui, cancel, deadline)
        if not self._wait_for_communicator(shell, config, ui, cancel, deadline):
            ui.error(TIMEOUT_ERROR)
            raise ProvisionError(TIMEOUT_ERROR)
        ui.say("Machine successfully restarted, moving on")

    def _sleep(self, seconds, cancel, deadline=None):
        if deadline is not None:
            seconds = max(0.0, min(seconds, deadline - self.clock()))
        if cancel.wait(seconds):
            raise ProvisionError("Interrupt detected, quitting waiting for machine to restart")

    def _run_restart_command(self, shell, config, ui, cancel):
        """Run ``restart_command``; send it again only while the guest has not accepted it (Packer's retry).

        Once the command started, a lost connection means the machine is going down: sending it
        again would restart the machine a second time.
        """
        deadline = self.clock() + config["restart_timeout"]
        while True:
            try:
                rc, stdout, stderr = shell.run(config["restart_command"])
                show_output(ui, stdout, stderr)
                return rc
            except CommandLost:
                shell.reset()
                return 0
            except AnsibleError as exc:
                shell.reset()
                if self.clock() >= deadline:
                    raise ProvisionError(f"Error running the restart command: {exc}") from None
                self._sleep(2.0, cancel)

    def _wait_until_going_down(self, shell, ui, cancel, deadline):
        while self.clock() < deadline:
            try:
                rc, stdout, stderr = shell.run(TRY_CHECK_REBOOT)
            except AnsibleError:
                shell.reset()
                return  # could not run it: the machine is going down already
            show_output(ui, stdout, stderr)
            if rc == 1:
                return
            if rc in IN_PROGRESS:
                self._sleep(self.in_progress_interval, cancel, deadline)
                continue
            if rc == 0:
                try:
                    rc, stdout, stderr = shell.run(ABORT_REBOOT)
                    show_output(ui, stdout, stderr)
                except AnsibleError:
                    shell.reset()
                return
            self._sleep(1.0, cancel, deadline)  # an unexpected answer: ask again (Packer loops too)

    def _wait_for_communicator(self, shell, config, ui, cancel, deadline):
        custom_check = config["restart_check_command"] != DEFAULT_RESTART_CHECK_COMMAND
        while True:
            if self.clock() >= deadline:
                return False
            self._sleep(self.check_interval, cancel, deadline)
            if self.clock() >= deadline:
                return False
            try:
                if custom_check:
                    rc, stdout, stderr = shell.run(config["restart_check_command"])
                    show_output(ui, stdout, stderr)
                    custom_check = False
                rc, stdout, stderr = shell.run(DEFAULT_RESTART_CHECK_COMMAND)
                show_output(ui, stdout, stderr)
                if "restarted." not in decode_output(stdout):
                    continue
                if config["check_registry"] and self._reboot_pending(shell, config, ui):
                    continue
                return True
            except AnsibleError:
                shell.reset()

    @staticmethod
    def _reboot_pending(shell, config, ui):
        pending = False
        for key in config["registry_keys"]:
            rc, stdout, stderr = shell.run(encode_powershell(f'Test-Path "{key}"'))
            show_output(ui, stdout, stderr)
            if "True" in decode_output(stdout):
                pending = True
        return pending
