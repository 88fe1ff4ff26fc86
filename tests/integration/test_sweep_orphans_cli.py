"""`cattle sweep` (a subprocess, private TMPDIR) finds what a dead run left that no ledger lists:
a QEMU by the work dir on its command line, EC2 resources (moto) by their run tag with
``-region``; and a usage error for a bad flag."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import uuid

import pytest

from ansible_collections.cattle.images.plugins.module_utils.aws.ebs import TAG_BUILD_ID, TAG_RUN
from ansible_collections.cattle.images.plugins.module_utils.orphans import run_tag
from tests.fixtures.interrupt import CATTLE

QEMU = shutil.which("qemu-system-x86_64")
REGION = "ap-south-1"


def dead_run_dir(root, name):
    run_dir = root / f"cattle-run-{name}"
    (run_dir / "tmp").mkdir(parents=True)
    (run_dir / "owner.json").write_text(json.dumps({"pid": 1, "start": -1, "boot": ""}))
    return run_dir


def sweep(tmp_path, env, *args):
    return subprocess.run([CATTLE, "sweep", *args], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=120, check=False)


@pytest.mark.skipif(not QEMU, reason="qemu-system-x86_64 is not installed")
def test_cattle_sweep_stops_a_dead_runs_qemu_that_no_ledger_lists(tmp_path):
    root = tmp_path / "tmp"
    run_dir = dead_run_dir(root, "lost")
    work = run_dir / "tmp" / f"cattle-qemu-{uuid.uuid4().hex[:12]}"
    work.mkdir()
    vm = subprocess.Popen([QEMU, "-machine", "none", "-nodefaults", "-display", "none", "-S",  # noqa: S603
                           "-pidfile", str(work / "qemu.pid")], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    try:
        for _attempt in range(200):  # QEMU writes its pidfile once it is set up
            if (work / "qemu.pid").exists():
                break
            time.sleep(0.05)
        result = sweep(tmp_path, dict(os.environ, TMPDIR=str(root)))
        assert result.returncode == 0, result.stdout + result.stderr
        assert f"Stopped the VM processes of {work.name} of a dead run" in result.stdout
        assert vm.wait(timeout=30) is not None
        assert os.listdir(root) == []
    finally:
        vm.kill()
        vm.wait()


def test_cattle_sweep_region_removes_a_dead_runs_ec2_leftovers(tmp_path, moto_server):
    root = tmp_path / "tmp"
    root.mkdir()
    env = dict(moto_server.env, TMPDIR=str(root))
    env.pop("AWS_REGION", None)
    env.pop("AWS_DEFAULT_REGION", None)
    ec2 = moto_server.client(REGION)
    build_id = "sweep2" + uuid.uuid4().hex[:6]
    tags = [{"Key": TAG_BUILD_ID, "Value": build_id}, {"Key": TAG_RUN, "Value": run_tag(str(root / "cattle-run-x"))}]
    group = ec2.create_security_group(GroupName=f"packer_{build_id}", Description="t", TagSpecifications=[
        {"ResourceType": "security-group", "Tags": tags}])["GroupId"]

    without_region = sweep(tmp_path, env)
    assert without_region.returncode == 0, without_region.stderr
    assert ec2.describe_security_groups(GroupIds=[group])["SecurityGroups"], "no region given: EC2 is not searched"

    result = sweep(tmp_path, env, "-region", REGION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Removed EC2 security group {group} in {REGION} (build {build_id}) of a dead run" in result.stdout
    assert not ec2.describe_security_groups(Filters=[{"Name": "group-id", "Values": [group]}])["SecurityGroups"]


def test_cattle_sweep_refuses_an_unknown_flag(tmp_path):
    result = sweep(tmp_path, dict(os.environ, TMPDIR=str(tmp_path)), "-regoin", "x")
    assert result.returncode == 1
    assert "flag provided but not defined: -regoin" in result.stderr
    assert "-region" in result.stderr


def test_cattle_sweep_help_prints_its_usage(tmp_path):
    result = sweep(tmp_path, dict(os.environ, TMPDIR=str(tmp_path)), "-h")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Usage: cattle sweep [options]")
    assert "-region" in result.stdout
