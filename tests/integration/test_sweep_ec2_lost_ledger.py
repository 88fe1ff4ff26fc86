"""A `cattle build` (amazon-ebs on moto) killed outright whose run directory is then deleted:
no ledger is left, and `cattle sweep -region` still finds the instance, key pair and security
group by their `cattle.run` tag and removes them, saying so."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
import uuid

import pytest

from tests.fixtures.interrupt import CATTLE, processes_with, start_build, wait_for
from tests.fixtures.ports import free_port

pytestmark = [pytest.mark.slow]

REGION = "us-east-1"


def test_sweep_region_removes_a_killed_builds_ec2_resources_after_its_run_dir_is_gone(moto_server, tmp_path):
    marker = uuid.uuid4().hex[:10]
    root = tmp_path / "tmp"
    root.mkdir()
    env = dict(moto_server.env, TMPDIR=str(root))
    template = tmp_path / "t.json"
    template.write_text(json.dumps({"builders": [{
        "type": "amazon-ebs", "region": REGION, "instance_type": "t3.micro", "ami_name": f"sweep2 {marker}",
        "source_ami_filter": {"filters": {"name": "*ubuntu*"}, "owners": ["amazon"], "most_recent": True},
        # nothing listens there: the build waits for SSH until it is killed
        "ssh_username": "packer", "ssh_host": "127.0.0.1", "ssh_port": free_port(), "ssh_timeout": "5m",
        "run_tags": {"cattle-test": marker}, "aws_polling": {"delay_seconds": 1, "max_attempts": 30},
    }]}))
    ec2 = moto_server.client(REGION)

    def instances():
        reservations = ec2.describe_instances(Filters=[{"Name": "tag:cattle-test", "Values": [marker]}])
        return [i for r in reservations["Reservations"] for i in r["Instances"]]

    proc = start_build(template, tmp_path, env)
    try:
        wait_for(proc, instances, "the instance's launch")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
    # The guard takes ansible-playbook down with cattle; then the ledger is lost with the run dir.
    for _attempt in range(600):
        if not processes_with(str(root)):
            break
        time.sleep(0.1)
    assert not processes_with(str(root)), "the killed build's processes should have ended"
    run_dirs = [name for name in os.listdir(root) if name.startswith("cattle-run-")]
    assert len(run_dirs) == 1
    shutil.rmtree(root / run_dirs[0])
    [instance] = instances()
    build_id = {t["Key"]: t["Value"] for t in instance["Tags"]}["cattle.build_id"]
    tagged = [{"Name": "tag:cattle.build_id", "Values": [build_id]}]
    assert ec2.describe_key_pairs(Filters=tagged)["KeyPairs"] and ec2.describe_security_groups(Filters=tagged)[
        "SecurityGroups"], "the killed build should have left its key pair and security group"

    result = subprocess.run([CATTLE, "sweep", "-region", REGION], cwd=tmp_path, env=env, capture_output=True,
                            text=True, timeout=300, check=False)

    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Removed EC2 instance {instance['InstanceId']} in {REGION} (build {build_id}) of a dead run" \
        in result.stdout
    assert "Removed EC2 key pair" in result.stdout and "Removed EC2 security group" in result.stdout
    assert {i["State"]["Name"] for i in instances()} == {"terminated"}
    assert ec2.describe_key_pairs(Filters=tagged)["KeyPairs"] == []
    assert ec2.describe_security_groups(Filters=tagged)["SecurityGroups"] == []
