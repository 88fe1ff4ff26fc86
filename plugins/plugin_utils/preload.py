# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Load, once in ansible-playbook's main process, the plugins the builds' tasks will use.

Ansible forks a worker for every task, and what a worker imports dies with it: each task on a
Docker build host imported community.docker's connection plugin again (its vendored Docker
client: 0.07-0.15 s), and each provisioner step its action plugins. Loaded in the parent before
the build play forks its workers, they are inherited instead. The packer callback calls
:func:`preload_build_plugins` when the plan task's result arrives (Ansible's main thread,
between tasks, so no fork happens during the imports).
"""

from __future__ import annotations

from ansible.plugins.loader import action_loader, connection_loader, filter_loader, test_loader

from ansible_collections.cattle.images.plugins.module_utils.plan import PlanError
from ansible_collections.cattle.images.plugins.plugin_utils.common import component_plugin

# The build host's connection, per builder type, where it is not one of ansible-core's own
# (those are loaded by ansible-playbook already).
BUILDER_CONNECTIONS = {"docker": "community.docker.docker_api"}
# Builder types whose launch/capture/cleanup run as an action plugin of cattle.images.
BUILDER_ACTIONS = {"docker": "cattle.images.docker"}


def build_plugins(plan):
    """``(action plugin names, connection plugin names)`` that the builds of ``plan`` run."""
    actions = {"cattle.images.provision", "cattle.images.post_processors"}
    connections = set()
    for build in plan.builds:
        if build.type in BUILDER_ACTIONS:
            actions.add(BUILDER_ACTIONS[build.type])
        if build.type in BUILDER_CONNECTIONS:
            connections.add(BUILDER_CONNECTIONS[build.type])
        components = list(build.provisioners) + [entry for chain in build.post_processors for entry in chain]
        if build.error_cleanup_provisioner:
            components.append(build.error_cleanup_provisioner)
        actions.update(component_plugin(entry["type"]) for entry in components if isinstance(entry, dict) and entry.get("type"))
    return sorted(actions), sorted(connections)


def preload_build_plugins(plan):
    """Import the plugins ``plan``'s builds use; the names of those that loaded.

    Best effort: a plugin that cannot be loaded here is left to the task that needs it, which
    reports the problem in its own words.
    """
    try:
        actions, connections = build_plugins(plan)
    except (PlanError, AttributeError, TypeError):
        return []
    loaded = []
    # ansible-core's own Jinja filters and tests: every task that templates anything loads them
    # (their modules, with ansible.utils.encrypt: ≈3 ms in each worker that loads them).
    for loader in (filter_loader, test_loader):
        try:
            list(loader.all())
        except Exception:  # noqa: BLE001 - a worker loads them itself then
            continue
    for loader, names in ((connection_loader, connections), (action_loader, actions)):
        for name in names:
            try:
                if loader.get(name, class_only=True) is not None:
                    loaded.append(name)
            except Exception:  # noqa: BLE001 - the task that needs it will say what is wrong
                continue
    if "cattle.images.docker" in loaded:
        # Each docker task's client would ask the daemon for its API version (GET /version) again.
        from ansible_collections.cattle.images.plugins.module_utils.docker.client import learn_api_version

        learn_api_version()
    return loaded
