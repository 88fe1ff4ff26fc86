"""`cattle test`: run pytest-testinfra tests against an existing image.

    cattle test [-junit-xml FILE] [-env K=V]… IMAGE_OR_ARTIFACT TESTS… [-- PYTEST_ARGUMENTS…]

The same tests, and the same way, as the ``testinfra`` provisioner runs them during a build:
pytest on this machine, testinfra's ``ansible://`` backend over Ansible's connection to the
machine. A Docker image (name, id or ``sha256:…``) runs in a throw-away container, removed
afterwards — also on Ctrl-C or SIGTERM. Exit status 0 when every test passed, 1 otherwise.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import uuid

from ansible_collections.cattle.images.plugins.module_utils import testinfra
from ansible_collections.cattle.images.plugins.module_utils.errors import CattleError
from ansible_collections.cattle.images.plugins.plugin_utils import child_inventory
from cattle_cli import flags
from cattle_cli.collection import collections_path

FLAGS = [
    flags.Flag("junit-xml", "str", "", help="Write pytest's JUnit XML report to this file."),
    flags.Flag("env", "list", help="K=V: an environment variable for the tests (repeatable)."),
]
USAGE = flags.usage("test", "[options] IMAGE_OR_ARTIFACT TESTS... [-- PYTEST_ARGUMENTS...]", FLAGS) + (
    "\nIMAGE_OR_ARTIFACT is a Docker image (name, id or sha256:...), started in a throw-away container.\n"
    "TESTS are pytest-testinfra test files or directories. Exit status: 0 when every test passed, 1 otherwise.\n"
)
# Labels the throw-away container carries, so it can be told apart from build containers.
CONTAINER_LABEL = "cattle.test"


class TestRunError(CattleError):
    """The tests could not be run against the artifact; the text says why."""

    __test__ = False


def run(argv):
    try:
        parsed = flags.parse(argv, FLAGS)
        args, pytest_arguments = _split_pytest_arguments(parsed.args)
        if len(args) < 2:
            raise flags.UsageError("cattle test needs an image or artifact and at least one test file or directory")
        environment = [flags.parse_var(entry) for entry in parsed.values["env"]]
    except flags.UsageError as exc:
        sys.stderr.write(f"{exc}\n\n{USAGE}")
        return 1
    artifact, tests = args[0], args[1:]
    missing = [path for path in tests if not os.path.exists(path)]
    if missing:
        sys.stderr.write(f"Error: no test file or directory {', '.join(missing)}\n")
        return 1
    if not testinfra.testinfra_installed():
        sys.stderr.write("Error: cattle test needs pytest-testinfra (pip install pytest-testinfra)\n")
        return 1
    previous = {sig: signal.signal(sig, _interrupted) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        return _test_docker_image(artifact, tests, pytest_arguments, dict(environment), parsed.values["junit-xml"])
    except CattleError as exc:
        sys.stderr.write(f"Error: {exc}\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("Interrupted: the test container was removed.\n")
        return 1
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _interrupted(signum, frame):
    raise KeyboardInterrupt


def _split_pytest_arguments(args):
    if "--" in args:
        at = args.index("--")
        return args[:at], args[at + 1:]
    return args, []


def _test_docker_image(reference, tests, pytest_arguments, environment, junit_xml):
    from ansible_collections.cattle.images.plugins.module_utils.docker.client import connect, explain

    client = connect()
    try:
        image = client.images.get(reference)
    except Exception as exc:  # noqa: BLE001 - not found and every other failure are said the same way
        raise TestRunError(f"{reference} is no Docker image here ({explain(exc, 'look it up')})") from None
    name = f"cattle-test-{uuid.uuid4().hex[:12]}"
    print(f"==> Starting a throw-away container {name} from {reference} ({image.short_id})", flush=True)
    container = None
    try:
        # A shell waiting on its terminal keeps the container up whatever the image's own command is.
        container = client.containers.create(image.id, entrypoint=["/bin/sh"], command=[], tty=True,
                                             stdin_open=True, name=name, labels={CONTAINER_LABEL: "1"})
        container.start()
        host_vars = {"ansible_connection": "community.docker.docker_api", "ansible_host": name,
                     "ansible_python_interpreter": "auto_silent"}
        return _run_pytest(host_vars, tests, pytest_arguments, environment, junit_xml)
    except Exception as exc:
        if not type(exc).__module__.startswith("docker."):
            raise
        raise TestRunError(explain(exc, f"run a container from {reference}")) from None
    finally:
        if container is not None:
            try:
                container.remove(force=True)
            except Exception as exc:  # noqa: BLE001 - say so, and name what is left
                sys.stderr.write(f"Error: could not remove the test container {name}: {exc}\n")
            else:
                print(f"==> Removed the test container {name}", flush=True)


def _run_pytest(host_vars, tests, pytest_arguments, environment, junit_xml):
    """pytest against the one host ``host_vars`` describe; the exit status (0 passed, 1 otherwise)."""
    private = tempfile.mkdtemp(prefix="cattle-test-")  # 0700: the inventory may hold credentials
    try:
        inventory = child_inventory.write_inventory(
            private, "inventory", child_inventory.inventory(testinfra.HOST_ALIAS, host_vars))
        report = os.path.join(private, "junit.xml")
        env = testinfra.pytest_environment(child_inventory.child_environment(), inventory)
        env["ANSIBLE_COLLECTIONS_PATH"] = collections_path()
        env.update(environment)
        argv = testinfra.pytest_argv(tests, inventory, report, pytest_arguments, rootdir=os.getcwd())
        child = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL)
        try:
            code = child.wait()
        except KeyboardInterrupt:
            child.terminate()
            child.wait()
            raise
        results = testinfra.read_junit(report)
        if junit_xml and os.path.exists(report):
            if os.path.dirname(junit_xml):
                os.makedirs(os.path.dirname(junit_xml), exist_ok=True)
            shutil.copyfile(report, junit_xml)
    finally:
        shutil.rmtree(private, ignore_errors=True)
    error = testinfra.failure_message(code, results)
    if error:
        print(f"==> {error}", flush=True)
        return 1
    print(f"==> Tests passed: {testinfra.summary(results)}", flush=True)
    return 0
