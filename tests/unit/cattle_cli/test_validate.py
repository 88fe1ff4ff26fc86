"""`cattle validate`: output, exit codes, flags."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from cattle_cli.commands import validate

GOOD = {"variables": {"who": "world"}, "builders": [{"type": "null", "communicator": "none", "name": "nb"}],
        "provisioners": [{"type": "shell-local", "inline": ["echo {{user `who`}}"]}]}


@pytest.fixture
def template(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    def _write(content, name="t.json"):
        (tmp_path / name).write_text(content if isinstance(content, str) else json.dumps(content, indent=2))
        return name

    return _write


def test_valid_template(template, capsys):
    assert validate.run([template(GOOD)]) == 0
    assert capsys.readouterr().out == "Template validated successfully.\n"


def test_syntax_only(template, capsys):
    bad_config = dict(GOOD, builders=[{"type": "docker"}])
    assert validate.run(["-syntax-only", template(bad_config)]) == 0
    assert capsys.readouterr().out == "Syntax-only check passed. Everything looks okay.\n"
    assert validate.run([template(bad_config)]) == 1


def test_errors_have_file_line_column_and_path(template, capsys):
    name = template({"builders": [{"type": "null", "communicator": "none", "comment": "x"}]})
    assert validate.run([name]) == 1
    err = capsys.readouterr().err
    assert "Template validation failed." in err
    assert "Error: t.json:1:" not in err  # positions are real, not a default
    assert "Error: t.json:6:7: builders[0].comment: unknown configuration key: '\"comment\"'" in err


def test_parse_errors_exit_1(template, capsys):
    assert validate.run([template('{"builders": [}')]) == 1
    assert "t.json:1:15: Error parsing JSON: invalid character '}' looking for beginning of value" in capsys.readouterr().err


def test_vars_var_files_only_except(template, capsys):
    name = template({"variables": {"need": None}, "builders": [
        {"type": "null", "communicator": "none", "name": "a"}, {"type": "docker", "name": "broken"}]})
    varfile = template({"need": "from-file"}, "vars.json")
    assert validate.run(["-var", "need=x", name]) == 1  # the docker build is broken
    assert validate.run(["-var", "need=x", "-only=a", name]) == 0
    assert validate.run(["-var-file", varfile, "-except", "broken", name]) == 0
    assert validate.run(["-except=broken", name]) == 1
    assert "required variable not set: need" in capsys.readouterr().err


def test_usage_errors_exit_1(template, capsys):
    assert validate.run([]) == 1
    assert validate.run(["-nope", template(GOOD)]) == 1
    assert validate.run(["-var", "novalue", template(GOOD)]) == 1
    assert "Usage: cattle validate" in capsys.readouterr().err


def test_machine_readable(template, capsys):
    assert validate.run(["-machine-readable", template(GOOD)]) == 0
    timestamp, target, kind, level, text = capsys.readouterr().out.strip().split(",")
    assert timestamp.isdigit() and target == "" and (kind, level) == ("ui", "say")
    assert text == "Template validated successfully."
    assert validate.run(["-machine-readable", template({"builders": [{"type": "docker", "image": "a,b"}]})]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert all(line.split(",")[2:4] == ["ui", "error"] for line in lines)
    assert "%!(PACKER_COMMA)" in "\n".join(lines)


def test_sensitive_values_never_printed(template, capsys):
    name = template({"variables": {"pw": "hunter2"}, "sensitive-variables": ["pw"],
                     "builders": [{"type": "docker", "image": "{{user `pw`}}", "commit": "{{user `pw`}}"}]})
    assert validate.run([name]) == 1
    err = capsys.readouterr().err
    assert "<sensitive>" in err and "hunter2" not in err


def test_command_line_without_ansible(template):
    name = template(GOOD)
    code = (f"import sys; from cattle_cli.main import main; rc = main(['validate', {name!r}]); "
            "print(rc, any(m == 'ansible' or m.startswith('ansible.') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=os.getcwd()).stdout
    assert out.splitlines()[-1] == "0 False"


def test_a_reader_that_goes_away_gets_no_traceback(template):
    # `cattle validate … | head -1`: stdout is a pipe nobody reads any more.
    name = template({"builders": [{"type": "docker", "bogus": index} for index in range(2000)]})
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = subprocess.run([sys.executable, "-m", "cattle_cli.main", "validate", "-machine-readable", name], stdout=write_end,
                                stderr=subprocess.PIPE, text=True, check=False)
    finally:
        os.close(write_end)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "BrokenPipeError" not in result.stderr, result.stderr
