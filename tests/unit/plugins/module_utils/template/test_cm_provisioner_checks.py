"""validate's checks of the config-management provisioners beyond their paths (checks.py)."""

from __future__ import annotations

from ansible_collections.cattle.images.plugins.module_utils.template.checks import guest_os_type, salt_masterless


def test_guest_os_type():
    assert guest_os_type({}, "") == []
    assert guest_os_type({"guest_os_type": "Unix"}, "") == []
    assert guest_os_type({"guest_os_type": "beos"}, "") == [("guest_os_type", 'Invalid guest_os_type: "beos"', "error")]
    ((key, message, severity),) = guest_os_type({"guest_os_type": "Windows"}, "")
    assert (key, severity) == ("guest_os_type", "warning") and "powershell provisioner" in message
    assert guest_os_type({"guest_os_type": "{{user `os`}}"}, "") == []


def test_salt_formulas_and_minion_config():
    assert salt_masterless({"formulas": ["https://github.com/saltstack-formulas/nginx-formula"]}, "") == [
        ("formulas", "Invalid formula URL. Please verify the git URLs also contain a '//' subdir", "error")]
    ((key, message, severity),) = salt_masterless(
        {"formulas": ["https://github.com/saltstack-formulas/nginx-formula.git//nginx?ref=v1"]}, "")
    assert (key, severity) == ("formulas", "warning") and "local_state_tree" in message
    assert salt_masterless({"minion_config": "m", "remote_pillar_roots": "/p"}, "") == [
        ("minion_config", "remote_state_tree and remote_pillar_roots only apply when minion_config is not used", "error")]
    assert salt_masterless({"minion_config": "m"}, "") == []
