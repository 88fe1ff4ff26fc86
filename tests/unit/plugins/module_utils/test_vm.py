"""The local VM builders' shared steps: ports, display, private work dir, output directory, HTTP server."""

from __future__ import annotations

import os
import socket
import sys
import tempfile
import urllib.request

import pytest

from ansible_collections.cattle.images.plugins.module_utils import httpserver, vm
from ansible_collections.cattle.images.plugins.module_utils.ledger import Ledger
from ansible_collections.cattle.images.plugins.module_utils.qemu import config as qemu_config
from ansible_collections.cattle.images.plugins.module_utils.virtualbox import config as virtualbox_config


class StepError(Exception):
    pass


@pytest.fixture
def private_tmp(tmp_path, monkeypatch):
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    return tmp_path / "tmp"


def test_free_port_skips_busy_and_excluded_ports_and_raises_the_callers_error():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        port = busy.getsockname()[1]
        with pytest.raises(StepError, match=f"^no free port between {port} and {port} on 127.0.0.1$"):
            vm.free_port(port, port, error=StepError)
        with pytest.raises(StepError, match="no free port"):
            vm.free_port(port, port + 1, exclude=(port + 1,), error=StepError)
        assert vm.free_port(port, port + 1, error=StepError) == port + 1


def test_headless_without_a_display_says_what_runs_instead(monkeypatch):
    monkeypatch.setattr(sys, "platform", "linux")
    shown, hidden = {"headless": False}, {"headless": True}
    headless, note = vm.headless_setting(shown, {}, fallback="watch it elsewhere")
    assert headless is True
    assert note == "headless is false but there is no display (DISPLAY is not set): watch it elsewhere"
    assert vm.headless_setting(shown, {"DISPLAY": ":0"}, fallback="x") == (False, "")
    assert vm.headless_setting(shown, {"WAYLAND_DISPLAY": "wayland-0"}, fallback="x") == (False, "")
    assert vm.headless_setting(hidden, {}, fallback="x") == (True, "")
    assert vm.headless_setting(shown, {}, fallback="x", display_platforms=("darwin",))[0] is True
    monkeypatch.setattr(sys, "platform", "darwin")
    assert vm.headless_setting(shown, {}, fallback="x", display_platforms=("darwin",)) == (False, "")


def test_work_dir_is_private_to_the_build_and_removal_is_idempotent(private_tmp):
    path = vm.work_dir("cattle-test-", "b1")
    assert path == os.path.join(str(private_tmp), "cattle-test-b1")
    os.makedirs(os.path.join(path, "inner"))
    assert vm.remove_work_dir("cattle-test-", "b1") is True
    assert not os.path.exists(path)
    assert vm.remove_work_dir("cattle-test-", "b1") is False


def test_output_directory_is_recorded_refused_when_present_and_forced(tmp_path):
    ledger = Ledger(str(tmp_path / "ledger.jsonl"))
    config = {"output_directory": str(tmp_path / "output-b"), "force": False}
    vm.prepare_output_directory(config, "b", ledger, kind="test_output", error=StepError)
    assert os.path.isdir(config["output_directory"])
    assert [(e["kind"], e["name"]) for e in ledger.entries()] == [("test_output", config["output_directory"])]
    (tmp_path / "output-b" / "disk").write_text("old")
    with pytest.raises(StepError, match=r"^Output directory exists: .*output-b\. Use the force flag \(-force\)"):
        vm.prepare_output_directory(config, "b", None, kind="test_output", error=StepError)
    vm.prepare_output_directory(config | {"force": True}, "b", None, kind="test_output", error=StepError)
    assert os.listdir(config["output_directory"]) == []


def test_release_output_directory_keeps_or_deletes_and_releases(tmp_path):
    ledger = Ledger(str(tmp_path / "ledger.jsonl"))
    path = tmp_path / "output-b"
    path.mkdir()
    ledger.record(build="b", kind="test_output", name=str(path))
    assert vm.release_output_directory(str(path), True, ledger, kind="test_output") is False
    assert path.is_dir() and ledger.entries() == []
    assert vm.release_output_directory(str(path), False, None, kind="test_output") is True
    assert not path.exists()
    assert vm.release_output_directory(str(path), False, None, kind="test_output") is False
    assert vm.remove_output_directory({"name": str(path)}) is False  # the ledger cleaner: gone is fine


def test_http_server_serves_the_content_and_its_errors_are_the_callers(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    config = {"http_directory": "", "http_content": {"/ks.cfg": "install"}, "http_port_min": 18300,
              "http_port_max": 18399, "http_bind_address": ""}
    server = vm.start_http_server(config, str(work), "v1", "b", None, error=StepError)
    try:
        assert 18300 <= server["port"] <= 18399
        with urllib.request.urlopen(f"http://127.0.0.1:{server['port']}/ks.cfg", timeout=5) as response:
            assert response.read() == b"install"
    finally:
        httpserver.stop(str(work), "v1")
    with pytest.raises(StepError, match="http_directory .*: no such directory"):
        vm.start_http_server(config | {"http_directory": str(tmp_path / "none"), "http_content": {}},
                             str(work), "v2", "b", None, error=StepError)


@pytest.mark.parametrize(("configured", "expected"), [(0.0, 10.0), (None, 10.0), (-1.0, 0.0), (2.5, 2.5)])
def test_boot_wait_reads_zero_as_packers_default_and_negative_as_no_wait(configured, expected):
    # Packer 1.6.6's BootConfig.Prepare: "boot_wait": "0s" waits 10 s ("Waiting 10s for boot..."
    # in a qemu build of tests/compat/qemu/templates/provision.json); "-1s" does not wait.
    assert vm.boot_wait(configured) == expected


@pytest.mark.parametrize(("builder", "written", "expected"), [
    ("qemu", "0s", 10.0), ("qemu", "-1s", 0.0), ("virtualbox-iso", "0s", 10.0), ("virtualbox-iso", "-1s", 0.0)])
def test_both_vm_builders_read_boot_wait_the_same_way(builder, written, expected, tmp_path):
    raw = {"iso_url": "disk.img", "iso_checksum": "none", "ssh_username": "u", "boot_wait": written}
    if builder == "qemu":
        config = qemu_config.normalize(dict(raw, disk_image=True), cwd=str(tmp_path))
    else:
        config = virtualbox_config.normalize(raw, builder_type=builder, cwd=str(tmp_path))
    assert config["boot_wait"] == expected
