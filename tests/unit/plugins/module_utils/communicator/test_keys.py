"""Temporary key pairs and the private directory."""

from __future__ import annotations

import os
import subprocess

import pytest

from ansible_collections.cattle.images.plugins.module_utils import cleaners
from ansible_collections.cattle.images.plugins.module_utils import ledger as ledger_module
from ansible_collections.cattle.images.plugins.module_utils.communicator import CommunicatorError, keys


@pytest.mark.parametrize(("key_type", "bits", "prefix"), [
    ("rsa", 2048, "ssh-rsa "), ("ecdsa", 256, "ecdsa-sha2-nistp256 "), ("ed25519", 0, "ssh-ed25519 "),
])
def test_generated_keys_are_openssh_keys(tmp_path, key_type, bits, prefix):
    private_text, public_line = keys.generate_key_pair(key_type, bits, comment="cattle_x")
    assert public_line.startswith(prefix) and public_line.endswith(" cattle_x")
    assert private_text.startswith("-----BEGIN OPENSSH PRIVATE KEY-----")
    path = tmp_path / "k"
    path.write_text(private_text)
    path.chmod(0o600)
    derived = subprocess.run(["ssh-keygen", "-y", "-f", str(path)], capture_output=True, text=True, check=True)
    assert derived.stdout.split()[:2] == public_line.split()[:2]


def test_rsa_default_is_4096_bits():
    _private_key, public_line = keys.generate_key_pair("rsa")
    from cryptography.hazmat.primitives.serialization import load_ssh_public_key

    assert load_ssh_public_key(public_line.encode()).key_size == 4096


def test_bad_type_and_bits():
    with pytest.raises(CommunicatorError, match="temporary_key_pair_type"):
        keys.generate_key_pair("rsa1")
    with pytest.raises(CommunicatorError, match="temporary_key_pair_bits"):
        keys.generate_key_pair("ecdsa", 300)


def test_key_pair_is_private_recorded_reused_and_swept(tmp_path):
    ledger = ledger_module.Ledger(str(tmp_path / "ledger.jsonl"))
    directory = str(tmp_path / "communicator-b1")
    keys.ensure_private_dir(directory, ledger, "b")
    private_path, public_line = keys.ensure_key_pair(directory, "ed25519")
    assert oct(os.stat(directory).st_mode & 0o777) == "0o700"
    assert oct(os.stat(private_path).st_mode & 0o777) == "0o600"
    assert keys.ensure_key_pair(directory, "ed25519") == (private_path, public_line)
    assert [e["kind"] for e in ledger.entries()] == ["ssh_key_dir"]
    assert cleaners.CLEANERS["ssh_key_dir"] is keys.remove_private_dir
    assert ledger.sweep() == []
    assert not os.path.exists(directory)
    keys.remove_private_dir({"name": directory})  # idempotent
