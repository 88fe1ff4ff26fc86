"""Packer's weak typing of option values: what the builders and the SSH communicator accept."""

from __future__ import annotations

import pytest

from ansible_collections.cattle.images.plugins.module_utils.errors import CattleError
from ansible_collections.cattle.images.plugins.module_utils.option_values import (
    ConfigError,
    read_option,
    read_options,
    to_bool,
    to_int,
    to_list,
    to_map,
    to_rows,
    to_str,
)


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


@pytest.mark.parametrize("value, expected", [(None, ""), ("a", "a"), (3, "3"), (1.5, "1.5")])
def test_str_from_strings_and_numbers(value, expected):
    assert to_str("vm_name", value) == expected


@pytest.mark.parametrize("value", [True, ["a"], {"a": "b"}])
def test_str_refuses_bools_and_collections(value):
    with pytest.raises(ValueError, match=r"^vm_name: expected a string, got "):
        to_str("vm_name", value)


def test_list_splits_a_string_at_commas_unless_told_not_to():
    assert to_list("cap_add", "A,B") == ["A", "B"]
    assert to_list("export_opts", " a , ,b ", strip=True) == ["a", "b"]
    assert to_list("run_command", "-d,-t", split=False) == ["-d,-t"]
    assert to_list("cap_add", [1, "x"]) == ["1", "x"] and to_list("cap_add", None) == [] and to_list("cap_add", "") == []
    with pytest.raises(ValueError, match=r"^cap_add: expected a list of strings, got \[\[1\]\]$"):
        to_list("cap_add", [[1]])


def test_rows_and_maps():
    assert to_rows("qemuargs", [["-m", 1024]], "[[...]]") == [["-m", "1024"]]
    with pytest.raises(ValueError, match=r"^qemuargs: expected a list of non-empty lists of strings, e\.g\. X$"):
        to_rows("qemuargs", [[]], "X", non_empty=True)
    assert to_map("volumes", {"/a": 1}) == {"/a": "1"}
    assert to_map("qemu_img_args", {"convert": ["-o", "x"]}, strings=False) == {"convert": ["-o", "x"]}
    with pytest.raises(ValueError, match=r"^volumes: expected a mapping of paths, got \['/a:/b'\]$"):
        to_map("volumes", ["/a:/b"], what="a mapping of paths")


@pytest.mark.parametrize("kind, value, expected", [
    ("bool", "yes", True), ("int", " 8 ", 8), ("duration", "1m30s", 90.0), ("duration", 5, 5.0),
    ("list", "a,b", ["a", "b"]), ("map", {"k": 1}, {"k": "1"}), ("trilean", None, None), ("trilean", "off", False),
])
def test_read_option_by_spec_type(kind, value, expected):
    assert read_option(kind, "opt", value) == expected


def test_read_option_duration_names_the_option():
    with pytest.raises(ValueError, match=r"^boot_wait: expected a duration such as 10s, 1m30s or 500ms, got 'soon'$"):
        read_option("duration", "boot_wait", "soon")


def test_config_error_is_the_users_message_with_every_problem():
    error = ConfigError(["a: bad", "b: worse"], "qemu builder")
    assert isinstance(error, CattleError) and isinstance(error, ValueError)
    assert str(error) == "qemu builder: a: bad; b: worse" and error.problems == ["a: bad", "b: worse"]


def test_read_options_fills_defaults_and_finds_every_problem_in_one_pass():
    defaults = {"host_port_min": 2222, "cpus": 1, "ssh_port": 22, "tags": []}
    problems = []
    config = read_options(
        {"type": "qemu", "ssh_host_port_min": "3000", "cpus": "x", "ssh_username": "u", "ssh_port": "2200",
         "floppy_files": ["a"], "cd_files": [], "bogus": 1, "disable_vnc": True},
        defaults, to_int, problems, aliases={"ssh_host_port_min": "host_port_min"},
        unsupported={"floppy_files": "floppy_files is not supported", "cd_files": "cd_files is not supported"},
        ignored=("disable_vnc",))
    assert config == {"host_port_min": 3000, "cpus": 1, "ssh_port": 2200, "tags": []}
    assert config["tags"] is not defaults["tags"]
    assert problems == ["cpus: expected a whole number, got 'x'", "floppy_files is not supported",
                        "unknown configuration key: 'bogus'"]
