"""Packer's WinRM communicator options → Ansible winrm connection variables."""

from __future__ import annotations

import pytest

from ansible_collections.cattle.images.plugins.module_utils.communicator import CommunicatorError
from ansible_collections.cattle.images.plugins.plugin_utils.winrm import (
    encode_powershell,
    parse_winrm_settings,
    winrm_host_vars,
)


def test_defaults_follow_packer():
    settings = parse_winrm_settings({"winrm_username": "Administrator", "winrm_password": "pw"}, host="10.0.0.9")
    assert (settings.port, settings.timeout, settings.transports) == (5985, 1800.0, ["basic"])
    host_vars = winrm_host_vars(settings)
    assert host_vars["ansible_connection"] == "winrm" and host_vars["ansible_winrm_scheme"] == "http"
    assert host_vars["ansible_winrm_transport"] == "basic" and host_vars["ansible_password"] == "pw"
    assert host_vars["ansible_winrm_server_cert_validation"] == "validate"
    assert host_vars["ansible_shell_type"] == "powershell"


def test_ssl_insecure_ntlm_and_port():
    settings = parse_winrm_settings({"winrm_username": "u", "winrm_use_ssl": True, "winrm_insecure": "true",
                                     "winrm_use_ntlm": True, "winrm_timeout": "1h"}, host="h")
    host_vars = winrm_host_vars(settings)
    assert host_vars["ansible_port"] == 5986 and host_vars["ansible_winrm_scheme"] == "https"
    assert host_vars["ansible_winrm_server_cert_validation"] == "ignore"
    assert host_vars["ansible_winrm_transport"] == "ntlm" and settings.timeout == 3600.0
    assert parse_winrm_settings({"winrm_username": "u", "winrm_port": 5000}, host="h", port=6000).port == 6000
    assert parse_winrm_settings({"winrm_username": "u", "winrm_host": "given"}, host="found").host == "given"


@pytest.mark.parametrize(("config", "field"), [
    ({}, "winrm_username"),
    ({"winrm_username": "u", "winrm_transport": "telepathy"}, "winrm_transport"),
    ({"winrm_username": "u", "winrm_use_ssl": "sometimes"}, "winrm_use_ssl"),
])
def test_mistakes_name_the_field(config, field):
    with pytest.raises(CommunicatorError) as caught:
        parse_winrm_settings(config, host="h")
    assert str(caught.value).startswith(field + ":")


def test_encode_powershell_is_utf16le_base64():
    assert encode_powershell("whoami") == "powershell.exe -EncodedCommand dwBoAG8AYQBtAGkA"
