"""`cattle test`'s command line: what it refuses before starting anything."""

from __future__ import annotations

from cattle_cli.main import main


def test_usage_errors_print_the_usage(capsys):
    assert main(["test", "local/debian:bookworm"]) == 1
    err = capsys.readouterr().err
    assert "cattle test needs an image or artifact and at least one test file or directory" in err
    assert "Usage: cattle test" in err


def test_missing_test_paths_are_named(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["test", "local/debian:bookworm", "tests", "other.py"]) == 1
    assert "Error: no test file or directory tests, other.py" in capsys.readouterr().err


def test_help_exits_zero(capsys):
    assert main(["test", "-h"]) == 0
    assert "IMAGE_OR_ARTIFACT" in capsys.readouterr().out
