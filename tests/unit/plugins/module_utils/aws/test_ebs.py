"""The amazon-ebs pieces that need no API: artifacts, keys, user data, hosts, tag rendering, errors."""

from __future__ import annotations

import base64
import subprocess

import botocore.exceptions
import pytest

from ansible_collections.cattle.images.plugins.module_utils.aws.client import (
    GROUP_VISIBLE,
    INSTANCE_VISIBLE,
    AwsError,
    Polling,
    explain,
)
from ansible_collections.cattle.images.plugins.module_utils.aws.config import normalize
from ansible_collections.cattle.images.plugins.module_utils.aws.ebs import EbsBuild, artifact
from ansible_collections.cattle.images.plugins.module_utils.aws.steps.amis import describe_image, wait_available
from ansible_collections.cattle.images.plugins.module_utils.aws.steps.base import render_tags
from ansible_collections.cattle.images.plugins.module_utils.aws.steps.key_pair import public_key_line, remove_key_dir

BASE = {"region": "us-east-1", "source_ami": "ami-12345678", "instance_type": "t3.micro", "ami_name": "my ami",
        "ssh_username": "admin", "access_key": "AKIDUMMY", "secret_key": "dummy-secret"}


def build(**options):
    return EbsBuild(normalize(dict(BASE, **options)), "b1d")


def test_artifact_is_packers():
    made = artifact({"us-east-1": "ami-1", "eu-west-1": "ami-2"}, "aws", {"SourceAMI": "ami-0"})
    assert made["id"] == "eu-west-1:ami-2,us-east-1:ami-1"
    assert made["builder_id"] == "mitchellh.amazonebs"
    assert made["string"] == "AMIs were created:\neu-west-1: ami-2\nus-east-1: ami-1\n"
    assert made["metadata"]["amis"] == {"us-east-1": "ami-1", "eu-west-1": "ami-2"}
    assert made["metadata"]["SourceAMI"] == "ami-0"


@pytest.mark.parametrize("key_type, extra", [("rsa", ["-b", "2048", "-m", "PEM"]), ("ed25519", [])])
def test_public_key_line_matches_ssh_keygen(tmp_path, key_type, extra):
    path = tmp_path / "id"
    subprocess.run(["ssh-keygen", "-q", "-t", key_type, *extra, "-N", "", "-f", str(path)], check=True)
    expected = subprocess.run(["ssh-keygen", "-y", "-f", str(path)], check=True, capture_output=True,
                              text=True).stdout.split()[:2]
    line = public_key_line(path.read_text(), "packer_x")
    assert line.split() == [*expected, "packer_x"]


def test_unreadable_key_material_is_an_aws_error():
    with pytest.raises(AwsError, match="cannot be read"):
        public_key_line("-----BEGIN RSA PRIVATE KEY-----\nnope\n-----END RSA PRIVATE KEY-----\n", "x")


def test_remove_key_dir_keeps_a_directory_it_did_not_make(tmp_path):
    (tmp_path / "id_rsa").write_text("k")
    (tmp_path / "id_rsa.pub").write_text("p")
    (tmp_path / "winrm-password").write_text("decrypted")  # StepGetPassword's file goes with the key
    (tmp_path / "other").write_text("o")
    assert remove_key_dir(str(tmp_path), False, {"temporary_key_pair_type": "rsa"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other"]
    owned = tmp_path / "owned"
    owned.mkdir()
    assert remove_key_dir(str(owned), True)
    assert not owned.exists()
    assert not remove_key_dir(str(owned), True)


def test_user_data_is_passed_decoded_when_already_base64(tmp_path):
    assert build(user_data="#!/bin/sh\necho hi\n").source_instance.user_data() == b"#!/bin/sh\necho hi\n"
    encoded = base64.b64encode(b"#cloud-config\n").decode()
    assert build(user_data=encoded).source_instance.user_data() == b"#cloud-config\n"
    path = tmp_path / "ud"
    path.write_bytes(b"from a file")
    assert build(user_data_file=str(path)).source_instance.user_data() == b"from a file"
    assert build().source_instance.user_data() is None


INSTANCE = {"InstanceId": "i-1", "VpcId": "vpc-1", "PublicIpAddress": "203.0.113.5", "PrivateIpAddress": "10.0.0.5",
            "PublicDnsName": "ec2-203-0-113-5.example", "PrivateDnsName": "ip-10-0-0-5.example"}


@pytest.mark.parametrize("options, instance, host", [
    ({}, INSTANCE, "203.0.113.5"),
    ({}, dict(INSTANCE, PublicIpAddress=""), "10.0.0.5"),
    ({}, dict(INSTANCE, VpcId=""), "ec2-203-0-113-5.example"),
    ({"ssh_interface": "private_dns"}, INSTANCE, "ip-10-0-0-5.example"),
    ({"ssh_host": "127.0.0.1"}, INSTANCE, "127.0.0.1"),
    ({"communicator": "winrm", "winrm_username": "a", "winrm_host": "win.example"}, INSTANCE, "win.example"),
])
def test_host_as_packer_picks_it(options, instance, host):
    assert build(**options).source_instance.host(instance) == host


def test_ssh_interface_without_that_address_is_an_error():
    with pytest.raises(AwsError, match="ssh_interface public_ip: the instance i-1 has no PublicIpAddress"):
        build(ssh_interface="public_ip").source_instance.host(dict(INSTANCE, PublicIpAddress=""))


def test_tags_render_build_data():
    data = {"SourceAMI": "ami-9", "BuildRegion": "eu-west-1", "SourceAMIName": "debian",
            "SourceAMITags": {"os": "debian"}}
    rendered = render_tags({"Base": "{{ .SourceAMI }}", "{{ .BuildRegion }}": "x",
                                    "Name": "{{ .SourceAMIName }}-{{ .SourceAMITags.os }}"}, data)
    assert rendered == {"Base": "ami-9", "eu-west-1": "x", "Name": "debian-debian"}
    with pytest.raises(AwsError, match="cannot render"):
        render_tags({"bad": "{{ .SourceAMI "}, data)


def test_polling_from_config_and_environment(monkeypatch):
    monkeypatch.delenv("AWS_POLL_DELAY_SECONDS", raising=False)
    monkeypatch.delenv("AWS_MAX_ATTEMPTS", raising=False)
    assert Polling.from_config({}).waiter_config() == {}
    assert Polling.from_config({"aws_polling": {"delay_seconds": 2, "max_attempts": 7}}).waiter_config() == {
        "Delay": 2, "MaxAttempts": 7}
    monkeypatch.setenv("AWS_POLL_DELAY_SECONDS", "3")
    assert Polling.from_config({}).waiter_config() == {"Delay": 3}
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "lots")
    with pytest.raises(AwsError, match="aws_polling"):
        Polling.from_config({})


def test_errors_are_one_paragraph_and_keep_secrets_out():
    client_error = botocore.exceptions.ClientError(
        {"Error": {"Code": "AuthFailure", "Message": "AWS was not able to validate the provided access credentials"}},
        "DescribeImages")
    message = explain(client_error, "look up AMIs")
    assert message.startswith("AWS could not look up AMIs: AuthFailure: AWS was not able to validate")
    assert "check access_key/secret_key" in message
    assert "no usable AWS credentials" in explain(botocore.exceptions.NoCredentialsError(), "x")
    unreachable = botocore.exceptions.EndpointConnectionError(endpoint_url="http://127.0.0.1:1")
    assert "cannot reach the EC2 API" in explain(unreachable, "x")
    for text in (message, explain(ValueError("boom\nmore"), "do it")):
        assert "\n" not in text and "dummy-secret" not in text


def test_region_is_required_for_a_client():
    from ansible_collections.cattle.images.plugins.module_utils.aws.client import ec2_client

    with pytest.raises(AwsError, match="region: an AWS region is required"):
        ec2_client({})


# --- eventual consistency: the calls Packer retries on NotFound right after a create ---------


def _client_error(code, operation):
    return botocore.exceptions.ClientError({"Error": {"Code": code, "Message": "not yet"}}, operation)


class _LaggingClient:
    """Answers ``code`` to ``operation`` for the first ``lag`` calls, then ``answer``; records every call."""

    def __init__(self, operation, code, lag, answer):
        self.operation, self.code, self.lag, self.answer = operation, code, lag, answer
        self.calls = []

    def __getattr__(self, name):
        def method(**kwargs):
            self.calls.append(name)
            if name == self.operation and self.calls.count(name) <= self.lag:
                raise _client_error(self.code, name)
            return self.answer
        return method


def _lagging_build(operation, code, lag, answer=None):
    sleeps = []
    made = EbsBuild(normalize(dict(BASE)), "b1d", sleep=sleeps.append)
    client = _LaggingClient(operation, code, lag, answer or {})
    made._clients["us-east-1"] = client
    return made, client, sleeps


@pytest.mark.parametrize("operation, code, act", [
    ("stop_instances", "InvalidInstanceID.NotFound",
     lambda b: b.call("stop", "stop_instances", retry=INSTANCE_VISIBLE, InstanceIds=["i-1"])),
    ("create_tags", "InvalidAMIID.NotFound", lambda b: b.create_tags.tag({"us-east-1": "ami-1"}, {})),
    ("authorize_security_group_ingress", "InvalidGroup.NotFound",
     lambda b: b.call("open", "authorize_security_group_ingress", retry=GROUP_VISIBLE, GroupId="sg-1")),
    ("describe_images", "InvalidAMIID.Unavailable", lambda b: describe_image(b, "ami-1", "us-east-1")),
])
def test_not_found_right_after_a_create_is_retried(operation, code, act):
    answer = {"Images": [{"ImageId": "ami-1", "BlockDeviceMappings": []}]}
    made, client, sleeps = _lagging_build(operation, code, 3, answer)
    if operation == "create_tags":
        made.config["tags"] = {"k": "v"}
    act(made)
    assert client.calls.count(operation) == 4
    assert sleeps and sleeps == sorted(sleeps)  # backs off, never shrinking


def test_not_found_is_given_up_after_packers_tries():
    made, client, sleeps = _lagging_build("stop_instances", "InvalidInstanceID.NotFound", 100)
    with pytest.raises(AwsError, match="InvalidInstanceID.NotFound"):
        made.call("stop the instance i-1", "stop_instances", retry=INSTANCE_VISIBLE, InstanceIds=["i-1"])
    assert client.calls.count("stop_instances") == INSTANCE_VISIBLE.tries
    assert max(sleeps) == INSTANCE_VISIBLE.maximum


def test_other_errors_and_unmarked_calls_are_not_retried():
    made, client = _lagging_build("stop_instances", "UnauthorizedOperation", 1)[:2]
    with pytest.raises(AwsError, match="UnauthorizedOperation"):
        made.call("stop", "stop_instances", retry=INSTANCE_VISIBLE, InstanceIds=["i-1"])
    made, client = _lagging_build("stop_instances", "InvalidInstanceID.NotFound", 1)[:2]
    with pytest.raises(AwsError, match="NotFound"):
        made.call("stop", "stop_instances", InstanceIds=["i-1"])
    assert client.calls == ["stop_instances"]


def test_image_waiter_outlasts_not_found():
    """boto3's image_available waiter fails on InvalidAMIID.NotFound; the build waits on, as Packer does."""
    from botocore.stub import Stubber

    made = EbsBuild(normalize(dict(BASE)), "b1d", sleep=lambda _: None)
    client = made.ec2()
    stubber = Stubber(client)
    for _attempt in range(2):
        stubber.add_client_error("describe_images", "InvalidAMIID.NotFound")
    stubber.add_response("describe_images", {"Images": [{"ImageId": "ami-1", "State": "available"}]})
    with stubber:
        wait_available(made, "ami-1", "us-east-1")
    stubber.assert_no_pending_responses()


class _RecordingWaiter:
    def __init__(self):
        self.configs = []
        self.config = type("Config", (), {"delay": 15, "max_attempts": 40})()

    def wait(self, WaiterConfig, **kwargs):  # noqa: N803 (boto3's name)
        self.configs.append(WaiterConfig)


@pytest.mark.parametrize("env, expected", [
    ({}, {"MaxAttempts": 120}),  # Packer's 30 minutes at the waiter's 15 seconds
    ({"AWS_MAX_ATTEMPTS": "7"}, {"MaxAttempts": 7}),
    ({"AWS_POLL_DELAY_SECONDS": "3"}, {"Delay": 3}),
])
def test_ami_wait_defaults_to_packers_30_minutes(monkeypatch, env, expected):
    for name in ("AWS_MAX_ATTEMPTS", "AWS_POLL_DELAY_SECONDS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    made = EbsBuild(normalize(dict(BASE)), "b1d", sleep=lambda _: None)
    waiter = _RecordingWaiter()
    monkeypatch.setattr(made.ec2(), "get_waiter", lambda name: waiter)
    wait_available(made, "ami-1", "us-east-1")
    assert waiter.configs == [expected]


@pytest.mark.parametrize("options, expected", [
    ({}, []),
    ({"ena_support": True, "sriov_support": True},
     [{"InstanceId": "i-1", "SriovNetSupport": {"Value": "simple"}}, {"InstanceId": "i-1", "EnaSupport": {"Value": True}}]),
    ({"ena_support": False}, [{"InstanceId": "i-1", "EnaSupport": {"Value": False}}]),
])
def test_ena_and_sriov_are_set_on_the_stopped_instance_before_the_ami(options, expected):
    made = EbsBuild(normalize(dict(BASE, skip_create_ami=True, **options)), "b1d", sleep=lambda _: None)
    asked = []

    class Client:
        def __getattr__(self, name):
            return lambda **kwargs: asked.append((name, kwargs)) or {}

        def get_waiter(self, name):
            return _RecordingWaiter()

    made._clients["us-east-1"] = Client()
    made.capture({"instance_id": "i-1"})
    assert [kwargs for name, kwargs in asked if name == "modify_instance_attribute"] == expected
    if expected:
        names = [name for name, _args in asked]
        assert names.index("stop_instances") < names.index("modify_instance_attribute")


@pytest.mark.parametrize("options, error", [
    ({"ami_regions": ["eu-west-1"]}, None),
    ({"ami_regions": ["eu-west-1", "mars-north-1"]}, "Invalid region(s) mars-north-1"),
    ({"ami_regions": ["mars-north-1"], "skip_region_validation": True}, None),
])
def test_regions_are_validated_unless_skipped(options, error):
    made = EbsBuild(normalize(dict(BASE, **options)), "b1d", sleep=lambda _: None)
    asked = []

    class Client:
        def describe_regions(self, **kwargs):
            asked.append("describe_regions")
            return {"Regions": [{"RegionName": "us-east-1"}, {"RegionName": "eu-west-1"}]}

    made._clients["us-east-1"] = Client()
    if error:
        with pytest.raises(AwsError) as raised:
            made.pre_validate.validate_regions()
        assert error in str(raised.value) and "skip_region_validation" in str(raised.value)
    else:
        made.pre_validate.validate_regions()
    assert asked == ([] if options.get("skip_region_validation") else ["describe_regions"])
