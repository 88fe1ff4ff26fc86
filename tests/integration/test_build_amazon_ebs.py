"""The amazon-ebs slice end to end: `cattle build` against moto in server mode, with an sshd
container standing in for the instance (moto's instances do not boot), so the provisioners
really run over SSH with the temporary EC2 key pair's private key.

After every build, moto's state is read back: the AMIs, their tags, sharing and encryption
requests, and that nothing of the build is left (instances terminated, no temporary key pair
or security group, no AMI or snapshot of a failed build) — after success, a failing
provisioner, SIGINT while waiting for the instance's SSH, SIGINT while the AMI is made or
awaited, and an injected CreateImage error.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import uuid

import pytest

from tests.fixtures.interrupt import interrupted_build
from tests.fixtures.ports import free_port
from tests.fixtures.sshd import start_sshd

pytestmark = [pytest.mark.docker, pytest.mark.slow]

REGION = "us-east-1"
SOURCE_FILTER = {"filters": {"name": "*ubuntu*"}, "owners": ["amazon"], "most_recent": True}


@pytest.fixture(scope="module")
def instance_standin(moto_server):
    """The sshd container that plays the instance: it trusts the key pairs the test server hands out."""
    target = start_sshd(authorized_keys=moto_server.public_keys())
    try:
        yield target
    finally:
        target.stop()


def template(workdir, standin, marker, **options):
    provisioners = options.pop("provisioners", None)
    builder = {
        "type": "amazon-ebs", "name": "aws", "region": REGION, "instance_type": "t3.micro",
        "source_ami_filter": SOURCE_FILTER, "ami_name": f"cattle it {marker}",
        "ssh_username": standin.username, "ssh_host": standin.host, "ssh_port": standin.port, "ssh_timeout": "60s",
        "run_tags": {"cattle-test": marker}, "aws_polling": {"delay_seconds": 1, "max_attempts": 30},
    }
    builder.update(options)
    doc = {"builders": [builder], "provisioners": provisioners if provisioners is not None else [
        {"type": "shell", "inline": [f"echo {marker} > /tmp/{marker}", "echo provisioned on $(hostname)"]},
    ]}
    path = workdir / f"{marker}.json"
    path.write_text(json.dumps(doc))
    return path


def cattle(moto, *args, cwd, timeout=240):
    return subprocess.run([os.path.join(os.path.dirname(os.sys.executable), "cattle"), "build", "-color=false",
                           *map(str, args)], cwd=cwd, env=moto.env, capture_output=True, text=True, timeout=timeout,
                          check=False)


def images_named(moto, name, region):
    return moto.client(region).describe_images(Owners=["self"], Filters=[{"Name": "name", "Values": [name]}])["Images"]


def tags_of(resource):
    return {t["Key"]: t["Value"] for t in resource.get("Tags") or []}


def assert_nothing_left(moto, marker, launched=True):
    """No instance of the build still exists (all terminated); no temporary key pair or security group."""
    ec2 = moto.client(REGION)
    reservations = ec2.describe_instances(Filters=[{"Name": "tag:cattle-test", "Values": [marker]}])["Reservations"]
    instances = [i for r in reservations for i in r["Instances"]]
    assert bool(instances) == launched
    assert {i["State"]["Name"] for i in instances} <= {"terminated"}
    build_ids = {tags_of(i)["cattle.build_id"] for i in instances}
    for build_id in build_ids:
        tagged = [{"Name": "tag:cattle.build_id", "Values": [build_id]}]
        assert ec2.describe_key_pairs(Filters=tagged)["KeyPairs"] == []
        assert ec2.describe_security_groups(Filters=tagged)["SecurityGroups"] == []
    names = [k["KeyName"] for k in ec2.describe_key_pairs()["KeyPairs"]]
    assert not [n for n in names if n.startswith("packer_")]
    groups = [g["GroupName"] for g in ec2.describe_security_groups()["SecurityGroups"]]
    assert not [g for g in groups if g.startswith("packer_")]


def test_build_makes_tagged_shared_encrypted_amis_in_every_region(moto_server, instance_standin, tmp_path):
    marker = uuid.uuid4().hex[:10]
    path = template(
        tmp_path, instance_standin, marker,
        ami_description="from {{ .SourceAMI }}",
        ami_regions=["eu-west-1", "us-west-2", REGION],
        tags={"Base": "{{ .SourceAMI }}", "BuildRegion": "{{ .BuildRegion }}", "BaseName": "{{ .SourceAMIName }}",
              "Marker": marker},
        snapshot_tags={"Snap": "yes", "Marker": f"snap-{marker}"},
        ami_users=["111122223333"], ami_groups=["all"],
        encrypt_boot=True, kms_key_id="alias/build-key",
        # Packer 1.6.6 wants every ami_regions entry here, the build's own region included.
        region_kms_key_ids={"eu-west-1": "alias/eu-key", "us-west-2": "alias/usw2-key", REGION: "alias/build-key"},
        run_volume_tags={"Volume": "of {{ .SourceAMIName }}"}, user_data="#!/bin/sh\necho hi\n",
    )
    doc = json.loads(path.read_text())
    doc["post-processors"] = [{"type": "manifest", "output": "manifest.json"}]
    path.write_text(json.dumps(doc))

    result = cattle(moto_server, path, cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Traceback" not in output
    assert "provisioned on" in output
    assert instance_standin.exec(f"cat /tmp/{marker}") == (0, f"{marker}\n")

    source = moto_server.client(REGION).describe_images(
        Owners=SOURCE_FILTER["owners"], Filters=[{"Name": "name", "Values": ["*ubuntu*"]}])["Images"]
    source = max(source, key=lambda i: i["CreationDate"])
    name = f"cattle it {marker}"
    amis = {}
    for region in (REGION, "eu-west-1", "us-west-2"):
        images = images_named(moto_server, name, region)
        # One per region: the unencrypted intermediate of encrypt_boot is gone.
        assert len(images) == 1, (region, images)
        image = images[0]
        amis[region] = image["ImageId"]
        assert tags_of(image) == {"Base": source["ImageId"], "BuildRegion": REGION, "BaseName": source["Name"],
                                  "Marker": marker}
        assert image["Description"] == f"from {source['ImageId']}"
        permissions = moto_server.client(region).describe_image_attribute(
            ImageId=image["ImageId"], Attribute="launchPermission")["LaunchPermissions"]
        assert {"UserId": "111122223333"} in permissions and {"Group": "all"} in permissions
        snapshot_ids = [m["Ebs"]["SnapshotId"] for m in image["BlockDeviceMappings"] if "Ebs" in m]
        assert snapshot_ids
        for snapshot in moto_server.client(region).describe_snapshots(SnapshotIds=snapshot_ids)["Snapshots"]:
            assert tags_of(snapshot) == {"Base": source["ImageId"], "BuildRegion": REGION, "BaseName": source["Name"],
                                         "Marker": f"snap-{marker}", "Snap": "yes"}

    # moto keeps no encryption state on copies: the requests say what was asked for.
    copies = [r for r in moto_server.requests("CopyImage") if r["params"].get("Name") == name]
    assert {r["region"]: (r["params"].get("Encrypted"), r["params"].get("KmsKeyId")) for r in copies} == {
        REGION: ("true", "alias/build-key"), "eu-west-1": ("true", "alias/eu-key"),
        "us-west-2": ("true", "alias/usw2-key")}

    run = [r["params"] for r in moto_server.requests("RunInstances") if marker in json.dumps(r["params"])]
    assert len(run) == 1
    assert base64.b64decode(run[0]["UserData"]) == b"#!/bin/sh\necho hi\n"
    specs = {run[0][f"TagSpecification.{i}.ResourceType"]: i for i in (1, 2)}
    assert run[0][f"TagSpecification.{specs['volume']}.Tag.1.Value"] == f"of {source['Name']}"
    assert run[0]["ClientToken"].startswith("cattle-")

    expected_id = ",".join(sorted(f"{region}:{ami}" for region, ami in amis.items()))
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["builds"][-1]["artifact_id"] == expected_id
    assert manifest["builds"][-1]["builder_type"] == "amazon-ebs"
    assert "AMIs were created:" in result.stdout
    assert_nothing_left(moto_server, marker)


def test_failing_provisioner_leaves_nothing(moto_server, instance_standin, tmp_path):
    marker = uuid.uuid4().hex[:10]
    path = template(tmp_path, instance_standin, marker,
                    provisioners=[{"type": "shell", "inline": ["echo before", "exit 3"]}])
    result = cattle(moto_server, path, cwd=tmp_path)
    assert result.returncode == 1, result.stdout
    assert "Build 'aws' errored" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert images_named(moto_server, f"cattle it {marker}", REGION) == []
    assert_nothing_left(moto_server, marker)


def test_injected_create_image_error_leaves_nothing(moto_server, instance_standin, tmp_path):
    marker = uuid.uuid4().hex[:10]
    # The test server refuses a request whose parameters contain inject-<Action>-error, as AWS would.
    path = template(tmp_path, instance_standin, marker, ami_name=f"cattle it {marker} inject-CreateImage-error")
    result = cattle(moto_server, path, cwd=tmp_path)
    assert result.returncode == 1, result.stdout
    assert "InvalidParameterValue: CreateImage refused" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert images_named(moto_server, f"cattle it {marker} inject-CreateImage-error", REGION) == []
    assert_nothing_left(moto_server, marker)


def test_sigint_while_waiting_for_the_instance_leaves_nothing(moto_server, tmp_path):
    marker = uuid.uuid4().hex[:10]

    class Nowhere:  # nothing listens here: the build waits for SSH until it is interrupted
        username, host, port = "packer", "127.0.0.1", free_port()

    path = template(tmp_path, Nowhere, marker, ssh_timeout="5m")
    returncode, output = interrupted_build(
        path, tmp_path, lambda: [r for r in moto_server.requests("RunInstances") if marker in json.dumps(r["params"])],
        "the instance's launch", env=moto_server.env)  # then well into "Waiting for SSH to become available..."
    assert returncode == 1, output
    assert "Cleanly cancelled builds after being interrupted." in output
    # ansible-playbook was stopped: the wrapper's ledger sweep removed them, newest first.
    removed = [line.split("Removed ")[1].split()[0] for line in output.splitlines() if "Removed ec2_" in line]
    assert removed == ["ec2_instance", "ec2_security_group", "ec2_key_pair"], output
    assert_nothing_left(moto_server, marker)


@pytest.mark.parametrize("option, value", [
    # The wait for the AMI hangs: the build knows the AMI's id.
    ("ami_description", "delay-DescribeImages-60"),
    # CreateImage has made the AMI but its answer hangs: the build never learns the id.
    ("ami_name", "delay-CreateImage-60"),
], ids=["waiting-for-the-ami", "creating-the-ami"])
def test_sigint_while_the_ami_is_made_leaves_nothing(moto_server, instance_standin, tmp_path, option, value):
    marker = uuid.uuid4().hex[:10]
    name = f"cattle it {marker}" + (f" {value}" if option == "ami_name" else "")
    path = template(tmp_path, instance_standin, marker, **{option: value if option != "ami_name" else name})
    made = {}

    def held():  # the AMI exists and the build is held up by the marked request
        images = images_named(moto_server, name, REGION)
        if images and (option == "ami_name" or [r for r in moto_server.requests("DescribeImages")
                                                if r["params"].get("ImageId.1") == images[0]["ImageId"]]):
            made.update(images[0])
            return True
        return False

    returncode, output = interrupted_build(path, tmp_path, held, "the AMI's creation", env=moto_server.env, settle=1)
    snapshots = {m["Ebs"]["SnapshotId"] for m in made["BlockDeviceMappings"] if "Ebs" in m}
    assert snapshots
    assert returncode == 1, output
    assert "Cleanly cancelled builds after being interrupted." in output
    assert "Traceback" not in output
    removed = [line.split("Removed ")[1] for line in output.splitlines() if "Removed ec2_" in line]
    assert [line.split()[0] for line in removed] == ["ec2_image", "ec2_instance", "ec2_security_group",
                                                     "ec2_key_pair"], output
    assert removed[0].startswith(f"ec2_image {REGION}:{name} ("), output
    assert images_named(moto_server, name, REGION) == []
    left = {s["SnapshotId"] for s in moto_server.client(REGION).describe_snapshots(OwnerIds=["self"])["Snapshots"]}
    assert not snapshots & left
    assert_nothing_left(moto_server, marker)


def test_name_collision_fails_before_launch_and_force_replaces(moto_server, instance_standin, tmp_path):
    marker = uuid.uuid4().hex[:10]
    name = f"cattle it {marker}"
    ec2 = moto_server.client(REGION)
    source = ec2.describe_images(Owners=["amazon"], Filters=[{"Name": "name", "Values": ["*ubuntu*"]}])["Images"][0]
    helper = ec2.run_instances(ImageId=source["ImageId"], InstanceType="t3.micro", MinCount=1, MaxCount=1)
    helper_id = helper["Instances"][0]["InstanceId"]
    existing = ec2.create_image(InstanceId=helper_id, Name=name)["ImageId"]
    ec2.terminate_instances(InstanceIds=[helper_id])

    path = template(tmp_path, instance_standin, marker)
    seen = len(moto_server.requests())
    result = cattle(moto_server, path, cwd=tmp_path)
    assert result.returncode == 1, result.stdout
    assert f"AMI Name: '{name}' is used by an existing AMI: {existing}" in result.stdout
    assert "force_deregister" in result.stdout and "-force" in result.stdout
    asked = {r["action"] for r in moto_server.requests()[seen:]}
    assert not asked & {"CreateKeyPair", "CreateSecurityGroup", "RunInstances"}, asked
    assert_nothing_left(moto_server, marker, launched=False)

    forced = cattle(moto_server, "-force", path, cwd=tmp_path)
    assert forced.returncode == 0, forced.stdout + forced.stderr
    images = images_named(moto_server, name, REGION)
    assert len(images) == 1 and images[0]["ImageId"] != existing
    assert_nothing_left(moto_server, marker)


def test_full_lifecycle_under_eventual_consistency(moto_server, instance_standin, tmp_path):
    """New resources answer NotFound for a while and tag-filtered describes lag, as on EC2: the build
    retries what Packer retries, and its cleanup still removes everything (by the ids it recorded)."""
    marker = uuid.uuid4().hex[:10]
    path = template(tmp_path, instance_standin, marker, ami_regions=["eu-west-1"],
                    tags={"Marker": marker}, snapshot_tags={"Snap": marker})
    seen = len(moto_server.requests())
    with moto_server.eventually_consistent(lag=2):
        result = cattle(moto_server, path, cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    lagged = {r["params"]["Code"] for r in moto_server.requests()[seen:] if r["action"] == "Lagged"}
    assert lagged == {"InvalidGroup.NotFound", "InvalidInstanceID.NotFound", "InvalidAMIID.NotFound"}, lagged
    for region in (REGION, "eu-west-1"):
        images = images_named(moto_server, f"cattle it {marker}", region)
        assert len(images) == 1 and tags_of(images[0])["Marker"] == marker
    assert_nothing_left(moto_server, marker)
