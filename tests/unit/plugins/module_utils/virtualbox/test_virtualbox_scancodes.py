"""Boot commands as PC/XT scancodes, on Packer's own examples (packer-plugin-sdk's pc_xt_driver tests)."""

from __future__ import annotations

import pytest

from ansible_collections.cattle.images.plugins.module_utils.bootcommand import parse
from ansible_collections.cattle.images.plugins.module_utils.virtualbox.scancodes import ScancodeError, plan


def codes(command):
    """Every code sent, in order (waits dropped)."""
    return [code for kind, payload in plan(parse(command)) if kind == "send" for code in payload]


def test_special_key_on_off_any_case():
    assert codes("<rightShift><rightshiftoff><RIGHTSHIFTON>") == ["36", "b6", "b6", "36"]


def test_extended_special_key_keeps_its_prefix():
    assert codes("<left>") == ["e0", "4b", "e0", "cb"]
    assert codes("<rightCtrl>") == ["e0", "1d", "e0", "9d"]


def test_capitals_are_wrapped_in_shift():
    assert codes("AbC") == ["2a", "1e", "9e", "aa", "30", "b0", "2a", "2e", "ae", "aa"]


def test_a_wait_sends_what_is_buffered_first():
    assert plan(parse("abc123<wait>098")) == [
        ("send", ["1e", "9e", "30", "b0", "2e", "ae", "02", "82", "03", "83", "04", "84"]),
        ("wait", 1.0),
        ("send", ["0b", "8b", "0a", "8a", "09", "89"]),
    ]


def test_enter_f10_and_wait5():
    assert plan(parse("<enter><f10><wait5>")) == [("send", ["1c", "9c", "44", "c4"]), ("wait", 5.0)]
    assert codes("<return>") == codes("<enter>")


def test_modifiers_held_across_keys():
    assert codes("<leftShiftOn>a<leftShiftOff>") == ["2a", "1e", "9e", "aa"]
    assert codes("<leftCtrlOn>c<leftCtrlOff>") == ["1d", "2e", "ae", "9d"]
    assert codes("<leftAltOn><f2><leftAltOff>") == ["38", "3c", "bc", "b8"]


def test_single_character_on_and_off():
    assert codes("<aOn><aOff>") == ["1e", "9e"]
    assert codes("<AOn><AOff>") == ["2a", "1e", "9e", "aa"]


def test_punctuation_and_space():
    assert codes(" -=") == ["39", "b9", "0c", "8c", "0d", "8d"]
    assert codes("/") == ["35", "b5"]
    assert codes("~") == ["2a", "29", "a9", "aa"]
    assert codes(":") == ["2a", "27", "a7", "aa"]
    assert codes('"') == ["2a", "28", "a8", "aa"]
    assert codes("|") == ["2a", "2b", "ab", "aa"]
    assert codes("?") == ["2a", "35", "b5", "aa"]


def test_calls_hold_at_most_25_codes_and_never_split_a_key():
    sends = [payload for kind, payload in plan(parse("A" * 20)) if kind == "send"]
    assert [len(payload) for payload in sends] == [24, 24, 24, 8]  # 4 codes per capital: 6 keys fit in 25
    assert all(payload[0] == "2a" and payload[-1] == "aa" for payload in sends)


def test_an_untypable_character_is_refused():
    with pytest.raises(ScancodeError, match="'é' cannot be typed"):
        plan(parse("café"))
    with pytest.raises(ScancodeError, match=r"'\\n' cannot be typed"):
        plan(parse("a\nb"))
