"""Key events to QMP input-send-event batches; a real QMP session with QEMU."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from ansible_collections.cattle.images.plugins.module_utils.bootcommand import parse
from ansible_collections.cattle.images.plugins.module_utils.qemu.qmp import QMP, QMPError, char_qcode, key_batches


def keys(steps):
    """Each step as Packer's VNC typist sends it: one key down/up, or a wait."""
    flat = []
    for kind, payload in steps:
        if kind == "wait":
            flat.append(("wait", payload))
            continue
        assert len(payload) == 1  # one event per batch: the interval follows every key down and up
        flat.append((payload[0]["data"]["key"]["data"], payload[0]["data"]["down"]))
    return flat


def test_plain_and_shifted_characters():
    assert keys(key_batches(parse("aZ!"))) == [
        ("a", True), ("a", False),
        ("shift", True), ("z", True), ("z", False), ("shift", False),
        ("shift", True), ("1", True), ("1", False), ("shift", False)]


def test_specials_holds_and_waits():
    assert keys(key_batches(parse("<enter><leftCtrlOn>c<leftCtrlOff><wait2><f12><spacebar><aOn>"))) == [
        ("ret", True), ("ret", False), ("ctrl", True), ("c", True), ("c", False), ("ctrl", False),
        ("wait", 2.0), ("f12", True), ("f12", False), ("spc", True), ("spc", False), ("a", True)]


def test_every_key_event_is_followed_by_the_interval_and_waits_by_their_duration():
    sent, slept = [], []

    class Recorder(QMP):
        def execute(self, command, **arguments):
            sent.append(arguments["events"])
            slept.append("sent")

    Recorder("unused").type_events(parse("A<wait5>b<wait500ms>"), key_interval=0.25, sleep=slept.append)
    assert len(sent) == 6
    assert slept == ["sent", 0.25] * 4 + [5.0] + ["sent", 0.25] * 2 + [0.5]


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
            assert slept == [0.01] * 6 + [1.0]
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
