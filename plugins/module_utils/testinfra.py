# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Running pytest-testinfra against one machine, and reading what it found.

Shared by the ``testinfra`` provisioner (the build host, before capture) and ``cattle test``
(an existing image). Pure Python: the pytest command line, the JUnit report's test cases
as pytest node ids with their outcomes, and the words for a failed run.
"""

from __future__ import annotations

import os
import sys
from xml.etree import ElementTree

from ansible_collections.cattle.images.plugins.module_utils.errors import CattleError

# The one host of the generated inventory, so node ids read ``test_x[ansible://default]``.
HOST_ALIAS = "default"
# pytest's exit codes (pytest.ExitCode) other than 0 and 1, in words.
PYTEST_EXIT_REASONS = {
    2: "pytest was interrupted",
    3: "pytest hit an internal error",
    4: "pytest was called wrongly (see its output above)",
    5: "no tests were collected",
}
FAILED_OUTCOMES = ("failed", "error")
# The pytest plugin that sends each command through Ansible's raw module (no Python on the target).
RAW_PLUGIN = "ansible_collections.cattle.images.plugins.plugin_utils.testinfra_raw"
# The directory holding this collection's ansible_collections/, for the pytest process to import RAW_PLUGIN.
COLLECTIONS_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))))))


class TestinfraError(CattleError):
    """The tests could not run or did not pass; the text names the failing tests."""

    __test__ = False  # not a pytest test class, despite its name


def testinfra_installed():
    try:
        import testinfra  # noqa: F401  pylint: disable=unused-import
    except ImportError:
        return False
    return True


def pytest_argv(tests, inventory, report, extra_arguments=(), rootdir=None, python=None):
    """``python -m pytest`` against the inventory's one host, over Ansible's own connection plugin.

    ``--force-ansible``: every command goes through the connection Ansible uses for the host
    (docker_api, ssh, winrm), not a second client testinfra would build from the same variables;
    ``RAW_PLUGIN`` runs them with the raw module, so the host needs no Python.
    xunit1 puts each test's file in the report, which gives exact node ids; they are relative to
    ``rootdir`` (the template's directory), not to wherever pytest would find an ini file above it.
    """
    rooted = [f"--rootdir={rootdir}"] if rootdir else []
    return [python or sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", RAW_PLUGIN,
            "-o", "junit_family=xunit1", *rooted,
            f"--hosts=ansible://{HOST_ALIAS}", f"--ansible-inventory={inventory}", "--force-ansible",
            f"--junitxml={report}", *extra_arguments, *tests]


def pytest_environment(base_env, inventory):
    """The environment of the pytest run: ``ansible`` of this installation first on PATH."""
    env = dict(base_env)
    bin_dir = os.path.dirname(sys.executable)
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", os.defpath)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (COLLECTIONS_ROOT, env.get("PYTHONPATH")) if p)
    # Molecule's older testinfra files find their hosts through this variable: they run unchanged.
    env["MOLECULE_INVENTORY_FILE"] = inventory
    return env


def _node_id(case):
    name = case.get("name", "")
    path = case.get("file")
    classname = case.get("classname", "")
    if not path:  # xunit2: the module's dotted path only
        return f"{classname.replace('.', '/')}.py::{name}" if classname else name
    module = path[:-3].replace("/", ".") if path.endswith(".py") else path.replace("/", ".")
    classes = classname[len(module) + 1:] if classname.startswith(module + ".") else ""
    return "::".join(part for part in (path, *classes.split("."), name) if part)


def read_junit(path):
    """``[{"id": node id, "outcome": passed|failed|error|skipped}]`` from a pytest JUnit report."""
    try:
        root = ElementTree.parse(path).getroot()
    except (OSError, ElementTree.ParseError):
        return []
    results = []
    for case in root.iter("testcase"):
        outcome = "passed"
        for child, word in (("failure", "failed"), ("error", "error"), ("skipped", "skipped")):
            if case.find(child) is not None:
                outcome = word
                break
        results.append({"id": _node_id(case), "outcome": outcome})
    return results


def summary(results):
    """``"2 passed, 1 failed"`` in a stable order."""
    counts = {}
    for result in results:
        counts[result["outcome"]] = counts.get(result["outcome"], 0) + 1
    order = ("passed", "failed", "error", "skipped")
    return ", ".join(f"{counts[word]} {word}" for word in order if counts.get(word)) or "no tests"


def failure_message(code, results):
    """The error of a pytest run that exited with ``code``, or None when it passed."""
    if code == 0:
        return None
    failing = [result["id"] for result in results if result["outcome"] in FAILED_OUTCOMES]
    if failing:
        return f"Tests failed ({summary(results)}): " + ", ".join(failing)
    return f"Tests did not pass: {PYTEST_EXIT_REASONS.get(code, f'pytest exited with status {code}')}"


def record(tests, results):
    """What the manifest keeps of one run: its test paths, each node id with its outcome, a count."""
    return {"files": list(tests), "summary": summary(results), "results": results}
