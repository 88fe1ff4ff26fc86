"""`cattle validate` on small HCL2 templates gives Packer 1.6.6's verdict (recorded from `packer validate`
on the same files; rerun with /usr/bin/packer to check them again)."""

from __future__ import annotations

import pytest

from ansible_collections.cattle.images.plugins.module_utils.template import TemplateErrors, load_template

S = 'source "null" "one" {\n  communicator = "none"\n}\n'
B = 'build {\n  sources = ["source.null.one"]\n  provisioner "shell-local" {\n    inline = [%s]\n  }\n}\n'
VALIDATED = ('variable "a" {\n  default = "%s"\n  validation {\n    condition = length(var.a) > 3\n'
             '    error_message = "The a must be long."\n  }\n}\n' + S + B % '"x"')
CASES = {
    "ok": S + B % '"x"',
    "unknown_block": "foo {}\n" + S + B % '"x"',
    "top_attr": "x = 1\n" + S + B % '"x"',
    "undeclared_var": S + B % '"${var.x}"',
    "undeclared_local": S + B % '"${local.x}"',
    "unknown_func": S + B % '"${nosuch(1)}"',
    "bad_type_default": 'variable "n" {\n  type = number\n  default = "a"\n}\n' + S + B % '"x"',
    "unset_var": 'variable "n" {\n  type = string\n}\n' + S + B % '"${var.n}"',
    "unknown_source": 'build {\n  sources = ["source.null.two"]\n}\n' + S,
    "unknown_prov_arg": S + 'build {\n  sources = ["source.null.one"]\n  provisioner "shell-local" {\n    inline = ["x"]\n    bogus = 1\n  }\n}\n',
    "unknown_builder_arg": 'source "null" "one" {\n  communicator = "none"\n  bogus = 1\n}\n' + B % '"x"',
    "unknown_prov_type": S + 'build {\n  sources = ["source.null.one"]\n  provisioner "nope" {\n  }\n}\n',
    "unknown_source_type": 'source "nope" "one" {\n}\nbuild {\n  sources = ["source.nope.one"]\n}\n',
    "dup_var": 'variable "a" {}\nvariable "a" {}\n' + S + B % '"x"',
    "validation_fail": VALIDATED % "x",
    "validation_ok": VALIDATED % "xxxxx",
    "conditional_type": S + B % '"${true ? "a" : "b"}"',
    "index_oob": S + B % '"${[1][3]}"',
    "bad_syntax": S + B % '"x" "y"',
    "required_version_bad": 'packer {\n  required_version = ">= 2.0"\n}\n' + S + B % '"x"',
    "required_version_ok": 'packer {\n  required_version = ">= 1.6.0"\n}\n' + S + B % '"x"',
    "for_expr": 'locals {\n  a = {for k, v in {x = 1} : k => v}\n}\n' + S + B % '"${local.a.x}"',
    "splat": 'locals {\n  a = [{n = "a"}][*].n\n}\n' + S + B % 'local.a[0]',
    "string_plus_num": S + B % '"${"a" + 1}"',
    "build_unknown_key": S + B % '"${build.Nope}"',
    "build_id": S + B % '"${build.ID}"',
    "source_name": S + B % '"${source.name}-${source.type}"',
    "missing_comm_required": 'source "docker" "d" {\n}\nbuild {\n  sources = ["source.docker.d"]\n}\n',
    "docker_commit_discard": 'source "docker" "d" {\n  image = "x"\n  commit = true\n  discard = true\n}\nbuild {\n  sources = ["source.docker.d"]\n}\n',
    "only_except_both": S + ('build {\n  sources = ["source.null.one"]\n  provisioner "shell-local" {\n    inline = ["x"]\n'
                             '    only = ["null.one"]\n    except = ["null.one"]\n  }\n}\n'),
    "dynamic_prov": S + 'build {\n  sources = ["source.null.one"]\n  provisioner "shell-local" {\n    inline = ["x"]\n  }\n}\n',
    "no_build": S,
    "unused_unknown_source_type": S + 'source "nope" "x" {\n}\n',
    "unknown_provisioner_without_sources": 'build {\n  provisioner "nope" {\n  }\n}\n',
    "unknown_post_processor_in_chain": 'build {\n  post-processors {\n    post-processor "nope" {\n    }\n  }\n}\n',
    "duplicate_variables_blocks": 'variables {\n  a = 1\n}\nvariables {\n  a = 2\n}\n' + S,
    "communicator_block": 'communicator "ssh" "c" {\n  x = 1\n}\n' + S + B % '"x"',
}

# Packer 1.6.6 accepts exactly these; it rejects every other case.
PACKER_ACCEPTS = {"build_id", "conditional_type", "dynamic_prov", "for_expr", "ok", "required_version_ok", "source_name",
                  "splat", "validation_ok", "no_build", "communicator_block"}


@pytest.mark.parametrize("name", sorted(CASES))
def test_verdict_is_packers(name, tmp_path):
    path = tmp_path / f"{name}.pkr.hcl"
    path.write_text(CASES[name])
    try:
        problems = load_template(str(path), cwd=str(tmp_path), env={}).validate()
        valid = not any(p.severity == "error" for p in problems)
    except TemplateErrors:
        valid = False
    assert valid == (name in PACKER_ACCEPTS)


# Outside brackets a newline ends an expression (Packer 1.6.6's verdicts on `locals { long = … }`).
NEWLINES = [("1 +\n    2", False), ("1\n    + 2", False), ("(1 +\n 2)", True), ("true\n ? 1 : 2", False),
            ("(true\n ? 1\n : 2)", True), ("[1 +\n 2]", True), ('"${1 +\n 2}"', True), ("max(1 +\n 2)", True)]


@pytest.mark.parametrize("expression, packer_accepts", NEWLINES)
def test_newlines_in_expressions(expression, packer_accepts, tmp_path):
    path = tmp_path / "t.pkr.hcl"
    path.write_text(f"locals {{\n  long = {expression}\n}}\n")
    try:
        load_template(str(path), cwd=str(tmp_path), env={})
        valid = True
    except TemplateErrors:
        valid = False
    assert valid == packer_accepts
