# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Packer's communicator for a build host: connection facts, the wait, cleanup.

``state``:
- ``key``: the temporary key pair a builder must put on the machine (made once per build).
- ``facts``: the ``ansible_*`` variables that make the host's connection the communicator;
  the builder role ``set_fact``s them (``no_log``: they may hold a password). ``password_file``:
  a WinRM password the builder learnt at launch (amazon-ebs's GetPasswordData).
- ``connected``: wait like Packer ("Waiting for SSH to become available...") by really
  connecting through the host's own connection, which must already be the communicator.
- ``authorized_keys_cleared``: Packer's ``ssh_clear_authorized_keys`` step.
- ``absent``: stop the build's SSH masters and remove its private directory (idempotent).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
import tempfile
import time

from ansible.errors import AnsibleError
from ansible.plugins.action import ActionBase

from ansible_collections.cattle.images.plugins.module_utils.communicator import (
    CommunicatorError,
    communicator_type,
    parse_ssh_settings,
    ssh_host_vars,
    wait_for,
)
from ansible_collections.cattle.images.plugins.module_utils.communicator import keys as ssh_keys
from ansible_collections.cattle.images.plugins.module_utils.communicator.ssh import (
    RETRY_INTERVAL,
    as_duration,
    clear_authorized_keys_commands,
    go_duration,
)
from ansible_collections.cattle.images.plugins.module_utils.ledger import Ledger
from ansible_collections.cattle.images.plugins.module_utils.template import mask_data
from ansible_collections.cattle.images.plugins.module_utils.ui import Ui
from ansible_collections.cattle.images.plugins.plugin_utils.common import UserError
from ansible_collections.cattle.images.plugins.plugin_utils.context import build_context
from ansible_collections.cattle.images.plugins.plugin_utils.winrm import (
    WindowsShell,
    encode_powershell,
    parse_winrm_settings,
    winrm_host_vars,
)

STATES = ("key", "facts", "connected", "authorized_keys_cleared", "absent")
WINRM_PROBE = "if (Test-Path variable:global:ProgressPreference){$ProgressPreference='SilentlyContinue'}; echo \"WinRM connected.\""
# Communicators whose connection the builder sets up itself (the docker builder).
NOT_OURS = ("docker", "dockerWindowsContainer")


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset((
        "state", "config", "plan_file", "build", "host", "port", "default_communicator", "private_dir",
        "ledger", "retry_interval", "password_file",
    ))
    _supports_check_mode = True

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        self._task_vars = task_vars or {}
        ui = Ui()
        sensitive = []
        args = self._task.args
        try:
            state = args.get("state") or "facts"
            if state not in STATES:
                raise UserError(f"communicator: state must be one of {', '.join(STATES)}, got {state!r}")
            context = build_context(args, task_vars, getattr(self, "_templar", None))
            sensitive = list(context.sensitive_values)
            config = self._config(args, context)
            if args.get("password_file"):
                # A password the builder learnt at launch (EC2's GetPasswordData), kept in a 0600 file.
                config["winrm_password"] = read_password_file(args["password_file"])
            sensitive += [str(config[k]) for k in ("ssh_password", "ssh_bastion_password", "winrm_password")
                          if config.get(k)]
            kind = communicator_type(config, args.get("default_communicator") or "ssh")
            result["communicator"] = kind
            handler = getattr(self, "_state_" + state)
            handler(kind, config, context, ui, result)
        except (CommunicatorError, UserError) as exc:
            result.update(failed=True, msg=str(exc))
        except OSError as exc:  # the run directory is not writable, a disk is full, ...
            result.update(failed=True, msg=f"communicator: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "))
        result["ui"] = ui.lines
        facts = result.pop("facts", None)
        masked = mask_data(result, sensitive)
        if facts is not None:
            # The builder needs the real values to set_fact them; keep them out of every display.
            masked["facts"] = facts
            if any(facts.get(k) for k in ("ansible_password", "ansible_winrm_password", "ansible_ssh_pass")):
                masked["_ansible_no_log"] = True
        return masked

    # --- inputs -----------------------------------------------------------------------

    def _config(self, args, context):
        if args.get("config") is not None:
            if not isinstance(args["config"], dict):
                raise UserError("communicator: 'config' must be a dictionary of the builder's communicator options")
            return dict(args["config"])
        if context.build is None:
            raise UserError(
                "communicator: give either 'config' (the builder's communicator options) or 'plan_file' and "
                "'build' (or run on a build host whose cattle_build names them)"
            )
        return dict(context.builder_config)

    def _cattle_build(self):
        value = self._task_vars.get("cattle_build") or {}
        if isinstance(value, str) and "{{" in value:
            value = self._templar.template(value)
        return value if isinstance(value, dict) else {}

    def _ledger(self):
        path = self._task.args.get("ledger") or self._cattle_build().get("ledger")
        return Ledger(path) if path else None

    def _private_dir(self, context, required):
        """``<run dir>/communicator-<build id>``: the temporary key, secret files, SSH control sockets."""
        explicit = self._task.args.get("private_dir")
        if explicit:
            return explicit
        cattle_build = self._cattle_build()
        anchor = self._task.args.get("ledger") or cattle_build.get("ledger") or self._task.args.get("plan_file") \
            or cattle_build.get("plan_file")
        if not anchor:
            if required:
                raise UserError(
                    "communicator: no run directory to keep the temporary SSH key in: give 'private_dir', "
                    "'ledger' or 'plan_file'"
                )
            return ""
        name = context.build_id or context.build_name or "build"
        return os.path.join(os.path.dirname(os.path.abspath(anchor)), f"communicator-{name}")

    def _control_path_dir(self, private_dir, context):
        """Where the build's SSH master sockets go: ``<private dir>/cp``, or a short dir when that is too long.

        A socket path has at most 108 bytes and ssh adds ``/<10 hex>`` plus a 17-byte temporary
        suffix; deep run directories (pytest's, say) would make ssh fail or hang.
        """
        preferred = os.path.join(private_dir, "cp")
        if len(preferred.encode()) + 11 + 17 < 104:
            return preferred
        digest = hashlib.sha1(os.path.abspath(private_dir).encode()).hexdigest()[:12]
        short = os.path.join(tempfile.gettempdir(), f"cattle-cp-{digest}")
        if len(short.encode()) + 11 + 17 >= 104:
            short = f"/tmp/cattle-cp-{digest}"
        if not self._task.check_mode and not os.path.isdir(short):
            ledger = self._ledger()
            if ledger is not None:
                ledger.record(build=context.build_name, kind=ssh_keys.LEDGER_KIND, name=short)
            os.mkdir(short, 0o700)
        # Link it from the private directory so state=absent finds and removes it.
        link = os.path.join(private_dir, "cp-link")
        if not self._task.check_mode and not os.path.islink(link):
            os.symlink(short, link)
        return short

    def _settings(self, config, context, require_host=True):
        args = self._task.args
        return parse_ssh_settings(config, host=args.get("host") or "", port=args.get("port"), cwd=context.cwd,
                                  require_host=require_host)

    # --- states -----------------------------------------------------------------------

    def _temporary_key(self, settings, context, private_dir, ui, result):
        if not settings.needs_temporary_key:
            result.update(ssh_public_key="", ssh_private_key_file="", generated={})
            return ""
        if self._task.check_mode and not os.path.isdir(private_dir):
            result.update(ssh_public_key="", ssh_private_key_file="", generated={})
            return os.path.join(private_dir, f"id_{settings.temporary_key_pair_type}")
        created = not os.path.isdir(private_dir) or not any(
            name.startswith("id_") for name in os.listdir(private_dir))
        ssh_keys.ensure_private_dir(private_dir, self._ledger(), context.build_name)
        if created:
            ui.say("Creating temporary keypair for this instance...")
        comment = settings.temporary_key_pair_name or f"cattle_{context.build_id or context.build_name}"
        private_key, public_key = ssh_keys.ensure_key_pair(
            private_dir, settings.temporary_key_pair_type, settings.temporary_key_pair_bits, comment)
        result["changed"] = result.get("changed", False) or created
        result.update(ssh_public_key=public_key, ssh_private_key_file=private_key,
                      generated={"SSHPublicKey": public_key})
        return private_key

    def _state_key(self, kind, config, context, ui, result):
        result["changed"] = False
        if kind != "ssh":
            result.update(ssh_public_key="", ssh_private_key_file="", generated={})
            return
        settings = self._settings(config, context, require_host=False)
        private_dir = self._private_dir(context, required=settings.needs_temporary_key)
        self._temporary_key(settings, context, private_dir, ui, result)

    def _state_facts(self, kind, config, context, ui, result):
        result["changed"] = False
        if kind in NOT_OURS or kind == "none":
            result["facts"] = {"cattle_communicator": kind}
            return
        if kind == "winrm":
            settings = parse_winrm_settings(config, host=self._task.args.get("host") or "",
                                            port=self._task.args.get("port"))
            result["facts"] = dict(winrm_host_vars(settings), cattle_communicator="winrm")
            return
        settings = self._settings(config, context)
        needs_files = settings.needs_temporary_key or bool(settings.bastion_password)
        private_dir = self._private_dir(context, required=needs_files)
        temporary_key = self._temporary_key(settings, context, private_dir, ui, result) if private_dir else ""
        bastion_password_file = ""
        control_path_dir = ""
        if private_dir:
            if not self._task.check_mode:
                ssh_keys.ensure_private_dir(private_dir, self._ledger(), context.build_name)
            control_path_dir = self._control_path_dir(private_dir, context)
            bastion_password_file = os.path.join(private_dir, "bastion-password") if settings.bastion_password else ""
            if not self._task.check_mode:
                os.makedirs(control_path_dir, mode=0o700, exist_ok=True)
                if bastion_password_file:
                    if not shutil.which("sshpass"):
                        raise CommunicatorError(
                            "ssh_bastion_password: a bastion password needs the sshpass program on the controller "
                            "(apt-get install sshpass), or use ssh_bastion_private_key_file"
                        )
                    ssh_keys.write_secret_file(private_dir, "bastion-password", settings.bastion_password)
        facts = ssh_host_vars(settings, private_key_file=temporary_key, control_path_dir=control_path_dir,
                              bastion_password_file=bastion_password_file)
        facts["cattle_communicator"] = "ssh"
        result["facts"] = facts
        result["private_dir"] = private_dir

    def _state_connected(self, kind, config, context, ui, result):
        result["changed"] = False
        if kind in NOT_OURS or kind == "none":
            return
        if self._task.check_mode:
            ui.say(f"Check mode: would wait for {kind.upper() if kind == 'ssh' else 'WinRM'} to become available")
            return
        if kind == "winrm":
            settings = parse_winrm_settings(config, host=self._task.args.get("host") or "",
                                            port=self._task.args.get("port"), require_host=False)
            # Packer's check once connected; authentication errors are retried like any other.
            name, timeout, attempts = "WinRM", settings.timeout, 1 << 30
            probe = encode_powershell(WINRM_PROBE)
            expected = ("winrm", "psrp")
        else:
            settings = self._settings(config, context, require_host=False)
            name, timeout, attempts, probe = "SSH", settings.timeout, settings.handshake_attempts, "exit 0"
            expected = ("ssh", "paramiko")
        self._check_connection(expected, kind)
        interval = as_duration(self._task.args, "retry_interval", RETRY_INTERVAL) or RETRY_INTERVAL

        def try_connect():
            try:
                if kind == "winrm":
                    shell = WindowsShell(self._connection)
                    rc, stdout, stderr = shell.run(probe)
                    # As Packer: connected once the guest says so; a shell that answers otherwise is not ready.
                    if rc != 0 or b"WinRM connected." not in stdout:
                        detail = (stderr or stdout).decode("utf-8", errors="replace").strip()
                        return f"exit status {rc}: {detail or 'no answer from the probe'} (expected: WinRM connected.)"
                else:
                    self._connection.exec_command(probe, sudoable=False)
            except AnsibleError as exc:
                self._reset_connection()
                return getattr(exc, "message", None) or str(exc)
            except OSError as exc:  # a socket error the plugin did not wrap
                self._reset_connection()
                return str(exc)
            return None

        outcome = wait_for(try_connect, timeout, attempts, ui, name=name, interval=interval)
        result["attempts"] = outcome.attempts
        if not outcome.connected:
            result.update(failed=True, msg=outcome.error)
            return
        pause = as_duration(config, "pause_before_connecting")
        if pause > 0:
            ui.say(f"Pausing {go_duration(pause)} before connecting...")
            time.sleep(pause)
            self._reset_connection()
            outcome = wait_for(try_connect, timeout, attempts, ui, name=name, interval=interval)
            if not outcome.connected:
                result.update(failed=True, msg=outcome.error)

    def _state_authorized_keys_cleared(self, kind, config, context, ui, result):
        result["changed"] = False
        if kind != "ssh":
            return
        settings = self._settings(config, context, require_host=False)
        if not settings.clear_authorized_keys or not settings.needs_temporary_key:
            return
        private_dir = self._private_dir(context, required=False)
        public_path = os.path.join(private_dir, f"id_{settings.temporary_key_pair_type}.pub") if private_dir else ""
        if not public_path or not os.path.isfile(public_path):
            return
        if self._task.check_mode:
            ui.say("Check mode: would remove the temporary key from authorized_keys")
            return
        self._check_connection(("ssh", "paramiko"), kind)
        with open(public_path, encoding="utf-8") as handle:
            public_key = handle.read().strip()
        ui.say("Trying to remove ephemeral keys from authorized_keys files")
        for command in clear_authorized_keys_commands(public_key):
            try:
                rc, _stdout, stderr = self._connection.exec_command(command, sudoable=False)
            except AnsibleError as exc:
                raise CommunicatorError(f"ssh_clear_authorized_keys: removing the temporary key failed: {exc}") from None
            if rc != 0:
                detail = stderr.decode("utf-8", errors="replace").strip() if isinstance(stderr, bytes) else stderr
                ui.error(f"Error cleaning up authorized_keys (exit {rc}): {detail}")
        result["changed"] = True

    def _state_absent(self, kind, config, context, ui, result):
        result["changed"] = False
        private_dir = self._private_dir(context, required=False)
        if not private_dir or not os.path.isdir(private_dir):
            return
        if self._task.check_mode:
            result["changed"] = True
            return
        ledger = self._ledger()
        link = os.path.join(private_dir, "cp-link")
        if os.path.islink(link):
            short = os.readlink(link)
            stop_ssh_masters(short)
            ssh_keys.remove_private_dir({"name": short})
            if ledger is not None:
                ledger.release(kind=ssh_keys.LEDGER_KIND, name=short)
        stop_ssh_masters(os.path.join(private_dir, "cp"))
        ssh_keys.remove_private_dir({"name": private_dir})
        if ledger is not None:
            ledger.release(kind=ssh_keys.LEDGER_KIND, name=private_dir)
        result["changed"] = True

    # --- the host's own connection ----------------------------------------------------

    def _check_connection(self, expected, kind):
        transport = str(getattr(self._connection, "transport", "") or "")
        if transport.rsplit(".", 1)[-1] not in expected:
            raise CommunicatorError(
                f"communicator: waiting for {kind} needs the build host's connection to be {kind}, but it is "
                f"{transport or 'unknown'}: set_fact the facts of the 'facts' state first, and do not delegate "
                "this task"
            )

    def _reset_connection(self):
        if str(getattr(self._connection, "transport", "")).endswith("winrm"):
            WindowsShell(self._connection).reset()
            return
        try:
            self._connection.close()
        except Exception:  # noqa: BLE001 - a broken connection may fail to close; the next try starts afresh
            pass


def read_password_file(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read().rstrip("\r\n")
    except OSError as exc:
        raise UserError(f"communicator: cannot read the password file {path}: {exc.strerror}") from None


def stop_ssh_masters(control_path_dir):
    """Ask every SSH master whose socket is in ``control_path_dir`` to exit."""
    if not os.path.isdir(control_path_dir):
        return
    for name in os.listdir(control_path_dir):
        path = os.path.join(control_path_dir, name)
        try:
            if not stat.S_ISSOCK(os.lstat(path).st_mode):
                continue
        except OSError:
            continue
        subprocess.run(["ssh", "-o", f"ControlPath={path}", "-O", "exit", "cattle-build"],
                       capture_output=True, timeout=10, check=False)
