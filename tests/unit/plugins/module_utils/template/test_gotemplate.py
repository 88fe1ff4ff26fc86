"""The Go text/template subset: parsing, evaluation, errors, partial evaluation."""

from __future__ import annotations

import pytest

from ansible_collections.cattle.images.plugins.module_utils.template import TemplateErrors, render_runtime
from ansible_collections.cattle.images.plugins.module_utils.template.errors import GoTemplateError
from ansible_collections.cattle.images.plugins.module_utils.template.functions import pure_funcs
from ansible_collections.cattle.images.plugins.module_utils.template.gotemplate import (
    Evaluator,
    PartialEvaluator,
    parse,
)


def render(text, data=None):
    funcs = pure_funcs()
    return Evaluator(funcs, data).render(parse(text, funcs))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain text", "plain text"),
        ("{{ `raw` }}", "raw"),
        ('{{ "a\\tb\\"c" }}', 'a\tb"c'),
        ("{{ `abc` | upper }}", "ABC"),
        ("{{ upper (lower `ABC`) }}", "ABC"),
        ("{{ 42 }}-{{ true }}-{{ 1.5 }}", "42-true-1.5"),
        ("a  {{- `b` -}}  c", "abc"),
        ("a {{/* comment */}}b", "a b"),
        ("{{ replace `a` `b` 1 `aaa` }}", "baa"),
        ("{{ split `x-y-z` `-` 1 | printf `%s!` }}", "y!"),
        ("{{if eq `a` `a`}}yes{{else}}no{{end}}", "yes"),
        ("{{if ne `a` `a`}}yes{{else if true}}maybe{{end}}", "maybe"),
        ("{{ .Missing }}", "<no value>"),
    ],
)
def test_evaluates_like_go(text, expected):
    assert render(text, {}) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{{ nope `x` }}", 'function "nope" not defined'),
        ("{{ upper }}", "wrong number of args for upper: want 1 got 0"),
        ("{{ `a` ", "unclosed action"),
        ("{{ `unterminated }}", "unterminated raw quoted string"),
        ("{{if true}}x", "unexpected EOF"),
        ("{{end}}", "unexpected {{end}}"),
        ("{{ replace `a` `b` `c` `d` }}", "expected int"),
        ("line1\n{{ nope }}", "root:2:"),
    ],
)
def test_errors_read_like_go(text, message):
    with pytest.raises(GoTemplateError) as caught:
        render(text, {})
    assert message in str(caught.value)


def test_partial_evaluation_keeps_runtime_parts_and_escapes_values():
    funcs = pure_funcs()
    evaluator = PartialEvaluator(funcs, deferred_funcs=frozenset({"build"}), defer_fields=True, as_template=True)
    funcs["build"] = funcs["upper"]  # only its name matters here
    text = "{{ `A{{B` }} {{ .Path }} {{ `x` | upper | printf `%s-%s` .Vars }}"
    out = evaluator.render(parse(text, funcs))
    assert out == 'A{{"{{"}}B {{.Path}} {{"X" | printf `%s-%s` .Vars}}'
    assert render_runtime(out, {"Path": "/p", "Vars": "V"}) == "A{{B /p V-X"


def test_render_runtime_fills_fields_and_build_data():
    text = "{{ .Vars }} {{ .Path }} {{ build `ID` }} {{ build `Nope` }} {{ .HTTPIP | urlquery }}"
    data = {"Vars": "A=1", "Path": "/tmp/x", "build": {"ID": "c0ffee"}, "HTTPIP": "a b&c"}
    assert render_runtime(text, data) == "A=1 /tmp/x c0ffee <no value> a+b%26c"
    assert render_runtime("no template", {}) == "no template"
    assert render_runtime("{{ .Unknown }}", {}) == "<no value>"


def test_render_runtime_errors_are_template_errors():
    with pytest.raises(TemplateErrors, match='function "user" not defined'):
        render_runtime("{{ user `x` }}", {})
