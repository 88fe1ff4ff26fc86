"""The build's HTTP server: a detached child process, recorded in the ledger, swept by it."""

from __future__ import annotations

import urllib.request

import pytest

from ansible_collections.cattle.images.plugins.module_utils import httpserver, process
from ansible_collections.cattle.images.plugins.module_utils.ledger import Ledger


def get(port, path):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
        return response.read().decode()


@pytest.fixture
def work(tmp_path):
    path = tmp_path / "work"
    path.mkdir()
    yield path
    process.stop(httpserver.marker_path(str(path), "t1"))


def test_serves_a_directory_in_the_port_range_and_stops(tmp_path, work):
    www = tmp_path / "www"
    www.mkdir()
    (www / "hello.txt").write_text("hi there")
    ledger = Ledger(str(tmp_path / "ledger.jsonl"))
    server = httpserver.start(str(work), "t1", "b", directory=str(www), port_min=18100, port_max=18199, ledger=ledger)
    assert 18100 <= server["port"] <= 18199
    assert get(server["port"], "/hello.txt") == "hi there"
    [entry] = ledger.entries()
    assert entry["kind"] == "process" and entry["pid"] == server["pid"]
    assert httpserver.stop(str(work), "t1", ledger) is True
    assert ledger.entries() == []
    assert not process.alive(server["pid"], server["marker"])
    assert httpserver.stop(str(work), "t1") is False  # idempotent


def test_serves_http_content(work):
    server = httpserver.start(str(work), "t1", "b", content={"preseed.cfg": "d-i foo", "/a/b": "x"},
                              port_min=18200, port_max=18299)
    assert get(server["port"], "/preseed.cfg") == "d-i foo"
    assert get(server["port"], "/a/b") == "x"
    with pytest.raises(urllib.error.HTTPError):
        get(server["port"], "/other")


def test_a_ledger_sweep_stops_it(tmp_path, work):
    ledger = Ledger(str(tmp_path / "ledger.jsonl"))
    server = httpserver.start(str(work), "t1", "b", content={"x": "y"}, port_min=18300, port_max=18399, ledger=ledger)
    assert ledger.sweep() == []
    assert not process.alive(server["pid"], server["marker"])


def test_a_busy_range_is_an_error(work):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(httpserver.HTTPServerError, match="did not start"):
            httpserver.start(str(work), "t1", "b", content={"x": "y"}, port_min=port, port_max=port)


def test_bad_settings(tmp_path, work):
    with pytest.raises(httpserver.HTTPServerError, match="cannot both be set"):
        httpserver.start(str(work), "t1", "b", directory=str(tmp_path), content={"a": "b"})
    with pytest.raises(httpserver.HTTPServerError, match="no such directory"):
        httpserver.start(str(work), "t1", "b", directory=str(tmp_path / "nope"))
    with pytest.raises(httpserver.HTTPServerError, match="must be ports"):
        httpserver.start(str(work), "t1", "b", content={"a": "b"}, port_min=9000, port_max=8000)
