from __future__ import annotations

import os
import pty
import threading

from ansible_collections.cattle.images.plugins.plugin_utils.terminal import ask


def test_ask_reads_an_answer_from_the_given_terminal(monkeypatch):
    controller, follower = pty.openpty()
    monkeypatch.setenv("CATTLE_TTY", os.ttyname(follower))  # the cattle command names its tty
    seen = []

    def user():
        buffer = b""
        while b"? " not in buffer:
            buffer += os.read(controller, 1024)
        seen.append(buffer)
        os.write(controller, b"x\n")  # not a choice: asked again
        buffer = b""
        while b"? " not in buffer:
            buffer += os.read(controller, 1024)
        os.write(controller, b"a\n")

    thread = threading.Thread(target=user, daemon=True)
    thread.start()
    try:
        assert ask("clean up or abort? ", choices=("c", "a")) == "a"
    finally:
        thread.join(5)
        os.close(controller)
        os.close(follower)
    assert b"clean up or abort? " in seen[0]


def test_no_terminal_means_no_answer(monkeypatch):
    monkeypatch.setenv("CATTLE_TTY", "none")
    assert ask("anything? ") is None
    monkeypatch.setenv("CATTLE_TTY", "/nonexistent/tty")
    assert ask("anything? ") is None
