"""What `cattle` prints itself: the echo of ansible-playbook's output and the usage on -h."""

from __future__ import annotations

import io

import pytest

from cattle_cli import flags
from cattle_cli.main import main
from cattle_cli.output import PlaybookEcho


def echo(events, terminal):
    stream = io.StringIO()
    handler = PlaybookEcho(stream, terminal=terminal)
    for event in events:
        assert handler(event) is False  # runner need not write its per-event files
    return stream.getvalue()


# What runner hands over from ansible-playbook's pty: CR LF inside an event, none at its end.
PTY_EVENTS = [
    {"event": "runner_on_ok", "stdout": "==> docker: Provisioning\r\n    docker: hello\r\n    docker: bye"},
    {"event": "runner_on_ok", "stdout": ""},
    {"event": "verbose", "stdout": "    docker: 10%\r    docker: 100%"},
]


def test_off_a_terminal_lines_are_clean():
    assert echo(PTY_EVENTS, terminal=False) == (
        "==> docker: Provisioning\n    docker: hello\n    docker: bye\n    docker: 100%\n"
    )


def test_on_a_terminal_redraws_are_kept_and_the_terminal_adds_its_own_carriage_returns():
    assert echo(PTY_EVENTS, terminal=True) == (
        "==> docker: Provisioning\n    docker: hello\n    docker: bye\n    docker: 10%\r    docker: 100%\n"
    )


@pytest.mark.parametrize("argv", [["-h"], ["-help"], ["--help"], ["-machine-readable", "-h"]])
def test_help_prints_the_usage_and_succeeds(argv, capsys):
    assert main(argv) == 0
    out, err = capsys.readouterr()
    assert out.startswith("usage: cattle") and err == ""


@pytest.mark.parametrize("argv, first_line", [
    (["build", "-h"], "Usage: cattle build [options] TEMPLATE"),
    (["build", "-help"], "Usage: cattle build [options] TEMPLATE"),
    (["build", "-force", "t.json", "--help"], "Usage: cattle build [options] TEMPLATE"),
    (["validate", "-h"], "Usage: cattle validate"),
    (["inspect", "-h"], "Usage: cattle inspect"),
    (["cache", "prune", "-h"], "Usage: cattle cache list"),
])
def test_command_help_prints_its_usage_and_succeeds(argv, first_line, capsys):
    assert main(argv) == 0
    out, err = capsys.readouterr()
    assert out.startswith(first_line), out
    assert err == ""


def test_no_command_is_a_usage_error(capsys):
    assert main([]) == 127
    assert capsys.readouterr().err.startswith("usage: cattle")


def test_help_after_double_dash_is_an_argument():
    assert flags.wants_help(["-force", "t.json", "-h"])
    assert not flags.wants_help(["--", "-h"])
    assert not flags.wants_help(["-var", "x=-h", "t.json"])


def test_machine_readable_version_is_packers_four_lines(capsys):
    assert main(["-machine-readable", "version"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(",", 1)[1].rsplit(",", 1)[0] for line in lines] == [
        ",version", ",version-prelease", ",version-commit", ",ui,say"]
    assert all(int(line.split(",")[0]) > 1_700_000_000 for line in lines)  # a real timestamp
