"""HCL2 parsing: our tree, positions, templates, heredocs, and syntax errors at file:line:column."""

from __future__ import annotations

import pytest

from ansible_collections.cattle.images.plugins.module_utils.template.hcl2 import syntax
from ansible_collections.cattle.images.plugins.module_utils.template.hcl2.diagnostics import HCLError
from ansible_collections.cattle.images.plugins.module_utils.template.hcl2.evaluate import Evaluator
from ansible_collections.cattle.images.plugins.module_utils.template.hcl2.functions import FUNCTIONS


def value_of(text, **variables):
    body = syntax.parse_body(f"x = {text}\n", "t.pkr.hcl")
    return Evaluator(variables, FUNCTIONS, "/").eval(body.attributes["x"].expr)


def test_blocks_attributes_and_positions():
    body = syntax.parse_body('source "docker" "one" {\n  image = "a"\n  nested {\n    k = 1\n  }\n}\n', "f.pkr.hcl")
    block = body.blocks[0]
    assert (block.type, block.labels, block.pos) == ("source", ["docker", "one"], ("f.pkr.hcl", 1, 1))
    assert block.body.attributes["image"].pos == ("f.pkr.hcl", 2, 3)
    assert block.body.blocks[0].type == "nested"
    assert block.body.blocks[0].body.attributes["k"].pos == ("f.pkr.hcl", 4, 5)


@pytest.mark.parametrize("text, where", [
    ('source "docker" "x" {\n  image = \n}\n', 3),
    ('a = "unterminated\n', 1),
    ('build {\n  sources = [\n', 3),
])
def test_syntax_error_has_a_position(text, where):
    with pytest.raises(HCLError) as caught:
        syntax.parse_body(text, "bad.pkr.hcl")
    diagnostic = caught.value.diagnostics[0]
    assert diagnostic.file == "bad.pkr.hcl"
    assert diagnostic.line in (where - 1, where)
    assert diagnostic.column >= 1
    assert str(diagnostic).startswith(f"bad.pkr.hcl:{diagnostic.line}:{diagnostic.column}: ")


def test_duplicate_attribute_is_refused():
    with pytest.raises(HCLError, match="Attribute redefined"):
        syntax.parse_body("a = 1\na = 2\n", "t.pkr.hcl")


@pytest.mark.parametrize("text, expected", [
    ('"a${1 + 1}b"', "a2b"),
    ('"${true}"', True),  # a lone interpolation keeps its type
    ('"%{ if 1 > 0 }yes%{ else }no%{ endif }"', "yes"),
    ('"%{ for i, v in ["a", "b"] }${i}${v},%{ endfor }"', "0a,1b,"),
    ('"$${literal}"', "${literal}"),
    # strip markers, as Packer 1.6.6 renders them
    ('"<%{~ for x in ["a", "b"] ~} ${x} %{~ endfor ~}> <%{ if true ~}  y  %{~ else }n%{ endif }>"', "<ab> <y>"),
    ('"tab\\there \\u00e9"', "tab\there \u00e9"),
    ("-1 + 2 * 3", 5),
    ("7 / 2", 3.5),
    ("7 % 4", 3),
    ('1 == 1 && "a" != "b"', True),
    ('!false || 1 > 2', True),
    ("true ? 1 : 2", 1),
    ('[for s in ["a", "b", "c"] : upper(s) if s != "b"]', ["A", "C"]),
    ('{for k, v in {a = 1, b = 2} : v => k}', {"1": "a", "2": "b"}),
    ('{for s in ["a", "ab", "b"] : substr(s, 0, 1) => s...}', {"a": ["a", "ab"], "b": ["b"]}),
    ("[{id = 1}, {id = 2}][*].id", [1, 2]),
    ("[{id = 1}, {id = 2}].*.id", [1, 2]),
    ('{a = {b = [10, 20]}}.a.b[1]', 20),
    ("[1, 2].0", 1),
    ("max([3, 9, 1]...)", 9),
    ('{ "quoted key" = 1, (upper("k")) = 2 }', {"quoted key": 1, "K": 2}),
])
def test_expressions(text, expected):
    assert value_of(text) == expected


def test_heredoc_with_interpolation_and_trim():
    text = "<<-EOT\n    hello ${name}\n      \"quoted\" %{ if true }yes%{ endif }\n    EOT\n"
    assert value_of(text, name="you") == 'hello you\n  "quoted" yes\n'


def test_plain_heredoc_keeps_indentation():
    assert value_of("<<EOT\n  a\n  b\nEOT\n") == "  a\n  b\n"


def test_unknown_variable_is_reported_where_it_is_used():
    body = syntax.parse_body("x = [\n  1,\n  nope,\n]\n", "t.pkr.hcl")
    with pytest.raises(HCLError) as caught:
        Evaluator({}, FUNCTIONS, "/").eval(body.attributes["x"].expr)
    assert (caught.value.pos[1], caught.value.pos[2]) == (3, 3)
    assert "There is no variable named \"nope\"" in caught.value.detail
