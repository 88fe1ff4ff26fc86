"""Live output pieces (#18): whole lines from chunks, the live Ui, and the per-connection streaming wrappers."""

from __future__ import annotations

import subprocess
import threading
import types

import pytest

from ansible_collections.cattle.images.plugins.module_utils.ui import OutputLines, Ui
from ansible_collections.cattle.images.plugins.plugin_utils import streaming
from ansible_collections.cattle.images.plugins.plugin_utils.local import run_local
from ansible_collections.cattle.images.plugins.plugin_utils.output import live_sender, live_ui
from ansible_collections.cattle.images.plugins.plugin_utils.remote import Remote

OUTPUTS = [b"a\n\nb\n", b"a\r\n", b"x\r\ry\nz", b"50%\r100%\n", "h\u00e9llo\nw\u00fcrld\n".encode(), b"", b"\n",
           b"tail without newline"]


@pytest.mark.parametrize("data", OUTPUTS)
@pytest.mark.parametrize("size", [1, 2, 3, 64])
def test_chunked_output_gives_the_lines_of_the_whole_output(data, size):
    whole = Ui()
    whole.output(data, "error")
    chunked = Ui()
    lines = OutputLines(chunked, "error")
    for start in range(0, len(data), size):
        lines.feed(data[start:start + size])
    lines.close()
    assert chunked.lines == whole.lines


def test_a_partial_line_waits_for_its_newline():
    shown = []
    ui = Ui(live=lambda kind, text: shown.append((kind, text)) or True)
    lines = OutputLines(ui, "message")
    lines.feed(b"first\nsec")
    assert shown == [("message", "first")]
    lines.feed(b"ond")
    assert shown == [("message", "first")]
    lines.close()
    assert shown == [("message", "first"), ("message", "second")]
    assert ui.shown == [["message", "first"], ["message", "second"]] and ui.lines == []


def test_lines_the_live_sender_cannot_show_stay_for_the_result():
    ui = Ui(live=lambda kind, text: False)
    ui.say("kept")
    assert ui.lines == [["say", "kept"]] and ui.shown == []


def test_outside_an_ansible_worker_nothing_is_sent_live():
    assert live_sender("build", ()) is None
    assert live_ui({"inventory_hostname": "build"}).live is None


def test_the_live_sender_masks_and_sends_through_the_final_queue(monkeypatch):
    from ansible.utils.display import Display

    sent = []
    display = Display()
    monkeypatch.setattr(display, "_final_q", types.SimpleNamespace(send_display=lambda *args: sent.append(args)),
                        raising=False)
    monkeypatch.setattr(display, "cattle_images_live_line", lambda *args: None, raising=False)
    send = live_sender("build", ["s3cret"], "shell-local")
    assert send("message", "token s3cret here") is True
    assert sent == [("cattle_images_live_line", "build", "message", "token <sensitive> here", "shell-local")]


def test_run_local_gives_stdout_and_stderr_lines():
    ui = Ui()
    code = run_local(["sh", "-c", "echo out; echo err >&2; printf partial"], None, ui)
    assert code == 0
    assert sorted(ui.lines) == sorted([["message", "out"], ["error", "err"], ["message", "partial"]])


def test_tee_copies_every_byte_and_passes_each_chunk_on():
    data = bytes(range(256)) * 2000
    process = subprocess.Popen(["cat"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    seen = []
    copy = streaming._tee(process.stdout, seen.append)

    def feed():
        process.stdin.write(data)
        process.stdin.close()

    writer = threading.Thread(target=feed)
    writer.start()
    assert copy.read() == data
    writer.join()
    process.wait()
    assert b"".join(seen) == data


def test_ssh_streams_tee_the_pipes_of_popen_in_this_thread_only():
    module = types.SimpleNamespace(subprocess=subprocess)
    out, err = [], []
    with streaming._ssh_streams(module, out.append, err.append):
        assert module.subprocess is not subprocess
        process = module.subprocess.Popen(["sh", "-c", "echo to-out; echo to-err >&2"],
                                          stdout=module.subprocess.PIPE, stderr=module.subprocess.PIPE)
        stdout, stderr = process.stdout.read(), process.stderr.read()
        process.wait()
    assert module.subprocess is subprocess
    assert (stdout, stderr) == (b"to-out\n", b"to-err\n")
    assert (b"".join(out), b"".join(err)) == (b"to-out\n", b"to-err\n")


class FakeDockerClient:
    def __init__(self, frames):
        self.frames = frames
        self.calls = []

    def post_json_to_stream(self, pathfmt, *args, **kwargs):
        self.calls.append((pathfmt, kwargs.get("stream")))
        if kwargs.get("stream"):
            return iter(self.frames)
        return b"".join(f[0] or b"" for f in self.frames), b"".join(f[1] or b"" for f in self.frames)


def test_docker_api_exec_is_read_frame_by_frame():
    client = FakeDockerClient([(b"one\n", None), (None, b"oops\n"), (b"two\n", None)])
    connection = types.SimpleNamespace(client=client)
    out, err = [], []
    with streaming._docker_api_streams(connection, out.append, err.append):
        result = client.post_json_to_stream(streaming.DOCKER_EXEC_START, "id", stream=False, demux=True)
        assert client.post_json_to_stream("/other", stream=False) == (b"one\ntwo\n", b"oops\n")
    assert result == (b"one\ntwo\n", b"oops\n")
    assert (out, err) == ([b"one\n", b"two\n"], [b"oops\n"])
    assert client.calls == [(streaming.DOCKER_EXEC_START, True), ("/other", False)]
    assert "post_json_to_stream" not in vars(client)  # the client's own method again


def test_a_connection_that_cannot_stream_gives_the_output_at_the_end():
    class Connection:
        transport = "somewhere"

        def exec_command(self, command, in_data=None, sudoable=False):
            return 3, b"a\nb\n", b"c\n"

    ui = Ui()
    assert streaming.streaming_exec(Connection()) is None
    assert Remote(Connection()).run("x", ui=ui) == (3, b"a\nb\n", b"c\n")
    assert ui.lines == [["message", "a"], ["message", "b"], ["error", "c"]]


def test_ssh_connections_are_recognised():
    from ansible.plugins.loader import connection_loader

    assert streaming._ssh_module(object.__new__(connection_loader.get("ssh", class_only=True))) is not None
