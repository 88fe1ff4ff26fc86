"""`cattle test`: run pytest-testinfra tests against an existing image.

    cattle test [-junit-xml FILE] [-env K=V]… [-ssh-username U -ssh-password P|-ssh-private-key-file F]
                IMAGE_OR_ARTIFACT TESTS… [-- PYTEST_ARGUMENTS…]

The same tests, and the same way, as the ``testinfra`` provisioner runs them during a build:
pytest on this machine, testinfra's ``ansible://`` backend over Ansible's connection to the
machine. A Docker image (name, id or ``sha256:…``) runs in a throw-away container; a qcow2
disk boots under QEMU (the qemu builder's launch, on a copy-on-write overlay, so the disk is
never changed) and is reached over SSH with the ``-ssh-*`` credentials. Either is removed
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
from ansible_collections.cattle.images.plugins.module_utils.ui import Ui
from ansible_collections.cattle.images.plugins.plugin_utils import child_inventory
from cattle_cli import flags
from cattle_cli.collection import collections_path


class PrintingUi(Ui):
    """The qemu launch's progress, printed as it happens (its indented notes are left out)."""

    def say(self, text):
        print(f"==> {text}", flush=True)

    def message(self, text):
        pass


PASSWORD_VARIABLE = "CATTLE_SSH_PASSWORD"
FLAGS = [
    flags.Flag("junit-xml", "str", "", help="Write pytest's JUnit XML report to this file."),
    flags.Flag("env", "list", help="K=V: an environment variable for the tests (repeatable)."),
    flags.Flag("ssh-username", "str", "", help="qcow2: the user to log in as over SSH."),
    flags.Flag("ssh-password", "str", "",
               help="qcow2: that user's password (other users can read it in ps: prefer CATTLE_SSH_PASSWORD)."),
    flags.Flag("ssh-private-key-file", "str", "", help="qcow2: that user's private key."),
    flags.Flag("ssh-timeout", "str", "5m", help="qcow2: how long to wait for SSH after the boot."),
]
USAGE = flags.usage("test", "[options] IMAGE_OR_ARTIFACT TESTS... [-- PYTEST_ARGUMENTS...]", FLAGS) + (
    "\nIMAGE_OR_ARTIFACT is a Docker image (name, id or sha256:...), started in a throw-away container,\n"
    "or a qcow2 disk, booted under QEMU on an overlay and reached over SSH (-ssh-username and a password or key).\n"
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
    # SIGINT too, explicitly: a process started with SIGINT ignored (a background job, a pytest-xdist
    # worker's child) inherits that, and Python then raises no KeyboardInterrupt. Packer (Go's
    # signal.Notify) takes SIGINT back in that case as well.
    previous = {sig: signal.signal(sig, _interrupted) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        if os.path.isfile(artifact):
            return _test_qemu_disk(artifact, tests, pytest_arguments, dict(environment), parsed.values)
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


def _test_qemu_disk(path, tests, pytest_arguments, environment, options):
    from ansible_collections.cattle.images.plugins.module_utils.communicator import ssh
    from ansible_collections.cattle.images.plugins.module_utils.qemu import builder
    from ansible_collections.cattle.images.plugins.module_utils.qemu.config import ConfigError, normalize

    # The environment keeps the password out of the process list.
    password = options["ssh-password"] or os.environ.get(PASSWORD_VARIABLE, "")
    if not options["ssh-username"] or not (password or options["ssh-private-key-file"]):
        raise TestRunError(f"{path} is a disk: give -ssh-username and a password ({PASSWORD_VARIABLE} or "
                           "-ssh-password) or -ssh-private-key-file to reach it over SSH")
    scratch = tempfile.mkdtemp(prefix="cattle-test-qemu-")  # 0700: the overlay and the VM's files
    build_id = f"test-{uuid.uuid4().hex[:12]}"
    raw = {"iso_url": os.path.abspath(path), "iso_checksum": "none", "disk_image": True, "use_backing_file": True,
           "format": "qcow2", "output_directory": os.path.join(scratch, "disk"), "headless": True,
           "vm_name": "cattle-test.qcow2", "communicator": "ssh", "ssh_username": options["ssh-username"],
           "ssh_password": password, "ssh_private_key_file": options["ssh-private-key-file"],
           "ssh_timeout": options["ssh-timeout"]}
    raw = {key: value for key, value in raw.items() if value != ""}
    config = None
    try:
        config = normalize(raw, build_name="test", where="cattle test", cwd=os.getcwd())
        print(f"==> Booting {path} under QEMU (on an overlay; the disk itself is not changed)", flush=True)
        source = builder.launch(config, build_id, "test", ui=PrintingUi())
        settings = ssh.parse_ssh_settings(raw, host=source["host"], port=source["port"], cwd=os.getcwd())
        host_vars = ssh.ssh_host_vars(settings, control_path_dir=scratch)
        return _run_pytest(host_vars, tests, pytest_arguments, environment, options["junit-xml"],
                           wait=(settings.timeout, settings.handshake_attempts))
    except ConfigError as exc:
        raise TestRunError(str(exc)) from None
    finally:
        if config is not None:
            builder.remove(build_id, config["output_directory"], keep_output=False)
            print("==> Stopped the VM and removed its overlay", flush=True)
        shutil.rmtree(scratch, ignore_errors=True)


def _wait_for_host(inventory, env, timeout, handshake_attempts):
    """Wait until Ansible's connection reaches the host (Packer's SSH wait, over the same connection)."""
    from ansible_collections.cattle.images.plugins.module_utils.communicator import ssh

    class Say:
        @staticmethod
        def say(text):
            print(f"==> {text}", flush=True)

        error = say

    def try_connect():
        probe = subprocess.run([child_inventory.sibling("ansible"), testinfra.HOST_ALIAS, "-i", inventory, "-m", "raw",
                                "-a", "true"], env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                               check=False)
        return None if probe.returncode == 0 else (probe.stdout + probe.stderr).strip()[-500:]

    outcome = ssh.wait_for(try_connect, timeout, handshake_attempts, Say())
    if not outcome.connected:
        raise TestRunError(outcome.error)


def _run_pytest(host_vars, tests, pytest_arguments, environment, junit_xml, wait=None):
    """pytest against the one host ``host_vars`` describe; the exit status (0 passed, 1 otherwise)."""
    private = tempfile.mkdtemp(prefix="cattle-test-")  # 0700: the inventory may hold credentials
    try:
        inventory = child_inventory.write_inventory(
            private, "inventory", child_inventory.inventory(testinfra.HOST_ALIAS, host_vars))
        report = os.path.join(private, "junit.xml")
        env = testinfra.pytest_environment(child_inventory.child_environment(), inventory)
        env["ANSIBLE_COLLECTIONS_PATH"] = collections_path()
        env.update(environment)
        if wait:
            _wait_for_host(inventory, env, *wait)
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
