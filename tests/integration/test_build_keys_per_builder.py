"""Every ``{{ build `Key` }}`` per builder, as Packer 1.6.6 renders it in a provisioner and in a
post-processor (issue #21): one build per builder writes every key it has into two files, from a
``shell-local`` provisioner and a ``shell-local`` post-processor, and each value is checked.

The expected values are Packer's. For null, file and docker they were read from ``packer build``
of the same templates on this machine; for qemu from the same on the project's test disk (and
tests/compat/qemu/compare.py compares a qemu build's rendered keys with Packer's on every run);
for amazon-ebs (on moto) and virtualbox-ovf (on the VBoxManage stand-in) from Packer's source
(StepProvision's hook data from the communicator config, StepKeyPair's temporary key,
StepSourceAMIInfo's generated data, virtualbox's StepRun instance_id and HTTP IP). A key Packer leaves out renders
as ``<no value>``: the communicator's keys with ``communicator: none``, everything in a file
build, and in post-processors whatever the builder's artifact does not carry (null: only ``ID``).

``shutdown_command`` is a builder option: Packer 1.6.6 refuses every build key there at prepare
(``packer validate`` says "loaded data, but couldnt find <Key> in it."), and so does cattle.
"""

from __future__ import annotations

import json
import os
import re
import subprocess

import pytest

from ansible_collections.cattle.images.plugins.module_utils.build_keys import COMMON_KEYS, build_keys
from ansible_collections.cattle.images.plugins.module_utils.template import TemplateErrors, load_template
from tests.compat.deliberate import BUILD_DATA_DIFFERENCES
from tests.fixtures import qemu_image, vbox_ova, vbox_standin
from tests.integration.test_build_amazon_ebs import REGION, SOURCE_FILTER, instance_standin  # noqa: F401  # pylint: disable=unused-import

NO_VALUE = "<no value>"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
COMMUNICATOR_KEYS = ("Host", "Port", "User", "Password", "ConnType", "SSHPublicKey", "SSHPrivateKey", "WinRMPassword")
HTTP_NOT_IMPLEMENTED = {"PackerHTTPIP": "ERR_HTTP_IP_NOT_IMPLEMENTED_BY_BUILDER",
                        "PackerHTTPPort": "ERR_HTTP_PORT_NOT_IMPLEMENTED_BY_BUILDER",
                        "PackerHTTPAddr": "ERR_HTTP_ADDR_NOT_IMPLEMENTED_BY_BUILDER"}


def dump_keys(builder_type, path):
    """A shell-local step writing ``Key=value`` for every key the builder has into ``path``."""
    keys = sorted(build_keys(builder_type))
    lines = " ".join(f"'{key}={{{{ build `{key}` }}}}'" for key in keys)
    return {"type": "shell-local", "inline": [f"printf '%s\\n' {lines} > {path}"]}


def read_keys(path, builder_type):
    """``{key: value}`` from a dump; a value may span lines (``SSHPrivateKey``)."""
    keys, values, current = build_keys(builder_type), {}, None
    for line in path.read_text().splitlines():
        key, sep, value = line.partition("=")
        if sep and key in keys and key not in values:
            current, values[key] = key, value
        elif current is not None:
            values[current] += "\n" + line
    return values


def key_template(tmp_path, builder):
    template = {
        "builders": [builder],
        "provisioners": [dump_keys(builder["type"], tmp_path / "provisioner.txt")],
        "post-processors": [dump_keys(builder["type"], tmp_path / "post-processor.txt")],
    }
    path = tmp_path / "keys.json"
    path.write_text(json.dumps(template))
    return path


def cattle_build(venv_bin, template, cwd, env=None, timeout=600):
    return subprocess.run([os.path.join(venv_bin, "cattle"), "build", "-color=false", str(template)], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=timeout, check=False)


def check(observed, expected):
    """Each key: an exact value, or a compiled pattern the value must match in full."""
    assert sorted(observed) == sorted(expected), observed
    for key, want in expected.items():
        if isinstance(want, re.Pattern):
            assert want.fullmatch(observed[key]), (key, observed[key], want.pattern)
        else:
            assert observed[key] == want, (key, observed[key], want)


def built_keys(venv_bin, tmp_path, builder, env=None):
    run = cattle_build(venv_bin, key_template(tmp_path, builder), tmp_path, env=env)
    assert run.returncode == 0, run.stdout + run.stderr
    return (read_keys(tmp_path / "provisioner.txt", builder["type"]),
            read_keys(tmp_path / "post-processor.txt", builder["type"]))


def test_null_without_communicator(venv_bin, tmp_path):
    provisioner, post_processor = built_keys(venv_bin, tmp_path, {"type": "null", "communicator": "none"})
    check(provisioner, {"ID": "Null", "PackerRunUUID": re.compile(UUID), **HTTP_NOT_IMPLEMENTED,
                        **dict.fromkeys(COMMUNICATOR_KEYS, NO_VALUE)})
    # The null artifact's generated data is {"ID": "Null"}: nothing else reaches post-processors.
    check(post_processor, {key: "Null" if key == "ID" else NO_VALUE for key in COMMON_KEYS})


def test_file(venv_bin, tmp_path):
    # Packer's file builder runs the provision hook with no data, and its artifact carries none.
    provisioner, post_processor = built_keys(venv_bin, tmp_path, {"type": "file", "content": "x",
                                                                  "target": "out.txt"})
    check(provisioner, dict.fromkeys(COMMON_KEYS, NO_VALUE))
    check(post_processor, dict.fromkeys(COMMON_KEYS, NO_VALUE))


@pytest.mark.docker
def test_docker(venv_bin, tmp_path):
    provisioner, post_processor = built_keys(venv_bin, tmp_path, {
        "type": "docker", "image": "local/debian:bookworm", "pull": False, "commit": True,
        "changes": ["LABEL cattle-test=build-keys"]})
    sha = post_processor.get("ImageSha256", "")
    try:
        common = {"ID": re.compile(r"[0-9a-f]{64}"), "Host": "", "Port": "0", "User": "", "Password": "",
                  "ConnType": "docker", "SSHPublicKey": "", "SSHPrivateKey": "", "WinRMPassword": "",
                  "PackerRunUUID": re.compile(UUID), **HTTP_NOT_IMPLEMENTED}
        # ImageSha256 exists once the container is committed: post-processors only.
        check(provisioner, {**common, "ImageSha256": NO_VALUE})
        check(post_processor, {**common, "ImageSha256": re.compile(r"sha256:[0-9a-f]{64}")})
        assert provisioner["ID"] == post_processor["ID"]
        assert provisioner["PackerRunUUID"] == post_processor["PackerRunUUID"]
    finally:
        if sha.startswith("sha256:"):
            subprocess.run(["docker", "rmi", "-f", sha], capture_output=True, check=False)


@pytest.mark.slow
def test_qemu(venv_bin, tmp_path):
    reason = qemu_image.qemu_available()
    if reason:
        pytest.skip(reason)
    (tmp_path / "www").mkdir()
    provisioner, post_processor = built_keys(venv_bin, tmp_path, {
        "type": "qemu", "iso_url": qemu_image.ensure_qemu_image(), "iso_checksum": "none", "disk_image": True,
        "use_backing_file": True, "accelerator": "tcg", "headless": True, "disk_size": "2048M",
        "ssh_username": "root", "ssh_password": qemu_image.ROOT_PASSWORD, "ssh_timeout": "10m", "boot_wait": "-1s",
        "shutdown_command": "shutdown -P now", "shutdown_timeout": "1m", "http_directory": "www",
        "output_directory": "out"})
    # No instance_id in Packer's qemu state; Host/Port are where SSH connected (the forwarded port).
    expected = {"ID": "ERR_ID_NOT_IMPLEMENTED_BY_BUILDER", "Host": "127.0.0.1", "Port": re.compile(r"\d+"),
                "User": "root", "Password": qemu_image.ROOT_PASSWORD, "ConnType": "ssh", "SSHPublicKey": "",
                "SSHPrivateKey": "", "WinRMPassword": "", "PackerRunUUID": re.compile(UUID),
                "PackerHTTPIP": "10.0.2.2", "PackerHTTPPort": re.compile(r"\d+"),
                "PackerHTTPAddr": re.compile(r"10\.0\.2\.2:\d+")}
    check(provisioner, expected)
    # The qemu artifact carries the provisioners' data.
    assert post_processor == provisioner
    assert provisioner["PackerHTTPAddr"] == f"10.0.2.2:{provisioner['PackerHTTPPort']}"


@pytest.mark.docker
@pytest.mark.slow
def test_amazon_ebs(venv_bin, tmp_path, moto_server, instance_standin):  # noqa: F811 (the imported fixture)
    provisioner, post_processor = built_keys(venv_bin, tmp_path, {
        "type": "amazon-ebs", "region": REGION, "instance_type": "t3.micro", "source_ami_filter": SOURCE_FILTER,
        "ami_name": "cattle build keys {{ timestamp }}", "ssh_username": instance_standin.username,
        "ssh_host": instance_standin.host, "ssh_port": instance_standin.port, "ssh_timeout": "60s",
        "aws_polling": {"delay_seconds": 1, "max_attempts": 30}}, env=moto_server.env)
    # The instance's id; the communicator's configured host and port; the temporary key pair's
    # private key (EC2's CreateKeyPair returns no public key, so SSHPublicKey stays empty); the
    # source AMI's facts (StepSourceAMIInfo) and the region.
    expected = {"ID": re.compile(r"i-[0-9a-f]+"), "Host": instance_standin.host, "Port": str(instance_standin.port),
                "User": instance_standin.username, "Password": "", "ConnType": "ssh", "SSHPublicKey": "",
                "SSHPrivateKey": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*", re.S), "WinRMPassword": "",
                "PackerRunUUID": re.compile(UUID), **HTTP_NOT_IMPLEMENTED,
                "SourceAMI": re.compile(r"ami-[0-9a-f]+"), "BuildRegion": REGION, "SourceAMIName": re.compile(r".*ubuntu.*"),
                "SourceAMIOwner": re.compile(r"\d+"), "SourceAMIOwnerName": re.compile(r".*"),
                "SourceAMICreationDate": re.compile(r"\d{4}-\d\d-\d\dT.*")}
    check(provisioner, expected)
    # The amazon-ebs artifact carries the provisioners' data, but for the deleted temporary key.
    assert "amazon-ebs/post-process/SSHPrivateKey" in BUILD_DATA_DIFFERENCES
    assert post_processor == dict(provisioner, SSHPrivateKey="")


@pytest.mark.slow
def test_virtualbox_ovf(venv_bin, tmp_path):
    # The VBoxManage stand-in (tests/fixtures/vbox/) runs the guest under QEMU.
    reason = qemu_image.qemu_available()
    if reason:
        pytest.skip(reason)
    env = vbox_standin.standin_env(tmp_path)
    try:
        provisioner, post_processor = built_keys(venv_bin, tmp_path, {
            "type": "virtualbox-ovf", "source_path": vbox_ova.ensure_source_ova(), "checksum": "none",
            "guest_additions_mode": "disable", "boot_wait": "-1s", "headless": True, "ssh_username": "root",
            "ssh_password": qemu_image.ROOT_PASSWORD, "ssh_timeout": "10m", "shutdown_command": "shutdown -P now",
            "shutdown_timeout": "3m"}, env=env)
    finally:
        vbox_standin.cleanup(env)
    # instance_id is the VM's name (StepRun); Host/Port where SSH connected (the NAT forward);
    # the HTTP server's address as the guest sees it, port 0 without an http_directory.
    check(provisioner, {"ID": "packer-virtualbox-ovf", "Host": "127.0.0.1", "Port": re.compile(r"\d+"),
                        "User": "root", "Password": qemu_image.ROOT_PASSWORD, "ConnType": "ssh",
                        "SSHPublicKey": "", "SSHPrivateKey": "", "WinRMPassword": "",
                        "PackerRunUUID": re.compile(UUID), "PackerHTTPIP": "10.0.2.2", "PackerHTTPPort": "0",
                        "PackerHTTPAddr": "10.0.2.2:0"})
    assert post_processor == provisioner


@pytest.mark.parametrize("builder", [
    {"type": "qemu", "iso_url": "disk.qcow2", "iso_checksum": "none", "disk_image": True, "ssh_username": "u"},
    {"type": "virtualbox-iso", "iso_url": "x.iso", "iso_checksum": "none", "ssh_username": "u"},
    {"type": "virtualbox-ovf", "source_path": "x.ova", "ssh_username": "u"},
], ids=lambda builder: builder["type"])
def test_shutdown_command_refuses_every_key(tmp_path, builder):
    for key in sorted(build_keys(builder["type"])):
        path = tmp_path / "t.json"
        path.write_text(json.dumps({"builders": [dict(builder, shutdown_command=f"echo {{{{ build `{key}` }}}}")]}))
        with pytest.raises(TemplateErrors) as info:
            load_template(str(path)).plan()
        messages = [str(d) for d in info.value.diagnostics if d.severity == "error"]
        assert any("shutdown_command" in m and f"<build `{key}`>" in m for m in messages), (key, messages)
