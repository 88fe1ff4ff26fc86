"""EC2 leftovers of a dead run found by their tags (no ledger), against moto: instances, key
pairs and security groups whose ``cattle.run`` tag names a dead run of this machine go; a live
run's, another machine's and untagged ones stay."""

from __future__ import annotations

import os
import tempfile
import uuid

import pytest

from ansible_collections.cattle.images.plugins.module_utils.aws.cleanup import remove_orphaned_resources
from ansible_collections.cattle.images.plugins.module_utils.aws.ebs import TAG_BUILD_ID, TAG_RUN
from ansible_collections.cattle.images.plugins.module_utils.ledger import RUN_DIR_PREFIX
from ansible_collections.cattle.images.plugins.module_utils.orphans import run_tag

REGION = "eu-west-3"


@pytest.fixture
def aws_env(moto_server, monkeypatch):
    for key, value in moto_server.env.items():
        if key.startswith("AWS_"):
            monkeypatch.setenv(key, value)
    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_EC2"):
        monkeypatch.delenv(key, raising=False)
    return moto_server.client(REGION)


def make_build(ec2, run):
    """An instance, a security group and a key pair tagged as one build of ``run`` (a run tag value)."""
    build_id = "sweep2" + uuid.uuid4().hex[:6]
    tags = [{"Key": TAG_BUILD_ID, "Value": build_id}] + ([{"Key": TAG_RUN, "Value": run}] if run else [])
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    instance = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="t2.micro", TagSpecifications=[
        {"ResourceType": "instance", "Tags": tags}])["Instances"][0]["InstanceId"]
    group = ec2.create_security_group(GroupName=f"packer_{build_id}", Description="t", TagSpecifications=[
        {"ResourceType": "security-group", "Tags": tags}])["GroupId"]
    ec2.create_key_pair(KeyName=f"packer_{build_id}", TagSpecifications=[{"ResourceType": "key-pair", "Tags": tags}])
    return {"build_id": build_id, "instance": instance, "group": group, "key": f"packer_{build_id}"}


def present(ec2, build):
    state = ec2.describe_instances(InstanceIds=[build["instance"]])["Reservations"][0]["Instances"][0]["State"]
    groups = ec2.describe_security_groups(Filters=[{"Name": "group-id", "Values": [build["group"]]}])["SecurityGroups"]
    keys = ec2.describe_key_pairs(Filters=[{"Name": "key-name", "Values": [build["key"]]}])["KeyPairs"]
    return {"instance": state["Name"] != "terminated", "group": bool(groups), "key": bool(keys)}


def test_a_dead_runs_instance_group_and_key_pair_go_and_nothing_else(aws_env):
    ec2 = aws_env
    dead_run = os.path.join(tempfile.gettempdir(), RUN_DIR_PREFIX + "sweep2gone" + uuid.uuid4().hex[:6])
    live_run = tempfile.mkdtemp(prefix=RUN_DIR_PREFIX)
    try:
        dead = make_build(ec2, run_tag(dead_run))
        live = make_build(ec2, run_tag(live_run))
        elsewhere = make_build(ec2, run_tag(dead_run).replace(run_tag(dead_run).split(" ")[0], "other-host", 1))
        untagged = make_build(ec2, None)

        removed = remove_orphaned_resources(REGION, lambda run_dir: run_dir != live_run)

        assert present(ec2, dead) == {"instance": False, "group": False, "key": False}
        for kept in (live, elsewhere, untagged):
            assert present(ec2, kept) == {"instance": True, "group": True, "key": True}
        assert sorted(kind for kind, _name in removed) == ["EC2 instance", "EC2 key pair", "EC2 security group"]
        assert all(dead["build_id"] in name for _kind, name in removed)
    finally:
        os.rmdir(live_run)


def test_a_build_tags_its_resources_with_its_run():
    from ansible_collections.cattle.images.plugins.module_utils.aws.ebs import EbsBuild
    from ansible_collections.cattle.images.plugins.module_utils.ledger import Ledger

    run_dir = os.path.join(tempfile.gettempdir(), RUN_DIR_PREFIX + "sweep2tag")
    build = EbsBuild({"region": REGION}, "b1", ledger=Ledger(os.path.join(run_dir, "ledger.jsonl")))
    tags = {tag["Key"]: tag["Value"] for tag in build.tag_spec("instance")[0]["Tags"]}
    assert tags == {TAG_BUILD_ID: "b1", TAG_RUN: run_tag(run_dir)}
