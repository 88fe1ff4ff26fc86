"""Key events to QMP input-send-event batches; a real QMP session with QEMU."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from ansible_collections.cattle.images.plugins.module_utils.bootcommand import parse
from ansible_collections.cattle.images.plugins.module_utils.qemu.qmp import QMP, QMPError, char_qcode, key_batches


def keys(batch):
    return [(event["data"]["key"]["data"], event["data"]["down"]) for event in batch]


def test_plain_and_shifted_characters():
    steps = key_batches(parse("aZ!"))
    assert [kind for kind, _events in steps] == ["keys", "keys", "keys"]
    assert keys(steps[0][1]) == [("a", True), ("a", False)]
    assert keys(steps[1][1]) == [("shift", True), ("z", True), ("z", False), ("shift", False)]
    assert keys(steps[2][1]) == [("shift", True), ("1", True), ("1", False), ("shift", False)]


def test_specials_holds_and_waits():
    steps = key_batches(parse("<enter><leftCtrlOn>c<leftCtrlOff><wait2><f12><spacebar>"))
    assert keys(steps[0][1]) == [("ret", True), ("ret", False)]
    assert keys(steps[1][1]) == [("ctrl", True)]
    assert keys(steps[3][1]) == [("ctrl", False)]
    assert steps[4] == ("wait", 2.0)
    assert keys(steps[5][1]) == [("f12", True), ("f12", False)]
    assert keys(steps[6][1]) == [("spc", True), ("spc", False)]


@pytest.mark.parametrize("char, qcode", [(" ", ("spc", False)), ("/", ("slash", False)), (":", ("semicolon", True)),
                                         ("{", ("bracket_left", True)), ("9", ("9", False)), ("~", ("grave_accent", True))])
def test_us_layout(char, qcode):
    assert char_qcode(char) == qcode


def test_an_untypable_character_is_an_error():
    with pytest.raises(QMPError, match="cannot be typed"):
        char_qcode("é")


@pytest.mark.skipif(shutil.which("qemu-system-x86_64") is None, reason="QEMU is not installed")
def test_a_real_monitor_accepts_the_keys(tmp_path):
    sock = str(tmp_path / "qmp.sock")
    child = subprocess.Popen(["qemu-system-x86_64", "-machine", "pc,accel=tcg", "-nodefaults", "-display", "none",
                              "-m", "16M", "-device", "isa-debug-exit", "-qmp",
                              f"unix:{sock},server=on,wait=off"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        with QMP(sock) as monitor:
            assert monitor.execute("query-status")["status"] == "running"
            slept = []
            monitor.type_events(parse("ls<enter><wait1>"), key_interval=0.01, sleep=slept.append)
            assert slept == [0.01, 0.01, 0.01, 1.0]
            with pytest.raises(QMPError, match="QEMU refused no-such-command"):
                monitor.execute("no-such-command")
            monitor.execute("quit")
        assert child.wait(timeout=10) == 0
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()


def test_connecting_to_nothing_fails_clearly(tmp_path):
    with pytest.raises(QMPError, match="cannot connect to the QEMU monitor"):
        QMP(str(tmp_path / "none.sock")).connect(wait=0.2)
