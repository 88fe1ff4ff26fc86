from __future__ import annotations

import pytest

from ansible_collections.cattle.images.plugins.module_utils.durations import (
    format_go_duration,
    key_interval,
    parse_go_duration,
    seconds,
)


@pytest.mark.parametrize("text, expected", [
    ("1h30m", 5400.0), ("500ms", 0.5), ("1.5s", 1.5), ("-2m", -120.0), ("0", 0.0), ("1m0.5s", 60.5),
])
def test_go_durations_read_as_seconds(text, expected):
    assert parse_go_duration(text) == pytest.approx(expected)


@pytest.mark.parametrize("text, message", [
    ("5", 'time: missing unit in duration "5"'), ("5x", 'time: invalid duration "5x"'), ("", 'invalid duration ""'),
])
def test_bad_durations_say_what_go_says(text, message):
    with pytest.raises(ValueError, match=message):
        parse_go_duration(text)


def test_seconds_takes_numbers_and_go_strings():
    assert seconds(None) == 0.0 and seconds(3) == 3.0 and seconds("2.5") == 2.5 and seconds("1m") == 60.0
    with pytest.raises(ValueError, match="expected a duration"):
        seconds(True)
    with pytest.raises(ValueError, match="expected a duration"):
        seconds("soon")


@pytest.mark.parametrize("value, text", [(300, "5m0s"), (0.5, "500ms"), (3600, "1h0m0s"), (1.5, "1.5s"), (0, "0s")])
def test_durations_print_like_go(value, text):
    assert format_go_duration(value) == text


@pytest.mark.parametrize("configured, environ, expected", [
    (0.25, {"PACKER_KEY_INTERVAL": "20ms"}, 0.25), (None, {"PACKER_KEY_INTERVAL": "20ms"}, 0.02),
    (0.0, {}, 0.1), (None, {"PACKER_KEY_INTERVAL": "10"}, 0.1), (None, {"PACKER_KEY_INTERVAL": "0"}, 0.0),
])
def test_key_interval_as_packers_typists_take_it(configured, environ, expected):
    assert key_interval(configured, environ) == expected
