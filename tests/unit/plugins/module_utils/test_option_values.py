"""Packer's weak typing of option values: what the builders and the SSH communicator accept."""

from __future__ import annotations

import pytest

from ansible_collections.cattle.images.plugins.module_utils.option_values import to_bool, to_int


@pytest.mark.parametrize("value, expected", [
    (True, True), (False, False), (1, True), (0, False), (-3, True),
    ("true", True), (" Yes ", True), ("ON", True), ("t", True), ("y", True), ("1", True),
    ("false", False), ("No", False), ("off", False), ("f", False), ("n", False), ("0", False), ("", False),
    ("  ", False),
])
def test_bool_words_and_numbers(value, expected):
    assert to_bool("headless", value) is expected


@pytest.mark.parametrize("value", ["maybe", "2", "truee", None, [True], {"a": 1}, 1.0])
def test_bool_refuses_anything_else_naming_the_key(value):
    with pytest.raises(ValueError) as caught:
        to_bool("headless", value)
    assert str(caught.value) == f"headless: expected a boolean, got {value!r}"


def test_bool_takes_floats_and_wording_when_asked():
    assert to_bool("k", 0.0, floats=True) is False and to_bool("k", 0.5, floats=True) is True
    with pytest.raises(ValueError, match=r"^force: expected true or false, got 'maybe'$"):
        to_bool("force", "maybe", expected="true or false")


@pytest.mark.parametrize("value, expected", [(2, 2), ("8", 8), (" 42 ", 42), ("-1", -1), (0, 0), ("007", 7)])
def test_int_from_numbers_and_digits(value, expected):
    assert to_int("cpus", value) == expected


@pytest.mark.parametrize("value", [True, False, "many", "1.5", 1.5, 2.0, "", None, "0x10", [1]])
def test_int_refuses_bools_fractions_and_words(value):
    with pytest.raises(ValueError) as caught:
        to_int("cpus", value)
    assert str(caught.value) == f"cpus: expected a whole number, got {value!r}"


def test_int_wording_when_asked():
    with pytest.raises(ValueError, match=r"^ssh_port: expected an integer, got 'x'$"):
        to_int("ssh_port", "x", expected="an integer")
