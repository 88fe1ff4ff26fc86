"""Packer's SSH communicator options → Ansible ssh connection variables (pure functions)."""

from __future__ import annotations

import os
import shlex

import pytest

from ansible_collections.cattle.images.plugins.module_utils.communicator import (
    CommunicatorError,
    communicator_type,
    parse_ssh_settings,
    ssh_host_vars,
)
from ansible_collections.cattle.images.plugins.module_utils.communicator.ssh import (
    clear_authorized_keys_commands,
    go_duration,
    wait_for,
)


class FakeUi:
    def __init__(self):
        self.lines = []

    def say(self, text):
        self.lines.append(["say", text])

    def error(self, text):
        self.lines.append(["error", text])


def common_args(host_vars):
    return shlex.split(host_vars["ansible_ssh_common_args"])


def test_defaults_follow_packer():
    settings = parse_ssh_settings({"ssh_username": "packer", "ssh_password": "pw"}, host="10.0.0.5")
    assert (settings.host, settings.port, settings.timeout, settings.handshake_attempts) == ("10.0.0.5", 22, 300.0, 10)
    assert settings.file_transfer_method == "scp" and settings.keep_alive_interval == 5.0
    assert settings.temporary_key_pair_type == "rsa" and not settings.needs_temporary_key


def test_password_vars_never_touch_known_hosts():
    settings = parse_ssh_settings({"ssh_username": "u", "ssh_password": "pw", "ssh_port": 2222}, host="h")
    host_vars = ssh_host_vars(settings, control_path_dir="/run/x/cp")
    assert host_vars["ansible_connection"] == "ssh"
    assert (host_vars["ansible_host"], host_vars["ansible_port"], host_vars["ansible_user"]) == ("h", 2222, "u")
    assert host_vars["ansible_password"] == "pw"
    assert host_vars["ansible_control_path_dir"] == "/run/x/cp"
    assert host_vars["ansible_ssh_pipelining"] is True
    assert host_vars["ansible_python_interpreter"] == "auto_silent"
    args = common_args(host_vars)
    for option in ("StrictHostKeyChecking=no", "UserKnownHostsFile=/dev/null", "PubkeyAuthentication=no",
                   "PreferredAuthentications=password,keyboard-interactive", "ServerAliveInterval=5"):
        assert option in args
    assert "IdentitiesOnly=yes" not in args
    assert "ansible_ssh_private_key_file" not in host_vars


def test_private_key_is_expanded_and_exclusive(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "id").write_text("key")
    settings = parse_ssh_settings({"ssh_username": "u", "ssh_private_key_file": "~/id"}, host="h")
    host_vars = ssh_host_vars(settings)
    assert host_vars["ansible_ssh_private_key_file"] == str(tmp_path / "id")
    assert "IdentitiesOnly=yes" in common_args(host_vars)
    assert "PreferredAuthentications=publickey" in common_args(host_vars)
    assert "ansible_password" not in host_vars


def test_builder_port_wins_and_ssh_host_wins():
    settings = parse_ssh_settings({"ssh_username": "u", "ssh_port": 22, "ssh_host": "given"}, host="found", port=4022)
    assert (settings.host, settings.port) == ("given", 4022)
    assert settings.needs_temporary_key


def test_temporary_key_used_when_no_credentials():
    settings = parse_ssh_settings({"ssh_username": "u"}, host="h")
    host_vars = ssh_host_vars(settings, private_key_file="/run/x/id_rsa")
    assert host_vars["ansible_ssh_private_key_file"] == "/run/x/id_rsa"


def test_timeouts_pty_transfer_and_extras():
    settings = parse_ssh_settings({
        "ssh_username": "u", "ssh_password": "p", "ssh_wait_timeout": "1m30s", "ssh_pty": "true",
        "ssh_file_transfer_method": "sftp", "ssh_keep_alive_interval": "-1s", "ssh_ciphers": "aes128-ctr,aes256-ctr",
        "ssh_local_tunnels": ["8080:localhost:80"], "ssh_handshake_attempts": "3",
    }, host="h")
    assert settings.timeout == 90.0 and settings.handshake_attempts == 3
    host_vars = ssh_host_vars(settings)
    assert host_vars["ansible_ssh_transfer_method"] == "sftp"
    assert "ansible_scp_extra_args" not in host_vars
    assert host_vars["ansible_ssh_pipelining"] is False
    assert shlex.split(host_vars["ansible_ssh_extra_args"]) == ["-tt", "-L", "8080:localhost:80"]
    args = common_args(host_vars)
    assert "Ciphers=aes128-ctr,aes256-ctr" in args
    assert not any(a.startswith("ServerAliveInterval") for a in args)
    # ssh_timeout wins over the legacy key; the plan gives seconds
    assert parse_ssh_settings({"ssh_username": "u", "ssh_timeout": 12.0, "ssh_wait_timeout": 99.0}, host="h").timeout == 12


def test_bastion_goes_through_proxy_command(tmp_path):
    key = tmp_path / "bastion_key"
    key.write_text("k")
    settings = parse_ssh_settings({
        "ssh_username": "u", "ssh_password": "p", "ssh_bastion_host": "jump.example", "ssh_bastion_port": 2200,
        "ssh_bastion_username": "hop", "ssh_bastion_private_key_file": str(key),
    }, host="10.1.1.1")
    args = common_args(ssh_host_vars(settings))
    proxy = next(a for a in args if a.startswith("ProxyCommand="))
    command = shlex.split(proxy.removeprefix("ProxyCommand="))
    assert command[0] == "ssh" and "-W" in command and "%h:%p" in command
    assert command[-1] == "hop@jump.example" and "2200" in command and str(key) in command
    with_password = parse_ssh_settings({
        "ssh_username": "u", "ssh_password": "p", "ssh_bastion_host": "j", "ssh_bastion_password": "bpw",
    }, host="h")
    proxy = next(a for a in common_args(ssh_host_vars(with_password, bastion_password_file="/run/x/bp"))
                 if a.startswith("ProxyCommand="))
    assert proxy.startswith("ProxyCommand=sshpass -f /run/x/bp ssh ") and "bpw" not in proxy


@pytest.mark.parametrize(("config", "field"), [
    ({}, "ssh_username"),
    ({"ssh_username": "u", "ssh_port": "x"}, "ssh_port"),
    ({"ssh_username": "u", "ssh_timeout": "soon"}, "ssh_timeout"),
    ({"ssh_username": "u", "ssh_file_transfer_method": "rsync"}, "ssh_file_transfer_method"),
    ({"ssh_username": "u", "ssh_private_key_file": "/nonexistent/key"}, "ssh_private_key_file"),
    ({"ssh_username": "u", "ssh_bastion_host": "b"}, "ssh_bastion_host"),
    ({"ssh_username": "u", "ssh_proxy_host": "p"}, "ssh_proxy_host"),
    ({"ssh_username": "u", "ssh_pty": "maybe"}, "ssh_pty"),
    ({"ssh_username": "u", "ssh_local_tunnels": ["80"]}, "ssh_local_tunnels"),
])
def test_mistakes_name_the_field(config, field):
    with pytest.raises(CommunicatorError) as caught:
        parse_ssh_settings(config, host="h")
    assert str(caught.value).startswith(field + ":")


def test_no_host_is_an_error_unless_not_required():
    with pytest.raises(CommunicatorError, match="ssh_host"):
        parse_ssh_settings({"ssh_username": "u"})
    assert parse_ssh_settings({"ssh_username": "u"}, require_host=False).host == ""


def test_communicator_type():
    assert communicator_type({}, "ssh") == "ssh"
    assert communicator_type({"communicator": "none"}) == "none"
    with pytest.raises(CommunicatorError, match="Communicator type telnet is invalid"):
        communicator_type({"communicator": "telnet"})


def test_clear_authorized_keys_matches_the_key_literally(tmp_path):
    key = "ssh-rsa AAAA+b/c== cattle_x"
    user, root = clear_authorized_keys_commands(key)
    assert "grep -vF 'AAAA+b/c=='" in user and "~/.ssh/authorized_keys" in user
    assert root.startswith("sudo -n sh -c ") and "/root/.ssh/authorized_keys" in root
    assert clear_authorized_keys_commands("garbage") == []
    # run the user command against a real file
    home = tmp_path
    (home / ".ssh").mkdir()
    keys_file = home / ".ssh" / "authorized_keys"
    keys_file.write_text("ssh-ed25519 OTHER other\nssh-rsa AAAA+b/c== cattle_x\nssh-rsa AAAAxbyc== near\n")
    os.system(f"HOME={home} sh -c {shlex.quote(user)}")
    assert keys_file.read_text() == "ssh-ed25519 OTHER other\nssh-rsa AAAAxbyc== near\n"


class Clock:
    def __init__(self):
        self.now = 0.0

    def time(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def test_wait_for_connects_after_refusals():
    clock, ui = Clock(), FakeUi()
    answers = iter(["Connection refused", "Connection refused", None])
    outcome = wait_for(lambda: next(answers), 300, 10, ui, clock=clock.time, sleep=clock.sleep)
    assert outcome.connected and outcome.attempts == 3 and clock.now == 10.0
    assert ui.lines == [["say", "Waiting for SSH to become available..."], ["say", "Connected to SSH!"]]


def test_wait_for_gives_up_after_handshake_attempts():
    clock, ui = Clock(), FakeUi()
    outcome = wait_for(lambda: "Permission denied (publickey,password).", 300, 3, ui, clock=clock.time,
                       sleep=clock.sleep)
    assert not outcome.connected and outcome.attempts == 3
    assert outcome.error.startswith("Error waiting for SSH: Packer experienced an authentication error")
    assert outcome.error.endswith("original error: Permission denied (publickey,password).")


def test_wait_for_times_out():
    clock, ui = Clock(), FakeUi()
    outcome = wait_for(lambda: "Connection refused", 12, 10, ui, clock=clock.time, sleep=clock.sleep)
    assert not outcome.connected and outcome.error == "Timeout waiting for SSH."
    assert outcome.attempts == 3 and clock.now == 12.0


def test_go_duration():
    assert [go_duration(s) for s in (300, 30, 3600, 1.5)] == ["5m0s", "30s", "1h0m0s", "1.5s"]
