"""Packer's StepGetPassword: EC2's Windows password, decrypted with the key pair's private key."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

from ansible_collections.cattle.images.plugins.module_utils.aws.client import AwsError
from ansible_collections.cattle.images.plugins.module_utils.aws.config import normalize
from ansible_collections.cattle.images.plugins.module_utils.aws.ebs import EbsBuild
from ansible_collections.cattle.images.plugins.module_utils.aws.steps.get_password import (
    StepGetPassword,
    decrypt_password,
)

BASE = {"region": "us-east-1", "source_ami": "ami-12345678", "instance_type": "t3.micro", "ami_name": "win ami",
        "communicator": "winrm", "winrm_username": "Administrator", "access_key": "AKIDUMMY", "secret_key": "x"}


def rsa_pem():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                            serialization.NoEncryption())
    return key, pem


def test_decrypts_what_ec2_encrypts():
    key, pem = rsa_pem()
    data = base64.b64encode(key.public_key().encrypt(b"S3cret!pw", padding.PKCS1v15())).decode()
    assert decrypt_password(data, pem) == "S3cret!pw"


def test_bad_data_and_non_rsa_keys_are_clear_errors():
    _key, pem = rsa_pem()
    with pytest.raises(AwsError, match="Error decrypting auto-generated instance password"):
        decrypt_password(base64.b64encode(b"not encrypted").decode(), pem)
    other = ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    with pytest.raises(AwsError, match="only an RSA key pair"):
        decrypt_password("AAAA", other)


class FakeBuild:
    """Just what the step uses: config, say/message, sleep and one EC2 call."""

    def __init__(self, config, answers, tmp_path):
        self.config, self.answers, self.key_dir, self.build_id = config, list(answers), str(tmp_path / "comm"), "b1"
        self.build_name, self.ledger = "aws", None
        self.ui, self.calls, self.now = [], [], 0.0

    def say(self, text):
        self.ui.append(("say", text))

    def message(self, text):
        self.ui.append(("message", text))

    def sleep(self, seconds):
        self.now += seconds

    def call(self, action, operation, **kwargs):
        self.calls.append((operation, kwargs.get("InstanceId")))
        return {"PasswordData": self.answers.pop(0) if self.answers else ""}


def step_for(build):
    step = StepGetPassword.__new__(StepGetPassword)
    step.build, step.config = build, build.config
    step.clock = lambda: build.now
    return step


def test_waits_for_the_password_then_keeps_it_in_a_private_file(tmp_path):
    key, pem = rsa_pem()
    (tmp_path / "id_rsa").write_bytes(pem)
    data = base64.b64encode(key.public_key().encrypt(b"Gen-pass1", padding.PKCS1v15())).decode()
    build = FakeBuild(normalize(BASE), ["", "", data], tmp_path)
    state = {"instance_id": "i-1", "private_key_file": str(tmp_path / "id_rsa"), "key_dir": ""}
    step_for(build).run(state)
    assert build.calls == [("get_password_data", "i-1")] * 3 and build.now == 15.0  # every 5 s, as Packer
    path = tmp_path / "comm" / "winrm-password"
    assert state["winrm_password_file"] == str(path) and path.read_text() == "Gen-pass1"
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert "Gen-pass1" not in repr(build.ui) and "Gen-pass1" not in repr(state)


def test_a_private_directory_made_for_the_password_is_recorded_first(tmp_path):
    from ansible_collections.cattle.images.plugins.module_utils.ledger import Ledger

    key, pem = rsa_pem()
    (tmp_path / "id_rsa").write_bytes(pem)
    data = base64.b64encode(key.public_key().encrypt(b"pw", padding.PKCS1v15())).decode()
    build = FakeBuild(normalize(BASE), [data], tmp_path)
    build.ledger = Ledger(str(tmp_path / "ledger.jsonl"))
    step_for(build).run({"instance_id": "i-1", "private_key_file": str(tmp_path / "id_rsa"), "key_dir": ""})
    assert [(e["kind"], e["name"]) for e in build.ledger.entries()] == [("ssh_key_dir", str(tmp_path / "comm"))]


def test_times_out_like_packer(tmp_path):
    _key, pem = rsa_pem()
    (tmp_path / "id_rsa").write_bytes(pem)
    build = FakeBuild(normalize(dict(BASE, windows_password_timeout="30s")), [], tmp_path)
    with pytest.raises(AwsError, match="^Timeout waiting for password.$"):
        step_for(build).run({"instance_id": "i-1", "private_key_file": str(tmp_path / "id_rsa")})
    assert len(build.calls) == 6


def test_skipped_with_a_password_or_another_communicator(tmp_path):
    build = FakeBuild(normalize(dict(BASE, winrm_password="given")), [], tmp_path)
    step_for(build).run({"instance_id": "i-1"})
    assert build.ui == [("say", "Skipping waiting for password since WinRM password set...")] and not build.calls
    ssh = FakeBuild(normalize(dict(BASE, communicator="ssh", ssh_username="admin")), [], tmp_path)
    step_for(ssh).run({"instance_id": "i-1"})
    assert ssh.ui == [] and not ssh.calls


def test_default_timeout_is_packers_20_minutes():
    assert normalize(BASE)["windows_password_timeout"] == 1200.0
    assert "StepGetPassword" in [type(step).__name__ for step in EbsBuild(normalize(BASE), "b").launch_steps]
