"""Template structure: parse errors with positions, builds, only/except/override, post-processors, YAML."""

from __future__ import annotations

import pytest
from conftest import null_build

from ansible_collections.cattle.images.plugins.module_utils.template import TemplateErrors


def errors_of(load, content, name="t.json", **kwargs):
    try:
        template = load(content, name)
    except TemplateErrors as exc:
        return exc.diagnostics
    return template.validate(**kwargs)


def test_json_syntax_error_has_line_and_column(load):
    with pytest.raises(TemplateErrors) as caught:
        load('{\n  "builders": [\n    {"type": "null",}\n  ]\n}')
    (diag,) = caught.value.diagnostics
    assert (diag.line, diag.column) == (3, 21)
    assert "invalid character '}'" in diag.message
    assert str(diag).startswith(diag.file + ":3:21:")


def test_duplicate_keys_at_any_depth(load):
    with pytest.raises(TemplateErrors) as caught:
        load('{"builders": [{"type": "null",\n "communicator": "none", "communicator": "none"}]}')
    (diag,) = caught.value.diagnostics
    assert diag.message == "template has duplicate field: communicator"
    assert (diag.line, diag.column, diag.path) == (2, 26, "builders[0].communicator")


def test_all_parse_errors_at_once(load):
    with pytest.raises(TemplateErrors) as caught:
        load({"hello": 1, "_c": 2,
              "builders": [{"name": "x"}, {"type": "null", "name": "a"}, {"type": "null", "name": "a"}],
              "provisioners": [{"inline": []}], "post-processors": [[["compress"]], {"name": "x"}]})
    messages = sorted(d.message for d in caught.value.diagnostics)
    assert messages == sorted([
        "Unknown root level key in template: 'hello'",
        'Failed to cast root level comment value in comment "_c" to string.',
        "builder 1: missing 'type'",
        "builder 3: builder with name 'a' already exists",
        "provisioner 1: Provisioner missing 'type'",
        "post-processor 1.1: sequence not allowed to be nested in a sequence",
        "post-processor 2.1: type is required",
    ])


def test_root_comments_push_and_comments_are_accepted(load):
    template = load({"_comment": "hi", "push": {"name": "x"}, "comments": ["x"], "description": "d",
                     "builders": [null_build()]})
    assert template.validate() == []


def test_field_paths_and_positions_of_config_errors(load):
    problems = errors_of(load, {"builders": [null_build(comment="x"), {"type": "docker", "image": "i", "commit": "true",
                                                                       "discard": True}]})
    by_path = {d.path: d for d in problems}
    assert by_path["builders[0].comment"].message == "unknown configuration key: '\"comment\"'"
    assert by_path["builders[0].comment"].line > 1
    assert by_path["builders[1].discard"].message == "Cannot specify more than one of commit, discard, and export_path"


def test_unknown_types_list_the_known_ones(load):
    problems = errors_of(load, {"builders": [{"type": "foo"}], "provisioners": [{"type": "goss"}]})
    assert any(d.message.startswith("Unknown builder foo; known builders: amazon-ebs, docker") for d in problems)
    goss = next(d.message for d in problems if d.message.startswith("Unknown provisioner goss"))
    # Only the types cattle runs are offered.
    assert goss.startswith("Unknown provisioner goss; known provisioners: ansible, ansible-local, breakpoint, chef-solo, file")
    assert "chef-client" not in goss


def test_deprecated_keys_ask_for_fix(load):
    problems = errors_of(load, {"builders": [{"type": "docker", "image": "i", "commit": True, "login_email": "x"}]})
    assert [d.message.split(".")[0] for d in problems] == ["Deprecated configuration key: 'login_email'"]


def test_weak_typing(load, tmp_path):
    (tmp_path / "s.sh").write_text("echo")
    template = load({"variables": {"regions": "a,b", "retries": "3"},
                     "builders": [{"type": "docker", "image": "i", "commit": "1", "pull": "false",
                                   "changes": "ENV A=1", "volumes": {"/a": "/b"}}],
                     "provisioners": [{"type": "shell", "inline": "{{user `regions`}}", "start_retry_timeout": "1m30s",
                                       "valid_exit_codes": "0,2", "max_retries": "{{user `retries`}}",
                                       "pause_before": "500ms", "timeout": "1h30m"}]})
    build = template.plan()["builds"][0]
    assert build["config"] == {"image": "i", "commit": True, "pull": False, "changes": ["ENV A=1"],
                               "volumes": {"/a": "/b"}}
    step = build["provisioners"][0]
    assert step["config"] == {"inline": ["a", "b"], "start_retry_timeout": 90.0, "valid_exit_codes": [0, 2]}
    assert (step["pause_before"], step["max_retries"], step["timeout"]) == (0.5, 3, 5400.0)


def test_type_errors(load):
    problems = errors_of(load, {"builders": [{"type": "docker", "image": ["x"], "commit": "maybe"}]})
    messages = {d.path: d.message for d in problems}
    assert messages["builders[0].image"] == "'image' expected type 'string', got unconvertible type '[]interface {}'"
    assert "cannot parse 'commit' as bool" in messages["builders[0].commit"]


def test_files_are_checked_relative_to_the_cwd(load, tmp_path):
    (tmp_path / "there.sh").write_text("echo")
    problems = errors_of(load, {"builders": [null_build()],
                                "provisioners": [{"type": "shell", "script": "there.sh"},
                                                 {"type": "shell", "scripts": ["there.sh", "missing.sh"]},
                                                 {"type": "file", "source": "nope", "destination": "/x"},
                                                 {"type": "file", "source": "gen", "destination": "/x",
                                                  "generated": True}]})
    assert [(d.path, d.message) for d in problems] == [
        ("provisioners[1].scripts", "Bad script 'missing.sh': stat missing.sh: no such file or directory"),
        ("provisioners[2].source", "Bad source 'nope': stat nope: no such file or directory"),
    ]


def test_mutually_exclusive_script_keys(load):
    problems = errors_of(load, {"builders": [null_build()],
                                "provisioners": [{"type": "shell"}, {"type": "shell", "inline": ["a"], "script": "x"}]})
    messages = [d.message for d in problems]
    assert "Either a script file or inline script must be specified." in messages
    assert "Only a script file or an inline script can be specified, not both." in messages


def test_communicator_requirements(load):
    problems = errors_of(load, {"builders": [{"type": "null"}, {"type": "null", "name": "w", "communicator": "winrm"},
                                             {"type": "null", "name": "bad", "communicator": "telnet"}]})
    messages = " | ".join(d.message for d in problems)
    assert "An ssh_username must be specified" in messages
    assert "winrm_username must be specified." in messages
    assert "Communicator type telnet is invalid" in messages


def test_clean_resource_name_is_builder_specific(load):
    base = {"type": "amazon-ebs", "region": "r", "instance_type": "t", "source_ami": "ami-1", "ssh_username": "u",
            "ami_name": "x {{isotime | clean_resource_name}}"}
    template = load({"builders": [base], "provisioners": [{"type": "shell", "inline": ["{{isotime | clean_resource_name}}"]}]})
    problems = template.validate()
    assert [(d.path, d.message.split(" in:")[0]) for d in problems] == [
        ("provisioners[0].inline", "invalid 'inline': template: root:1: function \"clean_resource_name\" not defined")]


def test_unknown_function_in_a_runtime_key_fails_early(load):
    problems = errors_of(load, {"builders": [null_build()],
                                "provisioners": [{"type": "shell", "inline": ["x"], "execute_command": "{{ nope }}"}]})
    assert any('function "nope" not defined' in d.message for d in problems)


def test_runtime_keys_keep_their_fields(load):
    template = load({"variables": {"pw": "p{{`{{`}}w"},
                     "builders": [{"type": "docker", "image": "i", "commit": True,
                                   "run_command": ["-d", "{{.Image}}", "{{user `pw`}}"]}],
                     "provisioners": [{"type": "shell", "inline": ["echo {{ build `ID` }} {{.Nope}}"],
                                       "execute_command": "echo {{user `pw`}} | sudo -S sh '{{ .Path }}'"}]})
    build = template.plan()["builds"][0]
    assert build["config"]["run_command"] == ["-d", "{{.Image}}", 'p{{"{{"}}w']
    config = build["provisioners"][0]["config"]
    assert config["inline"] == ["echo {{build `ID`}} <no value>"]
    assert config["execute_command"] == "echo p{{\"{{\"}}w | sudo -S sh '{{.Path}}'"
    from ansible_collections.cattle.images.plugins.module_utils.template import render_runtime

    assert render_runtime(config["execute_command"], {"Path": "/tmp/s"}) == "echo p{{w | sudo -S sh '/tmp/s'"
    assert render_runtime(config["inline"][0], {"build": {"ID": "abc"}}) == "echo abc <no value>"


def test_templated_build_names(load):
    template = load({"variables": {"n": "mybuild"},
                     "builders": [null_build(name="{{user `n`}}"), null_build(name="other")]})
    assert [b["name"] for b in template.plan()["builds"]] == ["mybuild", "other"]
    assert [b["name"] for b in template.plan(only=["mybuild"])["builds"]] == ["mybuild"]
    assert template.plan(only=["{{user `n`}}"])["builds"] == []


def test_only_except_override(load):
    template = load({
        "builders": [null_build(name="a"), null_build(name="b"), null_build(name="c")],
        "provisioners": [
            {"type": "shell-local", "inline": ["one"], "only": ["a"]},
            {"type": "shell-local", "inline": ["two"], "except": ["a", "b"]},
            {"type": "shell-local", "inline": ["base"], "override": {"b": {"inline": ["over"]}}},
        ],
    })
    plan = template.plan()
    lines = {b["name"]: [p["config"]["inline"][0] for p in b["provisioners"]] for b in plan["builds"]}
    assert lines == {"a": ["one", "base"], "b": ["over"], "c": ["two", "base"]}
    assert [b["name"] for b in template.plan(except_=["a,b"])["builds"]] == ["c"]
    assert [b["name"] for b in template.plan(only=["nope"])["builds"]] == []


def test_bad_references(load):
    problems = errors_of(load, {"builders": [null_build(name="a")],
                                "provisioners": [{"type": "shell-local", "inline": ["x"], "only": ["a"], "except": ["a"]},
                                                 {"type": "shell-local", "inline": ["x"], "override": {"zz": {}}}],
                                "post-processors": [{"type": "manifest", "only": ["bar"]}]})
    messages = [d.message for d in problems]
    assert "provisioner 1: only one of 'only' or 'except' may be specified" in messages
    assert "provisioner 2: override 'zz' doesn't exist" in messages
    assert "post-processor 1.1: 'only' specified builder 'bar' not found" in messages
    assert errors_of(load, {"builders": []})[0].message == "at least one builder must be defined"


def test_post_processor_forms_and_e02_rules(load):
    template = load({
        "builders": [null_build(name="chocolate"), null_build(name="cherry")],
        "post-processors": [
            "manifest",
            {"type": "checksum", "keep_input_artifact": True},
            [{"name": "apple", "type": "shell-local", "inline": ["a"]},
             {"name": "peach", "type": "shell-local", "inline": ["p"]}],
            [{"except": ["cherry"], "name": "skipfirst", "type": "shell-local", "inline": ["s"]},
             {"name": "after", "type": "shell-local", "inline": ["t"]}],
        ],
    })
    chains = {b["name"]: [[pp["name"] for pp in chain] for chain in b["post_processors"]]
              for b in template.plan()["builds"]}
    assert chains["chocolate"] == [["manifest"], ["checksum"], ["apple", "peach"], ["skipfirst", "after"]]
    # a template-level except drops only that post-processor; the rest of the sequence still runs
    assert chains["cherry"] == [["manifest"], ["checksum"], ["apple", "peach"], ["after"]]
    # -except of a post-processor name stops the rest of its sequence
    chains = [[pp["name"] for pp in c] for c in template.plan(except_=["apple"])["builds"][0]["post_processors"]]
    assert chains == [["manifest"], ["checksum"], ["skipfirst", "after"]]
    checksum = template.plan()["builds"][0]["post_processors"][1][0]
    assert checksum == {"type": "checksum", "name": "checksum", "config": {}, "keep_input_artifact": True}


def test_error_cleanup_provisioner_and_min_version(load):
    template = load({"min_packer_version": "1.5.0", "builders": [null_build()],
                     "error-cleanup-provisioner": {"type": "shell-local", "inline": ["cleanup"]}})
    assert template.plan()["builds"][0]["error_cleanup_provisioner"]["config"] == {"inline": ["cleanup"]}
    high = errors_of(load, {"min_packer_version": "1.7.0", "builders": [null_build()]})
    assert [d.message for d in high] == ["This template requires Packer version 1.7.0 or higher; using 1.6.6"]


def test_yaml_templates_with_positions(load):
    text = """\
variables:
  greeting: hello
builders:
  - type: docker
    image: local/debian:bookworm
    commit: true
    comment: nope
provisioners:
  - type: shell
    inline: ["echo {{user `greeting`}}"]
"""
    problems = load(text, "t.yml").validate()
    assert [(d.line, d.column, d.path, d.message) for d in problems] == [
        (7, 5, "builders[0].comment", "unknown configuration key: '\"comment\"'")]
    with pytest.raises(TemplateErrors) as caught:
        load("builders:\n  - type: null\n    type: docker\n", "t.yaml")
    assert caught.value.diagnostics[0].message == "template has duplicate field: type"
    assert caught.value.diagnostics[0].line == 3
    good = load(text.replace("    comment: nope\n", ""), "t.yaml").plan()
    assert good["builds"][0]["provisioners"][0]["config"]["inline"] == ["echo hello"]


def test_plan_is_json_and_has_the_documented_keys(load):
    plan = load({"builders": [null_build()]}).plan()
    assert set(plan) == {"template_path", "template_dir", "cwd", "run_uuid", "init_time", "packer_version",
                         "sensitive_values", "builds"}
    assert set(plan["builds"][0]) == {"name", "type", "config", "provisioners", "error_cleanup_provisioner",
                                      "post_processors"}


def test_invalid_plan_raises(load):
    with pytest.raises(TemplateErrors):
        load({"builders": [{"type": "docker"}]}).plan()
