# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Packer's StepKeyPair: a temporary EC2 key pair, its private key 0600 in a private directory."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid

from ansible_collections.cattle.images.plugins.module_utils.aws.client import (
    AwsError,
    delete_or_gone,
    explain,
    is_not_found,
)
from ansible_collections.cattle.images.plugins.module_utils.aws.config import needs_temporary_key_pair
from ansible_collections.cattle.images.plugins.module_utils.aws.steps.base import KIND_KEY_PAIR, Step, tag_filter
from ansible_collections.cattle.images.plugins.module_utils.missing import file_is_missing, missing_means_deleted

KEY_DIR_PREFIX = "cattle-ec2-"


class StepKeyPair(Step):
    kind = KIND_KEY_PAIR

    def run(self, state):
        if needs_temporary_key_pair(self.config):
            self.create(state)

    def create(self, state):
        config, build = self.config, self.build
        name = config["temporary_key_pair_name"] or f"packer_{uuid.uuid4().hex}"
        if build.key_dir:
            # The communicator's private directory: it finds id_<type> there and uses it.
            key_dir, owned = build.key_dir, not os.path.isdir(build.key_dir)
            os.makedirs(key_dir, mode=0o700, exist_ok=True)
            os.chmod(key_dir, 0o700)
        else:
            key_dir, owned = tempfile.mkdtemp(prefix=f"{KEY_DIR_PREFIX}{build.build_id}-"), True  # 0700
        state["key_dir"], state["key_dir_owned"] = key_dir, owned
        build.say(f"Creating temporary keypair: {name}")
        build.record(KIND_KEY_PAIR, name, key_dir=key_dir, key_dir_owned=owned,
                     key_type=config["temporary_key_pair_type"])
        state["temporary_key_pair_name"] = name
        result = build.call(f"create the temporary key pair {name}", "create_key_pair", KeyName=name,
                            KeyType=config["temporary_key_pair_type"], TagSpecifications=build.tag_spec("key-pair"))
        path = os.path.join(key_dir, "id_" + config["temporary_key_pair_type"])
        material = result["KeyMaterial"].rstrip("\n") + "\n"
        write_private(path, material)
        with open(path + ".pub", "w", encoding="utf-8") as handle:
            handle.write(public_key_line(material, name) + "\n")
        state["key_pair_name"] = name
        state["private_key_file"] = path

    def cleanup(self, state):
        """Delete the key pair (by name, its id; else those the ledger or the build's tag names) and its key files."""
        build = self.build
        name = state.get("temporary_key_pair_name")
        names = [name] if name else [entry["name"] for entry in build.entries(KIND_KEY_PAIR)]
        changed = False
        if names:
            for each in names:
                changed = self.delete(each) or changed
        else:
            changed = self.delete() or changed
        build.release_recorded(KIND_KEY_PAIR, name)
        key_type = state.get("key_type") or self.config.get("temporary_key_pair_type") or "rsa"
        return remove_key_dir(state.get("key_dir"), state.get("key_dir_owned"), {"temporary_key_pair_type": key_type},
                              build.build_id) or changed

    @staticmethod
    def state_of(entry):
        return {"temporary_key_pair_name": entry["name"], "key_dir": entry.get("key_dir"),
                "key_dir_owned": entry.get("key_dir_owned", True), "key_type": entry.get("key_type")}

    def build_key_pairs(self, name=None):
        """This build's temporary key pairs (by tag, optionally only ``name``)."""
        try:
            return self.build.ec2().describe_key_pairs(Filters=tag_filter(self.build.build_id, "key-name", name))["KeyPairs"]
        except Exception as exc:  # noqa: BLE001
            if is_not_found(exc):
                return []
            raise AwsError(explain(exc, "look up this build's key pairs")) from None

    def delete(self, name=None):
        """Delete the temporary key pair ``name`` (a key pair's name is its id), else those found by tag."""
        names = [name] if name else [pair["KeyName"] for pair in self.build_key_pairs()]
        for each in names:
            self.build.say("Deleting temporary keypair...")
            # DeleteKeyPair of a name that is not there succeeds: nothing to confirm.
            delete_or_gone(lambda each=each: self.build.ec2().delete_key_pair(KeyName=each),
                           f"delete the temporary key pair {each}")
        return bool(names)


def write_private(path, text):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(path, 0o600)


def public_key_line(private_key_text, comment):
    """The OpenSSH public key line of a private key (PEM or OpenSSH format), for the communicator."""
    from cryptography.hazmat.primitives import serialization

    data = private_key_text.encode("utf-8")
    try:
        if b"OPENSSH PRIVATE KEY" in data:
            key = serialization.load_ssh_private_key(data, password=None)
        else:
            key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise AwsError(f"EC2 returned a private key that cannot be read: {exc}") from None
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    return f"{public.decode('ascii')} {comment}"


def remove_key_dir(key_dir, owned, config=None, build_id=""):
    """Remove the private key directory if this build made it, else only the key files it wrote there.

    Without ``key_dir``, the directories this build made in the temp directory are found by name.
    """
    if key_dir:
        paths = [key_dir]
    else:
        paths, owned = build_key_dirs(build_id), True
    changed = False
    for path in paths:
        if not path or not os.path.isabs(path) or not os.path.isdir(path):
            continue
        if owned:
            shutil.rmtree(path, ignore_errors=True)
            changed = True
            continue
        key_type = (config or {}).get("temporary_key_pair_type") or "rsa"
        # ... and the Windows password StepGetPassword decrypted next to them.
        for key_file in (os.path.join(path, f"id_{key_type}"), os.path.join(path, f"id_{key_type}.pub"),
                         os.path.join(path, "winrm-password")):
            changed = missing_means_deleted(lambda key_file=key_file: os.remove(key_file), file_is_missing) or changed
    return changed


def build_key_dirs(build_id):
    prefix = f"{KEY_DIR_PREFIX}{build_id}-"
    root = tempfile.gettempdir()
    try:
        names = os.listdir(root)
    except OSError:
        return []
    return sorted(os.path.join(root, name) for name in names if name.startswith(prefix))
