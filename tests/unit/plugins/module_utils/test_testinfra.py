"""The pure part of the testinfra provisioner and `cattle test`: argv, JUnit node ids, verdicts."""

from __future__ import annotations

from ansible_collections.cattle.images.plugins.module_utils import cache, testinfra

XUNIT1 = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" errors="1" failures="1" skipped="1" tests="5">
<testcase classname="tests.test_web" name="test_port[ansible://default]" file="tests/test_web.py" line="3" time="1"/>
<testcase classname="tests.test_web" name="test_nginx[ansible://default]" file="tests/test_web.py" line="7" time="1">
  <failure message="assert False">assert False</failure></testcase>
<testcase classname="tests.test_web.TestUsers" name="test_app[ansible://default]" file="tests/test_web.py" line="12"
  time="1"><error message="fixture">broken</error></testcase>
<testcase classname="tests.test_web" name="test_later" file="tests/test_web.py" line="20" time="0">
  <skipped message="not yet">skip</skipped></testcase>
</testsuite></testsuites>
"""
XUNIT2 = """<testsuites><testsuite><testcase classname="tests.test_web" name="test_port"/></testsuite></testsuites>"""


def test_node_ids_and_outcomes_from_the_junit_report(tmp_path):
    report = tmp_path / "junit.xml"
    report.write_text(XUNIT1)
    assert testinfra.read_junit(report) == [
        {"id": "tests/test_web.py::test_port[ansible://default]", "outcome": "passed"},
        {"id": "tests/test_web.py::test_nginx[ansible://default]", "outcome": "failed"},
        {"id": "tests/test_web.py::TestUsers::test_app[ansible://default]", "outcome": "error"},
        {"id": "tests/test_web.py::test_later", "outcome": "skipped"},
    ]
    report.write_text(XUNIT2)
    assert testinfra.read_junit(report) == [{"id": "tests/test_web.py::test_port", "outcome": "passed"}]


def test_a_missing_or_broken_report_reads_as_no_results(tmp_path):
    assert testinfra.read_junit(tmp_path / "absent.xml") == []
    (tmp_path / "broken.xml").write_text("<testsuites>")
    assert testinfra.read_junit(tmp_path / "broken.xml") == []


def test_failure_message_names_every_failing_test():
    results = [{"id": "a.py::ok", "outcome": "passed"}, {"id": "a.py::bad", "outcome": "failed"},
               {"id": "a.py::Cls::broken", "outcome": "error"}]
    assert testinfra.failure_message(1, results) == \
        "Tests failed (1 passed, 1 failed, 1 error): a.py::bad, a.py::Cls::broken"
    assert testinfra.failure_message(0, results[:1]) is None
    assert testinfra.failure_message(5, []) == "Tests did not pass: no tests were collected"
    assert testinfra.failure_message(9, []) == "Tests did not pass: pytest exited with status 9"


def test_pytest_runs_over_the_ansible_connection_with_the_report_and_the_users_arguments():
    argv = testinfra.pytest_argv(["tests"], "/run/inv.json", "/run/r.xml", ["-k", "web"], rootdir="/tpl",
                                 python="/venv/bin/python")
    assert argv[:3] == ["/venv/bin/python", "-m", "pytest"]
    assert {"--hosts=ansible://default", "--ansible-inventory=/run/inv.json", "--force-ansible",
            "--junitxml=/run/r.xml", "--rootdir=/tpl"} <= set(argv)
    assert argv[-3:] == ["-k", "web", "tests"]


def test_environment_puts_this_installations_ansible_first_and_names_the_inventory():
    env = testinfra.pytest_environment({"PATH": "/usr/bin"}, "/run/inv.json")
    assert env["PATH"].endswith(":/usr/bin") and env["PATH"] != "/usr/bin"
    assert env["MOLECULE_INVENTORY_FILE"] == "/run/inv.json"


def test_the_step_cache_never_stands_in_for_a_testinfra_step():
    assert cache.step_kind({"type": "testinfra", "config": {"tests": ["tests"]}}) == "barrier"
