"""`{{ build `Key` }}` per builder, against what Packer 1.6.6 hands provisioners and post-processors.

The expected values are Packer's: docker's were read from a `packer build` of a docker template
on this machine printing every key from a shell provisioner and a shell-local post-processor;
qemu's from the same on the project's test disk under TCG; amazon-ebs's and virtualbox's from
Packer's sources (StepProvision's hook data, the communicator config, each builder's steps)."""

from __future__ import annotations

import pytest

from ansible_collections.cattle.images.plugins.module_utils.plan import Build
from ansible_collections.cattle.images.plugins.plugin_utils import build_data
from ansible_collections.cattle.images.plugins.plugin_utils.context import BuildContext, build_context
from ansible_collections.cattle.images.plugins.plugin_utils.shell_env import packer_env

RUN_UUID = "0c8a2622-e820-e46b-8a97-371e810228cb"
COMMON_KEYS = ("ID", "Host", "Port", "User", "Password", "ConnType", "SSHPublicKey", "SSHPrivateKey",
               "WinRMPassword", "PackerRunUUID", "PackerHTTPIP", "PackerHTTPPort", "PackerHTTPAddr")


def context(build_type, config, **kwargs):
    return BuildContext(build_name=build_type, build_type=build_type, run_uuid=RUN_UUID,
                        build=Build({"name": build_type, "type": build_type, "config": config}), **kwargs)


def rendered(ctx, key):
    """What a provisioner's `inline` line gets for the key (the same path post-processors use)."""
    return ctx.render(f"[{{{{ build `{key}` }}}}]", "inline")[1:-1]


def test_docker_matches_packer():
    ctx = context("docker", {"image": "local/debian:bookworm", "commit": True},
                  source={"container_id": "1b2060b56cd7", "container_name": "cattle-x"})
    assert {key: rendered(ctx, key) for key in COMMON_KEYS} == {
        "ID": "1b2060b56cd7", "Host": "", "Port": "0", "User": "", "Password": "", "ConnType": "docker",
        "SSHPublicKey": "", "SSHPrivateKey": "", "WinRMPassword": "", "PackerRunUUID": RUN_UUID,
        "PackerHTTPIP": "ERR_HTTP_IP_NOT_IMPLEMENTED_BY_BUILDER",
        "PackerHTTPPort": "ERR_HTTP_PORT_NOT_IMPLEMENTED_BY_BUILDER",
        "PackerHTTPAddr": "ERR_HTTP_ADDR_NOT_IMPLEMENTED_BY_BUILDER",
    }
    env = packer_env(ctx)
    assert not any(name.startswith("PACKER_HTTP") for name in env)


QEMU = {"iso_url": "disk.qcow2", "disk_image": True, "ssh_username": "root", "ssh_password": "guest-root-pw",
        "http_directory": "www"}


def test_qemu_matches_packer():
    ctx = context("qemu", QEMU, http_ip="10.0.2.2", http_port="8123", connected_host="127.0.0.1",
                  connected_port="4232",
                  source={"host": "127.0.0.1", "port": 4232, "http_ip": "10.0.2.2", "http_port": 8123})
    assert {key: rendered(ctx, key) for key in COMMON_KEYS} == {
        # Packer's qemu puts no instance_id in its state; Host and Port are where SSH connected
        # (the forwarded host port), as Packer writes them back on connecting.
        "ID": "ERR_ID_NOT_IMPLEMENTED_BY_BUILDER", "Host": "127.0.0.1", "Port": "4232", "User": "root",
        "Password": "guest-root-pw", "ConnType": "ssh", "SSHPublicKey": "", "SSHPrivateKey": "",
        "WinRMPassword": "", "PackerRunUUID": RUN_UUID,
        "PackerHTTPIP": "10.0.2.2", "PackerHTTPPort": "8123", "PackerHTTPAddr": "10.0.2.2:8123",
    }
    line = ctx.render("wget http://{{ build `PackerHTTPIP` }}:{{ build `PackerHTTPPort` }}/hello.txt", "inline")
    assert line == "wget http://10.0.2.2:8123/hello.txt"
    env = packer_env(ctx)
    assert (env["PACKER_HTTP_ADDR"], env["PACKER_HTTP_IP"], env["PACKER_HTTP_PORT"]) == (
        "10.0.2.2:8123", "10.0.2.2", "8123")


def test_qemu_without_http_directory_reports_port_zero_from_host_vars(tmp_path):
    # What the qemu role sets when no HTTP server runs: Packer's StepHTTPServer puts port 0.
    ctx = build_context({"build": "qemu"}, {"cattle_http": {"ip": "10.0.2.2", "port": 0}})
    data = ctx.build_data()
    assert (data["PackerHTTPIP"], data["PackerHTTPPort"], data["PackerHTTPAddr"]) == ("10.0.2.2", "0", "10.0.2.2:0")
    assert packer_env(ctx)["PACKER_HTTP_ADDR"] == "10.0.2.2:0"


def test_qemu_host_and_port_before_connecting_are_the_configured_ones():
    data = build_data.build_data("qemu", dict(QEMU, skip_nat_mapping=True, ssh_port=2200))
    assert (data["Host"], data["Port"]) == ("127.0.0.1", "2200")
    data = build_data.build_data("qemu", dict(QEMU, ssh_host="192.0.2.7"))
    assert (data["Host"], data["Port"]) == ("192.0.2.7", "22")


def test_connection_comes_from_the_communicator_roles_result():
    task_vars = {"cattle_build": {"name": "qemu", "type": "qemu"},
                 "cattle_comm": {"communicator": "ssh", "facts": {"ansible_host": "127.0.0.1", "ansible_port": 2299}}}
    data = build_context({}, task_vars).build_data()
    assert (data["Host"], data["Port"], data["ConnType"]) == ("127.0.0.1", "2299", "ssh")


def test_amazon_ebs_builder_keys_and_instance_id():
    generated = {"ID": "i-0abc", "BuildRegion": "us-east-1", "SourceAMI": "ami-123", "SourceAMIName": "base",
                 "SourceAMIOwner": "123456789012", "SourceAMIOwnerName": "amazon",
                 "SourceAMICreationDate": "2020-01-01T00:00:00.000Z"}
    ctx = context("amazon-ebs", {"ssh_username": "admin", "source_ami": "ami-123"}, generated=generated,
                  connected_host="203.0.113.5", connected_port="22")
    for key, value in generated.items():
        assert rendered(ctx, key) == value
    assert {key: rendered(ctx, key) for key in ("Host", "Port", "User", "ConnType", "PackerHTTPAddr")} == {
        "Host": "203.0.113.5", "Port": "22", "User": "admin", "ConnType": "ssh",
        "PackerHTTPAddr": "ERR_HTTP_ADDR_NOT_IMPLEMENTED_BY_BUILDER"}


def test_amazon_ebs_winrm():
    ctx = context("amazon-ebs", {"communicator": "winrm", "winrm_username": "Administrator",
                                 "winrm_password": "s3cret", "winrm_use_ssl": True})
    assert {key: rendered(ctx, key) for key in ("Port", "User", "Password", "WinRMPassword", "ConnType")} == {
        "Port": "5986", "User": "Administrator", "Password": "s3cret", "WinRMPassword": "s3cret",
        "ConnType": "winrm"}


@pytest.mark.parametrize("build_type", ["virtualbox-iso", "virtualbox-ovf"])
def test_virtualbox_temporary_key_vm_name_and_http(build_type, tmp_path):
    key = tmp_path / "id_rsa"
    key.write_text("-----BEGIN OPENSSH PRIVATE KEY-----\nfake\n")
    task_vars = {
        "cattle_build": {"name": build_type, "type": build_type},
        "cattle_generated": {"ID": "packer-vm", "SSHPublicKey": "ssh-rsa AAAA cattle"},
        "cattle_http": {"ip": "10.0.2.2", "port": "8456"},
        "cattle_comm_key": {"ssh_private_key_file": str(key)},
        "cattle_source": {"vm_name": "packer-vm"},
    }
    data = build_context({}, task_vars).build_data()
    assert data["ID"] == "packer-vm"
    assert data["SSHPublicKey"] == "ssh-rsa AAAA cattle"
    assert data["SSHPrivateKey"] == key.read_text()
    assert data["PackerHTTPAddr"] == "10.0.2.2:8456"
    assert data["ConnType"] == "ssh"


def test_every_common_key_is_defined_for_every_builder():
    for build_type in ("docker", "qemu", "amazon-ebs", "virtualbox-iso", "virtualbox-ovf"):
        data = build_data.build_data(build_type, {})
        assert set(COMMON_KEYS) <= set(data), build_type
        assert data["PackerRunUUID"] == ""


def test_the_validated_key_list_is_the_run_time_one():
    """validate refuses exactly the keys a build's data lacks (module_utils/build_keys.py)."""
    from ansible_collections.cattle.images.plugins.module_utils.build_keys import BUILDER_KEYS, build_keys

    every_builder_key = [key for keys in BUILDER_KEYS.values() for key in keys]
    for build_type in ("docker", "qemu", "amazon-ebs", "virtualbox-iso", "virtualbox-ovf"):
        generated = {key: "x" for key in every_builder_key + ["Nope"]}
        data = build_data.build_data(build_type, {}, generated=generated)
        assert set(data) == build_keys(build_type), build_type


def test_a_key_of_another_builder_is_not_in_the_data():
    data = build_data.build_data("qemu", {}, generated={"SourceAMI": "ami-1", "SSHPublicKey": "ssh-rsa A"})
    assert "SourceAMI" not in data
    assert data["SSHPublicKey"] == "ssh-rsa A"


@pytest.mark.parametrize(("build_type", "config", "phase", "keys"), [
    # communicator none: Packer's StepConnect never puts the communicator config in the state
    ("null", {"communicator": "none"}, build_data.PROVISION,
     {"ID", "PackerRunUUID", "PackerHTTPIP", "PackerHTTPPort", "PackerHTTPAddr"}),
    # the null artifact's generated data is {"ID": "Null"}
    ("null", {"communicator": "none"}, build_data.POST_PROCESS, {"ID"}),
    ("null", {"ssh_host": "h", "ssh_username": "u"}, build_data.POST_PROCESS, {"ID"}),
    # the file builder runs the provision hook with no data; its artifact carries none
    ("file", {}, build_data.PROVISION, set()),
    ("file", {}, build_data.POST_PROCESS, set()),
    # the others' artifacts carry the provisioners' data
    ("docker", {"image": "i"}, build_data.POST_PROCESS, set(COMMON_KEYS)),
    ("qemu", QEMU, build_data.POST_PROCESS, set(COMMON_KEYS)),
])
def test_the_keys_packer_leaves_out_are_absent(build_type, config, phase, keys):
    data = build_data.build_data(build_type, config, run_uuid=RUN_UUID, phase=phase)
    assert set(data) == keys
    if "ID" in keys and build_type == "null":
        assert data["ID"] == "Null"


def test_a_null_build_over_ssh_has_the_communicator_keys():
    data = build_data.build_data("null", {"ssh_host": "192.0.2.9", "ssh_username": "u", "ssh_password": "p"})
    assert (data["ID"], data["Host"], data["Port"], data["User"], data["ConnType"]) == ("Null", "192.0.2.9", "22", "u", "ssh")


def test_amazon_ebs_private_key_is_the_key_pairs_file(tmp_path):
    key = tmp_path / "key.pem"
    key.write_text("-----BEGIN RSA PRIVATE KEY-----\nfake\n")
    ctx = build_context({"build": "aws"}, {"cattle_build": {"name": "aws", "type": "amazon-ebs"},
                                           "cattle_source": {"instance_id": "i-1", "private_key_file": str(key)}})
    assert ctx.build_data()["SSHPrivateKey"] == key.read_text()
