"""salt-masterless for real: Salt 3006 (from PyPI, installed offline into a fixture image) runs
`salt-call --local` in a container over the docker_api connection; states, pillar and grains applied."""

from __future__ import annotations

import os
import sys
import uuid

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "plugins", "action"))
from provisioner_harness import in_container, run_tasks, ui_text, write_plan  # noqa: E402

from tests.fixtures.cm_images import ensure_cm_image  # noqa: E402

pytestmark = pytest.mark.docker

FILES = {
    "salt/top.sls": "base:\n  '*':\n    - web\n",
    "salt/web.sls": "/etc/salt-motd:\n  file.managed:\n    - contents: \"{{ pillar['motd'] }} {{ grains['role'] }}\"\n",
    "pillar/top.sls": "base:\n  '*':\n    - common\n",
    "pillar/common.sls": "motd: from-pillar\n",
    "grains": "role: web\n",
}


@pytest.fixture(scope="module")
def salt_container():
    import docker

    client = docker.from_env()
    created = client.containers.run(ensure_cm_image("salt"), ["sleep", "infinity"], detach=True,
                                    name=f"cattle-test-salt-{uuid.uuid4().hex[:8]}", labels={"cattle.test": "1"})
    try:
        yield created
    finally:
        created.remove(force=True)
        client.close()


@pytest.fixture(scope="module")
def results(salt_container, tmp_path_factory):
    directory = tmp_path_factory.mktemp("salt")
    for name, text in FILES.items():
        (directory / name).parent.mkdir(parents=True, exist_ok=True)
        (directory / name).write_text(text)
    provisioners = [
        # 0: highstate with pillar and grains, through sudo (Packer's default)
        {"type": "salt-masterless", "config": {"skip_bootstrap": True, "local_state_tree": "salt",
                                               "local_pillar_roots": "pillar", "grains_file": "grains"}},
        # 1: a state that does not exist: salt-call's exit code fails the build
        {"type": "salt-masterless", "config": {"skip_bootstrap": True, "local_state_tree": "salt", "custom_state": "nope",
                                               "disable_sudo": True}},
        # 2: ... unless no_exit_on_failure. (Its own remote_state_tree: by Packer's rules a third upload to an
        # existing /srv/salt that already holds a "states" directory fails to move, in Packer as here.)
        {"type": "salt-masterless", "config": {"skip_bootstrap": True, "local_state_tree": "salt", "custom_state": "nope",
                                               "no_exit_on_failure": True, "remote_state_tree": "/srv/salt-2"}},
    ]
    plan = write_plan(directory, provisioners)
    tasks = [{"cattle.images.salt_masterless": {"plan_file": plan, "build": "docker", "step": i}} for i in range(3)]
    return run_tasks(directory, tasks, container_name=salt_container.name, plan_file=plan)


def test_states_pillar_and_grains_really_applied(results, salt_container):
    assert not results[0].get("failed"), results[0]
    assert in_container(salt_container, "cat /etc/salt-motd") == (0, "from-pillar web\n")
    assert in_container(salt_container, "ls /srv/salt /srv/pillar /etc/salt/grains")[0] == 0
    messages = ui_text(results[0], "message").splitlines()
    # Packer 1.6.6's lines for the same template, in its order.
    expected = [
        "Creating remote temporary directory: /tmp/salt", "Creating directory: /tmp/salt",
        "Uploading grains file: grains", "Moving grains to /tmp/salt/grains", "Make sure directory /etc/salt exists",
        "Creating directory: /etc/salt", "Moving /tmp/salt/grains to /etc/salt/grains",
        "Uploading local state tree: salt", "Moving states to /tmp/salt/states", "Verifying Path: /srv/salt",
        "Removing directory: /srv/salt", "Moving /tmp/salt/states to /srv/salt",
        "Uploading local pillar roots: pillar", "Moving pillar to /tmp/salt/pillar", "Verifying Path: /srv/pillar",
        "Removing directory: /srv/pillar", "Moving /tmp/salt/pillar to /srv/pillar",
        "Running: salt-call --local  state.highstate --file-root=/srv/salt --pillar-root=/srv/pillar "
        "--retcode-passthrough -l info",
    ]
    assert messages[:len(expected)] == expected
    assert "Succeeded: 1 (changed=1)" in messages


def test_salt_call_failures(results):
    assert results[1]["failed"] is True
    assert results[1]["msg"] == "Error executing salt-call: Bad exit status: 1"
    assert "No matching sls found for 'nope'" in ui_text(results[1])
    assert not results[2].get("failed"), (results[2].get("msg"), results[2].get("ui"))
