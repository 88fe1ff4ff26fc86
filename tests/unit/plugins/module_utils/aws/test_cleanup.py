"""The ``ec2_image`` ledger entry and its cleaner, on moto's in-process EC2: the sweep removes the
AMI a build made under its name (and its snapshots), never one that carried the name before."""

from __future__ import annotations

import moto
import pytest

from ansible_collections.cattle.images.plugins.module_utils.aws.client import AwsError
from ansible_collections.cattle.images.plugins.module_utils.aws.config import normalize
from ansible_collections.cattle.images.plugins.module_utils.aws.ebs import EbsBuild
from ansible_collections.cattle.images.plugins.module_utils.ledger import Ledger

REGION = "us-east-1"
NAME = "cattle unit image"


@pytest.fixture
def ec2(monkeypatch):
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_EC2", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    with moto.mock_aws():
        import boto3

        yield boto3.client("ec2", region_name=REGION)


def make_image(ec2, name=NAME):
    """An AMI (and its snapshot) made from a fresh instance, as CreateImage makes one."""
    source = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    instance = ec2.run_instances(ImageId=source, InstanceType="t3.micro", MinCount=1, MaxCount=1)
    image_id = ec2.create_image(InstanceId=instance["Instances"][0]["InstanceId"], Name=name)["ImageId"]
    return image_id, snapshots_of(ec2, image_id)


def snapshots_of(ec2, image_id):
    image = ec2.describe_images(ImageIds=[image_id])["Images"][0]
    return [m["Ebs"]["SnapshotId"] for m in image["BlockDeviceMappings"] if "Ebs" in m]


def own_images(ec2):
    return {image["ImageId"] for image in ec2.describe_images(Owners=["self"])["Images"]}


def own_snapshots(ec2):
    return {snapshot["SnapshotId"] for snapshot in ec2.describe_snapshots(OwnerIds=["self"])["Snapshots"]}


def build(tmp_path, build_id="b1d"):
    config = normalize({"region": REGION, "source_ami": "ami-12345678", "instance_type": "t3.micro",
                        "ami_name": NAME, "ssh_username": "admin"})
    return EbsBuild(config, build_id, "aws", ledger=Ledger(str(tmp_path / "ledger.jsonl")))


def test_sweep_removes_the_builds_ami_and_keeps_the_one_that_was_there(ec2, tmp_path):
    before = own_snapshots(ec2)  # moto's account owns the snapshots of its stock AMIs
    kept, kept_snapshots = make_image(ec2)
    ebs = build(tmp_path)
    ebs.create_ami.record_image(REGION)  # what capture does just before CreateImage
    [entry] = ebs.ledger.entries()
    assert (entry["kind"], entry["region"], entry["ami_name"]) == ("ec2_image", REGION, NAME)
    assert entry["existing_image_ids"] == [kept]
    made, made_snapshots = make_image(ec2)  # moto, unlike AWS, lets a second AMI take the name
    assert made_snapshots and not set(made_snapshots) & set(kept_snapshots)

    assert ebs.ledger.sweep() == []
    assert own_images(ec2) == {kept}
    assert own_snapshots(ec2) == before | set(kept_snapshots)
    assert ebs.ledger.entries() == []


def test_an_entry_recorded_before_an_interrupted_create_is_swept_as_nothing(ec2, tmp_path):
    ebs = build(tmp_path)
    ebs.create_ami.record_image(REGION)
    ebs.create_ami.record_image(REGION)  # once per region: the encrypted copy shares the original's entry
    assert len(ebs.ledger.entries()) == 1
    assert ebs.ledger.sweep() == []
    assert own_images(ec2) == set() and ebs.ledger.entries() == []


def test_other_builds_and_regions_are_left_alone(ec2, tmp_path):
    ebs = build(tmp_path)
    ebs.create_ami.record_image(REGION)
    made, _snapshots = make_image(ec2, name="another name")
    elsewhere = build(tmp_path, "b2d")
    elsewhere.create_ami.record_image("eu-west-1")
    assert elsewhere.ledger.sweep() == []
    assert own_images(ec2) == {made}


def test_a_refused_create_releases_its_entry_and_leaves_a_same_named_newcomer(ec2, tmp_path, monkeypatch):
    ebs = build(tmp_path)
    record, raced = ebs.create_ami.record_image, []

    def record_then_race(region):
        record(region)
        raced.append(make_image(ec2)[0])  # another tool takes the name between the lookup and CreateImage

    monkeypatch.setattr(ebs.create_ami, "record_image", record_then_race)
    amis = {}
    with pytest.raises(AwsError, match="create the AMI"):
        ebs.create_ami.create_images("i-0123456789abcdef0", amis)  # AWS answers no (here: no such instance)
    assert ebs.ledger.entries() == []
    ebs.discard(amis)
    assert ebs.ledger.sweep() == []
    assert own_images(ec2) == set(raced)


def untagged_launch(ec2, ebs):
    """An instance and a security group as the build records them, but without the build id tag:
    what a tag-filtered describe shows of them shortly after the create (EC2's tag index lags)."""
    group_id = ec2.create_security_group(GroupName="packer_lagging", Description="d")["GroupId"]
    ebs.record("ec2_security_group", "packer_lagging", group_id=group_id)
    source = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    instance_id = ec2.run_instances(ImageId=source, InstanceType="t3.micro", MinCount=1,
                                    MaxCount=1)["Instances"][0]["InstanceId"]
    ebs.record("ec2_instance", "instance", instance_id=instance_id)
    return instance_id, group_id


def state_of(ec2, instance_id):
    return ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]["State"]["Name"]


def test_sweep_deletes_by_the_recorded_ids_not_by_tag(ec2, tmp_path):
    ebs = build(tmp_path)
    instance_id, group_id = untagged_launch(ec2, ebs)
    assert ebs.ledger.sweep() == []
    assert state_of(ec2, instance_id) == "terminated"
    assert group_id not in {g["GroupId"] for g in ec2.describe_security_groups()["SecurityGroups"]}
    assert ebs.ledger.entries() == []


def test_build_cleanup_deletes_by_the_recorded_ids(ec2, tmp_path):
    ebs = build(tmp_path)
    instance_id, group_id = untagged_launch(ec2, ebs)
    assert ebs.cleanup({}) is True
    assert state_of(ec2, instance_id) == "terminated"
    assert ebs.ledger.entries() == []


def test_an_unconfirmed_delete_keeps_the_ledger_entry(ec2, tmp_path, monkeypatch):
    ebs = build(tmp_path)
    instance_id = untagged_launch(ec2, ebs)[0]

    def refuse(self, action, operation, **kwargs):
        raise AwsError(f"AWS could not {action}: UnauthorizedOperation: no")

    monkeypatch.setattr(EbsBuild, "call", refuse)
    with pytest.raises(AwsError, match="UnauthorizedOperation"):
        ebs.cleanup({"instance_id": instance_id})
    assert state_of(ec2, instance_id) == "running"
    assert {e["kind"] for e in ebs.ledger.entries()} == {"ec2_instance", "ec2_security_group"}
