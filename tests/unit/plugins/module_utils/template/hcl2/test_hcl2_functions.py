"""Packer's HCL2 function library: one case (at least) per function, and argument errors.

The expected values were checked against Packer 1.6.6 (a shell-local build echoing each result), except
`replace` with a /regex/ (current Packer's documented behaviour; 1.6.6 replaces the literal text) and the
functions 1.6.6 lacks (regex, regexall, sum, base64sha256/512, templatefile, to*)."""

from __future__ import annotations

import hashlib
import os
import re

import pytest

from ansible_collections.cattle.images.plugins.module_utils.template.hcl2 import syntax
from ansible_collections.cattle.images.plugins.module_utils.template.hcl2.dates_files import legacy_time_functions
from ansible_collections.cattle.images.plugins.module_utils.template.hcl2.diagnostics import HCLError
from ansible_collections.cattle.images.plugins.module_utils.template.hcl2.evaluate import Evaluator, default_functions
from ansible_collections.cattle.images.plugins.module_utils.template.hcl2.functions import (
    ALL_NAMES,
    filesystem_functions,
    timestamp_function,
)


@pytest.fixture
def run(tmp_path):
    from datetime import UTC, datetime

    start = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
    functions = default_functions({**filesystem_functions(str(tmp_path)), "timestamp": timestamp_function(start),
                                   **legacy_time_functions(start)})

    def _run(text):
        body = syntax.parse_body(f"x = {text}\n", "t.pkr.hcl")
        return Evaluator({}, functions, str(tmp_path)).eval(body.attributes["x"].expr)

    return _run


CASES = [
    ('chomp("a\\n\\n")', "a"),
    ('format("%s-%03d-%.1f-%v-%q", "a", 7, 1.25, true, "q")', 'a-007-1.2-true-"q"'),
    ('formatlist("%s=%s", ["a", "b"], "x")', ["a=x", "b=x"]),
    ('indent(2, "a\\nb")', "a\n  b"),
    ('join(",", ["a", "b"], ["c"])', "a,b,c"),
    ('lower("AbC")', "abc"),
    ('upper("abc")', "ABC"),
    ('replace("a-b-c", "-", "+")', "a+b+c"),
    ('replace("a1b22", "/[0-9]+/", "#")', "a#b#"),
    ('regex_replace("a1b22", "([0-9]+)", "<$1>")', "a<1>b<22>"),
    ('regex("([a-z]+)-([0-9]+)", "ab-12")', ["ab", "12"]),
    ('regexall("[0-9]", "a1b2")', ["1", "2"]),
    ('split(",", "a,b")', ["a", "b"]),
    ('strrev("abc")', "cba"),
    ('substr("hello", 1, 3)', "ell"),
    ('substr("hello", -3, -1)', "llo"),
    ('title("hello world")', "Hello World"),
    ('trim("--a--", "-")', "a"),
    ('trimprefix("foobar", "foo")', "bar"),
    ('trimsuffix("foobar", "bar")', "foo"),
    ('trimspace("  a ")', "a"),
    ("abs(-3)", 3),
    ("ceil(1.2)", 2),
    ("floor(1.8)", 1),
    ("log(8, 2)", 3.0),
    ("max(1, 5, 3)", 5),
    ("min(1, 5, 3)", 1),
    ('parseint("ff", 16)', 255),
    ("pow(2, 10)", 1024),
    ("signum(-4)", -1),
    ("sum([1, 2, 3])", 6),
    ("chunklist([1, 2, 3], 2)", [[1, 2], [3]]),
    ('coalesce("", "b", "c")', "b"),
    ("coalescelist([], [1])", [1]),
    ('compact(["a", "", "b"])', ["a", "b"]),
    ("concat([1], [2, 3])", [1, 2, 3]),
    ('contains(["a"], "a")', True),
    ("distinct([1, 1, 2])", [1, 2]),
    ("element([1, 2, 3], 4)", 2),
    ("flatten([[1, [2]], 3])", [1, 2, 3]),
    ('index(["a", "b"], "b")', 1),
    ("keys({b = 1, a = 2})", ["a", "b"]),
    ('length("abc")', 3),
    ("length({a = 1})", 1),
    ('lookup({a = 1}, "b", 9)', 9),
    ("merge({a = 1}, {b = 2}, {a = 3})", {"a": 3, "b": 2}),
    ("range(3)", [0, 1, 2]),
    ("range(1, 6, 2)", [1, 3, 5]),
    ("reverse([1, 2])", [2, 1]),
    ("setintersection([1, 2], [2, 3])", [2]),
    ('setproduct(["a"], [1, 2])', [["a", 1], ["a", 2]]),
    ("setunion([1], [1, 2])", [1, 2]),
    ("slice([1, 2, 3], 1, 3)", [2, 3]),
    ('sort(["b", "a"])', ["a", "b"]),
    ("values({b = 1, a = 2})", [2, 1]),
    ('zipmap(["a", "b"], [1, 2])', {"a": 1, "b": 2}),
    ('base64decode("aGk=")', "hi"),
    ('base64encode("hi")', "aGk="),
    ('csvdecode("a,b\\n1,2\\n")', [{"a": "1", "b": "2"}]),
    ('jsondecode("{\\"a\\": [1]}")', {"a": [1]}),
    ("jsonencode({b = [1], a = true})", '{"a":true,"b":[1]}'),
    ('jsonencode("<&>")', '"\\u003c\\u0026\\u003e"'),
    ('urlencode("a b&c/d")', "a+b%26c%2Fd"),
    ('yamldecode("a: [1, 2]")', {"a": [1, 2]}),
    ('yamlencode({a = 1, b = ["x"], c = {d = [{e = 1}]}})', '"a": 1\n"b":\n- "x"\n"c":\n  "d":\n  - "e": 1\n'),
    ("timestamp()", "2024-05-06T07:08:09Z"),
    ('legacy_isotime("2006-01-02 03:04:05 PM Mon")', "2024-05-06 07:08:09 AM Mon"),  # current Packer's (Go layout)
    ('legacy_strftime("%Y%m%d-%H%M")', "20240506-0708"),
    ('formatdate("YYYY-MM-DD hh:mm:ss ZZZ EEE MMM", "2024-05-06T07:08:09Z")', "2024-05-06 07:08:09 UTC Mon May"),
    ('formatdate("\'day\' D, h:m AA", timestamp())', "day 6, 7:8 AM"),
    ('timeadd("2024-05-06T07:08:09Z", "1h30m")', "2024-05-06T08:38:09Z"),
    ('md5("a")', hashlib.md5(b"a").hexdigest()),
    ('sha1("a")', hashlib.sha1(b"a").hexdigest()),
    ('sha256("a")', hashlib.sha256(b"a").hexdigest()),
    ('sha512("a")', hashlib.sha512(b"a").hexdigest()),
    ('base64sha256("a")', "ypeBEsobvcr6wjGzmiPcTaeG7/gUfE5yuYB3ha/uSLs="),
    ('base64sha512("a")', "H0D8ktokFpR1CXnubPWC8tXX0o4YM13gWrxU0FYOD1MChgxlK/CNVgJSql50IQVG82n7u86MEs/HlXsmUv6adQ=="),
    ('uuidv5("dns", "example.com")', "cfbff0d1-9375-5685-968c-48ce8b15ae17"),
    ('tostring(1)', "1"),
    ('tonumber("2")', 2),
    ('tobool("true")', True),
    ("tolist([1])", [1]),
    ("toset([1, 1])", [1]),
    ("tomap({a = 1})", {"a": 1}),
    ('convert("5", number)', 5),
    ("can(nope.x)", False),
    ('try(nope.x, "fallback")', "fallback"),
    ('basename("/a/b.txt")', "b.txt"),
    ('dirname("/a/b.txt")', "/a"),
    ('pathexpand("/abs")', "/abs"),
]


@pytest.mark.parametrize("text, expected", CASES, ids=[c[0][:40] for c in CASES])
def test_function(run, text, expected):
    assert run(text) == expected


def test_uuidv4_is_random_and_well_formed(run):
    first, second = run("uuidv4()"), run("uuidv4()")
    assert first != second
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", first)


def test_filesystem_functions(run, tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_text("A")
    (tmp_path / "sub" / "b.sh").write_text("B")
    (tmp_path / "tpl.tftpl").write_text("hi ${name}%{ for x in items } ${x}%{ endfor }")
    assert run('file("sub/a.txt")') == "A"
    assert run('fileexists("sub/a.txt")') is True
    assert run('fileexists("sub/zz")') is False
    assert run('fileset("sub", "*.txt")') == ["a.txt"]
    assert run('abspath("sub")') == os.path.join(str(tmp_path), "sub")
    assert run('templatefile("tpl.tftpl", {name = "you", items = [1, 2]})') == "hi you 1 2"


def test_every_listed_function_has_a_case():
    covered = {re.match(r"[a-z0-9_]+", text).group(0) for text, _expected in CASES}
    covered |= {"uuidv4", "file", "fileexists", "fileset", "abspath", "templatefile", "env"}  # env: test_hcl2_templates
    assert set(ALL_NAMES) - covered == set()


@pytest.mark.parametrize("text, words", [
    ("upper(1, 2)", "expects 1 argument"),
    ("upper([1])", "Invalid value for argument 1"),
    ('file("nope")', 'failed to read "nope"'),
    ("nosuch()", 'There is no function named "nosuch"'),
    ('vault("a", "b")', "not supported by cattle"),
    ('element([], 0)', "empty list"),
])
def test_function_errors(run, text, words):
    with pytest.raises(HCLError) as caught:
        run(text)
    assert words in str(caught.value)
    assert caught.value.pos[1] == 1
