"""Packer's boot_command syntax parsed into neutral key events."""

from __future__ import annotations

import pytest

from ansible_collections.cattle.images.plugins.module_utils.bootcommand import (
    KeyEvent,
    describe,
    parse,
    parse_duration,
)


def press(key, special=False):
    return KeyEvent("press", key, special=special)


def test_plain_text_is_typed_character_by_character():
    assert parse("ls -l") == [press(c) for c in "ls -l"]


def test_special_keys_are_case_insensitive_and_canonical():
    assert parse("<ENTER><Esc><tab><F10><f1><return><pageUp><spacebar>") == [
        press("enter", True), press("esc", True), press("tab", True), press("f10", True), press("f1", True),
        press("enter", True), press("pageUp", True), press("spacebar", True),
    ]


@pytest.mark.parametrize("text, seconds", [
    ("<wait>", 1.0), ("<wait5>", 5.0), ("<wait10>", 10.0), ("<wait1m>", 60.0), ("<wait1m30s>", 90.0),
    ("<wait500ms>", 0.5), ("<WAIT2s>", 2.0), ("<wait0>", 0.0),
])
def test_waits(text, seconds):
    assert parse(text) == [KeyEvent("wait", seconds=seconds)]


def test_modifiers_hold_and_release():
    assert parse("<leftCtrlOn>x<leftCtrlOff>") == [
        KeyEvent("down", "leftCtrl", special=True), press("x"), KeyEvent("up", "leftCtrl", special=True),
    ]
    assert parse("<rightShiftON><leftaltoff>") == [
        KeyEvent("down", "rightShift", special=True), KeyEvent("up", "leftAlt", special=True),
    ]


def test_a_character_can_be_held():
    assert parse("<aOn><aOff>") == [KeyEvent("down", "a"), KeyEvent("up", "a")]


@pytest.mark.parametrize("text", ["<foo>", "<wait1x>", "<>", "<enter", "a<b", "<waitx>"])
def test_anything_else_is_typed_literally(text):
    assert parse(text) == [press(c) for c in text]


def test_a_stray_angle_bracket_before_an_expression():
    assert parse("<<enter>") == [press("<"), press("enter", True)]


def test_a_list_is_joined_as_packer_does():
    assert parse(["a<wa", "it>b"]) == [press("a"), KeyEvent("wait", seconds=1.0), press("b")]


def test_parse_duration():
    assert parse_duration("1h2m3s") == 3723.0
    assert parse_duration("1.5s") == 1.5
    assert parse_duration("5") is None
    assert parse_duration("") is None


def test_describe_round_trips_the_shape():
    assert describe(parse("ab<enter><wait5><leftCtrlOn>")) == "ab<enter><wait 5s><leftCtrlOn>"
