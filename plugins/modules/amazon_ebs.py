#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: amazon_ebs
short_description: Packer's amazon-ebs builder - launch an EC2 instance, make AMIs of it, clean up
version_added: 0.1.0
description:
  - The controller side of an C(amazon-ebs) build on boto3, with the options and step order of Packer's amazon-ebs builder.
  - O(state=started) checks that C(ami_name) is free (unless C(force_deregister), or O(force)), resolves C(source_ami) or
    C(source_ami_filter), the VPC and subnet (ids or filters), creates a temporary key pair (its private key written
    0600 into a private directory) and a temporary security group open on the communicator port to
    C(temporary_security_group_source_cidrs) unless the template brings its own, runs the instance tagged
    C(cattle.build_id) and waits until it runs. With C(communicator=winrm) and no C(winrm_password) it then waits
    (C(windows_password_timeout), 20m) for the instance's generated Windows password, decrypts it with the key
    pair's private key and writes it 0600 beside that key; only the file's path is returned.
    Each resource is written to the ledger before it is created. A failed launch removes what it created.
  - O(state=captured) stops the instance, deregisters same-named AMIs when C(force_deregister) (their snapshots too
    with C(force_delete_snapshot)), creates the AMI and waits for it, makes the encrypted copy for C(encrypt_boot),
    copies to C(ami_regions), shares (C(ami_users), C(ami_groups), C(snapshot_users), C(snapshot_groups)) and tags
    (C(tags), C(snapshot_tags)) in every region. A capture that fails half-way deregisters the AMIs it made.
  - O(state=absent) terminates the build's instances (found by the C(cattle.build_id) tag) and waits for them,
    deletes the instance's volumes that outlived it (DeleteOnTermination=false in the source AMI; not those of
    C(launch_block_device_mappings), as Packer), its temporary security groups and key pairs and the private key
    directory. It is idempotent.
  - C(tags), C(run_tags), C(run_volume_tags), C(snapshot_tags) and C(ami_description) may use Packer's build data
    C({{ .SourceAMI }}), C({{ .SourceAMIName }}), C({{ .SourceAMIOwner }}), C({{ .SourceAMIOwnerName }}),
    C({{ .SourceAMICreationDate }}), C({{ .SourceAMITags.<key> }}) and C({{ .BuildRegion }}).
  - "Runs on the controller (C(delegate_to: localhost)). Credentials: C(access_key)/C(secret_key)/C(token), C(profile),
    else boto3's chain (environment, shared files, instance role). The endpoint is C(custom_endpoint_ec2) or
    C(AWS_ENDPOINT_URL)."
author:
  - cattle.images developers (@cattle-images)
options:
  state:
    description: What to do.
    type: str
    choices: [started, captured, absent]
    default: started
  build_id:
    description: The build's short unique id, the value of the C(cattle.build_id) tag on everything the build creates.
    type: str
    required: true
  build_name:
    description: The build's name, for the ledger and the artifact.
    type: str
    default: amazon-ebs
  config:
    description:
      - The builder's Packer options, each checked and decoded as Packer does (listed below, generated from cattle's schemas).
      - An option left out takes Packer's default; an option the builder does not have is refused.
      - Mutually exclusive with O(plan_file); one of them is required.
    type: dict
  force:
    description: Packer's C(-force), which implies C(force_deregister).
    type: bool
    default: false
  key_dir:
    description:
      - The private directory (made 0700 if missing) for the temporary key pair's private key C(id_<type>) and its
        C(.pub); the communicator's private directory, so that it connects with this key. Default, a new
        C(cattle-ec2-<build_id>-*) directory in the temp directory.
    type: path
  source:
    description:
      - What O(state=started) returned as RV(source), for O(state=captured) and O(state=absent). By default what the
        launch recorded in the build's state file (C(build-<build_id>.json) beside O(plan_file) and O(ledger)).
    type: dict
attributes:
  check_mode:
    details:
      - O(state=started) checks the config and credentials, the AMI name and the source AMI (read-only API calls)
        and reports that it would launch. O(state=captured) reports what it would do.
        O(state=absent) looks up the build's resources and reports whether it would remove any.
extends_documentation_fragment:
  - cattle.images.builder
  - cattle.images.options_amazon_ebs
requirements:
  - boto3
notes:
  - Not supported (refused with a clear error) are spot instances, C(assume_role), Vault credentials, temporary IAM
    instance profiles, C(security_group_filter), C(ssh_interface=session_manager), C(deprecate_at), organisation
    sharing and the other newer options listed in the error.
  - C(ami_virtualization_type) is accepted and checked; an EBS-backed AMI inherits the source's virtualization type,
    as with Packer's amazon-ebs.
"""

EXAMPLES = r"""
- name: Launch the source instance
  cattle.images.amazon_ebs:
    state: started
    build_id: 3f9a1c0b2d4e
    build_name: amazon-ebs
    plan_file: /tmp/run/plan.json
    ledger: /tmp/run/ledger.jsonl
  delegate_to: localhost
  register: launched

- name: Make the AMIs
  cattle.images.amazon_ebs:
    state: captured
    build_id: 3f9a1c0b2d4e
    plan_file: /tmp/run/plan.json
  delegate_to: localhost
  register: captured

- name: Remove the instance, temporary key pair and security group
  cattle.images.amazon_ebs:
    state: absent
    build_id: 3f9a1c0b2d4e
    config:
      region: us-east-1
      ami_name: unused-here
      instance_type: t3.micro
      source_ami: ami-0123456789abcdef0
  delegate_to: localhost
"""

RETURN = r"""
source:
  description: The running instance and the temporary resources (O(state=started)); ids are empty in check mode.
  returned: state is started
  type: dict
  sample:
    region: us-east-1
    build_id: 3f9a1c0b2d4e
    instance_id: i-0a1b2c3d4e5f67890
    host: 203.0.113.10
    port: 22
    key_pair_name: packer_5f2d0e6c8a4b4f1e9d3c2b1a0f9e8d7c
    private_key_file: /tmp/cattle-ec2-3f9a1c0b2d4e-k2j3h4/id_rsa
    key_dir: /tmp/cattle-ec2-3f9a1c0b2d4e-k2j3h4
    temporary_key_pair_name: packer_5f2d0e6c8a4b4f1e9d3c2b1a0f9e8d7c
    temporary_security_group_id: sg-0123456789abcdef0
    temporary_security_group_name: packer_0e1f2a3b4c5d6e7f8091a2b3c4d5e6f7
    security_group_ids: [sg-0123456789abcdef0]
    volumes: {vol-0123456789abcdef0: /dev/sda1}
    keep_devices: []
    winrm_password_file: /tmp/cattle-ec2-3f9a1c0b2d4e-k2j3h4/winrm-password
    generated:
      BuildRegion: us-east-1
      SourceAMI: ami-0123456789abcdef0
      SourceAMIName: debian-12-amd64-20240101
generated:
  description: Packer's build data for provisioners (C({{ build `SourceAMI` }}) …), O(state=started).
  returned: state is started
  type: dict
  sample: {BuildRegion: us-east-1, SourceAMI: ami-0123456789abcdef0, SourceAMIName: debian-12, ID: i-0a1b2c3d4e5f67890}
artifact:
  description: The AMIs (O(state=captured)); null with C(skip_create_ami) and in check mode.
  returned: state is captured
  type: dict
  sample:
    id: eu-west-1:ami-0fedcba9876543210,us-east-1:ami-0123456789abcdef0
    builder_id: mitchellh.amazonebs
    builder_type: amazon-ebs
    build_name: amazon-ebs
    files: []
    string: "AMIs were created:\neu-west-1: ami-0fedcba9876543210\nus-east-1: ami-0123456789abcdef0\n"
    metadata:
      amis: {us-east-1: ami-0123456789abcdef0, eu-west-1: ami-0fedcba9876543210}
ui:
  description: Packer-style progress lines, C([kind, text]) with kind C(say), C(message) or C(error).
  returned: always
  type: list
  elements: list
  sample: [[say, "Prevalidating AMI Name: my-ami"], [message, "Instance ID: i-0a1b2c3d4e5f67890"]]
"""


from ansible_collections.cattle.images.plugins.module_utils.aws.task import AMAZON_EBS  # noqa: E402
from ansible_collections.cattle.images.plugins.module_utils.builder_frontend import run_module  # noqa: E402


def main():
    run_module(AMAZON_EBS)


if __name__ == "__main__":
    main()
