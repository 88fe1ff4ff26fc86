"""The testinfra provisioner's checks and check mode, without a build host."""

from __future__ import annotations

import os

from tests.fixtures.actions import run_action


def test_check_mode_says_what_would_run_and_runs_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tests").mkdir()
    result = run_action("testinfra", {"config": {"tests": ["tests"], "extra_arguments": "-k web"}}, check_mode=True)
    assert not result.get("failed"), result
    [(kind, line)] = result["ui"]
    assert kind == "say" and line.startswith("Check mode: would run: ")
    assert "--hosts=ansible://default --ansible-inventory=<temporary inventory> --force-ansible" in line
    assert line.endswith("-k web tests")
    assert "ansible_facts" not in result


def test_mistakes_are_reported_together_naming_the_option(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "report.xml").write_text("<testsuites/>")
    result = run_action("testinfra", {"config": {"tests": ["missing"], "environment_vars": ["NOVALUE"],
                                                 "junit_xml": "report.xml", "colour": True}}, check_mode=True)
    assert result["failed"]
    message = result["msg"]
    assert message.startswith("testinfra provisioner: ")
    assert "Bad tests 'missing': stat missing: no such file or directory" in message
    assert "environment_vars: environment variable not in format 'key=value': NOVALUE" in message
    assert f"junit_xml: {os.path.join(str(tmp_path), 'report.xml')} already exists" in message
    assert "colour" in message


def test_tests_are_required(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_action("testinfra", {"config": {}}, check_mode=True)
    assert result["failed"] and "tests must be specified." in result["msg"]
