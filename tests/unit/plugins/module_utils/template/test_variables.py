"""User variables: defaults, var files, -var, precedence and recursive rendering (E01, E01b, E08, E09)."""

from __future__ import annotations

import json
import os

import pytest
from conftest import null_build

from ansible_collections.cattle.images.plugins.module_utils.template import TemplateErrors, load_template


def shell_local(*lines):
    return {"type": "shell-local", "inline": list(lines)}


def inline_of(template, **kwargs):
    return template.plan(**kwargs)["builds"][0]["provisioners"][0]["config"]["inline"]


def test_e01_functions_and_variables(experiments, monkeypatch):
    monkeypatch.setenv("HOME", "/home/e01")
    path = os.path.join(experiments, "e01-functions-and-vars.json")
    template = load_template(path, cwd=experiments)
    lines = inline_of(template)
    assert lines[1] == "A=from-default B=/home/e01 C=from-default-c U=[]"
    assert lines[2] == "BN=null BT=null PV=1.6.6"
    assert lines[4] == f"TD={experiments} PWD={experiments}"
    assert lines[5] == "UP=ABC LO=abc REP=baa RA=bbb SPL=y"
    # build data stays for the provisioner to fill in at run time
    assert "{{build `ID`}}" in lines[6] or '{{build "ID"}}' in lines[6] or "build" in lines[6]


def test_e01b_var_beats_var_file_whatever_the_order(experiments):
    path = os.path.join(experiments, "e01-functions-and-vars.json")
    var_file = os.path.join(experiments, "e01-vars.json")
    from_file = load_template(path, var_files=[var_file], cwd=experiments)
    assert inline_of(from_file)[1].startswith("A=from-varfile ")
    assert "C=from-varfile-c" in inline_of(from_file)[1]
    both = load_template(path, variables={"a": "from-cli", "undeclared": "1"}, var_files=[var_file], cwd=experiments)
    assert inline_of(both)[1].startswith("A=from-cli ")


def test_later_var_file_wins_and_yaml_var_files(write, tmp_path):
    template = write({"variables": {"v": "default"}, "builders": [null_build()],
                      "provisioners": [shell_local("{{user `v`}}")]})
    first = write({"v": "first"}, "one.json")
    second = write("v: second\n", "two.yaml")
    assert inline_of(load_template(template, var_files=[first, second])) == ["second"]
    assert inline_of(load_template(template, var_files=[second, first])) == ["first"]


def test_cli_values_are_templates(write):
    template = write({"variables": {"v": "x"}, "builders": [null_build()], "provisioners": [shell_local("{{user `v`}}")]})
    value = inline_of(load_template(template, variables={"v": "{{timestamp}}"}))[0]
    assert value.isdigit()


def test_e08_non_string_defaults_and_var_file_values_are_errors(experiments):
    with pytest.raises(TemplateErrors) as caught:
        load_template(os.path.join(experiments, "e08-nonstring-var-default.json"), cwd=experiments)
    messages = [d.message for d in caught.value.diagnostics]
    assert "variable n: '' expected type 'string', got unconvertible type 'float64'" in messages
    assert any("got unconvertible type 'bool'" in m for m in messages)
    with pytest.raises(TemplateErrors, match="json: cannot unmarshal number into Go value of type string"):
        load_template(os.path.join(experiments, "e01-functions-and-vars.json"),
                      var_files=[os.path.join(experiments, "e08-numeric-varfile.json")], cwd=experiments)


def test_e09_env_outside_variables_is_an_error(experiments):
    template = load_template(os.path.join(experiments, "e09-env-outside-variables.json"), cwd=experiments)
    problems = template.validate()
    assert any("env vars are not allowed here" in d.message and d.path == "builders[0].ssh_host" for d in problems)


def test_variables_referencing_variables_in_any_order(load):
    template = load({"variables": {"a": "{{user `c`}}-a", "b": "b", "c": "{{user `b`}}-c"},
                     "builders": [null_build()], "provisioners": [shell_local("{{user `a`}}")]})
    assert inline_of(template) == ["b-c-a"]


def test_cycles_and_undefined_references_are_errors(load):
    cycle = load({"variables": {"a": "{{user `b`}}", "b": "{{user `a`}}"}, "builders": [null_build()]})
    assert any("Failed to interpolate" in d.message for d in cycle.validate())
    undefined = load({"variables": {"a": "{{user `nope`}}"}, "builders": [null_build()]})
    messages = [d.message for d in undefined.validate()]
    assert any("variable not set: nope" in m and "treats all variables" in m for m in messages)


def test_required_variables(load):
    template = load({"variables": {"need": None}, "builders": [null_build()]})
    assert [d.message for d in template.validate()] == ["required variable not set: need"]
    assert load({"variables": {"need": None}, "builders": [null_build()]}, variables={"need": "x"}).validate() == []


def test_runtime_fields_in_defaults_are_left_alone(load):
    template = load({"variables": {"boot": "ip={{ .HTTPIP }}"}, "builders": [null_build()]})
    resolved, problems = template.resolve_variables()
    assert problems == [] and resolved["boot"] == "ip={{ .HTTPIP }}"


def test_sensitive_values_are_listed_and_masked(load):
    template = load({"variables": {"secret": "s3cret", "empty": ""}, "sensitive-variables": ["secret", "empty", "nope"],
                     "builders": [null_build(), {"type": "docker", "image": "{{user `secret`}}x:y:z"}]})
    assert template.sensitive_values() == ["s3cret"]
    problems = template.validate()
    assert problems and all("s3cret" not in d.message for d in problems)
    plan = load({"variables": {"secret": "s3cret"}, "sensitive-variables": ["secret"],
                 "builders": [null_build()]}).plan()
    assert plan["sensitive_values"] == ["s3cret"]
    assert json.dumps(plan)
