"""Numbers at the edges, in template files and in template expressions: Packer's float64 and
Go's integer rules, never a Python traceback (int() refuses more than 4,300 digits; 1e999 is inf)."""

from __future__ import annotations

import pytest
from conftest import null_build

from ansible_collections.cattle.images.plugins.module_utils.template import TemplateErrors, render_runtime

HUGE = "9" * 5000


def load_error(load, text, name="t.json"):
    with pytest.raises(TemplateErrors) as caught:
        load(text, name)
    return str(caught.value)


@pytest.mark.parametrize("number, shown", [
    (HUGE, "99999999999999999999… (5000 characters)"),
    ("9" * 400, "99999999999999999999… (400 characters)"),
    ("1e999", "1e999"),
    ("-1e400", "-1e400"),
])
def test_a_json_number_beyond_float64_is_an_error_at_its_place(load, number, shown):
    message = load_error(load, '{\n  "builders": [{"type": "null", "communicator": "none", "x": ' + number + "}]\n}")
    assert message.endswith(f"/t.json:2:62: Error parsing JSON: number {shown} does not fit a 64-bit float, "
                            "which is what a template's numbers are")


@pytest.mark.parametrize("number", [HUGE, ".inf", "-.inf", ".nan"])
def test_a_yaml_number_beyond_float64_is_an_error_too(load, number):
    message = load_error(load, f'builders:\n  - type: "null"\n    communicator: none\n    x: {number}\n', "t.yaml")
    assert "/t.yaml:4:8: Error parsing YAML: number " in message
    assert message.endswith("does not fit a 64-bit float, which is what a template's numbers are")


def test_json_numbers_in_range_keep_their_kind(load):
    template = load({"variables": {}, "builders": [null_build()],
                     "provisioners": [{"type": "shell-local", "inline": ["true"], "max_retries": 3,
                                       "pause_before": "1s"}]})
    assert template.plan()["builds"][0]["provisioners"][0]["max_retries"] == 3


@pytest.mark.parametrize("expression, text", [
    ("{{ 1e300 }}", "1e+300"), ("{{ 2.5 }}", "2.5"), ("{{ 1e-400 }}", "0"), ("{{ 0x1p3 }}", "8"),
    ("{{ 010 }}", "8"), ("{{ 0o17 }}", "15"), ("{{ 0b101 }}", "5"), ("{{ 0x10 }}", "16"), ("{{ 1_000 }}", "1000"),
    ("{{ -5 }}", "-5"), ("{{ 9223372036854775807 }}", "9223372036854775807"),
])
def test_numbers_in_expressions_print_as_packer_prints_them(expression, text):
    assert render_runtime(expression, {}) == text


@pytest.mark.parametrize("expression, message", [
    # Packer 1.6.6: `template: root:1: illegal number syntax: "1e999"` and so on.
    ("{{ 1e999 }}", 'illegal number syntax: "1e999"'),
    ("{{ -1e400 }}", 'illegal number syntax: "-1e400"'),
    ("{{ " + HUGE + " }}", f'illegal number syntax: "{HUGE}"'),
    ("{{ 99999999999999999999 }}", 'integer overflow: "99999999999999999999"'),
    ("{{ 18446744073709551616 }}", 'integer overflow: "18446744073709551616"'),
    ("{{ 09 }}", 'integer overflow: "09"'),  # not octal, and only a float could hold it
    ("{{ 1x }}", 'bad number syntax: "1x"'),
    ("{{ 0x }}", 'bad number syntax: "0x"'),
])
def test_numbers_beyond_go_are_template_errors(expression, message):
    with pytest.raises(TemplateErrors) as caught:
        render_runtime(expression, {})
    assert str(caught.value) == f"<runtime>: template: root:1: {message}"
