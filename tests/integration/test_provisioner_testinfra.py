"""The testinfra provisioner through `cattle build`: tests run against the machine being built,
over its own connection, and a failing test stops publication (no tag, no push, no AMI)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import urllib.error
import uuid
from xml.etree import ElementTree

import pytest

from tests.fixtures import qemu_image
from tests.integration.plugins.action.test_docker_push import registry, registry_tags  # noqa: F401 pylint: disable=unused-import
from tests.integration.test_build_amazon_ebs import REGION, assert_nothing_left, images_named, instance_standin  # noqa: F401 pylint: disable=unused-import
from tests.integration.test_build_amazon_ebs import cattle as cattle_with_moto
from tests.integration.test_build_amazon_ebs import template as aws_template

pytestmark = [pytest.mark.docker, pytest.mark.slow]

PASSING = '''
def test_marker(host):
    assert host.file("/srv/marker").content_string.strip() == "provisioned"


def test_environment_reaches_pytest():
    import os
    assert os.environ["EXPECTED_MARKER"] == "provisioned"
'''
FAILING = '''
def test_os(host):
    assert host.file("/etc/debian_version").exists


def test_nginx_is_installed(host):
    assert host.package("nginx").is_installed
'''


def docker(*args, check=True):
    return subprocess.run(["docker", *args], capture_output=True, text=True, check=check)


def cattle(venv_bin, *args, cwd, timeout=600):
    return subprocess.run([os.path.join(venv_bin, "cattle"), "build", "-color=false", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout, check=False)


@pytest.fixture
def names():
    suffix = uuid.uuid4().hex[:8]
    made = {"build": f"testinfra-it-{suffix}", "repository": f"local/testinfra-it-{suffix}"}
    yield made
    refs = docker("images", "-q", made["repository"], check=False).stdout.split()
    refs += docker("images", "-q", "--filter", f"label=cattle.build_name={made['build']}", check=False).stdout.split()
    if refs:
        docker("rmi", "-f", *set(refs), check=False)


def docker_template(workdir, names, tests_source, post_processors, junit_xml="reports/junit.xml"):
    (workdir / "tests").mkdir()
    (workdir / "tests" / "test_image.py").write_text(tests_source)
    doc = {
        "builders": [{"type": "docker", "name": names["build"], "image": "local/debian:bookworm", "pull": False,
                      "commit": True}],
        "provisioners": [
            {"type": "shell", "inline": ["echo provisioned > /srv/marker"]},
            {"type": "testinfra", "tests": ["tests"], "environment_vars": ["EXPECTED_MARKER=provisioned"],
             "extra_arguments": ["-v"], **({"junit_xml": junit_xml} if junit_xml else {})},
        ],
        "post-processors": [post_processors],
    }
    path = workdir / "template.json"
    path.write_text(json.dumps(doc))
    return path


def leftovers(names):
    containers = docker("ps", "-aq", "--filter", f"label=cattle.build_name={names['build']}").stdout.split()
    images = docker("images", "-q", "--filter", f"label=cattle.build_name={names['build']}").stdout.split()
    return containers, images


def test_passing_tests_let_the_image_be_tagged_and_recorded(venv_bin, tmp_path, names):
    path = docker_template(tmp_path, names, PASSING, [
        {"type": "docker-tag", "repository": names["repository"], "tags": ["tested"]},
        {"type": "manifest", "output": "manifest.json"},
    ])
    result = cattle(venv_bin, path, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Testing with testinfra: tests" in result.stdout
    assert "Tests passed: 2 passed" in result.stdout
    docker("image", "inspect", f"{names['repository']}:tested")

    cases = ElementTree.parse(tmp_path / "reports" / "junit.xml").getroot().iter("testcase")
    assert sorted(case.get("name") for case in cases) == ["test_environment_reaches_pytest",
                                                          "test_marker[ansible://default]"]
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["builds"][0]["tests"] == [{
        "files": ["tests"],
        "summary": "2 passed",
        "results": [{"id": "tests/test_image.py::test_marker[ansible://default]", "outcome": "passed"},
                    {"id": "tests/test_image.py::test_environment_reaches_pytest", "outcome": "passed"}],
    }]
    # Nothing of the run's private files (the inventory with the connection's variables) is left in the workdir.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["manifest.json", "reports", "template.json", "tests"]

    # The report is not overwritten without -force; with it, it is.
    again = cattle(venv_bin, path, cwd=tmp_path)
    assert again.returncode == 1
    assert "junit_xml: " in again.stdout and "already exists" in again.stdout
    assert cattle(venv_bin, "-force", path, cwd=tmp_path).returncode == 0


def test_failing_test_stops_the_build_before_anything_is_published(venv_bin, tmp_path, names, registry):  # noqa: F811
    pushed = f"{registry['server']}/cattle/{names['build']}"
    path = docker_template(tmp_path, names, FAILING, [
        {"type": "docker-tag", "repository": names["repository"], "tags": ["tested"]},
        {"type": "docker-tag", "repository": pushed, "tags": ["tested"]},
        {"type": "docker-push", "login": True, "login_server": registry["server"],
         "login_username": registry["user"], "login_password": registry["password"]},
    ])
    result = cattle(venv_bin, path, cwd=tmp_path)
    assert result.returncode == 1, result.stdout
    assert f"Build '{names['build']}' errored" in result.stdout
    # The error names the failing test by its node id, and only it.
    assert "Tests failed (1 passed, 1 failed): tests/test_image.py::test_nginx_is_installed[ansible://default]" \
        in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert "Committing the container" not in result.stdout
    assert "Running post-processor" not in result.stdout
    assert docker("image", "inspect", f"{names['repository']}:tested", check=False).returncode != 0
    with pytest.raises(urllib.error.HTTPError) as missing:
        registry_tags(registry, f"cattle/{names['build']}")
    assert missing.value.code == 404
    assert leftovers(names) == ([], [])
    # The report of a failed run is still written: it says what failed.
    failures = [case.get("name") for case in ElementTree.parse(tmp_path / "reports" / "junit.xml").getroot()
                .iter("testcase") if case.find("failure") is not None]
    assert failures == ["test_nginx_is_installed[ansible://default]"]


def test_failing_test_registers_no_ami(moto_server, instance_standin, tmp_path):  # noqa: F811
    marker = uuid.uuid4().hex[:10]
    (tmp_path / "test_instance.py").write_text(
        f'def test_marker(host):\n    assert host.file("/tmp/{marker}").exists\n\n'
        'def test_missing(host):\n    assert host.file("/etc/never-there").exists\n')
    path = aws_template(tmp_path, instance_standin, marker, provisioners=[
        {"type": "shell", "inline": [f"echo {marker} > /tmp/{marker}"]},
        {"type": "testinfra", "tests": ["test_instance.py"]},
    ])
    result = cattle_with_moto(moto_server, path, cwd=tmp_path, timeout=400)
    assert result.returncode == 1, result.stdout
    assert "Tests failed (1 passed, 1 failed): test_instance.py::test_missing[ansible://default]" in result.stdout
    assert images_named(moto_server, f"cattle it {marker}", REGION) == []
    assert_nothing_left(moto_server, marker)


# --- cattle test: the same tests against an existing image ---------------------------------------

THROWAWAY = re.compile(r"==> Starting a throw-away container (cattle-test-[0-9a-f]{12}) ")


def throwaway_containers(output):
    """The containers ``cattle test`` said it started, among those that exist now. Asked by name: the
    other worker's tests make labelled containers of their own meanwhile."""
    names = THROWAWAY.findall(output)
    assert names, output
    existing = docker("ps", "-a", "--format", "{{.Names}}").stdout.split()
    return [name for name in names if name in existing]


def cattle_test(venv_bin, *args, cwd, env=None):
    return subprocess.run([os.path.join(venv_bin, "cattle"), "test", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=600, check=False, env=env)


def test_cattle_test_on_a_docker_image(venv_bin, tmp_path):
    (tmp_path / "test_base.py").write_text(FAILING)
    failed = cattle_test(venv_bin, "-junit-xml", "out/junit.xml", "local/debian:bookworm", "test_base.py",
                         cwd=tmp_path)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "Tests failed (1 passed, 1 failed): test_base.py::test_nginx_is_installed[ansible://default]" \
        in failed.stdout
    assert (tmp_path / "out" / "junit.xml").exists()
    assert "Removed the test container" in failed.stdout

    passed = cattle_test(venv_bin, "-env", "EXPECTED_MARKER=provisioned", "local/debian:bookworm", "test_base.py",
                         "--", "-k", "test_os or environment", cwd=tmp_path)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Tests passed: 1 passed" in passed.stdout
    assert throwaway_containers(failed.stdout + passed.stdout) == []


def test_cattle_test_removes_its_container_on_an_interrupt(venv_bin, tmp_path):
    (tmp_path / "test_slow.py").write_text("import time\n\ndef test_wait(host):\n    time.sleep(600)\n")
    process = subprocess.Popen([os.path.join(venv_bin, "cattle"), "test", "local/debian:bookworm", "test_slow.py"],
                               cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    started = ""
    try:
        for line in process.stdout:  # the container exists once this line is printed and pytest starts
            started += line
            if line.startswith("collected") or "test session starts" in line:
                break
        assert throwaway_containers(started), "no test container while the tests run"
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 1
    assert "Interrupted: the test container was removed." in err
    assert throwaway_containers(started) == []


def test_cattle_test_names_a_missing_image(venv_bin, tmp_path):
    (tmp_path / "test_base.py").write_text(FAILING)
    result = cattle_test(venv_bin, "local/testinfra-no-such-image:never", "test_base.py", cwd=tmp_path)
    assert result.returncode == 1
    assert "Error: local/testinfra-no-such-image:never is no Docker image here" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_cached_rebuild_runs_the_tests_again(venv_bin, tmp_path, names):
    path = docker_template(tmp_path, names, PASSING, [
        {"type": "docker-tag", "repository": names["repository"], "tags": ["tested"]},
        {"type": "manifest", "output": "manifest.json"},
    ], junit_xml="")
    try:
        for run in ("first", "cached"):
            result = cattle(venv_bin, "-cache", "-force", path, cwd=tmp_path)
            assert result.returncode == 0, result.stdout + result.stderr
            assert "Tests passed: 2 passed" in result.stdout, run
        # The shell step before the tests came from its layer; the tests ran against the container again.
        assert "Using the cached layer" in result.stdout
        assert ("Step cache: not cached: provisioner 1 (testinfra) and every later one run without the cache: "
                "its tests must run against this build's container on every build") in result.stdout
        manifest = json.loads((tmp_path / "manifest.json").read_text())
        assert manifest["builds"][-1]["tests"][0]["summary"] == "2 passed"
    finally:
        layers = docker("images", "cattle-cache", "--format", "{{.ID}}").stdout.split()
        for image_id in set(layers):
            comment = docker("image", "inspect", "--format", "{{.Comment}}", image_id, check=False).stdout
            if f'"{names["build"]}/' in comment:
                for tag in docker("image", "inspect", "--format", "{{join .RepoTags \" \"}}", image_id,
                                  check=False).stdout.split():
                    docker("rmi", tag, check=False)


@pytest.fixture(scope="module")
def qemu_disk():
    qemu_image.skip_without_qemu()
    return qemu_image.ensure_qemu_image()


def test_cattle_test_boots_a_qcow2_disk_and_leaves_it_unchanged(venv_bin, tmp_path, qemu_disk):
    # The fixture's disk has no Python: the commands travel through Ansible's raw module over SSH.
    (tmp_path / "test_vm.py").write_text(
        'def test_os(host):\n    assert host.file("/etc/debian_version").exists\n\n'
        'def test_guest_user(host):\n    assert host.user("cattle").exists\n\n'
        'def test_no_python(host):\n    assert host.run("command -v python3").rc != 0\n')
    before = os.stat(qemu_disk)
    # The password comes from the environment, out of the process list.
    result = cattle_test(venv_bin, "-ssh-username", "root", qemu_disk, "test_vm.py", cwd=tmp_path,
                         env={**os.environ, "CATTLE_SSH_PASSWORD": qemu_image.ROOT_PASSWORD})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Tests passed: 3 passed" in result.stdout
    assert "Stopped the VM and removed its overlay" in result.stdout
    after = os.stat(qemu_disk)
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert qemu_image.ROOT_PASSWORD not in result.stdout + result.stderr


def test_cattle_test_wants_credentials_for_a_disk(venv_bin, tmp_path):
    (tmp_path / "disk.qcow2").write_bytes(b"QFI\xfb")
    (tmp_path / "test_vm.py").write_text("def test_nothing():\n    pass\n")
    result = cattle_test(venv_bin, "disk.qcow2", "test_vm.py", cwd=tmp_path)
    assert result.returncode == 1
    assert "disk.qcow2 is a disk: give -ssh-username and a password (CATTLE_SSH_PASSWORD or -ssh-password) or " \
           "-ssh-private-key-file" in result.stderr
