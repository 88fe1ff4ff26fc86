# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Packer's WinRM communicator as Ansible's ``winrm`` connection, and running cmd.exe lines over it.

``parse_winrm_settings`` / ``winrm_host_vars`` mirror the SSH pair. ``WindowsShell`` runs
Packer's command lines the way Packer's WinRM communicator does: as the command of a WinRS
``cmd`` shell (no PowerShell wrapper around them), so ``powershell -executionpolicy bypass
"& { ... }"`` reaches the guest exactly as Packer would send it.

Controller-only (action plugins, ``plugin_utils/remote.py``): it raises Ansible's errors.
"""

from __future__ import annotations

import base64

from ansible.errors import AnsibleConnectionFailure, AnsibleError

from ansible_collections.cattle.images.plugins.module_utils.communicator.errors import CommunicatorError
from ansible_collections.cattle.images.plugins.module_utils.communicator.ssh import (
    as_bool,
    as_duration,
    as_int,
    as_list,
    as_str,
)

DEFAULT_HTTP_PORT = 5985
DEFAULT_HTTPS_PORT = 5986
DEFAULT_TIMEOUT = 1800.0  # winrm_timeout: 30m
TRANSPORTS = ("basic", "ntlm", "kerberos", "credssp", "certificate", "plaintext", "ssl")


class WinRMSettings:
    def __init__(self, host, port, username, password, use_ssl, insecure, transports, timeout, no_proxy):
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.use_ssl = use_ssl
        self.insecure = insecure
        self.transports = transports
        self.timeout = timeout
        self.no_proxy = no_proxy


def parse_winrm_settings(config, host="", port=None, require_host=True):
    """Settings from a builder config's ``winrm_*`` keys with Packer's defaults; CommunicatorError on mistakes."""
    config = config or {}
    username = as_str(config, "winrm_username")
    if not username:
        raise CommunicatorError("winrm_username: a winrm_username must be specified")
    target_host = as_str(config, "winrm_host") or (str(host) if host else "")
    if not target_host and require_host:
        raise CommunicatorError("winrm_host: no host to connect to: set winrm_host, or the builder must report one")
    use_ssl = as_bool(config, "winrm_use_ssl")
    default_port = DEFAULT_HTTPS_PORT if use_ssl else DEFAULT_HTTP_PORT
    target_port = int(port) if port not in (None, "", 0) else as_int(config, "winrm_port", default_port)
    if not 0 < target_port < 65536:
        raise CommunicatorError(f"winrm_port: expected a TCP port (1-65535), got {target_port}")
    transports = as_list(config, "winrm_transport") or (["ntlm"] if as_bool(config, "winrm_use_ntlm") else ["basic"])
    for transport in transports:
        if transport not in TRANSPORTS:
            raise CommunicatorError(
                f"winrm_transport: expected one of {', '.join(TRANSPORTS)}, got {transport!r}"
            )
    return WinRMSettings(
        host=target_host,
        port=target_port,
        username=username,
        password=as_str(config, "winrm_password"),
        use_ssl=use_ssl,
        insecure=as_bool(config, "winrm_insecure"),
        transports=transports,
        timeout=as_duration(config, "winrm_timeout") or DEFAULT_TIMEOUT,
        no_proxy=as_bool(config, "winrm_no_proxy"),
    )


def winrm_host_vars(settings):
    """The ``ansible_*`` variables of Ansible's winrm connection for these settings."""
    host_vars = {
        "ansible_connection": "winrm",
        "ansible_host": settings.host,
        "ansible_port": settings.port,
        "ansible_user": settings.username,
        "ansible_winrm_scheme": "https" if settings.use_ssl else "http",
        "ansible_winrm_transport": ",".join(settings.transports),
        "ansible_winrm_server_cert_validation": "ignore" if settings.insecure else "validate",
        "ansible_winrm_operation_timeout_sec": 20,
        "ansible_winrm_read_timeout_sec": 30,
        "ansible_shell_type": "powershell",
        "ansible_python_interpreter": "auto_silent",
    }
    if settings.password:
        host_vars["ansible_password"] = settings.password
    if settings.no_proxy:
        host_vars["ansible_winrm_proxy"] = None
    return host_vars


def encode_powershell(script):
    """``powershell.exe -EncodedCommand <base64 of UTF-16LE>``, as Packer's winrm.Powershell does."""
    encoded = base64.b64encode(script.encode("utf-16-le")).decode("ascii")
    return f"powershell.exe -EncodedCommand {encoded}"


class WindowsShell:
    """Run cmd.exe command lines on a Windows build host through its Ansible connection.

    With the winrm connection the line is sent as the command of the WinRS cmd shell, as
    Packer's WinRM communicator does (Ansible's ``exec_command`` would wrap it in a PowerShell
    ``-EncodedCommand``). Any other connection (OpenSSH on Windows) gets ``exec_command``.
    """

    def __init__(self, connection):
        self.connection = connection

    @property
    def is_winrm(self):
        transport = str(getattr(self.connection, "transport", "") or "")
        return transport.rsplit(".", 1)[-1] == "winrm" and hasattr(self.connection, "_winrm_exec")

    def run(self, command_line):
        """``(exit code, stdout bytes, stderr bytes)``; connection errors raise AnsibleError.

        A failure before the guest accepted the command raises :class:`CommandNotStarted` (safe
        to send again); one after it (the output was lost: a reboot, a dropped socket) raises
        :class:`CommandLost`, since the command may have run. Ansible's winrm connection already
        re-polls ``w:TimedOut`` answers, re-creates the shell on the operations quota fault and
        decodes CLIXML stderr.
        """
        started = []
        try:
            if self.is_winrm:
                connection = self.connection
                if not getattr(connection, "protocol", None):
                    connection._connect()
                accept = connection._winrm_run_command

                def run_command(*args, **kwargs):
                    command_id = accept(*args, **kwargs)
                    started.append(command_id)
                    return command_id

                connection._winrm_run_command = run_command
                try:
                    rc, stdout, stderr = connection._winrm_exec(command_line, [])
                finally:
                    del connection._winrm_run_command
            else:
                rc, stdout, stderr = self.connection.exec_command(command_line, sudoable=False)
        except AnsibleError as exc:
            if not self.is_winrm:
                raise
            raise (CommandLost if started else CommandNotStarted)(str(getattr(exc, "message", "") or exc)) from None
        except Exception as exc:  # pywinrm / requests errors (a shell lost in a reboot, a refused socket)
            raise (CommandLost if started else CommandNotStarted)(f"{type(exc).__name__}: {exc}") from None
        return rc, stdout or b"", strip_clixml(stderr)

    def put(self, local_path, remote_path):
        try:
            self.connection.put_file(local_path, remote_path)
        except AnsibleError:
            raise
        except Exception as exc:  # as above
            raise AnsibleConnectionFailure(f"{type(exc).__name__}: {exc}") from None

    def reset(self):
        """Forget the WinRM shell (after a reboot the old shell id means nothing)."""
        connection = self.connection
        try:
            connection.close()
        except Exception:  # noqa: BLE001 - the machine may be down; the next command reconnects
            pass
        for attribute, value in (("protocol", None), ("shell_id", None), ("_connected", False)):
            if hasattr(connection, attribute):
                setattr(connection, attribute, value)


# --- what the Windows provisioners share (powershell, windows-shell, windows-restart) ---------

PS_ESCAPES = {"$": "`$", '"': '`"', "`": "``", "'": "`'"}


def ps_escape(value):
    """Packer's psEscape: characters special to PowerShell inside a double-quoted string."""
    return "".join(PS_ESCAPES.get(char, char) for char in value)


def exit_code_error(code, allowed):
    # Packer's text, including its missing space after the period.
    return f"Script exited with non-zero exit status: {code}.Allowed exit codes are: [{' '.join(map(str, allowed))}]"


def decode_output(data):
    return data.decode("utf-8", errors="replace") if isinstance(data, bytes) else str(data or "")


def show_output(ui, stdout, stderr):
    """Command output as Packer's RunWithUi shows it: stdout as messages, stderr as errors."""
    for line in decode_output(stdout).splitlines():
        ui.message(line.rstrip("\r"))
    for line in decode_output(stderr).splitlines():
        ui.error(line.rstrip("\r"))


def retry_until(deadline_seconds, attempt, cancel, clock, sleep, interval=2.0):
    """Packer's retry.Config{StartTimeout}: call ``attempt`` until it returns without raising.

    ``attempt`` raises ``RetryableError`` for what may pass later (a guest still rebooting).
    """
    deadline = clock() + deadline_seconds
    while True:
        try:
            return attempt()
        except RetryableError as exc:
            if clock() >= deadline or (cancel is not None and cancel.is_set()):
                raise CommunicatorError(str(exc)) from None
            sleep(interval)


class CommandNotStarted(AnsibleConnectionFailure):
    """The guest never accepted the command (refused, no shell, quota): sending it again is safe."""


class CommandLost(AnsibleConnectionFailure):
    """The guest accepted the command, then the connection failed: it may have run (or be running)."""


def strip_clixml(data):
    """PowerShell's ``#< CLIXML`` serialized streams (progress records, errors) as plain text.

    A Windows guest writes them to stderr whenever PowerShell reports progress or an error
    without a console; Packer's winrm library shows their text, never the XML.
    """
    if not isinstance(data, bytes) or not data.lstrip().startswith(b"#< CLIXML"):
        return data or b""
    from ansible.plugins.shell.powershell import _parse_clixml

    return _parse_clixml(data.lstrip())


class RetryableError(Exception):
    """A failure to upload or start a command that may go away (the guest is restarting)."""
