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

from ansible_collections.cattle.images.plugins.module_utils.communicator import CommunicatorError, communicator_type
from ansible_collections.cattle.images.plugins.module_utils.plan import PlanError
from ansible_collections.cattle.images.plugins.plugin_utils.common import component_plugin

# The build host's connection, per builder type, where the builder sets it itself.
BUILDER_CONNECTIONS = {"docker": "community.docker.docker_api"}
# Builder types whose launch/capture/cleanup run as an action plugin of cattle.images.
BUILDER_ACTIONS = {"docker": "cattle.images.docker"}
# The other builders' connection, by communicator: ansible-core's own. Plain ansible-playbook has
# loaded all of those already; ``cattle build`` starts it without them (pywinrm alone takes 0.1 s
# to import: ``cattle_cli.process_tree.load_only_the_local_connection``).
# By the short names the communicator sets as ansible_connection: loaded first under its FQCN, a
# plugin's module would be named ansible_collections.ansible.builtin…, not ansible.plugins.connection…
# as ansible-playbook's own preload names it (plugin_utils/streaming.py tells ssh by its module).
COMMUNICATOR_CONNECTIONS = {"ssh": "ssh", "winrm": "winrm"}


def _communicator(build):
    try:
        return communicator_type(build.config)
    except CommunicatorError:
        return None


# Provisioners that run on the controller: they run even when the step cache has every layer.
LOCAL_STEPS = frozenset(("shell-local", "breakpoint"))


def build_plugins(plan, cached=()):
    """``(action plugin names, connection plugin names)`` that the builds of ``plan`` run.

    For the builds named in ``cached`` (docker builds with the step cache), only the local steps'
    actions: the others may all come from the cache, and a step that does run loads its action in
    the one worker of its build's provision task. (The connection stays: every task on a build
    host loads it, whatever it does.)
    """
    actions = {"cattle.images.provision", "cattle.images.post_processors"}
    connections = set()
    for build in plan.builds:
        if build.type in BUILDER_ACTIONS:
            actions.add(BUILDER_ACTIONS[build.type])
        if build.type in BUILDER_CONNECTIONS:
            connections.add(BUILDER_CONNECTIONS[build.type])
        elif _communicator(build) in COMMUNICATOR_CONNECTIONS:
            connections.add(COMMUNICATOR_CONNECTIONS[_communicator(build)])
        steps = [entry for entry in build.provisioners
                 if build.name not in cached or isinstance(entry, dict) and entry.get("type") in LOCAL_STEPS]
        components = steps + [entry for chain in build.post_processors for entry in chain]
        if build.error_cleanup_provisioner:
            components.append(build.error_cleanup_provisioner)
        actions.update(component_plugin(entry["type"]) for entry in components if isinstance(entry, dict) and entry.get("type"))
    return sorted(actions), sorted(connections)


def preload_build_plugins(plan, cached=()):
    """Import the plugins ``plan``'s builds use; the names of those that loaded.

    Best effort: a plugin that cannot be loaded here is left to the task that needs it, which
    reports the problem in its own words.
    """
    try:
        actions, connections = build_plugins(plan, cached)
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
