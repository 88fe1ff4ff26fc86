# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Packer's SSH communicator options, as host variables of Ansible's ``ssh`` connection.

Pure functions (no Ansible import): ``parse_ssh_settings`` checks a builder config's
``ssh_*`` keys and applies Packer's defaults; ``ssh_host_vars`` turns the settings into
``ansible_*`` variables; ``wait_for`` is Packer's connect loop around any
"try once" callable. The action plugin ``cattle.images.communicator`` glues them to a
real connection.
"""

from __future__ import annotations

import functools
import os
import re
import shlex
import subprocess
import time
from dataclasses import dataclass, field

from ansible_collections.cattle.images.plugins.module_utils.communicator.errors import CommunicatorError
from ansible_collections.cattle.images.plugins.module_utils.durations import format_go_duration, seconds
from ansible_collections.cattle.images.plugins.module_utils.option_values import to_bool, to_int

DEFAULT_PORT = 22
DEFAULT_TIMEOUT = 300.0  # ssh_timeout: 5m
DEFAULT_HANDSHAKE_ATTEMPTS = 10
DEFAULT_KEEP_ALIVE_INTERVAL = 5.0
RETRY_INTERVAL = 5.0  # Packer retries the connection every 5 s
TRANSFER_METHODS = ("scp", "sftp")

# Host keys of a machine being built are new every time: never check them, never record them.
HOST_KEY_OPTIONS = ("-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR")

AUTH_ERROR_TEXT = (
    "Packer experienced an authentication error when trying to connect via SSH. This can happen if your "
    "username/password are wrong. You may want to double-check your credentials as part of your debugging "
    "process. original error: {error}"
)


# --- reading the options ---------------------------------------------------------------


def as_bool(config, key, default=False):
    value = config.get(key)
    if value is None:
        return default
    try:
        return to_bool(key, value, expected="a boolean (true or false)")
    except ValueError as exc:
        raise CommunicatorError(str(exc)) from None


def as_int(config, key, default=0):
    value = config.get(key)
    if value is None or value == "" or value == 0:
        return default
    try:
        return to_int(key, value, expected="an integer")
    except ValueError as exc:
        raise CommunicatorError(str(exc)) from None


def as_str(config, key, default=""):
    value = config.get(key)
    if value is None:
        return default
    if isinstance(value, (dict, list, bool)):
        raise CommunicatorError(f"{key}: expected a string, got {value!r}")
    return str(value)


def as_list(config, key):
    value = config.get(key)
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, (list, tuple)):
        return [str(item) for item in value]
    raise CommunicatorError(f"{key}: expected a list of strings, got {value!r}")


def as_duration(config, key, default=0.0):
    """Seconds. The plan holds durations as seconds already; direct arguments may be Go strings (``5m``)."""
    value = config.get(key)
    if value is None or value == "":
        return default
    try:
        return seconds(value)
    except ValueError as exc:
        raise CommunicatorError(f"{key}: {exc}") from None


go_duration = format_go_duration


# --- settings ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SSHSettings:
    host: str
    port: int
    username: str
    password: str = ""
    private_key_file: str = ""
    certificate_file: str = ""
    agent_auth: bool = False
    timeout: float = DEFAULT_TIMEOUT
    handshake_attempts: int = DEFAULT_HANDSHAKE_ATTEMPTS
    pty: bool = False
    keep_alive_interval: float = DEFAULT_KEEP_ALIVE_INTERVAL
    file_transfer_method: str = "scp"
    disable_agent_forwarding: bool = False
    clear_authorized_keys: bool = False
    ciphers: tuple = ()
    key_exchange_algorithms: tuple = ()
    local_tunnels: tuple = ()
    remote_tunnels: tuple = ()
    bastion_host: str = ""
    bastion_port: int = DEFAULT_PORT
    bastion_username: str = ""
    bastion_password: str = ""
    bastion_private_key_file: str = ""
    bastion_agent_auth: bool = False
    temporary_key_pair_type: str = "rsa"
    temporary_key_pair_bits: int = 0
    temporary_key_pair_name: str = ""
    secrets: tuple = field(default=(), repr=False)

    @property
    def needs_temporary_key(self):
        """Packer makes a key pair when the template gives no way to log in."""
        return not (self.password or self.private_key_file or self.agent_auth)


def _local_file(config, key, cwd):
    path = as_str(config, key)
    if not path:
        return ""
    path = os.path.expanduser(path)
    if not os.path.isabs(path):
        path = os.path.join(cwd or os.getcwd(), path)
    if not os.path.isfile(path):
        raise CommunicatorError(f"{key}: the file {path} does not exist")
    return path


def parse_ssh_settings(config, host="", port=None, cwd=None, require_host=True):
    """Settings from a builder config's ``ssh_*`` keys with Packer's defaults.

    ``host``/``port`` are what the builder found (a VM's forwarded port, an instance's IP).
    ``ssh_host`` in the template wins over the builder's host, as in Packer; a builder's
    port wins over ``ssh_port`` (it is the port forwarded to the guest's ``ssh_port``).
    Raises CommunicatorError naming the option on a mistake.
    """
    config = config or {}
    username = as_str(config, "ssh_username")
    if not username:
        raise CommunicatorError(
            'ssh_username: an ssh_username must be specified (note: some builders used to default it to "root")'
        )
    target_host = as_str(config, "ssh_host") or (str(host) if host else "")
    if not target_host and require_host:
        raise CommunicatorError("ssh_host: no host to connect to: set ssh_host, or the builder must report one")
    target_port = int(port) if port not in (None, "", 0) else as_int(config, "ssh_port", DEFAULT_PORT)
    if not 0 < target_port < 65536:
        raise CommunicatorError(f"ssh_port: expected a TCP port (1-65535), got {target_port}")
    timeout = as_duration(config, "ssh_timeout") or as_duration(config, "ssh_wait_timeout") or DEFAULT_TIMEOUT
    method = as_str(config, "ssh_file_transfer_method", "scp").lower() or "scp"
    if method not in TRANSFER_METHODS:
        raise CommunicatorError(f"ssh_file_transfer_method: expected 'scp' or 'sftp', got {method!r}")
    for unsupported in ("ssh_proxy_host", "ssh_bastion_certificate_file"):
        if as_str(config, unsupported):
            raise CommunicatorError(f"{unsupported}: not supported by cattle.images yet; use ssh_bastion_host instead")
    if as_bool(config, "ssh_bastion_interactive"):
        raise CommunicatorError("ssh_bastion_interactive: not supported: a build runs without a terminal")
    for key in ("ssh_local_tunnels", "ssh_remote_tunnels"):
        for spec in as_list(config, key):
            if not re.fullmatch(r"[\w.\-\[\]:]+", spec) or spec.count(":") < 2:
                raise CommunicatorError(f"{key}: expected entries like 'port:host:hostport', got {spec!r}")
    bastion_host = as_str(config, "ssh_bastion_host")
    bastion_password = as_str(config, "ssh_bastion_password")
    bastion_key = _local_file(config, "ssh_bastion_private_key_file", cwd)
    bastion_agent = as_bool(config, "ssh_bastion_agent_auth")
    if bastion_host and not (bastion_password or bastion_key or bastion_agent):
        raise CommunicatorError(
            "ssh_bastion_host: a bastion needs ssh_bastion_password, ssh_bastion_private_key_file "
            "or ssh_bastion_agent_auth"
        )
    key_type = (as_str(config, "temporary_key_pair_type") or as_str(config, "ssh_temporary_key_pair_type")
                or "rsa").lower()
    attempts = as_int(config, "ssh_handshake_attempts", DEFAULT_HANDSHAKE_ATTEMPTS)
    password = as_str(config, "ssh_password")
    return SSHSettings(
        host=target_host,
        port=target_port,
        username=username,
        password=password,
        private_key_file=_local_file(config, "ssh_private_key_file", cwd),
        certificate_file=_local_file(config, "ssh_certificate_file", cwd),
        agent_auth=as_bool(config, "ssh_agent_auth"),
        timeout=timeout,
        handshake_attempts=attempts if attempts > 0 else DEFAULT_HANDSHAKE_ATTEMPTS,
        pty=as_bool(config, "ssh_pty"),
        keep_alive_interval=as_duration(config, "ssh_keep_alive_interval", DEFAULT_KEEP_ALIVE_INTERVAL),
        file_transfer_method=method,
        disable_agent_forwarding=as_bool(config, "ssh_disable_agent_forwarding"),
        clear_authorized_keys=as_bool(config, "ssh_clear_authorized_keys"),
        ciphers=tuple(as_list(config, "ssh_ciphers")),
        key_exchange_algorithms=tuple(as_list(config, "ssh_key_exchange_algorithms")),
        local_tunnels=tuple(as_list(config, "ssh_local_tunnels")),
        remote_tunnels=tuple(as_list(config, "ssh_remote_tunnels")),
        bastion_host=bastion_host,
        bastion_port=as_int(config, "ssh_bastion_port", DEFAULT_PORT),
        bastion_username=as_str(config, "ssh_bastion_username"),
        bastion_password=bastion_password,
        bastion_private_key_file=bastion_key,
        bastion_agent_auth=bastion_agent,
        temporary_key_pair_type=key_type,
        temporary_key_pair_bits=as_int(config, "temporary_key_pair_bits")
        or as_int(config, "ssh_temporary_key_pair_bits"),
        temporary_key_pair_name=as_str(config, "temporary_key_pair_name"),
        secrets=tuple(s for s in (password, bastion_password) if s),
    )


# --- host variables ------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def scp_supports_legacy_protocol():
    """OpenSSH 9 scp speaks SFTP unless given ``-O``; Packer's scp is the legacy protocol."""
    try:
        probe = subprocess.run(["ssh", "-V"], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return False
    match = re.search(r"OpenSSH_(\d+)\.(\d+)", probe.stderr + probe.stdout)
    return bool(match) and (int(match.group(1)), int(match.group(2))) >= (8, 7)


def _bastion_proxy_command(settings, bastion_password_file):
    command = []
    if settings.bastion_password:
        if not bastion_password_file:
            raise CommunicatorError("ssh_bastion_password: no private directory to hold the password file")
        command += ["sshpass", "-f", bastion_password_file]
    command += ["ssh", *HOST_KEY_OPTIONS, "-W", "%h:%p", "-p", str(settings.bastion_port)]
    if settings.bastion_private_key_file:
        command += ["-i", settings.bastion_private_key_file, "-o", "IdentitiesOnly=yes"]
    if settings.bastion_password and not settings.bastion_private_key_file:
        command += ["-o", "PubkeyAuthentication=no", "-o", "PreferredAuthentications=password,keyboard-interactive"]
    user = settings.bastion_username or settings.username
    command.append(f"{user}@{settings.bastion_host}")
    return shlex.join(command)


def ssh_host_vars(settings, private_key_file="", control_path_dir="", bastion_password_file=""):
    """The ``ansible_*`` variables that make a host's connection Packer's SSH communicator.

    ``private_key_file`` is the temporary key when the template gave none;
    ``control_path_dir`` a directory private to the build so parallel builds never share
    an SSH master; ``bastion_password_file`` holds ``ssh_bastion_password`` for sshpass.
    """
    key_file = settings.private_key_file or private_key_file
    common = list(HOST_KEY_OPTIONS)
    methods = []
    if key_file or settings.agent_auth:
        methods.append("publickey")
    if settings.password:
        methods += ["password", "keyboard-interactive"]
    if key_file and not settings.agent_auth:
        common += ["-o", "IdentitiesOnly=yes"]
    if settings.password and not (key_file or settings.agent_auth):
        common += ["-o", "PubkeyAuthentication=no"]
    if methods:
        common += ["-o", "PreferredAuthentications=" + ",".join(methods)]
    if settings.certificate_file:
        common += ["-o", f"CertificateFile={settings.certificate_file}"]
    if settings.keep_alive_interval > 0:
        common += ["-o", f"ServerAliveInterval={max(1, int(settings.keep_alive_interval))}"]
    if settings.ciphers:
        common += ["-o", "Ciphers=" + ",".join(settings.ciphers)]
    if settings.key_exchange_algorithms:
        common += ["-o", "KexAlgorithms=" + ",".join(settings.key_exchange_algorithms)]
    if settings.bastion_host:
        common += ["-o", "ProxyCommand=" + _bastion_proxy_command(settings, bastion_password_file)]
    extra = []
    if settings.pty:
        extra.append("-tt")
    if settings.disable_agent_forwarding:
        extra += ["-o", "ForwardAgent=no"]
    for spec in settings.local_tunnels:
        extra += ["-L", spec]
    for spec in settings.remote_tunnels:
        extra += ["-R", spec]

    host_vars = {
        "ansible_connection": "ssh",
        "ansible_host": settings.host,
        "ansible_port": settings.port,
        "ansible_user": settings.username,
        "ansible_ssh_common_args": shlex.join(common),
        "ansible_ssh_extra_args": shlex.join(extra),
        "ansible_ssh_transfer_method": settings.file_transfer_method,
        # A pty mixes stdin into the output; piping module code through it would break.
        "ansible_ssh_pipelining": not settings.pty,
        # The controller's interpreter means nothing on the guest; provisioners need none.
        "ansible_python_interpreter": "auto_silent",
    }
    if settings.file_transfer_method == "scp" and scp_supports_legacy_protocol():
        host_vars["ansible_scp_extra_args"] = "-O"
    if settings.password:
        host_vars["ansible_password"] = settings.password
    if key_file:
        host_vars["ansible_ssh_private_key_file"] = key_file
    if control_path_dir:
        host_vars["ansible_control_path_dir"] = control_path_dir
    return host_vars


def clear_authorized_keys_commands(public_key):
    """Packer's StepCleanupTempKeys: drop the temporary key from the user's and root's authorized_keys.

    The key's base64 body is matched as a fixed string (``+`` and ``/`` would be regex syntax);
    the file is rewritten in place so its owner and mode stay.
    """
    parts = public_key.split()
    if len(parts) < 2 or not re.fullmatch(r"[A-Za-z0-9+/=]+", parts[1]):
        return []
    body = parts[1]
    script = ('f={file}; if [ -f "$f" ]; then grep -vF \'{body}\' "$f" > "$f.cattle-tmp"; '
              'cat "$f.cattle-tmp" > "$f"; rm -f "$f.cattle-tmp"; fi')
    user = script.format(file="~/.ssh/authorized_keys", body=body)
    root = "sudo -n sh -c " + shlex.quote(script.format(file="/root/.ssh/authorized_keys", body=body)) \
        + " 2>/dev/null || true"
    return [user, root]


# --- waiting for the communicator ------------------------------------------------------

AUTH_SIGNS = ("permission denied", "authentication", "incorrect password", "invalid/incorrect",
              "too many authentication failures", "no supported methods")


def is_auth_error(message):
    text = str(message).lower()
    return any(sign in text for sign in AUTH_SIGNS)


class WaitOutcome:
    """What ``wait_for`` saw: ``connected``, ``error`` (final message or None), ``attempts``."""

    def __init__(self, connected, error=None, attempts=0):
        self.connected = connected
        self.error = error
        self.attempts = attempts


def wait_for(try_connect, timeout, handshake_attempts, ui, name="SSH", interval=RETRY_INTERVAL,
             clock=time.monotonic, sleep=time.sleep, auth_error_text=AUTH_ERROR_TEXT):
    """Packer's connect loop: try, and retry every ``interval`` until ``timeout``.

    ``try_connect()`` returns None when connected, else the error text of the attempt.
    Authentication errors count against ``handshake_attempts``; the last one ends the wait.
    """
    ui.say(f"Waiting for {name} to become available...")
    deadline = clock() + timeout
    auth_failures = 0
    attempts = 0
    while True:
        attempts += 1
        error = try_connect()
        if error is None:
            ui.say(f"Connected to {name}!")
            return WaitOutcome(True, attempts=attempts)
        if is_auth_error(error):
            auth_failures += 1
            if auth_failures >= handshake_attempts:
                message = f"Error waiting for {name}: " + auth_error_text.format(error=str(error).strip())
                ui.error(message)
                return WaitOutcome(False, message, attempts)
        remaining = deadline - clock()
        if remaining <= 0:
            message = f"Timeout waiting for {name}."
            ui.error(message)
            return WaitOutcome(False, message, attempts)
        sleep(min(interval, remaining))
        if clock() >= deadline:
            message = f"Timeout waiting for {name}."
            ui.error(message)
            return WaitOutcome(False, message, attempts)
