"""Fuzzing: no input may make the loader raise anything but TemplateErrors.

Documents vary in structure (Packer's keys and random ones, nesting deeper than the readers
allow) and in values: numbers at and beyond float64 and Python's 4,300-digit int limit, written
as raw JSON/YAML text; odd unicode (controls, lone surrogates, line separators, right-to-left,
combining marks, emoji); template expressions with such numbers.
"""

from __future__ import annotations

import json
import os
import tempfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.cattle.images.plugins.module_utils.template import (
    TemplateErrors,
    load_template,
    render_runtime,
)

KEYS = ["variables", "builders", "provisioners", "post-processors", "sensitive-variables", "type", "name",
        "only", "except", "override", "pause_before", "max_retries", "timeout", "inline", "script", "image",
        "commit", "communicator", "keep_input_artifact", "min_packer_version", "_comment", "error-cleanup-provisioner",
        "docker", "null", "shell", "shell-local", "manifest", "file", "source", "destination", "ssh_username"]
TEMPLATE_BITS = ["{{", "}}", "{{-", "-}}", "user", "env", "`", '"', "\\", "|", "(", ")", ".Path", "build",
                 "isotime", "split", "replace", " ", "1", "-1", "if", "else", "end", "x", "/*", "*/", "$", "nil"]

ODD_TEXT = ["\x00", "\x1b[31m", "\u2028", "\u202e", "e\u0301", "\U0001f404", "\ud800", "\ufeff", "\uffff", "\r\n",
            "é" * 3, "ß", "İ", "{{ `\u2028` }}"]


class RawNumber(str):
    """Text written into the file as it is: numbers json.dump cannot write (1e999, 5000 digits)."""


raw_numbers = st.one_of(
    st.sampled_from(["1e999", "-1e400", "1E+308", "1.7976931348623157e308", "1.8e308", "4.9e-324", "1e-400",
                     "-0", "0.0e-999", "9223372036854775808", "18446744073709551616", "-9223372036854775809"]),
    st.integers(1, 6000).map(lambda digits: "9" * digits),
    st.integers(-(10**400), 10**400).map(str),
).map(RawNumber)
odd_text = st.one_of(st.sampled_from(ODD_TEXT),
                     st.text(st.characters(codec="utf-16", exclude_categories=()), max_size=8))
NUMBER_EXPRESSIONS = ["{{ 1e999 }}", "{{ -1e400 }}", "{{ 99999999999999999999 }}", "{{ 0x1p3 }}", "{{ 010 }}",
                      "{{ 0x }}", "{{ 1e }}", "{{ 1_ }}", "{{ " + "9" * 5000 + " }}", "{{ 1.0e+308 }}"]

scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**12), st.floats(allow_nan=False),
                    st.sampled_from(KEYS), st.text(max_size=20), raw_numbers, odd_text,
                    st.sampled_from(NUMBER_EXPRESSIONS),
                    st.lists(st.sampled_from(TEMPLATE_BITS), max_size=8).map("".join))
documents = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=8), odd_text), children, max_size=5),
    ),
    max_leaves=25,
)
template_strings = st.lists(st.one_of(st.sampled_from(TEMPLATE_BITS), st.text(max_size=4), odd_text,
                                      st.sampled_from(NUMBER_EXPRESSIONS), raw_numbers),
                            max_size=12).map("".join)


def to_json(value, ensure_ascii=True) -> str:
    """JSON text for ``value``; RawNumber leaves are written verbatim."""
    if isinstance(value, RawNumber):
        return str(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k, ensure_ascii=ensure_ascii)}: {to_json(v, ensure_ascii)}"
                               for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(to_json(v, ensure_ascii) for v in value) + "]"
    return json.dumps(value, ensure_ascii=ensure_ascii)


def to_yaml(value) -> str:
    """YAML flow-style text for ``value`` (JSON is YAML; RawNumber leaves stay bare numbers)."""
    return to_json(value, ensure_ascii=True)


def nested_text(depth, innermost):
    """JSON text of ``depth`` levels of alternating lists and objects around ``innermost``
    (built as text: a recursive writer would hit Python's own recursion limit first)."""
    opening = "".join("[" if level % 2 else '{"k": ' for level in range(depth))
    closing = "".join("]" if level % 2 else "}" for level in reversed(range(depth)))
    return opening + to_json(innermost) + closing


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _exercise(path, cwd):
    try:
        template = load_template(path, cwd=cwd)
    except TemplateErrors:
        return
    template.validate()
    template.inspect()
    try:
        json.dumps(template.plan(only=["null"]))
        json.dumps(template.plan())
    except TemplateErrors:
        pass


def _write_and_exercise(text, name):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, name)
        with open(path, "w", encoding="utf-8", errors="surrogatepass") as handle:
            handle.write(text)
        _exercise(path, tmp)


@FUZZ
@given(documents, st.booleans())
def test_random_json_documents(document, ensure_ascii):
    _write_and_exercise(to_json(document, ensure_ascii), "t.json")


@FUZZ
@given(documents)
def test_random_yaml_documents(document):
    _write_and_exercise(to_yaml(document), "t.yaml")


@FUZZ
@given(st.integers(1, 1200), st.sampled_from(["builders", "variables", "provisioners", "post-processors", "x"]),
       st.one_of(scalars, st.just({"type": "null", "communicator": "none"})), st.sampled_from(["t.json", "t.yaml"]))
def test_deep_nesting_anywhere(depth, key, innermost, name):
    document = {"builders": [{"type": "null", "communicator": "none"}], key: RawNumber(nested_text(depth, innermost))}
    _write_and_exercise(to_json(document), name)


@FUZZ
@given(st.sampled_from(["builders", "variables", "provisioners", "sensitive-variables", "min_packer_version"]),
       documents)
def test_random_values_in_known_places(key, value):
    document = {"variables": {"v": "x"}, "builders": [{"type": "null", "communicator": "none", "name": "n"}],
                "provisioners": [{"type": "shell-local", "inline": ["{{ user `v` }}"]}]}
    if key in ("builders", "provisioners"):
        document[key][0]["extra" if key == "builders" else "max_retries"] = value
    else:
        document[key] = value
    _write_and_exercise(to_json(document), "t.json")


@FUZZ
@given(st.binary(max_size=200), st.sampled_from(["t.json", "t.yaml", "t"]))
def test_random_bytes(data, name):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, name)
        with open(path, "wb") as handle:
            handle.write(data)
        _exercise(path, tmp)


@FUZZ
@given(template_strings, template_strings)
def test_random_template_strings(first, second):
    document = {
        "variables": {"a": first, "b": "x"},
        "builders": [{"type": "null", "communicator": "none", "name": second}],
        "provisioners": [{"type": "shell-local", "inline": [first, second], "execute_command": [second],
                          "max_retries": first}],
        "post-processors": [{"type": "manifest", "output": second}],
    }
    _write_and_exercise(to_json(document), "t.json")
    try:
        render_runtime(first, {"Path": "/p", "build": {"ID": "i"}})
    except TemplateErrors:
        pass
