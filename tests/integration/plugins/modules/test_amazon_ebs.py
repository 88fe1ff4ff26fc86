"""cattle.images.amazon_ebs as Ansible runs it (one playbook on localhost) against moto in server mode,
and the ledger's cleaners for its kinds."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import uuid

import pytest
import yaml

from ansible_collections.cattle.images.plugins.module_utils.ledger import Ledger
from tests.fixtures import plans
from tests.fixtures.ports import free_port

VENV_BIN = os.path.dirname(sys.executable)
SECRET = "s3cr3t-" + uuid.uuid4().hex[:8]
REGION = "us-east-1"


def run_playbook(tmp_path, tasks, env):
    playbook = tmp_path / "play.yml"
    playbook.write_text(yaml.safe_dump([{
        "hosts": "localhost", "gather_facts": False, "connection": "local",
        "vars": {"ansible_python_interpreter": "{{ ansible_playbook_python }}"},
        "tasks": tasks,
    }]))
    env = dict(env, ANSIBLE_STDOUT_CALLBACK="json", ANSIBLE_NOCOLOR="1", ANSIBLE_LOCALHOST_WARNING="0")
    proc = subprocess.run([os.path.join(VENV_BIN, "ansible-playbook"), "-i", "localhost,", str(playbook)],
                          capture_output=True, text=True, env=env, cwd=str(tmp_path), timeout=240, check=False)
    report = json.loads(proc.stdout)
    results = {task["task"]["name"]: task["hosts"]["localhost"] for task in report["plays"][0]["tasks"]}
    return results, proc.stdout + proc.stderr


def no_traceback(result):
    return "Traceback" not in str(result.get("exception", "")) and 'File "' not in str(result.get("exception", ""))


def config(**options):
    base = {"region": REGION, "instance_type": "t3.micro", "ami_name": "module test " + uuid.uuid4().hex[:8],
            "source_ami_filter": {"filters": {"name": "*ubuntu*"}, "owners": ["amazon"], "most_recent": True},
            "ssh_username": "admin", "access_key": "AKIDPLAN", "secret_key": SECRET,
            "aws_polling": {"delay_seconds": 1, "max_attempts": 20}, "tags": {"Base": "{{ .SourceAMI }}"}}
    base.update(options)
    return base


def write_plan(tmp_path, builds):
    return plans.write_plan(tmp_path, *(plans.build(name, "amazon-ebs", config=cfg) for name, cfg in builds.items()),
                            sensitive=[SECRET])


def live(moto, build_id):
    """This build's instances not terminated, key pairs and security groups, by its tag."""
    ec2 = moto.client(REGION)
    tagged = [{"Name": "tag:cattle.build_id", "Values": [build_id]}]
    instances = [i["InstanceId"] for r in ec2.describe_instances(Filters=tagged)["Reservations"]
                 for i in r["Instances"] if i["State"]["Name"] != "terminated"]
    return {"instances": instances,
            "key_pairs": [k["KeyName"] for k in ec2.describe_key_pairs(Filters=tagged)["KeyPairs"]],
            "groups": [g["GroupName"] for g in ec2.describe_security_groups(Filters=tagged)["SecurityGroups"]]}


NOTHING = {"instances": [], "key_pairs": [], "groups": []}


@pytest.fixture(scope="module")
def outcome(moto_server, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("ebs-module")
    build_id = "t" + uuid.uuid4().hex[:11]
    good = config()
    plan_file = write_plan(tmp_path, {
        "good": good,
        "bad": {"region": REGION, "instance_type": "t3.micro", "ami_name": "x", "source_ami": "",
                "shutdown_behavior": "halt", "secret_key": SECRET, "access_key": "AKID"},
        "missing": config(source_ami="ami-00000000", source_ami_filter=None),
        "runfail": config(run_tags={"fail": "inject-RunInstances-error"}),
        "skip": config(skip_create_ami=True, subnet_filter={"filters": {"default-for-az": "true"}, "most_free": True},
                       ssh_password="pw", security_group_ids=[default_group(moto_server)]),
    })
    ledger = str(tmp_path / "ledger.jsonl")
    key_dir = str(tmp_path / f"communicator-{build_id}")
    common = {"build_id": build_id, "build_name": "good", "plan_file": plan_file}
    tasks = [
        {"name": "check", "cattle.images.amazon_ebs": dict(common, state="started", ledger=ledger), "check_mode": True},
        {"name": "start", "cattle.images.amazon_ebs": dict(common, state="started", ledger=ledger, key_dir=key_dir),
         "register": "launched"},
        {"name": "check absent", "cattle.images.amazon_ebs": dict(common, state="absent"), "check_mode": True},
        {"name": "capture", "cattle.images.amazon_ebs": dict(common, state="captured", ledger=ledger,
                                                             source="{{ launched.source }}")},
        {"name": "remove", "cattle.images.amazon_ebs": dict(common, state="absent", ledger=ledger,
                                                            source="{{ launched.source }}")},
        {"name": "remove again", "cattle.images.amazon_ebs": dict(common, state="absent", ledger=ledger)},
        {"name": "bad config", "ignore_errors": True,
         "cattle.images.amazon_ebs": dict(common, state="started", build="bad")},
        {"name": "missing source", "ignore_errors": True,
         "cattle.images.amazon_ebs": dict(common, state="started", build="missing", ledger=ledger)},
        {"name": "unreachable", "ignore_errors": True, "cattle.images.amazon_ebs": {
            "state": "started", "build_id": build_id + "u",
            "config": config(custom_endpoint_ec2=f"http://127.0.0.1:{free_port()}", max_retries=1, tags={})}},
        {"name": "skip start", "cattle.images.amazon_ebs": dict(common, build="skip", build_id=build_id + "k"),
         "register": "skipped"},
        {"name": "skip capture", "cattle.images.amazon_ebs": dict(common, build="skip", build_id=build_id + "k",
                                                                  state="captured", source="{{ skipped.source }}")},
        {"name": "skip remove", "cattle.images.amazon_ebs": dict(common, build="skip", build_id=build_id + "k",
                                                                 state="absent")},
        {"name": "run fails", "ignore_errors": True, "cattle.images.amazon_ebs": dict(
            common, build="runfail", build_id=build_id + "r", ledger=ledger, key_dir=key_dir + "r")},
        {"name": "wrong type", "ignore_errors": True, "cattle.images.amazon_ebs": dict(common, build="nope")},
    ]
    results, output = run_playbook(tmp_path, tasks, moto_server.env)
    plan = {b["name"]: b["config"] for b in json.loads(open(plan_file).read())["builds"]}
    return {"results": results, "output": output, "build_id": build_id, "config": good, "ledger": ledger, "plan": plan,
            "key_dir": key_dir}


def default_group(moto):
    ec2 = moto.client(REGION)
    return ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["default"]}])["SecurityGroups"][0]["GroupId"]


def test_skip_create_ami_with_own_group_subnet_filter_and_password(outcome, moto_server):
    results = outcome["results"]
    started = results["skip start"]
    assert not started.get("failed"), started
    assert started["source"]["temporary_key_pair_name"] == "" and started["source"]["key_pair_name"] == ""
    assert started["source"]["temporary_security_group_id"] == ""
    assert any(text.startswith("Found Subnet ID: subnet-") for _kind, text in started["ui"])
    captured = results["skip capture"]
    assert captured["artifact"] is None and not captured.get("failed"), captured
    assert "Skipping AMI creation..." in [text for _kind, text in captured["ui"]]
    assert results["skip remove"]["changed"] is True
    assert live(moto_server, outcome["build_id"] + "k") == NOTHING
    name = outcome["plan"]["skip"]["ami_name"]
    assert moto_server.client(REGION).describe_images(
        Owners=["self"], Filters=[{"Name": "name", "Values": [name]}])["Images"] == []


def test_check_mode_launches_nothing(outcome, moto_server):
    check = outcome["results"]["check"]
    assert check["changed"] is True and not check.get("failed"), check
    assert check["source"]["instance_id"] == ""
    assert any(line[1].startswith("Found Image ID: ami-") for line in check["ui"])


def test_started_launches_with_temporary_key_pair_and_group(outcome):
    started = outcome["results"]["start"]
    assert started["changed"] is True, started
    source = started["source"]
    assert source["instance_id"].startswith("i-")
    assert source["temporary_key_pair_name"].startswith("packer_")
    assert source["temporary_security_group_id"].startswith("sg-")
    assert source["port"] == 22 and source["host"]
    assert source["private_key_file"] == os.path.join(outcome["key_dir"], "id_rsa")
    assert started["generated"]["SourceAMI"].startswith("ami-") and started["generated"]["BuildRegion"] == REGION
    assert started["generated"]["ID"] == source["instance_id"]
    # the key dir is gone after "remove", so the mode was checked by the module's own write: see the unit tests
    assert [kind for kind, text in started["ui"] if text.startswith("Creating temporary keypair")] == ["say"]


def test_capture_makes_the_ami(outcome, moto_server):
    captured = outcome["results"]["capture"]
    assert captured["changed"] is True, captured
    region, ami = captured["artifact"]["id"].split(":")
    assert region == REGION
    image = moto_server.client(REGION).describe_images(ImageIds=[ami])["Images"][0]
    assert image["Name"] == outcome["config"]["ami_name"]
    assert {t["Key"]: t["Value"] for t in image["Tags"]} == {
        "Base": outcome["results"]["start"]["generated"]["SourceAMI"]}


def test_absent_removes_everything_and_is_idempotent(outcome, moto_server):
    assert outcome["results"]["check absent"]["changed"] is True
    assert outcome["results"]["remove"]["changed"] is True
    assert outcome["results"]["remove again"]["changed"] is False
    assert live(moto_server, outcome["build_id"]) == NOTHING
    assert not os.path.exists(os.path.join(outcome["key_dir"], "id_rsa"))
    assert Ledger(outcome["ledger"]).entries() == []


def test_mistakes_are_one_paragraph_without_secrets(outcome):
    results = outcome["results"]
    bad = results["bad config"]
    assert bad["failed"] and no_traceback(bad)
    assert "builds[bad]" in bad["msg"] and "shutdown_behavior: expected stop or terminate" in bad["msg"]
    assert "a source_ami or source_ami_filter must be specified" in bad["msg"]
    missing = results["missing source"]
    assert missing["failed"] and "source_ami: the AMI ami-00000000 does not exist in us-east-1" in missing["msg"]
    unreachable = results["unreachable"]
    assert unreachable["failed"] and "cannot reach the EC2 API" in unreachable["msg"], unreachable
    assert results["wrong type"]["failed"] and "build 'nope' is not in the plan" in results["wrong type"]["msg"]
    for result in (bad, missing, unreachable):
        assert "\n" not in result["msg"] and no_traceback(result)
    assert SECRET not in outcome["output"]


def test_a_failed_launch_removes_what_it_made(outcome, moto_server):
    # The test server refuses RunInstances (its tags ask for it) after the key pair and group were made.
    failed = outcome["results"]["run fails"]
    assert failed["failed"] and no_traceback(failed)
    assert failed["msg"].startswith("AWS could not launch the source instance from ami-")
    assert "InvalidParameterValue: RunInstances refused" in failed["msg"]
    said = [text for _kind, text in failed["ui"]]
    assert any(text.startswith("Creating temporary keypair") for text in said)
    assert any(text.startswith("Deleting temporary security group") for text in said)
    assert live(moto_server, outcome["build_id"] + "r") == NOTHING
    assert [e for e in Ledger(outcome["ledger"]).entries() if e["build_id"] == outcome["build_id"] + "r"] == []
    assert not os.path.exists(outcome["key_dir"] + "r")


def test_ledger_sweep_removes_an_interrupted_launch(moto_server, tmp_path, monkeypatch):
    """What the cattle wrapper does after SIGINT: the cleaners find everything from the ledger alone,
    with the credentials read from the plan (none in the environment)."""
    from ansible_collections.cattle.images.plugins.module_utils.aws.config import normalize
    from ansible_collections.cattle.images.plugins.module_utils.aws.ebs import EbsBuild

    build_id = "s" + uuid.uuid4().hex[:11]
    cfg = config()
    plan_file = write_plan(tmp_path, {"aws": cfg})
    ledger = Ledger(str(tmp_path / "ledger.jsonl"))
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server.endpoint)
    source = EbsBuild(normalize(cfg), build_id, "aws", ledger=ledger, plan_file=plan_file).launch()
    assert live(moto_server, build_id)["instances"] == [source["instance_id"]]
    assert os.stat(source["private_key_file"]).st_mode & 0o777 == 0o600
    assert stat.S_IMODE(os.stat(source["key_dir"]).st_mode) == 0o700
    kinds = [entry["kind"] for entry in ledger.entries()]
    assert kinds == ["ec2_key_pair", "ec2_security_group", "ec2_instance"]
    assert SECRET not in (tmp_path / "ledger.jsonl").read_text()

    for name in ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name, raising=False)
    assert ledger.sweep() == []
    assert live(moto_server, build_id) == NOTHING
    assert not os.path.exists(source["key_dir"])
    assert ledger.entries() == []
    # A second sweep of the same records (already gone) is success too.
    for entry in [{"kind": "ec2_instance", "name": f"cattle-{build_id}"}]:
        ledger.record(build="aws", **entry, build_id=build_id, region=REGION, endpoint_url=moto_server.endpoint,
                      plan_file=plan_file, plan_build="aws")
    assert ledger.sweep() == []


@pytest.mark.parametrize("options, address", [
    ({"associate_public_ip_address": True}, "PublicIpAddress"),
    ({"associate_public_ip_address": False, "ssh_interface": "private_ip"}, "PrivateIpAddress"),
    ({"vpc_filter": {"filters": {"is-default": "true"}},
      "subnet_filter": {"filters": {"default-for-az": "true"}, "random": True}}, "PublicIpAddress"),
])
def test_network_options_reach_run_instances(moto_server, monkeypatch, options, address):
    from ansible_collections.cattle.images.plugins.module_utils.aws.config import normalize
    from ansible_collections.cattle.images.plugins.module_utils.aws.ebs import EbsBuild

    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server.endpoint)
    build_id = "n" + uuid.uuid4().hex[:11]
    build = EbsBuild(normalize(config(tags={}, **options)), build_id)
    source = build.launch()
    try:
        assert source["host"] and source["host"] == source["instance"][address]
        run = [r["params"] for r in moto_server.requests("RunInstances") if build_id in json.dumps(r["params"])][0]
        if "associate_public_ip_address" in options:
            assert run["NetworkInterface.1.AssociatePublicIpAddress"] == str(options["associate_public_ip_address"]).lower()
            assert "SecurityGroupId.1" not in run and run["NetworkInterface.1.SecurityGroupId.1"].startswith("sg-")
        else:
            assert run["SubnetId"] == source["instance"]["SubnetId"]
            assert ["message", f"Found Subnet ID: {run['SubnetId']}"] in build.ui.lines
    finally:
        build.cleanup(source)
    assert live(moto_server, build_id) == NOTHING
