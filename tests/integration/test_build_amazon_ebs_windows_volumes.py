"""amazon-ebs against moto where EC2 is strict: volumes that outlive the instance, Windows passwords.

The moto fixture launches each instance with its AMI's mappings (a root volume with
DeleteOnTermination=false, as moto's AMIs declare) and serves GetPasswordData as EC2 does for
a Windows instance. A WinRM stand-in (tests/fixtures/winrm_server.py) plays the Windows guest
and accepts only the password EC2 handed out. No Docker is needed: ``communicator: none`` or
WinRM on 127.0.0.1.
"""

from __future__ import annotations

import json
import re
import uuid

import pytest

from tests.fixtures.winrm_server import WinRMServer
from tests.integration.test_build_amazon_ebs import REGION, SOURCE_FILTER, cattle, images_named, tags_of

pytestmark = [pytest.mark.slow]

WINDOWS_AMI = "ami-03cf127a"  # moto's Windows_Server-2016-English-Nano-Base (platform: windows)
GENERATED_PASSWORD = "Gen3rated-Adm1n!pass"


def write(workdir, marker, builder_options, provisioners=()):
    builder = {"type": "amazon-ebs", "name": "aws", "region": REGION, "instance_type": "t3.micro",
               "ami_name": f"cattle vol {marker}", "run_tags": {"cattle-test": marker},
               "run_volume_tags": {"cattle-test": marker}, "aws_polling": {"delay_seconds": 1, "max_attempts": 30}}
    builder.update(builder_options)
    path = workdir / f"{marker}.json"
    path.write_text(json.dumps({"builders": [builder], "provisioners": list(provisioners)}))
    return path


def volumes(moto, marker):
    """The build's volumes still in moto (tagged by run_volume_tags), as ``{device-less id: state}``."""
    found = moto.client(REGION).describe_volumes(Filters=[{"Name": "tag:cattle-test", "Values": [marker]}])["Volumes"]
    return {volume["VolumeId"]: volume["State"] for volume in found}


def test_volumes_that_outlive_the_instance_are_deleted_after_success_and_failure(moto_server, tmp_path):
    marker = uuid.uuid4().hex[:10]
    path = write(tmp_path, marker, {"source_ami_filter": SOURCE_FILTER, "communicator": "none"})
    result = cattle(moto_server, path, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Destroying volume (vol-" in result.stdout
    assert volumes(moto_server, marker) == {}
    # The instance did get the AMI's root volume with DeleteOnTermination=false (the stand-in is strict).
    ec2 = moto_server.client(REGION)
    instances = [i for r in ec2.describe_instances(Filters=[{"Name": "tag:cattle-test", "Values": [marker]}])[
        "Reservations"] for i in r["Instances"]]
    assert instances and all(i["State"]["Name"] == "terminated" for i in instances)

    failed = uuid.uuid4().hex[:10]
    path = write(tmp_path, failed, {"source_ami_filter": SOURCE_FILTER, "communicator": "none",
                                    "ami_name": f"cattle vol {failed} inject-CreateImage-error"})
    result = cattle(moto_server, path, cwd=tmp_path)
    assert result.returncode == 1, result.stdout
    assert "Destroying volume (vol-" in result.stdout
    assert volumes(moto_server, failed) == {}


def test_launch_mappings_keep_their_own_delete_on_termination(moto_server, tmp_path):
    """As Packer: a volume of launch_block_device_mappings follows the user's delete_on_termination."""
    marker = uuid.uuid4().hex[:10]
    path = write(tmp_path, marker, {
        "source_ami_filter": SOURCE_FILTER, "communicator": "none",
        "launch_block_device_mappings": [{"device_name": "/dev/sdb", "volume_size": 2, "delete_on_termination": False}],
    })
    result = cattle(moto_server, path, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    left = volumes(moto_server, marker)
    assert list(left.values()) == ["available"]  # /dev/sdb, kept on purpose; the AMI's root volume is gone
    for volume_id in left:
        moto_server.client(REGION).delete_volume(VolumeId=volume_id)


def test_windows_build_fetches_and_uses_the_generated_password(moto_server, tmp_path):
    marker = uuid.uuid4().hex[:10]
    moto_server.windows_password(GENERATED_PASSWORD, after=1)  # "not yet" once: the build must wait
    try:
        with WinRMServer(username="Administrator", password=GENERATED_PASSWORD) as guest:
            guest.answer_connect_probe()
            # A guest that prints the password: the build's output must mask it.
            guest.add_rule(r"script-.*\.ps1", stdout=f"hello from windows, {GENERATED_PASSWORD}\r\n")
            guest.add_rule(r"packer-cleanup-")
            path = write(tmp_path, marker, {
                "source_ami": WINDOWS_AMI, "communicator": "winrm", "winrm_username": "Administrator",
                "winrm_host": "127.0.0.1", "winrm_port": guest.port, "winrm_timeout": "60s",
            }, provisioners=[{"type": "powershell", "inline": [
                "Write-Output hello", "$pw = '{{ build `WinRMPassword` }}'", "$p2 = '{{ build `Password` }}'"]}])
            result = cattle(moto_server, path, cwd=tmp_path)
    finally:
        moto_server.windows_password("")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Waiting for auto-generated password for instance..." in output
    assert "Password retrieved!" in output
    assert "hello from windows" in output
    assert guest.auth_failures == 0 and guest.commands  # connected with EC2's password at once
    assert GENERATED_PASSWORD not in output
    for leftover in tmp_path.rglob("*"):  # the run directory keeps no copy of the password
        if leftover.is_file():
            assert GENERATED_PASSWORD.encode() not in leftover.read_bytes(), leftover
    # As Packer: {{ build `WinRMPassword` }} and {{ build `Password` }} are the generated password.
    script = next(data for path, data in guest.deleted.items() if "/script-" in path).decode()
    assert f"$pw = '{GENERATED_PASSWORD}'\n$p2 = '{GENERATED_PASSWORD}'\n" in script
    asks = moto_server.requests("GetPasswordData")
    assert len(asks) >= 2
    assert images_named(moto_server, f"cattle vol {marker}", REGION)


def test_password_of_a_linux_instance_is_refused(moto_server, tmp_path):
    """EC2 has no password for an instance that is not Windows: the build fails clearly and cleans up."""
    marker = uuid.uuid4().hex[:10]
    path = write(tmp_path, marker, {"source_ami_filter": SOURCE_FILTER, "communicator": "winrm",
                                    "winrm_username": "Administrator", "winrm_host": "127.0.0.1"})
    result = cattle(moto_server, path, cwd=tmp_path)
    assert result.returncode == 1, result.stdout
    assert re.search(r"OperationNotPermitted.*is not a Windows instance", result.stdout), result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    ec2 = moto_server.client(REGION)
    instances = [i for r in ec2.describe_instances(Filters=[{"Name": "tag:cattle-test", "Values": [marker]}])[
        "Reservations"] for i in r["Instances"]]
    assert {i["State"]["Name"] for i in instances} == {"terminated"}
    assert {tags_of(i).get("cattle-test") for i in instances} == {marker}
    assert volumes(moto_server, marker) == {}
