"""HCL2 templates to plans: variables and their precedence, locals, builds, only/except, overrides, errors."""

from __future__ import annotations

import re

import pytest

from ansible_collections.cattle.images.plugins.module_utils.template import TemplateErrors, load_template

SOURCE = 'source "null" "one" {\n  communicator = "none"\n}\n'
SHELL_BUILD = 'build {\n  sources = ["source.null.one"]\n  provisioner "shell-local" {\n    inline = [%s]\n  }\n}\n'


@pytest.fixture
def load(tmp_path):
    def _load(text, name="t.pkr.hcl", files=None, **kwargs):
        for file_name, content in (files or {}).items():
            (tmp_path / file_name).write_text(content)
        target = tmp_path / name
        if text is not None:
            target.write_text(text)
        kwargs.setdefault("cwd", str(tmp_path))
        kwargs.setdefault("env", {})
        return load_template(name if text is not None else ".", **kwargs)
    return _load


def inline(template, **kwargs):
    return template.plan(**kwargs)["builds"][0]["provisioners"][0]["config"]["inline"]


def errors_of(excinfo):
    return [str(d) for d in excinfo.value.diagnostics if d.severity == "error"]


VARIABLE = 'variable "v" {\n  type = string\n  default = "default"\n}\n'


def test_precedence_default_env_auto_file_var_file_cli(load, tmp_path):
    template = VARIABLE + SOURCE + SHELL_BUILD % '"${var.v}"'
    assert inline(load(template)) == ["default"]
    assert inline(load(template, env={"PKR_VAR_v": "env"})) == ["env"]
    (tmp_path / "x.auto.pkrvars.hcl").write_text('v = "auto"\n')
    assert inline(load(template, name="t.pkr.hcl", env={"PKR_VAR_v": "env"})) == ["env"]  # a single file: no auto files
    directory = load(None, files={"t.pkr.hcl": template}, env={"PKR_VAR_v": "env"})
    assert inline(directory) == ["auto"]
    (tmp_path / "given.pkrvars.hcl").write_text('v = "file"\n')
    with_file = load(None, var_files=["given.pkrvars.hcl"], env={"PKR_VAR_v": "env"})
    assert inline(with_file) == ["file"]
    with_cli = load(None, var_files=["given.pkrvars.hcl"], variables={"v": "cli"}, env={"PKR_VAR_v": "env"})
    assert inline(with_cli) == ["cli"]


def test_untyped_variables_take_command_line_text_as_is(load):
    template = 'variable "a" {\n  default = "d"\n}\nvariable "b" {}\n' + SOURCE + SHELL_BUILD % '"${var.a} ${var.b}"'
    assert inline(load(template, variables={"a": "cli"}, env={"PKR_VAR_b": "env"})) == ["cli env"]


def test_typed_values_from_the_command_line_and_env(load):
    template = ('variable "n" {\n  type = number\n}\nvariable "l" {\n  type = list(string)\n}\n' + SOURCE
                + SHELL_BUILD % '"${var.n + 1}", join("+", var.l)')
    assert inline(load(template, variables={"n": "41"}, env={"PKR_VAR_l": '["a", "b"]'})) == ["42", "a+b"]
    with pytest.raises(TemplateErrors) as caught:
        load(template, variables={"n": "abc", "l": "[]"})
    assert errors_of(caught) == ['-var: Invalid argument value for -var variable; The received arg value for n is not '
                                 "compatible with the variable's type constraint: Unknown variable: There is no "
                                 'variable named "abc".']


def test_unset_and_undeclared_variables_all_at_once(load):
    template = 'variable "req" {\n  type = string\n}\n' + SOURCE + SHELL_BUILD % '"${var.req}", "${var.nope}"'
    with pytest.raises(TemplateErrors) as caught:
        load(template, variables={"other": "x"})
    errors = errors_of(caught)
    assert any(e.startswith("t.pkr.hcl:1:1: ") and 'Unset variable "req"' in e for e in errors)
    assert any("Undefined -var variable" in e for e in errors)


def test_reference_to_undeclared_variable_has_its_position(load):
    with pytest.raises(TemplateErrors) as caught:
        load(SOURCE + SHELL_BUILD % '"${var.nope}"')
    assert errors_of(caught) == [
        "t.pkr.hcl:7:18: Reference to undeclared input variable; An input variable with the name \"nope\" has not "
        "been declared. This variable can be declared with a variable \"nope\" {} block."]


def test_every_bad_argument_of_a_source_is_reported_as_packer_does(load):
    # Packer decodes a whole body and reports each argument's error, map items and nested blocks included.
    template = ('source "null" "one" {\n  communicator = var.a\n  ssh_host = var.b\n  ssh_username = "${var.c}"\n'
                '  ssh_port = 22\n}\n' + SHELL_BUILD % '"x"')
    template = template.replace('  ssh_port = 22\n', '  ssh_port = 22\n  tags = {\n    one = var.d\n    two = var.e\n  }\n')
    with pytest.raises(TemplateErrors) as caught:
        load(template)
    lines = sorted(int(e.split(":")[1]) for e in errors_of(caught))
    assert lines == [2, 3, 4, 7, 8], errors_of(caught)


def test_legacy_time_functions_that_hcl2_upgrade_writes(load):
    # {{isotime "2006-01-02"}} upgrades to legacy_isotime (Go layout), {{strftime "%Y-%m-%d"}} to legacy_strftime.
    template = SOURCE + SHELL_BUILD % '"${legacy_isotime("2006-01-02 Mon")}", "${legacy_strftime("%Y-%m-%d %a")}"'
    iso, strf = inline(load(template))
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} [A-Z][a-z]{2}", iso) and iso == strf
    with pytest.raises(TemplateErrors) as caught:
        load(SOURCE + SHELL_BUILD % '"${legacy_isotime()}"')
    assert errors_of(caught)


def test_validation_rule(load):
    template = ('variable "size" {\n  type = number\n  default = 5\n  validation {\n    condition = var.size < 3\n'
                '    error_message = "The size must be below 3."\n  }\n}\n' + SOURCE + SHELL_BUILD % '"x"')
    with pytest.raises(TemplateErrors, match="The size must be below 3."):
        load(template)
    assert inline(load(template, variables={"size": "2"})) == ["x"]


def test_type_mismatch_of_a_default(load):
    with pytest.raises(TemplateErrors) as caught:
        load('variable "n" {\n  type = number\n  default = "abc"\n}\n' + SOURCE + SHELL_BUILD % '"x"')
    assert errors_of(caught) == ['t.pkr.hcl:3:3: Invalid default value for variable; This default value is not '
                                 "compatible with the variable's type constraint: a number is required, got string \"abc\"."]


def test_sensitive_values_are_in_the_plan_and_masked(load):
    template = ('variable "pw" {\n  default = "hunter2"\n  sensitive = true\n}\n' + SOURCE
                + SHELL_BUILD % '"echo ${var.pw}"')
    plan = load(template).plan()
    assert plan["sensitive_values"] == ["hunter2"]


def test_locals_in_any_order_with_functions_and_cycles(load):
    template = ('locals {\n  b = "${local.a}-${upper("x")}"\n  a = format("%02d", 3)\n}\n' + SOURCE
                + SHELL_BUILD % "local.b")
    assert inline(load(template)) == ["03-X"]
    with pytest.raises(TemplateErrors, match="Cycle in local values"):
        load('locals {\n  a = local.b\n  b = local.a\n}\n' + SOURCE + SHELL_BUILD % '"x"')


def test_source_build_and_path_references(load, tmp_path):
    template = SOURCE + SHELL_BUILD % '"${source.type}.${source.name}", "${build.ID}", path.root, build.name'
    assert inline(load(template)) == ["null.one", "{{build `ID`}}", ".", ""]  # path.root as given, as Packer


def test_two_sources_named_override_only_except(load):
    template = ('source "null" "a" {\n  communicator = "none"\n}\n'
                'build {\n  name = "b"\n  sources = ["source.null.a"]\n'
                '  source "source.null.a" {\n    name = "c"\n  }\n'
                '  provisioner "shell-local" {\n    inline = ["all ${source.name}"]\n  }\n'
                '  provisioner "shell-local" {\n    only = ["null.c"]\n    inline = ["only c"]\n  }\n'
                '  provisioner "shell-local" {\n    except = ["null.c"]\n    inline = ["not c"]\n'
                '    override = {\n      "null.a" = { inline = ["overridden for a"] }\n    }\n  }\n'
                '  post-processor "manifest" {\n    except = ["null.a"]\n    output = "m.json"\n  }\n}\n')
    plan = load(template).plan()
    builds = {b["name"]: [p["config"]["inline"] for p in b["provisioners"]] for b in plan["builds"]}
    assert builds == {"b.null.a": [["all a"], ["overridden for a"]], "b.null.c": [["all c"], ["only c"]]}
    chains = {b["name"]: b["post_processors"] for b in plan["builds"]}
    assert chains["b.null.a"] == [] and chains["b.null.c"][0][0]["type"] == "manifest"
    assert [b["name"] for b in load(template).plan(only=["b.null.c"])["builds"]] == ["b.null.c"]
    assert [b["name"] for b in load(template).plan(except_=["*.c"])["builds"]] == ["b.null.a"]


def test_dynamic_blocks_expand(load):
    template = ('locals {\n  disks = { a = 1, b = 2 }\n}\n'
                'source "null" "one" {\n  communicator = "none"\n}\n'
                'build {\n  sources = ["source.null.one"]\n'
                '  provisioner "shell-local" {\n    inline = ["x"]\n  }\n}\n')
    body = ('dynamic "thing" {\n    for_each = local.disks\n    iterator = d\n'
            '    content {\n      name = d.key\n      size = d.value * 10\n    }\n  }\n')
    from ansible_collections.cattle.images.plugins.module_utils.template.hcl2 import syntax
    from ansible_collections.cattle.images.plugins.module_utils.template.hcl2.evaluate import Evaluator, body_value

    parsed = syntax.parse_body(body, "t.pkr.hcl")
    value, positions = body_value(Evaluator({"local": {"disks": {"a": 1, "b": 2}}}, {}, "/"), parsed)
    assert value == {"thing": [{"name": "a", "size": 10}, {"name": "b", "size": 20}]}
    assert positions[("thing", 1, "size")] == ("t.pkr.hcl", 6, 7)
    assert load(template).plan()["builds"][0]["type"] == "null"


def test_builder_options_get_the_json_checks_unknown_at_the_option_checks_at_the_block(load):
    template = ('source "docker" "d" {\n  image = "local/debian:bookworm"\n  commit = true\n  export_path = "x.tar"\n'
                '  bogus = 1\n}\nbuild {\n  sources = ["source.docker.d"]\n}\n')
    problems = [str(d) for d in load(template).validate() if d.severity == "error"]
    assert 't.pkr.hcl:5:3: source.docker.d.bogus: Unsupported argument; An argument named "bogus" is not expected here.' \
        in problems
    problems = [str(d) for d in load(template.replace("  bogus = 1\n", "")).validate() if d.severity == "error"]
    assert "t.pkr.hcl:1:1: source.docker.d.export_path: Cannot specify more than one of commit, discard, and export_path" \
        in problems


def test_unknown_blocks_data_and_arguments_refused_at_once(load):
    template = 'foo {}\ndata "amazon-ami" "x" {}\nstray = 1\n' + SOURCE + SHELL_BUILD % '"x"'
    with pytest.raises(TemplateErrors) as caught:
        load(template)
    errors = errors_of(caught)
    assert len(errors) == 3
    assert errors[0].startswith("t.pkr.hcl:3:1: Unsupported argument")
    assert errors[1].startswith('t.pkr.hcl:1:1: Unsupported block type; Blocks of type "foo"')
    assert errors[2].startswith('t.pkr.hcl:2:1: Unsupported block type; "data" blocks')


@pytest.mark.parametrize("constraint, ok", [(">= 1.5.0", True), ("~> 1.6", True), ("~> 1.6.0", True),
                                            (">= 1.7.0", False), ("< 1.6.6", False), ("= 1.6.6", True)])
def test_packer_required_version(load, constraint, ok):
    template = f'packer {{\n  required_version = "{constraint}"\n}}\n' + SOURCE + SHELL_BUILD % '"x"'
    if ok:
        load(template)
    else:
        with pytest.raises(TemplateErrors, match="does not support Packer version 1.6.6"):
            load(template)


def test_required_plugins_is_a_warning(load):
    template = ('packer {\n  required_plugins {\n    docker = {\n      version = ">= 1.0"\n'
                '      source = "github.com/hashicorp/docker"\n    }\n  }\n}\n' + SOURCE + SHELL_BUILD % '"x"')
    assert inline(load(template)) == ["x"]


JSON_SYNTAX = """{
  "variable": {"tag": {"type": "string", "default": "v1"}, "n": {"type": "list(number)", "default": [1, 2]}},
  "locals": {"greeting": "${upper(\\"hi\\")}-${var.tag}"},
  "source": {"null": {"one": {"communicator": "none"}}},
  "build": {
    "name": "j",
    "sources": ["source.null.one"],
    "provisioner": [
      {"shell-local": {"inline": ["echo ${local.greeting} ${sum(var.n)} ${source.name}"]}},
      {"shell-local": {"inline": ["echo second"], "only": ["null.two"]}}
    ],
    "post-processor": {"manifest": {"output": "m.json"}}
  }
}
"""


def test_json_syntax(load):
    plan = load(JSON_SYNTAX, name="t.pkr.json").plan()
    build = plan["builds"][0]
    assert build["name"] == "j.null.one"
    assert [p["config"]["inline"] for p in build["provisioners"]] == [["echo HI-v1 3 one"]]
    assert build["post_processors"][0][0]["type"] == "manifest"


def test_json_syntax_error_has_a_position(load):
    with pytest.raises(TemplateErrors) as caught:
        load('{\n  "source": {"null": 3}\n}\n', name="t.pkr.json")
    assert errors_of(caught) == ['t.pkr.json:2:14: Incorrect JSON value type; A "source" block must be a JSON object.']


def test_directory_mixes_both_syntaxes_and_json_var_files(load):
    files = {"a.pkr.hcl": 'variable "tag" {\n  type = string\n}\n' + SOURCE,
             "b.pkr.json": '{"build": {"sources": ["source.null.one"], '
                           '"provisioner": {"shell-local": {"inline": ["${var.tag}"]}}}}',
             "v.auto.pkrvars.json": '{"tag": "from-json"}'}
    assert inline(load(None, files=files)) == ["from-json"]


def test_inspect_lists_variables_locals_and_builds(load):
    template = VARIABLE + 'locals {\n  l = [1]\n}\n' + SOURCE + SHELL_BUILD % '"x"'
    text = load(template).inspect()["text"]
    assert 'var.v: "default"' in text
    assert 'local.l: "[\\n  1,\\n]"' in text
    assert "      null.one\n" in text and "      shell-local\n" in text


AMAZON = '''
variable "region" {
  default = env("CATTLE_TEST_REGION")
}
source "amazon-ebs" "u" {
  ami_name      = "x-${regex_replace("2024-01-02T03:04:05Z", "[- TZ:]", "")}"
  instance_type = "t2.micro"
  region        = var.region
  ssh_username  = "ubuntu"
  source_ami_filter {
    filters = {
      name = "ubuntu/*"
    }
    owners = ["099720109477"]
  }
  dynamic "launch_block_device_mappings" {
    for_each = ["/dev/sda1", "/dev/sdb"]
    content {
      device_name = launch_block_device_mappings.value
      volume_size = 20
    }
  }
}
build {
  sources = ["source.amazon-ebs.u"]
}
'''


def test_nested_blocks_fit_the_option_types_json_uses(load):
    config = load(AMAZON, env={"CATTLE_TEST_REGION": "eu-west-1"}).plan()["builds"][0]["config"]
    assert config["region"] == "eu-west-1"
    assert config["ami_name"] == "x-20240102030405"
    assert config["source_ami_filter"] == {"filters": {"name": "ubuntu/*"}, "owners": ["099720109477"]}
    assert config["launch_block_device_mappings"] == [{"device_name": "/dev/sda1", "volume_size": 20},
                                                      {"device_name": "/dev/sdb", "volume_size": 20}]
    twice = AMAZON.replace("  source_ami_filter {", "  source_ami_filter {\n  }\n  source_ami_filter {")
    with pytest.raises(TemplateErrors, match='Too many "source_ami_filter" blocks'):
        load(twice)


def test_required_plugins_warning_reaches_validate(load):
    template = ('packer {\n  required_plugins {\n    docker = {\n      version = ">= 1.0"\n'
                '      source = "github.com/hashicorp/docker"\n    }\n  }\n}\n' + SOURCE + SHELL_BUILD % '"x"')
    warnings = [str(d) for d in load(template).validate() if d.severity == "warning"]
    assert warnings == ["t.pkr.hcl:2:3: required_plugins not needed; cattle's builders, provisioners and "
                        "post-processors are built in; no plugin is installed."]


def test_a_sensitive_value_is_masked_in_load_errors(load):
    template = ('variable "pw" {\n  default = "hunter2"\n  sensitive = true\n  validation {\n'
                '    condition = length(var.pw) > 10\n    error_message = "The pw hunter2 is too short."\n  }\n}\n'
                + SOURCE + SHELL_BUILD % '"x"')
    with pytest.raises(TemplateErrors) as caught:
        load(template)
    assert "hunter2" not in str(caught.value)
    assert "The pw <sensitive> is too short." in str(caught.value)


def test_syntax_only_load_leaves_evaluation_problems_alone(load):
    template = 'variable "req" {}\n' + SOURCE + SHELL_BUILD % '"${var.req}", "${var.nope}"'
    with pytest.raises(TemplateErrors):
        load(template)
    lenient = load(template, strict=False)
    assert 'var.req: "<unknown>"' in lenient.inspect()["text"]
    with pytest.raises(TemplateErrors, match="Unsupported block type"):
        load("foo {}\n" + template, strict=False)


def test_sensitive_locals_and_collections_reach_the_plan(load):
    template = ('variable "keys" {\n  type = list(string)\n  default = ["k1", "k2"]\n  sensitive = true\n}\n'
                'local "token" {\n  expression = "t-${upper("x")}"\n  sensitive = true\n}\n'
                + SOURCE + SHELL_BUILD % '"${local.token}", join(",", var.keys)')
    plan = load(template).plan()
    assert sorted(plan["sensitive_values"]) == ["k1", "k2", "t-X"]
