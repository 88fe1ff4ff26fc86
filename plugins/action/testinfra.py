# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""cattle's ``testinfra`` provisioner: pytest-testinfra tests against the machine being built.

Packer has no such type. pytest runs on the controller; testinfra reaches the build host
through Ansible (its ``ansible://`` backend, forced), with a private one-host inventory
carrying the build host's own connection variables. A failing test fails the step, so
the build stops before anything is captured, tagged, pushed or registered. The node ids
and outcomes become the host fact ``cattle_tests``, which the manifest records.
"""

from __future__ import annotations

import os
import shlex
import shutil

from ansible_collections.cattle.images.plugins.module_utils import testinfra
from ansible_collections.cattle.images.plugins.plugin_utils import child_inventory
from ansible_collections.cattle.images.plugins.plugin_utils.common import UserError, as_list, unknown_keys
from ansible_collections.cattle.images.plugins.plugin_utils.local import run_local
from ansible_collections.cattle.images.plugins.plugin_utils.provisioner import ProvisionerAction, ProvisionError
from ansible_collections.cattle.images.plugins.plugin_utils.shell_env import packer_env, parse_environment_vars

KNOWN_KEYS = {"tests", "environment_vars", "extra_arguments", "junit_xml"}
# The host fact listing every testinfra run of the build, read by the manifest post-processor.
TESTS_FACT = "cattle_tests"


class ActionModule(ProvisionerAction):
    PROVISIONER_TYPE = "testinfra"

    def run(self, tmp=None, task_vars=None):
        self._record = None
        result = super().run(tmp, task_vars)
        if self._record is not None and not result.get("failed"):
            earlier = ((task_vars or {}).get("ansible_facts") or {}).get(TESTS_FACT) or []
            result["ansible_facts"] = {TESTS_FACT: list(earlier) + [self._record]}
        return result

    def prepare(self, config, context):
        problems = unknown_keys(config, KNOWN_KEYS)
        tests = as_list(config.get("tests"), "tests")
        if not tests:
            problems.append("tests must be specified.")
        for path in tests:
            if not os.path.exists(context.local_path(path)):
                problems.append(f"Bad tests '{path}': stat {path}: no such file or directory")
        try:
            env_pairs = parse_environment_vars(config.get("environment_vars"))
        except UserError as exc:
            problems.append(str(exc))
            env_pairs = []
        extra_arguments = config.get("extra_arguments") or []
        if isinstance(extra_arguments, str):
            extra_arguments = shlex.split(extra_arguments)
        junit_xml = context.local_path(config["junit_xml"]) if config.get("junit_xml") else ""
        if junit_xml and os.path.exists(junit_xml) and not context.force:
            # As Packer treats its outputs: an existing file is replaced only with -force.
            problems.append(f"junit_xml: {junit_xml} already exists; remove it or build with -force to replace it")
        if not testinfra.testinfra_installed():
            problems.append("the testinfra provisioner needs pytest-testinfra on the controller "
                            "(pip install pytest-testinfra)")
        if problems:
            raise UserError("; ".join(problems))
        return {
            "tests": [str(path) for path in tests],
            "env_pairs": env_pairs,
            "extra_arguments": [str(arg) for arg in extra_arguments],
            "junit_xml": junit_xml,
        }

    def describe(self, config, context, ui):
        argv = testinfra.pytest_argv(config["tests"], "<temporary inventory>", config["junit_xml"] or "<report>",
                                     config["extra_arguments"])
        ui.say(f"Check mode: would run: {' '.join(argv)}")

    def provision(self, config, context, ui, cancel):
        ui.say(f"Testing with testinfra: {' '.join(config['tests'])}")
        host_vars = child_inventory.connection_vars(self._task_vars, self._templar, self._connection,
                                                    self._play_context)
        document = child_inventory.inventory(testinfra.HOST_ALIAS, host_vars)
        inventory = child_inventory.write_inventory(context.private_dir, "cattle-testinfra", document)
        report = inventory[:-len(".json")] + "-junit.xml"
        cwd = context.cwd if os.path.isdir(context.cwd) else None
        try:
            env = testinfra.pytest_environment(child_inventory.child_environment(), inventory)
            env.update(packer_env(context, include_run_uuid=True))
            env.update(config["env_pairs"])
            argv = testinfra.pytest_argv(config["tests"], inventory, report, config["extra_arguments"], rootdir=cwd)
            try:
                code = run_local(argv, env, ui, cancel, cwd=cwd)
            except OSError as exc:
                raise ProvisionError(f"Error running pytest: {exc}") from None
            if code is None:
                raise ProvisionError("the testinfra provisioner was cancelled")
            results = testinfra.read_junit(report)
            if config["junit_xml"]:
                self._publish_report(report, config["junit_xml"], context, ui)
        finally:
            for path in (inventory, report):
                if os.path.exists(path):
                    os.unlink(path)
        error = testinfra.failure_message(code, results)
        if error:
            raise ProvisionError(error)
        ui.say(f"Tests passed: {testinfra.summary(results)}")
        self._record = testinfra.record(config["tests"], results)

    @staticmethod
    def _publish_report(report, target, context, ui):
        """Copy the JUnit report where the user asked, sensitive values masked (also when tests failed)."""
        if not os.path.exists(report):
            return
        with open(report, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
        for value in sorted((v for v in context.sensitive_values if v), key=len, reverse=True):
            text = text.replace(value, "&lt;sensitive&gt;")
        if os.path.dirname(target):
            os.makedirs(os.path.dirname(target), exist_ok=True)
        partial = target + ".tmp"
        with open(partial, "w", encoding="utf-8") as handle:
            handle.write(text)
        shutil.move(partial, target)
        ui.message(f"JUnit report: {target}")
