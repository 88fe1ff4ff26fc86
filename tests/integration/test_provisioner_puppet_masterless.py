"""puppet-masterless for real: Debian's puppet inside a container, over the docker_api connection;
a manifest using a module and hiera data is applied and the result checked in the container."""

from __future__ import annotations

import os
import sys
import uuid

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "plugins", "action"))
from provisioner_harness import in_container, run_tasks, ui_text, write_plan  # noqa: E402

from tests.fixtures.cm_images import ensure_cm_image  # noqa: E402

pytestmark = pytest.mark.docker

STAGE = "/tmp/packer-puppet-masterless"
FILES = {
    "modules/motd/manifests/init.pp": "class motd (String $message) {\n  file { '/etc/motd': content => \"${message}\\n\" }\n}\n",
    "manifests/site.pp": (
        "include motd\n"
        "file { '/etc/cattle-facts': content => \"${facts['packer_build_name']} ${facts['packer_builder_type']} "
        "${facts['role']}\\n\" }\n"),
    # hiera data travels with the manifest directory; the hiera config names where it lands
    "manifests/data/common.yaml": 'motd::message: "from hiera"\n',
    "hiera.yaml": (f"---\nversion: 5\ndefaults:\n  datadir: {STAGE}/manifests/data\n  data_hash: yaml_data\n"
                   "hierarchy:\n  - name: common\n    path: common.yaml\n"),
    "noop.pp": "file { '/etc/noop-file': content => 'x' }\n",
    "broken.pp": "this is not puppet\n",
}


@pytest.fixture(scope="module")
def puppet_container():
    import docker

    client = docker.from_env()
    created = client.containers.run(ensure_cm_image("puppet"), ["sleep", "infinity"], detach=True,
                                    name=f"cattle-test-puppet-{uuid.uuid4().hex[:8]}", labels={"cattle.test": "1"})
    try:
        yield created
    finally:
        created.remove(force=True)
        client.close()


@pytest.fixture(scope="module")
def results(puppet_container, tmp_path_factory):
    directory = tmp_path_factory.mktemp("puppet")
    for name, text in FILES.items():
        (directory / name).parent.mkdir(parents=True, exist_ok=True)
        (directory / name).write_text(text)
    provisioners = [
        # 0: manifest directory, module, hiera, facts; the default command with sudo -E (exit 2: changes applied)
        {"type": "puppet-masterless", "config": {"manifest_file": "manifests", "module_paths": ["modules"],
                                                 "hiera_config_path": "hiera.yaml", "facter": {"role": "web"}}},
        # 1: a manifest file, no sudo, extra arguments, the staging directory removed afterwards
        {"type": "puppet-masterless", "config": {"manifest_file": "noop.pp", "prevent_sudo": True, "extra_arguments": ["--noop"],
                                                 "staging_directory": "/tmp/cattle-puppet", "clean_staging_directory": True}},
        # 2: a manifest that does not compile: puppet's exit code 1 fails the build
        {"type": "puppet-masterless", "config": {"manifest_file": "broken.pp"}},
        # 3: ... unless ignore_exit_codes
        {"type": "puppet-masterless", "config": {"manifest_file": "broken.pp", "ignore_exit_codes": True}},
    ]
    plan = write_plan(directory, provisioners)
    tasks = [{"cattle.images.puppet_masterless": {"plan_file": plan, "build": "docker", "step": i}} for i in range(4)]
    return run_tasks(directory, tasks, container_name=puppet_container.name, plan_file=plan)


def test_manifest_with_module_and_hiera_data_really_applied(results, puppet_container):
    assert not results[0].get("failed"), results[0]
    assert in_container(puppet_container, "cat /etc/motd") == (0, "from hiera\n")
    assert in_container(puppet_container, "cat /etc/cattle-facts") == (0, "docker docker web\n")
    messages = ui_text(results[0], "message")
    assert (f"Running Puppet: cd {STAGE} && FACTER_packer_build_name='docker' FACTER_packer_builder_type='docker' "
            f"FACTER_role='web' sudo -E puppet apply --detailed-exitcodes --modulepath='{STAGE}/module-0' "
            f"--hiera_config='{STAGE}/hiera.yaml' {STAGE}/manifests") in messages
    assert "Applied catalog" in messages
    assert "Uploading local modules from: modules" in messages


def test_noop_without_sudo_and_clean_staging(results, puppet_container):
    assert not results[1].get("failed"), results[1]
    assert in_container(puppet_container, "test -e /etc/noop-file")[0] != 0
    assert in_container(puppet_container, "test -e /tmp/cattle-puppet")[0] != 0
    assert "sudo" not in ui_text(results[1])


def test_exit_codes(results):
    assert results[2]["failed"] is True
    assert results[2]["msg"] == "Puppet exited with a non-zero exit status: 1"
    assert "Could not parse" in ui_text(results[2], "error") + ui_text(results[2], "message")
    assert not results[3].get("failed"), results[3]
