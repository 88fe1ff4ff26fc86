# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Temporary SSH key pairs and the build's private communicator directory.

When a template gives neither ``ssh_password`` nor a private key nor agent auth, the
builder makes a throw-away key pair (Packer's StepSshKeyPair / amazon's temporary key
pair) and puts its public half on the machine (cloud-init, ``authorized_keys``, an EC2
key pair). The private half lives in a 0700 directory of the run, recorded in the ledger
(kind ``ssh_key_dir``) before it is made, so a sweep always removes it.
"""

from __future__ import annotations

import os
import shutil

from ansible_collections.cattle.images.plugins.module_utils.communicator.errors import CommunicatorError

KEY_TYPES = ("rsa", "ecdsa", "ed25519", "dsa")
DEFAULT_BITS = {"rsa": 4096, "ecdsa": 521, "dsa": 1024, "ed25519": 256}
LEDGER_KIND = "ssh_key_dir"


def generate_key_pair(key_type="rsa", bits=0, comment="cattle"):
    """``(private key in OpenSSH PEM, public key line)`` as text; raises CommunicatorError."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519, rsa

    key_type = (key_type or "rsa").lower()
    if key_type not in KEY_TYPES:
        raise CommunicatorError(
            f"temporary_key_pair_type: expected one of {', '.join(KEY_TYPES)}, got {key_type!r}"
        )
    bits = int(bits or 0) or DEFAULT_BITS[key_type]
    if key_type == "rsa":
        if bits < 2048:
            raise CommunicatorError(f"temporary_key_pair_bits: an rsa key needs at least 2048 bits, got {bits}")
        private_key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    elif key_type == "ecdsa":
        curves = {256: ec.SECP256R1, 384: ec.SECP384R1, 521: ec.SECP521R1}
        if bits not in curves:
            raise CommunicatorError(f"temporary_key_pair_bits: an ecdsa key has 256, 384 or 521 bits, got {bits}")
        private_key = ec.generate_private_key(curves[bits]())
    elif key_type == "dsa":
        private_key = dsa.generate_private_key(key_size=bits)
    else:
        private_key = ed25519.Ed25519PrivateKey.generate()
    private_text = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption()
    ).decode("ascii")
    public_text = private_key.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    ).decode("ascii")
    return private_text, f"{public_text} {comment}".strip()


def ensure_private_dir(path, ledger=None, build=""):
    """Create ``path`` (0700) unless it exists, recording it in ``ledger`` first."""
    if os.path.isdir(path):
        os.chmod(path, 0o700)
        return path
    if ledger is not None:
        ledger.record(build=build, kind=LEDGER_KIND, name=path)
    os.makedirs(path, mode=0o700, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def _write_private(path, text):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(path, 0o600)


def ensure_key_pair(directory, key_type="rsa", bits=0, comment="cattle"):
    """The key pair in ``directory`` (made on the first call, reused afterwards).

    Returns ``(private key path, public key line)``. A build calls the communicator action
    before launching (the builder needs the public key) and again after: both see one key.
    """
    key_type = (key_type or "rsa").lower()
    private_path = os.path.join(directory, f"id_{key_type}")
    public_path = private_path + ".pub"
    if os.path.isfile(private_path) and os.path.isfile(public_path):
        with open(public_path, encoding="utf-8") as handle:
            return private_path, handle.read().strip()
    private_text, public_line = generate_key_pair(key_type, bits, comment)
    _write_private(private_path, private_text)
    with open(public_path, "w", encoding="utf-8") as handle:
        handle.write(public_line + "\n")
    return private_path, public_line


def write_secret_file(directory, name, text):
    """A 0600 file in the private directory (e.g. a bastion password for sshpass -f)."""
    path = os.path.join(directory, name)
    _write_private(path, text)
    return path


def remove_private_dir(entry):
    """Ledger cleaner for kind ``ssh_key_dir``: remove the directory; a missing one is success."""
    path = entry["name"] if isinstance(entry, dict) else str(entry)
    if os.path.isdir(path):
        shutil.rmtree(path)
