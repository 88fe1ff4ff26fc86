"""The amazon-ebs steps: each cleanup is also its kind's ledger cleaner, run on the state the entry holds."""

from __future__ import annotations

import pytest

from ansible_collections.cattle.images.plugins.module_utils.aws import cleanup
from ansible_collections.cattle.images.plugins.module_utils.aws.config import normalize
from ansible_collections.cattle.images.plugins.module_utils.aws.ebs import EbsBuild
from ansible_collections.cattle.images.plugins.module_utils.aws.steps.create_ami import StepCreateAMI
from ansible_collections.cattle.images.plugins.module_utils.aws.steps.key_pair import StepKeyPair
from ansible_collections.cattle.images.plugins.module_utils.aws.steps.run_source_instance import StepRunSourceInstance
from ansible_collections.cattle.images.plugins.module_utils.aws.steps.security_group import StepSecurityGroup

BASE = {"region": "us-east-1", "source_ami": "ami-12345678", "instance_type": "t3.micro", "ami_name": "my ami",
        "ssh_username": "admin"}
ENTRY = {"build": "aws", "build_id": "b1d", "region": "eu-west-1", "endpoint_url": "http://127.0.0.1:9"}


@pytest.mark.parametrize("step, entry, state", [
    (StepRunSourceInstance, {"kind": "ec2_instance", "name": "cattle-b1d", "instance_id": "i-1"},
     {"instance_id": "i-1", "volumes": {}, "keep_devices": []}),
    # The volumes that may outlive the instance (deleted after it) come back from the entry too.
    (StepRunSourceInstance, {"kind": "ec2_instance", "name": "cattle-b1d", "instance_id": "i-1",
                             "volumes": {"vol-1": "/dev/sda1", "vol-2": "/dev/sdb"}, "keep_devices": ["/dev/sdb"]},
     {"instance_id": "i-1", "volumes": {"vol-1": "/dev/sda1", "vol-2": "/dev/sdb"}, "keep_devices": ["/dev/sdb"]}),
    (StepSecurityGroup, {"kind": "ec2_security_group", "name": "packer_1", "group_id": "sg-1"},
     {"temporary_security_group_name": "packer_1", "temporary_security_group_id": "sg-1"}),
    (StepKeyPair, {"kind": "ec2_key_pair", "name": "packer_2", "key_dir": "/tmp/k", "key_type": "ed25519"},
     {"temporary_key_pair_name": "packer_2", "key_dir": "/tmp/k", "key_dir_owned": True, "key_type": "ed25519"}),
    (StepCreateAMI, {"kind": "ec2_image", "name": "eu-west-1:my ami (b1d)", "ami_name": "my ami",
                     "existing_image_ids": ["ami-0"]},
     {"ami_name": "my ami", "recorded_images": {"eu-west-1": ["ami-0"]}}),
])
def test_the_ledger_cleaner_of_a_kind_is_its_steps_cleanup(monkeypatch, step, entry, state):
    called = []
    monkeypatch.setattr(step, "cleanup", lambda self, given: called.append((self.build, given)))
    cleanup.CLEANERS[step.kind](dict(ENTRY, **entry))
    [(build, given)] = called
    assert given == state
    assert (build.build_id, build.region, build.config["custom_endpoint_ec2"], build.ledger) == (
        "b1d", "eu-west-1", "http://127.0.0.1:9", None)


def test_the_build_cleans_up_its_launch_steps_newest_first(monkeypatch):
    build = EbsBuild(normalize(dict(BASE)), "b1d")
    order = []
    for step in build.launch_steps:
        name = type(step).__name__
        monkeypatch.setattr(step, "cleanup", lambda state, name=name: order.append(name) or False)
    assert build.cleanup({}) is False
    assert order[:4] == ["StepGetPassword", "StepRunSourceInstance", "StepSecurityGroup", "StepKeyPair"]


def test_a_failed_launch_runs_the_cleanup_of_every_step(monkeypatch):
    build = EbsBuild(normalize(dict(BASE)), "b1d")
    ran, cleaned = [], []
    for step in build.launch_steps:
        name = type(step).__name__
        monkeypatch.setattr(step, "run", lambda state, name=name: ran.append(name))
        monkeypatch.setattr(step, "cleanup", lambda state, name=name: cleaned.append(name))

    def refuse(state):
        raise RuntimeError("no capacity")

    monkeypatch.setattr(build.source_instance, "run", refuse)
    with pytest.raises(RuntimeError, match="no capacity"):
        build.launch()
    assert ran == ["StepPreValidate", "StepSourceAMIInfo", "StepNetworkInfo", "StepKeyPair", "StepSecurityGroup"]
    assert cleaned == list(reversed([*ran, "StepRunSourceInstance", "StepGetPassword"]))
