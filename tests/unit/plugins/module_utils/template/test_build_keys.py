"""validate refuses a `{{ build `Key` }}` the build does not have, with Packer 1.6.6's words
(checked with `packer validate` on the same templates), the file:line:col and the field."""

from __future__ import annotations

import pytest

from ansible_collections.cattle.images.plugins.module_utils.template import TemplateErrors

QEMU = {"type": "qemu", "iso_url": "x.iso", "iso_checksum": "none", "communicator": "none"}
DOCKER = {"type": "docker", "image": "i", "commit": True}
AMAZON = {"type": "amazon-ebs", "region": "us-east-1", "source_ami": "ami-1", "instance_type": "t2.micro",
          "ssh_username": "admin", "ami_name": "cattle-test"}


def errors_of(load, template):
    with pytest.raises(TemplateErrors) as info:
        load(template).plan()
    return [str(d) for d in info.value.diagnostics if d.severity == "error"]


@pytest.mark.parametrize("key", ["Nope", "SourceAMI", "ImageSha256"])
def test_unknown_key_in_a_provisioner_is_refused(load, key):
    errors = errors_of(load, {"builders": [QEMU],
                              "provisioners": [{"type": "shell-local", "inline": [f"echo {{{{ build `{key}` }}}}"]}]})
    assert len(errors) == 1
    assert "t.json:13:7: " in errors[0]
    assert "provisioners[0].inline" in errors[0]
    assert (f"render 'inline': template: root:1: executing \"root\" at <build `{key}`>: "
            f"error calling build: loaded data, but couldnt find {key} in it.") in errors[0]


def test_unknown_key_in_a_post_processor_is_refused(load):
    errors = errors_of(load, {"builders": [QEMU],
                              "post-processors": [{"type": "shell-local", "inline": ["echo {{ build `Nope` }}"]}]})
    assert len(errors) == 1
    assert "post-processors[0].inline" in errors[0]
    assert "loaded data, but couldnt find Nope in it." in errors[0]


def test_unknown_key_inside_if_and_pipeline_is_refused(load):
    errors = errors_of(load, {"builders": [QEMU], "provisioners": [{"type": "shell-local", "inline": [
        "{{ if build `Nope1` }}x{{ end }}", "{{ \"Nope2\" | build }}"]}]})
    assert len(errors) == 2
    assert "couldnt find Nope1" in errors[0] and "couldnt find Nope2" in errors[1]


@pytest.mark.parametrize("builder,key", [(DOCKER, "ImageSha256"), (AMAZON, "SourceAMI"), (AMAZON, "BuildRegion"),
                                         (QEMU, "PackerHTTPAddr"), (QEMU, "SSHPublicKey"), (QEMU, "ID")])
def test_a_key_the_builder_has_stays_for_run_time(load, builder, key):
    template = load({"builders": [builder],
                     "provisioners": [{"type": "shell-local", "inline": [f"echo {{{{ build `{key}` }}}}"]}]})
    assert template.plan()["builds"][0]["provisioners"][0]["config"]["inline"] == [f"echo {{{{build `{key}`}}}}"]
