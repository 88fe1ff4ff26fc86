"""Per-type options against Packer 1.6.6: deprecated names it still accepts (with its warning),
names it refuses, its value checks, and types it has that cattle does not run.

Each case was checked with `packer validate` (Packer 1.6.6) on the same small template.
"""

from __future__ import annotations

import pytest
from conftest import null_build

from ansible_collections.cattle.images.plugins.module_utils.template import TemplateErrors
from ansible_collections.cattle.images.plugins.module_utils.template.checks import iso_checksum_problems

DOCKER = {"type": "docker", "image": "local/debian:bookworm", "commit": True}


def diagnostics(load, content, **kwargs):
    try:
        template = load(content)
    except TemplateErrors as exc:
        return exc.diagnostics
    return template.validate(**kwargs)


def errors(load, content):
    return [d for d in diagnostics(load, content) if d.severity == "error"]


def warnings(load, content):
    return [d for d in diagnostics(load, content) if d.severity == "warning"]


# ------------------------------------------------------------------ docker-tag `tag`


def test_docker_tag_tag_is_accepted_with_packers_warning(load):
    template = {"builders": [DOCKER], "post-processors": [{"type": "docker-tag", "repository": "r", "tag": "v1"}]}
    assert errors(load, template) == []
    (warning,) = warnings(load, template)
    assert warning.path == "post-processors[0].tag"
    assert warning.message.startswith('Deprecation warning: "tag" option has been replaced with "tags".')


def test_docker_tag_tag_ends_up_in_tags_in_the_plan(load):
    plan = load({"builders": [DOCKER], "post-processors": [
        {"type": "docker-tag", "repository": "r", "tag": "a,b"},
        {"type": "docker-tag", "repository": "r", "tags": ["t"], "tag": ["u"]},
    ]}).plan()
    configs = [chain[0]["config"] for chain in plan["builds"][0]["post_processors"]]
    # Packer appends `tag` after `tags`; the plan carries only `tags`.
    assert configs == [{"repository": "r", "tags": ["a", "b"]}, {"repository": "r", "tags": ["t", "u"]}]


def test_docker_tag_without_tag_has_no_warning(load):
    template = {"builders": [DOCKER], "post-processors": [{"type": "docker-tag", "repository": "r", "tags": ["x"]}]}
    assert diagnostics(load, template) == []


# ------------------------------------------------------------------ other accepted-deprecated options


def test_amazon_spot_price_auto_product_warns_and_is_dropped(load):
    builder = {"type": "amazon-ebs", "region": "us-east-1", "ami_name": "abc", "instance_type": "t2.micro",
               "source_ami": "ami-1", "ssh_username": "u", "spot_price_auto_product": "Linux/UNIX"}
    template = load({"builders": [builder]})
    (warning,) = template.validate()
    assert warning.severity == "warning"
    assert warning.message.startswith("spot_price_auto_product is deprecated and no longer necessary")
    assert "spot_price_auto_product" not in template.plan()["builds"][0]["config"]


@pytest.mark.parametrize(("builder", "key", "value"), [
    ({"type": "qemu"}, "boot_keygroup_interval", "1s"),
    ({"type": "qemu"}, "run_once", True),
    ({"type": "qemu", "http_bind_address": "127.0.0.1"}, "http_interface", "eth0"),
    ({"type": "virtualbox-iso", "http_bind_address": "127.0.0.1"}, "http_interface", "eth0"),
])
def test_options_packer_1_6_6_has_are_accepted(load, builder, key, value):
    # (Packer 1.6.6 refuses http_interface unless http_bind_address is set too: see test_vm_checks_as_packers.)
    iso = {"iso_url": "disk.iso", "iso_checksum": "none", "ssh_username": "u", "output_directory": "o"}
    problems = errors(load, {"builders": [{**builder, **iso, key: value}]})
    assert [d for d in problems if key in d.path] == []


@pytest.mark.parametrize(("ptype", "key"), [
    ("powershell", "env_var_format"), ("powershell", "elevated_env_var_format"), ("windows-shell", "env_var_format"),
])
def test_windows_env_var_formats_are_accepted(load, ptype, key):
    template = {"builders": [null_build()], "provisioners": [{"type": ptype, "inline": ["x"], key: "%s=%s "}]}
    assert errors(load, template) == []


def test_compress_accepts_and_drops_its_derived_fields(load):
    template = load({"builders": [null_build()],
                     "post-processors": [{"type": "compress", "output": "x.tar.gz", "archive": "a", "algorithm": "b"}]})
    assert template.validate() == []
    assert template.plan()["builds"][0]["post_processors"][0][0]["config"] == {"output": "x.tar.gz"}


# ------------------------------------------------------------------ deprecated names Packer refuses


@pytest.mark.parametrize(("component", "key", "fixable"), [
    ({"type": "docker", "image": "i", "commit": True}, "login_email", True),
    ({"type": "qemu", "iso_url": "d.iso", "iso_checksum": "none", "ssh_username": "u"}, "iso_checksum_type", True),
    ({"type": "virtualbox-iso", "iso_url": "d.iso", "iso_checksum": "none", "ssh_username": "u"},
     "guest_additions_attach", True),
    ({"type": "amazon-ebs", "region": "r", "ami_name": "abc", "instance_type": "t", "source_ami": "a",
      "ssh_username": "u"}, "clean_ami_name", True),
    # Only the docker builder and docker-import know login_email; elsewhere it is just unknown.
    ({"type": "qemu", "iso_url": "d.iso", "iso_checksum": "none", "ssh_username": "u"}, "login_email", False),
])
def test_deprecated_builder_keys_by_plugin(load, component, key, fixable):
    problems = [d for d in errors(load, {"builders": [{**component, key: "x"}]}) if d.path.endswith(key)]
    (problem,) = problems
    if fixable:
        assert problem.message.startswith(f"Deprecated configuration key: '{key}'. Please call `packer fix`")
    else:
        assert problem.message == f"unknown configuration key: '\"{key}\"'"


@pytest.mark.parametrize(("pp", "key", "fixable"), [
    ({"type": "manifest"}, "filename", True),
    ({"type": "docker-import", "repository": "r"}, "login_email", True),
    ({"type": "docker-push"}, "login_email", True),
    ({"type": "docker-save", "path": "p"}, "login_email", False),
])
def test_deprecated_post_processor_keys_by_plugin(load, pp, key, fixable):
    (problem,) = errors(load, {"builders": [null_build()], "post-processors": [{**pp, key: "x"}]})
    assert problem.message.startswith("Deprecated configuration key" if fixable else "unknown configuration key")


def test_windows_restart_knows_packers_deprecated_names(load):
    (problem,) = errors(load, {"builders": [null_build()],
                               "provisioners": [{"type": "windows-restart", "ssh_key_path": "k"}]})
    assert problem.message.startswith("Deprecated configuration key: 'ssh_key_path'.")


def test_shell_local_knows_no_deprecated_names(load):
    # Packer decodes shell-local without a plugin id, so even `*` names are only unknown there.
    (problem,) = errors(load, {"builders": [null_build()],
                               "provisioners": [{"type": "shell-local", "inline": ["true"], "ssh_key_path": "k"}]})
    assert problem.message == "unknown configuration key: '\"ssh_key_path\"'"


# ------------------------------------------------------------------ environment_vars


@pytest.mark.parametrize("ptype", ["shell", "shell-local", "powershell", "windows-shell"])
def test_environment_vars_must_be_key_value(load, ptype):
    template = {"builders": [null_build()], "provisioners": [
        {"type": ptype, "inline": ["x"], "environment_vars": ["GOOD=1", "EMPTY=", "NOEQ", "=novalue", "A=b=c"]}]}
    messages = [d.message for d in errors(load, template)]
    assert messages == ["Environment variable not in format 'key=value': NOEQ",
                        "Environment variable not in format 'key=value': =novalue"]


def test_shell_local_post_processor_checks_environment_vars(load):
    template = {"builders": [null_build()],
                "post-processors": [{"type": "shell-local", "inline": ["x"], "environment_vars": ["X"]}]}
    assert [d.message for d in errors(load, template)] == ["Environment variable not in format 'key=value': X"]


def test_ansible_env_vars_without_equals_are_accepted_as_packer_does(load, tmp_path):
    (tmp_path / "play.yml").write_text("- hosts: all\n")
    template = {"builders": [null_build()], "provisioners": [
        {"type": "ansible", "playbook_file": "play.yml", "ansible_env_vars": ["NOEQ"]}]}
    assert errors(load, template) == []


# ------------------------------------------------------------------ iso_checksum


@pytest.mark.parametrize(("checksum", "expected"), [
    ("none", [("warning", "A checksum of 'none' was specified. Since ISO files are so big,\n"
                          "a checksum is highly recommended.")]),
    ("", [("error", "A checksum must be specified")]),
    ("none:ab", [("error", 'unsupported checksum type: none in "none:ab"')]),
    ("none:abc", [("error", 'invalid checksum: encoding/hex: odd length hex string in "none:abc"')]),
    ("NONE", [("error", "invalid checksum: encoding/hex: invalid byte: U+004E 'N' in \"NONE\"")]),
    ("foo:ab", [("error", 'unsupported checksum type: foo in "foo:ab"')]),
    ("ab", [("error", 'Unknown type for checksum ab in "ab"')]),
    ("zz", [("error", "invalid checksum: encoding/hex: invalid byte: U+007A 'z' in \"zz\"")]),
    ("sha256:ab", []),  # Packer checks no length when the type is given
    ("SHA256:" + "a" * 64, []),
    ("d41d8cd98f00b204e9800998ecf8427e", []),
    ("file:./SHA256SUMS", []),
    ("file:https://example.com/SHA256SUMS", [
        ("error", "the checksum file https://example.com/SHA256SUMS would have to be fetched over the network")]),
])
def test_iso_checksum_as_packer_judges_it(checksum, expected):
    assert iso_checksum_problems(checksum) == expected


def test_iso_checksum_none_is_a_warning_not_an_error(load):
    (problem,) = diagnostics(load, {"builders": [
        {"type": "qemu", "iso_url": "d.iso", "iso_checksum": "none", "ssh_username": "u", "output_directory": "o"}]})
    assert (problem.severity, problem.path) == ("warning", "builders[0].iso_checksum")


def test_iso_checksum_is_not_judged_without_an_iso_url(load):
    # Packer returns early when no iso_url is given.
    messages = [d.message for d in errors(load, {"builders": [{"type": "qemu", "ssh_username": "u"}]})]
    assert messages == ["One of iso_url or iso_urls must be specified"]


# ------------------------------------------------------------------ types


@pytest.mark.parametrize(("section", "component"), [
    ("provisioners", {"type": "inspec", "profile": "https://github.com/dev-sec/linux-baseline"}),
    ("post-processors", {"type": "vagrant"}),
    ("post-processors", {"type": "vagrant-cloud"}),
    ("post-processors", {"type": "artifice", "files": ["t.json"]}),
])
def test_packer_types_cattle_does_not_run_are_refused(load, section, component):
    (problem,) = errors(load, {"builders": [null_build()], section: [component]})
    kind = section[:-1]
    assert problem.message.startswith(f"{kind} type '{component['type']}' is built into Packer 1.6.6 but not "
                                      "implemented in cattle; remove it or replace it with an implemented type")
    assert problem.path == f"{section}[0].type"


def test_unimplemented_types_still_get_their_options_checked(load):
    problems = errors(load, {"builders": [null_build()], "provisioners": [{"type": "chef-client", "bogus": 1}]})
    assert sorted(d.path for d in problems) == ["provisioners[0].bogus", "provisioners[0].type"]


def test_unimplemented_types_are_refused_before_any_plan(load):
    template = load({"builders": [null_build()], "post-processors": ["vagrant"]})
    with pytest.raises(TemplateErrors, match="not implemented in cattle"):
        template.plan()


def test_packer_builder_type_cattle_lacks(load):
    (problem,) = errors(load, {"builders": [{"type": "vmware-iso"}]})
    assert problem.message.startswith("builder type 'vmware-iso' is built into Packer 1.6.6 but not implemented")


@pytest.mark.parametrize(("section", "ctype"), [
    ("provisioners", "goss"), ("post-processors", "atlas"), ("builders", "test"),
])
def test_types_packer_1_6_6_does_not_have_are_unknown(load, section, ctype):
    component = {"type": ctype}
    template = {"builders": [component if section == "builders" else null_build()]}
    if section != "builders":
        template[section] = [component]
    (problem,) = errors(load, template)
    assert problem.message.startswith(f"Unknown {section[:-1]} {ctype}; known {section[:-1]}s: ")


# ------------------------------------------------------------------ builder value checks (Packer's Prepare)

AMAZON = {"type": "amazon-ebs", "region": "us-east-1", "ami_name": "abc", "ssh_username": "u"}
QEMU = {"type": "qemu", "iso_url": "d.iso", "iso_checksum": "none", "ssh_username": "u", "output_directory": "o"}
VBOX = {"type": "virtualbox-iso", "iso_url": "d.iso", "iso_checksum": "none", "ssh_username": "u",
        "shutdown_command": "halt"}


@pytest.mark.parametrize(("builder", "expected"), [
    ({**AMAZON, "source_ami": "a", "spot_instance_types": ["t2.micro"], "spot_price": "auto"}, []),
    ({**AMAZON, "source_ami": "a"}, ["either instance_type or spot_instance_types must be specified"]),
    ({**AMAZON, "source_ami": "a", "instance_type": "t", "spot_instance_types": ["t"]},
     ["either instance_type or spot_instance_types must be specified, not both"]),
    ({**AMAZON, "instance_type": "t2.micro"}, ["A source_ami or source_ami_filter must be specified",
                                               "For security reasons, your source AMI filter must declare an owner."]),
    ({**AMAZON, "instance_type": "t2.micro", "source_ami_filter": {"filters": {"name": "x"}}},
     ["For security reasons, your source AMI filter must declare an owner."]),
    ({**AMAZON, "instance_type": "t2.micro", "source_ami_filter": {"owners": ["self"]}}, []),
    ({**AMAZON, "source_ami": "a", "instance_type": "t2.micro", "block_duration_minutes": 30},
     ["block_duration_minutes must be multiple of 60"]),
    ({**AMAZON, "source_ami": "a", "instance_type": "t2.micro", "spot_tags": {"a": "b"}},
     ["spot_tags should not be set when not requesting a spot instance"]),
    ({**AMAZON, "source_ami": "a", "instance_type": "t2.micro", "temporary_security_group_source_cidrs": ["10.0.0.1"]},
     ["Error parsing CIDR in temporary_security_group_source_cidrs: invalid CIDR address: 10.0.0.1"]),
    ({**AMAZON, "source_ami": "a", "instance_type": "t2.micro", "tenancy": "x"}, ["Error: Unknown tenancy type x"]),
    ({**AMAZON, "source_ami": "a", "instance_type": "t2.micro", "access_key": "a"},
     ["`access_key` and `secret_key` must both be either set or not set."]),
    ({**AMAZON, "source_ami": "a", "instance_type": "m5.large", "enable_t2_unlimited": True},
     ["Error: T2 Unlimited enabled with a non-T2 Instance Type: m5.large"]),
    ({**AMAZON, "source_ami": "a", "instance_type": "t2.micro", "ssh_keypair_name": "k"},
     ["ssh_private_key_file must be provided or ssh_agent_auth enabled when ssh_keypair_name is specified."]),
    ({"type": "docker", "image": "i", "commit": True, "ecr_login": True},
     ["ECR login requires login server to be provided."]),
    ({**QEMU, "disk_size": "10GB"}, ["Invalid disk size."]),
    ({**QEMU, "disk_size": "10G"}, []),
    ({**QEMU, "skip_resize_disk": True}, ["skip_resize_disk can only be used when disk_image is true"]),
    ({**QEMU, "use_backing_file": True, "disk_image": True, "format": "raw"},
     ["use_backing_file can only be enabled for QCOW2 images and when disk_image is true"]),
    ({**QEMU, "vnc_port_min": 7000}, ["vnc_port_min must be less than vnc_port_max"]),
    ({**VBOX, "sata_port_count": 31}, ["sata_port_count cannot be greater than 30"]),
    ({**VBOX, "nvme_port_count": 256}, ["nvme_port_count cannot be greater than 255"]),
    ({**VBOX, "iso_interface": "scsi"}, ["iso_interface can only be ide or sata"]),
    ({**VBOX, "communicator": "none", "virtualbox_version_file": ""},
     ["communicator must not be 'none' when guest_additions_mode = 'upload'."]),
])
def test_builder_value_checks_as_packers(load, builder, expected):
    # (cattle's amazon-ebs builder does not run spot instances yet: that refusal is not Packer's, left out here.)
    messages = [d.message for d in errors(load, {"builders": [builder]})]
    assert [m for m in messages if not m.startswith("cattle's")] == expected


def test_docker_export_path_must_not_be_a_directory(load, tmp_path):
    (tmp_path / "out").mkdir()
    problems = errors(load, {"builders": [{"type": "docker", "image": "i", "export_path": "out"}]})
    assert [d.message for d in problems] == ["export_path must be a file, not a directory"]


def test_virtualbox_without_shutdown_command_warns(load):
    builder = {key: value for key, value in VBOX.items() if key != "shutdown_command"}
    problems = diagnostics(load, {"builders": [builder]})
    assert [d.message.split(".")[0] for d in problems if d.severity == "warning"] == [
        "A shutdown_command was not specified", "A checksum of 'none' was specified"]
    assert [d for d in problems if d.severity == "error"] == []


# ------------------------------------------------------------------ provisioner and post-processor checks


@pytest.mark.parametrize(("provisioner", "expected"), [
    ({"type": "shell"}, ["Either a script file or inline script must be specified."]),
    ({"type": "shell", "inline": []}, []),  # an empty inline counts as given, as in Packer
    ({"type": "shell", "inline": ["a"], "script": "t.json"},
     ["Only a script file or an inline script can be specified, not both."]),
    ({"type": "shell", "script": "t.json", "scripts": ["t.json"]}, ["Only one of script or scripts can be specified."]),
    ({"type": "windows-shell"}, ["Either a script file or inline script must be specified."]),
    ({"type": "powershell", "inline": ["a"], "elevated_password": "p"},
     ["Must supply an 'elevated_user' if 'elevated_password' provided"]),
    ({"type": "powershell", "inline": ["a"], "debug_mode": 3},
     ["3 is an invalid Trace level for `debug_mode`; valid values are 0, 1, and 2"]),
    ({"type": "shell-local"}, ["Command, Inline, Script and Scripts options cannot all be empty."]),
    ({"type": "shell-local", "command": "true", "inline": ["x"]},
     ["You may only specify one of the following options: Command, Inline, Script or Scripts. Please consolidate "
      "these options in your config."]),
    ({"type": "shell-local", "inline": ["x"], "only_on": ["plan9"]},
     ["Invalid OS specified in only_on: 'plan9'\nSupported OS names: darwin, freebsd, linux, openbsd, solaris, windows"]),
    ({"type": "file", "destination": "/x"}, ["Source must be specified."]),
    ({"type": "file", "source": "t.json"}, ["Destination must be specified."]),
    ({"type": "file", "source": "t.json", "sources": ["t.json"], "destination": "/x/"}, []),  # Packer appends them
    ({"type": "file", "source": "t.json", "destination": "/x", "direction": "sideways"},
     ["Direction must be one of: download, upload."]),
])
def test_provisioner_checks_as_packers(load, provisioner, expected):
    template = {"builders": [null_build()], "provisioners": [provisioner]}
    assert [d.message for d in errors(load, template)] == expected


def test_checksum_types_are_checked(load):
    template = {"builders": [null_build()], "post-processors": [{"type": "checksum", "checksum_types": ["md5", "crc"]}]}
    assert [d.message for d in errors(load, template)] == ["Unrecognized checksum type: crc"]


# ------------------------------------------------------------------ ssh communicator checks


@pytest.mark.parametrize(("extra", "expected"), [
    ({"ssh_password": "p", "ssh_file_transfer_method": "ftp"},
     ["ssh_file_transfer_method ('ftp') is invalid, valid methods: sftp, scp"]),
    ({"ssh_password": "p", "ssh_bastion_host": "b"},
     ["ssh_bastion_password or ssh_bastion_private_key_file must be specified"]),
    ({"ssh_password": "p", "ssh_bastion_host": "b", "ssh_bastion_password": "x", "ssh_proxy_host": "p"},
     ["please specify either ssh_bastion_host or ssh_proxy_host, not both"]),
    ({"ssh_private_key_file": "nokey"}, ["ssh_private_key_file is invalid: stat nokey: no such file or directory"]),
])
def test_ssh_communicator_checks_as_packers(load, extra, expected):
    builder = {"type": "null", "ssh_host": "h", "ssh_username": "u", **extra}
    assert [d.message for d in errors(load, {"builders": [builder]})] == expected


def test_ssh_key_files_are_not_read_without_ssh(load):
    # Packer reads the key files only for the ssh communicator.
    builder = {"type": "null", "communicator": "none", "ssh_private_key_file": "nokey"}
    assert errors(load, {"builders": [builder]}) == []


def test_ansible_names_missing_files_in_its_own_words(load, tmp_path):
    (tmp_path / "roles").mkdir()
    template = {"builders": [null_build()], "provisioners": [
        {"type": "ansible", "playbook_file": "./missing.yml", "galaxy_file": "roles", "local_port": 70000}]}
    assert [d.message for d in errors(load, template)] == [
        "playbook_file: ./missing.yml is invalid: stat ./missing.yml: no such file or directory",
        "galaxy_file: roles must point to a file",
        "local_port: 70000 must be a valid port",
    ]


# ------------------------------------------------------------------ shared VM checks (qemu, virtualbox)


@pytest.mark.parametrize(("builder", "expected"), [
    ({**QEMU, "http_port_min": 9500}, ["http_port_min must be less than http_port_max"]),
    ({**QEMU, "http_interface": "eth0"}, ["either http_interface of http_bind_address can be specified"]),
    ({**QEMU, "host_port_min": 5000}, ["host_port_min must be less than host_port_max"]),
    ({**QEMU, "boot_command": ["x"], "disable_vnc": True}, ["A boot command cannot be used when vnc is disabled."]),
    ({**QEMU, "cd_files": ["nocd"]}, ["Bad CD disk file 'nocd': stat nocd: no such file or directory"]),
    ({**VBOX, "vrdp_port_min": 7000}, ["vrdp_port_min must be less than vrdp_port_max"]),
    ({**VBOX, "cpus": -1}, ["An invalid number of cpus was specified (cpus < 0): -1"]),
    ({**VBOX, "communicator": "none", "guest_additions_mode": "disable"},
     ["virtualbox_version_file has to be an empty string when communicator = 'none'."]),
    ({**VBOX, "communicator": "none", "guest_additions_mode": "disable", "virtualbox_version_file": ""}, []),
])
def test_vm_checks_as_packers(load, builder, expected):
    assert [d.message for d in errors(load, {"builders": [builder]})] == expected


def test_qemu_ssh_host_ports_are_accepted_with_packers_warning(load):
    problems = diagnostics(load, {"builders": [{**QEMU, "ssh_host_port_min": 2000}]})
    assert [d.message for d in problems if d.path.endswith("ssh_host_port_min")] == [
        "ssh_host_port_min is deprecated and is being replaced by host_port_min. Please, update your template to use "
        "host_port_min. In future versions of Packer, inclusion of ssh_host_port_min will error your builds."]
    assert [d for d in problems if d.severity == "error"] == []


@pytest.mark.parametrize(("extra", "expected"), [
    ({"ami_regions": ["eu-west-1"], "region_kms_key_ids": {"us-west-2": "zzz"}}, [
        "Region us-west-2 is in region_kms_key_ids but not in ami_regions",
        "Region eu-west-1 is in ami_regions but not in region_kms_key_ids",
        "If you have set either region_kms_key_ids or kms_key_id, encrypt_boot must also be true.",
        '"zzz" is not a valid KMS Key Id.']),
    ({"encrypt_boot": True, "ami_users": ["1"], "snapshot_users": ["2"]}, [
        "Cannot share AMI encrypted with default KMS key",
        "Cannot share snapshot encrypted with default KMS key, see "
        "https://www.packer.io/docs/builders/amazon-ebs#region_kms_key_ids for more information"]),
    ({"encrypt_boot": True, "kms_key_id": "alias/my-key"}, []),
    ({"encrypt_boot": True, "kms_key_id": "arn:aws:kms:us-east-1:123456789012:key/0a1b-2c"}, []),
])
def test_amazon_ami_encryption_and_sharing_checks(load, extra, expected):
    builder = {**AMAZON, "source_ami": "a", "instance_type": "t2.micro", **extra}
    assert [d.message for d in errors(load, {"builders": [builder]})] == expected


# ------------------------------------------------------------------ what cattle's builders can run


def test_validate_refuses_builder_options_cattle_does_not_run_yet(load, tmp_path):
    (tmp_path / "answers.cfg").write_text("")
    problems = errors(load, {"builders": [{**QEMU, "floppy_files": ["answers.cfg"]}]})
    (problem,) = problems
    assert problem.path == "builders[0]"
    assert problem.message.startswith("cattle's qemu builder: floppy_files")


def test_builders_own_check_runs_only_on_a_packer_valid_config(load):
    # Packer's own error is reported; the builder is not asked as well.
    problems = errors(load, {"builders": [{"type": "docker", "image": "i", "commit": True, "ecr_login": True}]})
    assert [d.message for d in problems] == ["ECR login requires login server to be provided."]
    problems = errors(load, {"builders": [{"type": "docker", "image": "i", "commit": True, "ecr_login": True,
                                           "login_server": "x"}]})
    assert [d.message.split(":")[0] for d in problems] == ["cattle's docker builder"]


@pytest.mark.parametrize(("extra", "expected"), [
    ({"user_data": "x", "user_data_file": "t.json"}, ["Only one of user_data or user_data_file can be specified."]),
    ({"user_data_file": "nothere"}, ["user_data_file not found: nothere"]),
    ({"user_data_file": "t.json"}, []),
    ({"security_group_id": "a", "security_group_ids": ["b"]},
     ["Only one of security_group_id or security_group_ids can be specified."]),
])
def test_amazon_user_data_and_security_groups(load, extra, expected):
    builder = {**AMAZON, "source_ami": "a", "instance_type": "t2.micro", **extra}
    messages = [d.message for d in errors(load, {"builders": [builder]})]
    assert [m for m in messages if not m.startswith("cattle's")] == expected


@pytest.mark.parametrize(("builder", "expected"), [
    ({"type": "docker", "commit": True}, ["Image must be specified"]),
    ({"type": "docker", "image": "i"},
     ["No instructions given for handling the artifact; expected commit, discard, or export_path"]),
    ({"type": "docker", "image": "i", "commit": True, "discard": True},
     ["Cannot specify more than one of commit, discard, and export_path"]),
])
def test_docker_builder_checks_in_packers_words(load, builder, expected):
    assert [d.message for d in errors(load, {"builders": [builder]})] == expected


def test_amazon_region_may_come_from_the_environment_but_cattles_builder_needs_it(load):
    # Packer 1.6.6 validates an amazon-ebs builder without `region`; cattle's builder requires one.
    problems = errors(load, {"builders": [{**AMAZON, "region": "", "source_ami": "a", "instance_type": "t2.micro"}]})
    assert [d.message for d in problems] == ["cattle's amazon-ebs builder: region: required"]


def test_required_options_in_packers_words(load):
    template = {"builders": [{"type": "virtualbox-ovf", "ssh_username": "u", "shutdown_command": "x"}],
                "provisioners": [{"type": "ansible"}]}
    assert [d.message for d in errors(load, template)] == ["source_path is required", "playbook_file must be specified."]


@pytest.mark.parametrize(("builder", "expected"), [
    ({**QEMU, "accelerator": "x"},
     ["invalid accelerator, only 'kvm', 'tcg', 'xen', 'hax', 'hvf', 'whpx', or 'none' are allowed"]),
    ({**QEMU, "format": "vmdk"}, ["invalid format, only 'qcow2' or 'raw' are allowed"]),
    ({**QEMU, "disk_cache": "x"}, ["unrecognized disk cache type"]),
    ({**VBOX, "format": "vmdk"}, ["invalid format, only 'ovf' or 'ova' are allowed"]),
    ({**VBOX, "guest_additions_mode": "x"}, ["guest_additions_mode is invalid. Must be one of: [disable attach upload]"]),
    ({**AMAZON, "source_ami": "a", "instance_type": "t2.micro", "ssh_interface": "y"}, ["Unknown interface type: y"]),
])
def test_choices_refused_in_packers_words(load, builder, expected):
    messages = [d.message for d in errors(load, {"builders": [builder]})]
    assert [m for m in messages if not m.startswith("cattle's")] == expected


@pytest.mark.parametrize("component", [
    {"type": "amazon-ebs", "region": "r", "ami_name": "abc", "ssh_username": "u", "source_ami": "a",
     "instance_type": "t2.micro", "block_duration_minutes": "x"},
    {"type": "ansible", "playbook_file": "t.json", "local_port": "x"},
    {"type": "shell", "inline": ["{{ nosuchfunction }}"]},
])
def test_value_checks_wait_for_a_config_that_decodes(load, component):
    # Packer returns the decode error alone; its value checks never see a half-decoded config.
    section = "provisioners" if component["type"] in ("ansible", "shell") else "builders"
    template = {"builders": [null_build()], section: [component]} if section == "provisioners" else {section: [component]}
    (problem,) = errors(load, template)
    assert "cannot parse" in problem.message or "not defined" in problem.message


# ------------------------------------------------------------------ robustness


def _option_values():
    from hypothesis import strategies as st

    return st.one_of(st.none(), st.booleans(), st.integers(-70000, 70000), st.text(max_size=6),
                     st.lists(st.text(max_size=4), max_size=3),
                     st.dictionaries(st.sampled_from(["owners", "filters", "a"]), st.text(max_size=3), max_size=2))


@pytest.mark.parametrize(("section", "ctype"), [
    ("builders", "docker"), ("builders", "qemu"), ("builders", "amazon-ebs"), ("builders", "virtualbox-iso"),
    ("builders", "virtualbox-ovf"), ("provisioners", "shell"), ("provisioners", "shell-local"),
    ("provisioners", "file"), ("provisioners", "powershell"), ("provisioners", "ansible"),
    ("post-processors", "checksum"), ("post-processors", "docker-tag"),
])
def test_any_option_values_give_diagnostics_not_exceptions(section, ctype, tmp_path):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from ansible_collections.cattle.images.plugins.module_utils.template import load_template
    from ansible_collections.cattle.images.plugins.module_utils.template.schemas.builders import BUILDERS
    from ansible_collections.cattle.images.plugins.module_utils.template.schemas.post_processors import POST_PROCESSORS
    from ansible_collections.cattle.images.plugins.module_utils.template.schemas.provisioners import PROVISIONERS

    schema = {"builders": BUILDERS, "provisioners": PROVISIONERS, "post-processors": POST_PROCESSORS}[section][ctype]
    keys = sorted(schema["options"])

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.dictionaries(st.sampled_from(keys), _option_values(), max_size=8))
    def check(options):
        component = {**options, "type": ctype}
        template = {"builders": [component if section == "builders" else null_build()]}
        if section != "builders":
            template[section] = [component]
        path = tmp_path / "fuzz.json"
        path.write_text(__import__("json").dumps(template))
        try:
            load_template(str(path), cwd=str(tmp_path)).validate()
        except TemplateErrors:
            pass

    check()
