"""The child inventory: the build host's connection, with what makes modules cheap on it."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from ansible_collections.cattle.images.plugins.plugin_utils import child_inventory


class PlainTemplar:
    def template(self, value):
        raise AssertionError(f"nothing here needs templating: {value}")


def _vars(task_vars):
    return child_inventory.connection_vars(task_vars, PlainTemplar(), SimpleNamespace(transport="ssh"),
                                           SimpleNamespace(remote_addr=None))


@pytest.mark.parametrize("connection", ["community.docker.docker_api", "community.docker.docker"])
def test_docker_connections_pipeline_modules(connection):
    # As Ansible hands them to a task: the configured default (false) filled in, nothing in the host's own vars.
    host_vars = _vars({"ansible_connection": connection, "ansible_host": "cattle-x", "inventory_hostname": "docker",
                       "ansible_pipelining": False, "hostvars": {"docker": {"ansible_connection": connection}}})
    assert host_vars["ansible_pipelining"] is True
    assert host_vars["ansible_python_interpreter"] == "auto_silent"


@pytest.mark.parametrize("name", ["ansible_pipelining", "ansible_ssh_pipelining"])
def test_a_users_own_pipelining_setting_wins(name):
    host_vars = _vars({"ansible_connection": "community.docker.docker_api", "ansible_host": "c", "inventory_hostname": "docker",
                       "ansible_pipelining": False, "hostvars": {"docker": {name: False}}})
    assert host_vars["ansible_pipelining"] is False


def test_ssh_is_left_to_ansibles_defaults():
    # sudo with requiretty fails over a pipelined SSH connection: cattle cannot know the guest's sudoers.
    host_vars = _vars({"ansible_host": "10.0.0.5", "ansible_user": "debian"})
    assert host_vars["ansible_connection"] == "ssh"
    assert "ansible_pipelining" not in host_vars
