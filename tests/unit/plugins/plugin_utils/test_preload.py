"""The plugins a plan's builds use are loaded once, in ansible-playbook's main process."""

from __future__ import annotations

import json
import subprocess
import sys

from ansible_collections.cattle.images.plugins.module_utils.plan import load_plan
from ansible_collections.cattle.images.plugins.plugin_utils.preload import build_plugins
from tests.fixtures.plans import build, post_processor, provisioner, write_plan


def test_the_plugins_of_every_build_and_step(tmp_path):
    plan = load_plan(write_plan(
        tmp_path,
        build("docker", provisioners=[provisioner("shell"), provisioner("shell-local")],
              post_processors=[[post_processor("docker-tag")], [post_processor("manifest")]]),
        build("vm", type_="qemu", provisioners=[provisioner("file")],
              error_cleanup_provisioner=provisioner("shell-local")),
    ))
    actions, connections = build_plugins(plan)
    assert actions == sorted([
        "cattle.images.docker", "cattle.images.docker_tag", "cattle.images.file", "cattle.images.manifest",
        "cattle.images.post_processors", "cattle.images.provision", "cattle.images.shell", "cattle.images.shell_local",
    ])
    assert connections == ["community.docker.docker_api", "ssh"]


def test_a_build_with_the_step_cache_leaves_its_container_steps_to_its_provision_worker(tmp_path):
    plan = load_plan(write_plan(
        tmp_path,
        build("cached", type_="docker", provisioners=[provisioner("shell"), provisioner("shell-local"), provisioner("file")]),
        build("plain", type_="docker", provisioners=[provisioner("ansible")]),
    ))
    actions, connections = build_plugins(plan, cached={"cached"})
    assert "cattle.images.shell_local" in actions and "cattle.images.ansible" in actions
    assert "cattle.images.shell" not in actions and "cattle.images.file" not in actions
    assert connections == ["community.docker.docker_api"]  # every task on the build host loads it


def test_other_builders_get_ansible_core_s_connection_of_their_communicator(tmp_path):
    plan = load_plan(write_plan(tmp_path, build("vm", type_="qemu")))
    assert build_plugins(plan) == (["cattle.images.post_processors", "cattle.images.provision"], ["ssh"])
    plan = load_plan(write_plan(tmp_path, build("win", type_="amazon-ebs", config={"communicator": "winrm"}),
                                build("none", type_="null", config={"communicator": "none"})))
    assert build_plugins(plan)[1] == ["winrm"]


PRELOAD = """
import json, sys
from ansible.plugins.loader import init_plugin_loader
init_plugin_loader([])
from ansible_collections.cattle.images.plugins.module_utils.plan import load_plan
from ansible_collections.cattle.images.plugins.plugin_utils.preload import preload_build_plugins
loaded = preload_build_plugins(load_plan(sys.argv[1]))
print(json.dumps({"loaded": loaded, "modules": sorted(m for m in sys.modules if ".plugins.connection." in m)}))
"""


def test_preloading_imports_them_and_passes_over_unknown_types(tmp_path):
    # In a process of its own: Ansible's plugin loader is process-wide state.
    plan = write_plan(tmp_path, build("docker", provisioners=[provisioner("shell"), provisioner("no-such-type")]))
    done = subprocess.run([sys.executable, "-c", PRELOAD, str(plan)], capture_output=True, text=True, check=True)
    report = json.loads(done.stdout.splitlines()[-1])
    assert "community.docker.docker_api" in report["loaded"]
    assert "cattle.images.shell" in report["loaded"]
    assert "cattle.images.provision" in report["loaded"]
    assert "cattle.images.no_such_type" not in report["loaded"]
    assert "ansible_collections.community.docker.plugins.connection.docker_api" in report["modules"]
