"""Packer's template functions."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

import pytest

from ansible_collections.cattle.images.plugins.module_utils.template.errors import GoTemplateError
from ansible_collections.cattle.images.plugins.module_utils.template.functions import (
    PACKER_COMPAT_VERSION,
    FuncContext,
    clean_resource_name_for,
    context_funcs,
    go_time_format,
    time_ordered_uuid,
)
from ansible_collections.cattle.images.plugins.module_utils.template.gotemplate import Evaluator, parse

MOMENT = datetime(2026, 11, 24, 9, 5, 7, 504000, tzinfo=UTC)


def render(text, **ctx):
    funcs = context_funcs(FuncContext(init_time=MOMENT, **ctx))
    return Evaluator(funcs).render(parse(text, funcs))


@pytest.mark.parametrize(
    ("layout", "expected"),
    [
        ("2006-01-02T15:04:05Z07:00", "2026-11-24T09:05:07Z"),
        ("2006-01-02", "2026-11-24"),
        ("20060102150405", "20261124090507"),
        ("Mon Jan _2 03:04:05.000 PM MST -0700", "Tue Nov 24 09:05:07.504 AM UTC +0000"),
        ("Monday January 2 2006", "Tuesday November 24 2026"),
        ("1/2/06 3:4:5 pm", "11/24/26 9:5:7 am"),
        ("-07:00 Z0700 .999 .000000", "+00:00 Z .504 .504000"),
        ("_2006", "_2026"),
    ],
)
def test_go_layouts(layout, expected):
    # Reference output checked against packer 1.6.6's isotime for the same layout.
    assert go_time_format(MOMENT, layout) == expected


def test_isotime_default_and_layout_and_arity():
    assert render("{{isotime}}") == "2026-11-24T09:05:07Z"
    assert render('{{isotime "2006-01-02"}}') == "2026-11-24"
    with pytest.raises(GoTemplateError, match="too many values"):
        render("{{isotime `a` `b`}}")


def test_timestamp_and_strftime():
    assert render("{{timestamp}}") == str(int(MOMENT.timestamp()))
    assert render("{{strftime `%Y/%m/%d`}}") == "2026/11/24"


def test_uuid_is_time_ordered():
    now = time.time()
    value = time_ordered_uuid(now)
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", value)
    assert int(value[:8], 16) == int(now)
    assert time_ordered_uuid(now) != value
    assert re.fullmatch(r"[0-9a-f-]{36}", render("{{uuid}}"))


def test_split():
    assert render("{{ split `a,b,c` `,` 2 }}") == "c"
    with pytest.raises(GoTemplateError, match="the substring 3 was unavailable using the separator value, ,"):
        render("{{ split `a,b,c` `,` 3 }}")


def test_replace_and_case():
    assert render("{{ replace `a` `b` 2 `aaa` }}") == "bba"
    assert render("{{ replace `a` `b` -1 `aaa` }}") == "bbb"
    assert render("{{ `some-name` | replace `-` `/` 1 }}") == "some/name"
    assert render("{{ replace_all `-` `/` `a-b-c` }}") == "a/b/c"
    assert render("{{ upper `abc` }}{{ lower `DEF` }}") == "ABCdef"


def test_clean_resource_name_only_where_the_builder_offers_it():
    amazon = clean_resource_name_for("amazon-ebs")
    assert amazon("a:b*c (d) [e] ./-'@_") == "a-b-c (d) [e] ./-'@_"
    assert clean_resource_name_for("googlecompute")("My_Image.1") == "my-image-1"
    assert clean_resource_name_for("docker") is None
    assert render("{{ `x:y` | clean_resource_name }}", clean_resource_name=amazon) == "x-y"
    with pytest.raises(GoTemplateError, match='function "clean_resource_name" not defined'):
        render("{{ `x:y` | clean_resource_name }}")


def test_context_functions():
    assert render("{{build_name}}/{{build_type}}", build_name="b", build_type="null") == "b/null"
    with pytest.raises(GoTemplateError, match="build_name not available"):
        render("{{build_name}}")
    assert render("{{template_dir}}", template_path="/x/y/t.json") == "/x/y"
    assert render("{{pwd}}", cwd="/somewhere") == "/somewhere"
    assert render("{{packer_version}}") == PACKER_COMPAT_VERSION == "1.6.6"


def test_user_and_env_rules(monkeypatch):
    monkeypatch.setenv("CATTLE_T", "v")
    assert render("[{{user `nope`}}]") == "[]"
    with pytest.raises(GoTemplateError, match="env vars are not allowed here"):
        render("{{env `CATTLE_T`}}")
    assert render("{{env `CATTLE_T`}}", in_variables=True) == "v"
    with pytest.raises(GoTemplateError, match="variable not set: nope"):
        render("{{user `nope`}}", in_variables=True)
