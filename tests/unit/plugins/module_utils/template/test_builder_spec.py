"""One spec per builder type: `cattle validate` and cattle's builders read the same options,
types, defaults and secrets, and make the same checks in the same words."""

from __future__ import annotations

import pytest

from ansible_collections.cattle.images.plugins.module_utils.aws import config as aws_config
from ansible_collections.cattle.images.plugins.module_utils.docker import config as docker_config
from ansible_collections.cattle.images.plugins.module_utils.option_values import ConfigError
from ansible_collections.cattle.images.plugins.module_utils.qemu import config as qemu_config
from ansible_collections.cattle.images.plugins.module_utils.template.builder_checks import ami_name_problems
from ansible_collections.cattle.images.plugins.module_utils.template.schemas.builders import BUILDERS
from ansible_collections.cattle.images.plugins.module_utils.virtualbox import config as vbox_config

AMAZON = {"type": "amazon-ebs", "region": "us-east-1", "ssh_username": "u", "source_ami": "ami-1",
          "instance_type": "t2.micro"}


def builder_problems(normalize, raw, **kwargs):
    with pytest.raises(ConfigError) as caught:
        normalize(raw, **kwargs)
    return caught.value.problems


@pytest.mark.parametrize("builder_type", ["docker", "qemu", "virtualbox-iso", "virtualbox-ovf"])
def test_every_default_is_an_option_of_the_spec(builder_type):
    spec = BUILDERS[builder_type]
    assert spec["defaults"] and set(spec["defaults"]) <= set(spec["options"])


def test_docker_builder_takes_its_options_and_secrets_from_the_spec():
    spec = BUILDERS["docker"]
    assert set(docker_config.OPTIONS) <= set(spec["options"])
    assert all(docker_config.OPTIONS[key] == spec["options"][key] for key in docker_config.OPTIONS)
    assert docker_config.SECRET_OPTIONS == spec["secrets"]
    assert aws_config.SECRET_OPTIONS == BUILDERS["amazon-ebs"]["secrets"]


def test_qemu_builder_reads_a_duration_by_the_spec_type():
    assert BUILDERS["qemu"]["options"]["shutdown_timeout"] == "duration"
    config = qemu_config.normalize({"iso_url": "x.iso", "iso_checksum": "none", "shutdown_timeout": "1m30s"},
                                   cwd="/tmp")
    assert config["shutdown_timeout"] == 90.0


@pytest.mark.parametrize("ami_name", ["ab", "a*b", "x" * 129])
def test_ami_name_one_check_one_message_at_validate_and_in_the_builder(load, ami_name):
    (message,) = ami_name_problems(ami_name)
    assert message.startswith(f"ami_name: {ami_name!r} must be 3 to 128 characters")
    diagnostics = load({"builders": [{**AMAZON, "ami_name": ami_name}]}).validate()
    assert [(d.path, d.message) for d in diagnostics if d.severity == "error"] == [("builders[0].ami_name", message)]
    assert message in builder_problems(aws_config.normalize, {**AMAZON, "ami_name": ami_name})


def test_a_good_ami_name_passes_both():
    assert ami_name_problems("cattle (1) [x] a/b-c'd@e_f.g") == []
    assert aws_config.normalize({**AMAZON, "ami_name": "cattle-1"})["ami_name"] == "cattle-1"


@pytest.mark.parametrize("raw", [
    {"type": "docker", "commit": True},
    {"type": "docker", "image": "i"},
    {"type": "docker", "image": "i", "commit": True, "discard": True},
])
def test_docker_builder_words_packers_checks_as_validate_does(load, raw):
    validate = [d.message for d in load({"builders": [raw]}).validate() if d.severity == "error"]
    assert validate and set(validate) <= set(builder_problems(docker_config.normalize, raw))


def test_virtualbox_builder_words_packers_checks_as_validate_does(load):
    raw = {"type": "virtualbox-iso", "iso_url": "d.iso", "iso_checksum": "none", "communicator": "none",
           "shutdown_command": "x", "sata_port_count": 31}
    validate = [d.message for d in load({"builders": [raw]}).validate() if d.severity == "error"]
    assert "sata_port_count cannot be greater than 30" in validate
    builder = builder_problems(vbox_config.normalize, raw)
    assert [m for m in validate if not m.startswith("cattle's")] == [m for m in builder if m in validate]
