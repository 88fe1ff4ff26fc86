"""A builder module's `config` suboptions come from the schema and leave Packer's decoding to the builder."""

from __future__ import annotations

import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.cattle.images.plugins.module_utils.docker.task import DOCKER
from ansible_collections.cattle.images.plugins.module_utils.template.schemas.argspec import config_options
from ansible_collections.cattle.images.plugins.module_utils.template.schemas.builders import BUILDERS


def validate(config):
    spec = {"config": DOCKER.argument_spec["config"]}
    return ArgumentSpecValidator(spec).validate({"config": config})


def test_every_schema_option_is_a_raw_suboption():
    options = DOCKER.argument_spec["config"]["options"]
    assert set(options) == set(BUILDERS["docker"]["options"])
    assert {spec["type"] for spec in options.values()} == {"raw"}


def test_values_reach_the_builder_as_written():
    # Ansible's bool/str conversions are not Packer's weak decoding: nothing may be converted here.
    result = validate({"image": "x", "pull": "t", "commit": 1, "author": True, "ssh_port": "22"})
    assert result.error_messages == []
    config = result.validated_parameters["config"]
    assert (config["pull"], config["commit"], config["author"], config["ssh_port"]) == ("t", 1, True, "22")


def test_an_unknown_option_is_refused_by_name():
    result = validate({"image": "x", "colour": "blue"})
    assert "config.colour" in " ".join(result.error_messages)


def test_the_builders_secrets_are_no_log():
    options = DOCKER.argument_spec["config"]["options"]
    assert {name for name, spec in options.items() if spec["no_log"]} == {"login_password", "aws_secret_key",
                                                                          "aws_token"}
    result = validate({"image": "x", "login_password": "hunter2"})
    assert "hunter2" in result._no_log_values


@pytest.mark.parametrize("types", [("virtualbox-iso", "virtualbox-ovf")])
def test_a_module_of_several_types_accepts_the_union(types):
    options = config_options(types)
    assert "source_path" in options and "guest_os_type" in options


def test_a_type_without_a_schema_keeps_a_plain_dict():
    assert config_options(("no-such-builder",)) is None
