"""Configuration checks and pure helpers of the provisioner and post-processor plugins."""

from __future__ import annotations

import json

import pytest

from ansible_collections.cattle.images.plugins.action import ansible as ansible_action
from ansible_collections.cattle.images.plugins.action import breakpoint as breakpoint_action
from ansible_collections.cattle.images.plugins.action import checksum as checksum_action
from ansible_collections.cattle.images.plugins.action import compress as compress_action
from ansible_collections.cattle.images.plugins.action import file as file_action
from ansible_collections.cattle.images.plugins.action import manifest as manifest_action
from ansible_collections.cattle.images.plugins.action import shell as shell_action
from ansible_collections.cattle.images.plugins.action import shell_local as shell_local_action
from ansible_collections.cattle.images.plugins.action import sleep as sleep_action
from ansible_collections.cattle.images.plugins.plugin_utils.common import UserError
from ansible_collections.cattle.images.plugins.plugin_utils.context import BuildContext


@pytest.fixture
def context(tmp_path):
    (tmp_path / "script.sh").write_text("echo hi\n")
    (tmp_path / "play.yml").write_text("- hosts: all\n")
    return BuildContext(build_name="web", build_type="docker", cwd=str(tmp_path))


def prepare(module, config, context):
    action = object.__new__(module.ActionModule)  # prepare needs no Ansible plumbing
    return action.prepare(config, context)


def refused(module, config, context):
    with pytest.raises(UserError) as caught:
        prepare(module, config, context)
    return str(caught.value)


def test_shell_defaults(context, tmp_path):
    config = prepare(shell_action, {"script": "script.sh"}, context)
    assert config["scripts"] == [str(tmp_path / "script.sh")]
    assert config["execute_command"] == "chmod +x {{.Path}}; {{.Vars}} {{.Path}}"
    assert config["env_var_format"] == "%s='%s' "
    assert config["remote_path"].startswith("/tmp/script_") and config["remote_path"].endswith(".sh")
    assert config["valid_exit_codes"] == [0]
    assert config["start_retry_timeout"] == 300.0
    assert config["inline_shebang"] == "/bin/sh -e"
    env_file = prepare(shell_action, {"inline": "echo a", "use_env_var_file": "true"}, context)
    assert env_file["inline"] == ["echo a"]  # a string is a one-element list, as in Packer
    assert env_file["execute_command"] == "chmod +x {{.Path}}; . {{.EnvVarFile}} && {{.Path}}"
    assert env_file["env_var_format"] == "export %s='%s'\n"


@pytest.mark.parametrize("config, message", [
    ({}, "Either a script file or inline script must be specified."),
    ({"inline": ["a"], "scripts": ["script.sh"]}, "Only one of inline, script, or scripts can be specified."),
    ({"script": "nope.sh"}, "Bad script '"),
    ({"inline": ["a"], "environment_vars": ["NOEQUALS"]}, "not in format 'key=value': NOEQUALS"),
    ({"inline": ["a"], "comment": "x"}, "unknown configuration key: '\"comment\"'"),
    ({"inline": ["a"], "valid_exit_codes": ["zero"]}, "valid_exit_codes: expected an integer"),
])
def test_shell_mistakes(context, config, message):
    assert message in refused(shell_action, config, context)


def test_shell_exit_code_text():
    assert shell_action.exit_code_error(2, [0, 1]) == (
        "Script exited with non-zero exit status: 2.Allowed exit codes are: [0 1]"
    )


@pytest.mark.parametrize("config, message", [
    ({}, "Command, Inline, Script and Scripts options cannot all be empty."),
    ({"command": "a", "inline": ["b"]}, "You may only specify one of the following options"),
    ({"script": "script.sh", "scripts": ["script.sh"]}, "You may only specify one of the following options"),
    ({"command": "a", "only_on": ["plan9"]}, "Invalid OS specified in only_on: 'plan9'"),
])
def test_shell_local_mistakes(context, config, message):
    assert message in refused(shell_local_action, config, context)


def test_shell_local_command_becomes_inline(context):
    config = prepare(shell_local_action, {"command": "echo x"}, context)
    assert config["inline"] == ["echo x"]
    assert config["execute_command"] == ["/bin/sh", "-c", "{{.Vars}} {{.Script}}"]
    assert shell_local_action.ShellLocal.commands(config, context, "/tmp/s") == [
        "/bin/sh", "-c", "PACKER_BUILDER_TYPE='docker' PACKER_BUILD_NAME='web'  /tmp/s",
    ]


@pytest.mark.parametrize("config, message", [
    ({"destination": "/tmp/"}, "Source must be specified."),
    ({"source": "script.sh"}, "Destination must be specified."),
    ({"source": "missing", "destination": "/x"}, "Bad source '"),
    ({"sources": ["script.sh", "play.yml"], "destination": "/x"},
     "Destination must be a directory when using multiple sources."),
    ({"source": "script.sh", "destination": "/x", "direction": "sideways"}, "Direction must be one of: download, upload."),
    ({"source": "script.sh", "content": "x", "destination": "/x"}, "Cannot specify both source(s) and content."),
])
def test_file_mistakes(context, config, message):
    assert message in refused(file_action, config, context)


def test_file_paths(context, tmp_path):
    upload = prepare(file_action, {"source": "./", "destination": "/opt/"}, context)
    assert upload["sources"] == [str(tmp_path) + "/"]
    generated = prepare(file_action, {"source": "later.bin", "destination": "/opt/", "generated": True}, context)
    assert generated["sources"] == [str(tmp_path / "later.bin")]
    download = prepare(file_action, {"source": "/etc/hosts", "destination": "out/", "direction": "download"}, context)
    assert download["sources"] == ["/etc/hosts"] and download["destination"] == str(tmp_path / "out") + "/"


def test_ansible_configuration(context, tmp_path):
    config = prepare(ansible_action, {"playbook_file": "play.yml", "groups": "a,b", "use_proxy": False,
                                      "extra_arguments": ["-v"]}, context)
    assert config["playbook_file"] == str(tmp_path / "play.yml")
    assert config["groups"] == ["a", "b"] and config["host_alias"] == "default"
    assert config["ignored"] == ["use_proxy"]
    inventory = ansible_action.ActionModule._inventory(
        dict(config, empty_groups=["e"]), {"ansible_connection": "community.docker.docker_api", "ansible_host": "c1"}
    )
    assert json.loads(json.dumps(inventory)) == {"all": {
        "hosts": {"default": {"ansible_connection": "community.docker.docker_api", "ansible_host": "c1"}},
        "children": {"a": {"hosts": {"default": None}}, "b": {"hosts": {"default": None}}, "e": {"hosts": {}}},
    }}
    argv = ansible_action.ActionModule._playbook_argv(config, context, "/tmp/inv.json")
    assert argv[1:] == ["-e", 'packer_build_name="web"', "-e", "packer_builder_type=docker", "-v",
                        "-i", "/tmp/inv.json", str(tmp_path / "play.yml")]
    assert argv[0].endswith("ansible-playbook")
    assert "playbook_file must be specified." in refused(ansible_action, {}, context)
    assert "playbook_file: " in refused(ansible_action, {"playbook_file": "."}, context)


def test_ansible_child_environment_drops_the_parents_output_plumbing(monkeypatch, context):
    monkeypatch.setenv("ANSIBLE_STDOUT_CALLBACK", "ansible.posix.json")
    monkeypatch.setenv("ANSIBLE_CALLBACK_PLUGINS", "/runner/callbacks")
    monkeypatch.setenv("KEEP_ME", "1")
    config = prepare(ansible_action, {"playbook_file": "play.yml", "ansible_env_vars": ["A=1"],
                                      "roles_path": "roles"}, context)
    env = ansible_action.ActionModule._environment(config)
    assert "ANSIBLE_STDOUT_CALLBACK" not in env and "ANSIBLE_CALLBACK_PLUGINS" not in env
    assert env["KEEP_ME"] == "1" and env["A"] == "1"
    assert env["ANSIBLE_ROLES_PATH"] == context.local_path("roles")
    assert env["ANSIBLE_HOST_KEY_CHECKING"] == "False"


def test_breakpoint_configuration(context):
    assert prepare(breakpoint_action, {"disable": "true", "note": "n"}, context) == {"disable": True, "note": "n"}


@pytest.mark.parametrize("given, wanted", [("1m30s", 90.0), ("250ms", 0.25), (2.5, 2.5), (None, 0.0)])
def test_sleep_reads_packers_durations(context, given, wanted):
    assert prepare(sleep_action, {"duration": given}, context) == {"duration": wanted}


def test_sleep_refuses_a_bad_duration_and_unknown_options(context):
    with pytest.raises(UserError, match="duration"):
        prepare(sleep_action, {"duration": "soon"}, context)
    with pytest.raises(UserError, match="dureation"):
        prepare(sleep_action, {"dureation": "1s"}, context)


def test_post_processor_configurations(context, tmp_path):
    assert prepare(manifest_action, {}, context) == {
        "output": str(tmp_path / "packer-manifest.json"), "strip_path": False, "strip_time": False, "custom_data": None,
    }
    assert "Deprecated configuration key: 'filename'" in refused(manifest_action, {"filename": "x"}, context)
    assert prepare(checksum_action, {"checksum_types": "md5,sha1"}, context)["checksum_types"] == ["md5", "sha1"]
    assert refused(checksum_action, {"checksum_types": ["md4"]}, context) == "Unrecognized checksum type: md4"
    assert prepare(compress_action, {"compression_level": 0}, context)["compression_level"] == 6
    assert prepare(compress_action, {"compression_level": 12}, context)["compression_level"] == 9
    assert prepare(compress_action, {}, context)["output"] == "packer_{{.BuildName}}_{{.BuilderType}}"


@pytest.mark.parametrize("name, expected", [
    ("a.tar.gz", ("tar", "pgzip")), ("a.tgz", ("tar", "pgzip")), ("a.zip", ("zip", "")), ("a.tar", ("tar", "")),
    ("a.gz", ("", "pgzip")), ("a.tar.xz", ("tar", "xz")), ("a.img.lz4", ("", "lz4")), ("a", ("tar", "pgzip")),
    ("a.box", ("tar", "pgzip")), ("a.tar.bgzf", ("tar", "bgzf")),
])
def test_compress_format_detection(name, expected):
    assert compress_action.detect_format(name) == expected


def test_compress_format_option_appends_an_extension():
    assert compress_action.detect_format("archive", "zip") == ("zip", "")


def test_manifest_json_is_gos():
    assert manifest_action.go_json({"a": "<b>&"}) == '{\n  "a": "\\u003cb\\u003e\\u0026"\n}'
