"""The amazon-ebs config: Packer's defaults, coercions and one-paragraph errors naming the option."""

from __future__ import annotations

import pytest

from ansible_collections.cattle.images.plugins.module_utils.aws.config import (
    ConfigError,
    communicator_port,
    needs_temporary_key_pair,
    normalize,
)

BASE = {"region": "us-east-1", "source_ami": "ami-12345678", "instance_type": "t3.micro", "ami_name": "my ami",
        "ssh_username": "admin"}


def problems(**options):
    with pytest.raises(ConfigError) as caught:
        normalize(dict(BASE, **options))
    return str(caught.value)


def test_defaults():
    config = normalize(dict(BASE))
    assert config["communicator"] == "ssh"
    assert config["ssh_port"] == 22
    assert config["temporary_key_pair_type"] == "rsa"
    assert config["temporary_security_group_source_cidrs"] == ["0.0.0.0/0"]
    assert config["shutdown_behavior"] == "stop"
    assert config["encrypt_boot"] is None and config["associate_public_ip_address"] is None
    assert config["force_deregister"] is False
    assert needs_temporary_key_pair(config)
    assert communicator_port(config) == 22


def test_force_implies_force_deregister():
    assert normalize(dict(BASE), force=True)["force_deregister"] is True


def test_weak_typing_and_regions():
    config = normalize(dict(BASE, ami_regions="eu-west-1,us-east-1,eu-west-1", encrypt_boot="true",
                            ami_users="1,2", ssh_port="2222", security_group_id="sg-1"))
    assert config["ami_regions"] == ["eu-west-1"]  # the build region and duplicates dropped, as Packer does
    assert config["encrypt_boot"] is True
    assert config["ami_users"] == ["1", "2"]
    assert config["ssh_port"] == 2222
    assert config["security_group_ids"] == ["sg-1"]


def test_tag_lists_merge_into_maps():
    config = normalize(dict(BASE, tags={"a": "1"}, tag=[{"key": "b", "value": "2"}], run_tag=[{"key": "c", "value": 3}]))
    assert config["tags"] == {"a": "1", "b": "2"}
    assert config["run_tags"] == {"c": "3"}


def test_block_device_mappings_become_ec2_shapes():
    config = normalize(dict(BASE, launch_block_device_mappings=[
        {"device_name": "/dev/sda1", "volume_size": "20", "volume_type": "gp3", "delete_on_termination": True,
         "encrypted": True, "kms_key_id": "alias/k"},
        {"device_name": "/dev/sdb", "no_device": True},
        {"device_name": "/dev/sdc", "virtual_name": "ephemeral0"},
    ]))
    assert config["launch_block_device_mappings"] == [
        {"DeviceName": "/dev/sda1", "Ebs": {"VolumeType": "gp3", "VolumeSize": 20, "DeleteOnTermination": True,
                                            "Encrypted": True, "KmsKeyId": "alias/k"}},
        {"DeviceName": "/dev/sdb", "NoDevice": ""},
        {"DeviceName": "/dev/sdc", "VirtualName": "ephemeral0"},
    ]


def test_filter_blocks_fold_into_filters():
    """HCL2's `filter { key = … value = … }` blocks (`name` in the subnet/vpc filters), as Packer's CopyOn."""
    config = normalize(dict(BASE, source_ami="", source_ami_filter={
        "filters": {"name": "debian-*"}, "filter": [{"key": "virtualization-type", "value": "hvm"}],
        "owners": ["amazon"]}, vpc_filter={"filter": [{"name": "isDefault", "value": "true"}]}))
    assert config["source_ami_filter"]["filters"] == {"name": "debian-*", "virtualization-type": "hvm"}
    assert "filter" not in config["source_ami_filter"]
    assert config["vpc_filter"]["filters"] == {"isDefault": "true"}


@pytest.mark.parametrize("options, expected", [
    ({"region": ""}, "region: required"),
    ({"ami_name": "a*b"}, "ami_name: 'a*b' must be 3 to 128 characters"),
    ({"source_ami": ""}, "a source_ami or source_ami_filter must be specified"),
    ({"source_ami": "", "source_ami_filter": {"filters": {"name": "x"}}}, "must declare an owner"),
    ({"access_key": "AKIA"}, "access_key and secret_key: set both or neither"),
    ({"kms_key_id": "alias/k"}, "kms_key_id: encrypt_boot must also be true"),
    ({"encrypt_boot": True, "ami_regions": ["eu-west-1"], "region_kms_key_ids": {"us-west-2": "k"}},
     "region eu-west-1 is in ami_regions but has no KMS key"),
    ({"user_data": "x", "user_data_file": "/etc/hostname"}, "only one of them may be set"),
    ({"user_data_file": "/no/such/file"}, "user_data_file: /no/such/file does not exist"),
    ({"launch_block_device_mappings": [{"volume_size": 8}]}, "device_name` must be specified"),
    ({"launch_block_device_mappings": [{"device_name": "/dev/x", "volume_type": "fast"}]}, "volume_type: expected one of"),
    ({"shutdown_behavior": "halt"}, "shutdown_behavior: expected stop or terminate"),
    ({"temporary_key_pair_type": "dsa"}, "EC2 key pairs are rsa or ed25519"),
    ({"ssh_interface": "session_manager"}, "session_manager is not supported"),
    ({"spot_price": "auto"}, "spot_price: spot instances are not supported"),
    ({"aws_polling": {"delay": 1}}, "aws_polling: expected an object with delay_seconds"),
    ({"force_deregister": "maybe"}, "force_deregister: expected true or false"),
    ({"source_ami_filter": {"filter": [{"name": "x", "value": "y"}]}}, "source_ami_filter.filter[0]: expected an object with key"),
])
def test_mistakes_name_the_option(options, expected):
    message = problems(**options)
    assert message.startswith("amazon-ebs builder: ")
    assert expected in message
    assert "\n" not in message


def test_all_problems_are_reported_at_once():
    message = problems(region="", instance_type="", shutdown_behavior="halt")
    assert "region: required" in message and "instance_type: required" in message and "shutdown_behavior" in message


@pytest.mark.parametrize("options, temporary", [
    ({}, True),
    ({"ssh_password": "pw"}, False),
    ({"ssh_private_key_file": "/k"}, False),
    ({"ssh_keypair_name": "mine", "ssh_agent_auth": True}, False),
    ({"communicator": "none"}, False),
    ({"communicator": "winrm", "winrm_username": "Administrator"}, True),
    ({"communicator": "winrm", "winrm_password": "pw"}, False),
])
def test_temporary_key_pair_as_packer_decides(options, temporary):
    assert needs_temporary_key_pair(normalize(dict(BASE, **options))) is temporary


def test_winrm_port_defaults():
    assert communicator_port(normalize(dict(BASE, communicator="winrm"))) == 5985
    assert communicator_port(normalize(dict(BASE, communicator="winrm", winrm_use_ssl=True))) == 5986
