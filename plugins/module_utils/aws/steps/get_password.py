# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Packer's StepGetPassword: a Windows instance's generated Administrator password, for WinRM.

With ``communicator: winrm`` and no ``winrm_password``, EC2 publishes the password Windows
made at first boot, encrypted with the key pair's public key (RSA PKCS#1 v1.5); it is empty
until then (usually about 5 minutes). The decrypted password goes to a 0600 file in the
communicator's private directory, never into a result: the communicator reads it from there.
"""

from __future__ import annotations

import base64
import binascii
import os
import tempfile
import time

from ansible_collections.cattle.images.plugins.module_utils.aws.client import INSTANCE_VISIBLE, AwsError
from ansible_collections.cattle.images.plugins.module_utils.aws.steps.base import Step
from ansible_collections.cattle.images.plugins.module_utils.aws.steps.key_pair import KEY_DIR_PREFIX, write_private
from ansible_collections.cattle.images.plugins.module_utils.communicator.keys import ensure_private_dir

PASSWORD_FILE = "winrm-password"
POLL_INTERVAL = 5.0  # Packer asks every 5 seconds


class StepGetPassword(Step):
    clock = staticmethod(time.monotonic)

    def run(self, state):
        config, build = self.config, self.build
        if config["communicator"] != "winrm":
            return
        if config["winrm_password"]:
            build.say("Skipping waiting for password since WinRM password set...")
            return
        build.say("Waiting for auto-generated password for instance...")
        build.message("It is normal for this process to take up to 15 minutes,\nbut it usually takes around 5. "
                      "Please wait.")
        password = self.wait_for_password(state)
        build.message(" \nPassword retrieved!")
        state["winrm_password_file"] = self.store(state, password)

    def wait_for_password(self, state):
        build, instance_id = self.build, state["instance_id"]
        private_key = read_private_key(state.get("private_key_file") or "")
        deadline = self.clock() + self.config["windows_password_timeout"]
        while True:
            if self.clock() >= deadline:
                raise AwsError("Timeout waiting for password.")
            build.sleep(POLL_INTERVAL)
            answer = build.call(f"retrieve the auto-generated password of the instance {instance_id}",
                                "get_password_data", retry=INSTANCE_VISIBLE, InstanceId=instance_id)
            if answer.get("PasswordData", "").strip():
                return decrypt_password(answer["PasswordData"], private_key)

    def store(self, state, password):
        """The password in a 0600 file of the communicator's private directory (else a private temp dir)."""
        build = self.build
        directory = state.get("key_dir") or build.key_dir
        if directory:
            # The communicator's private directory: recorded first when made here, so a sweep removes it.
            ensure_private_dir(directory, build.ledger, build.build_name)
        else:
            directory = tempfile.mkdtemp(prefix=f"{KEY_DIR_PREFIX}{build.build_id}-")
            state["key_dir"], state["key_dir_owned"] = directory, True
        path = os.path.join(directory, PASSWORD_FILE)
        write_private(path, password)
        return path


def read_private_key(path):
    if not path:
        raise AwsError("winrm_password: no private key to decrypt the instance's password with; set winrm_password, "
                       "or ssh_keypair_name with ssh_private_key_file")
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise AwsError(f"cannot read the private key {path} to decrypt the instance's password: {exc.strerror}") from None


def decrypt_password(password_data, pem):
    """EC2's PasswordData: base64 of the password encrypted with RSA PKCS#1 v1.5 to the key pair's public key."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    try:
        encrypted = base64.b64decode(password_data.strip(), validate=True)
        if b"OPENSSH PRIVATE KEY" in pem:
            key = serialization.load_ssh_private_key(pem, password=None)
        else:
            key = serialization.load_pem_private_key(pem, password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError("only an RSA key pair can decrypt a Windows password (EC2 encrypts it with RSA)")
        return key.decrypt(encrypted, padding.PKCS1v15()).decode("utf-8")
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
        raise AwsError(f"Error decrypting auto-generated instance password: {exc or type(exc).__name__}") from None
