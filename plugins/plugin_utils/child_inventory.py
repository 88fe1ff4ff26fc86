# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A one-host inventory for controller-side tools that reach the build host over its own connection.

The ``ansible`` provisioner (a child ``ansible-playbook``) and the ``testinfra`` provisioner
(pytest-testinfra's ``ansible://`` backend) both get the build host's connection variables
as Ansible has them, so no second set of credentials exists. The inventory may hold
passwords: it is written mode 0600 into the run's private directory and removed by the caller.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile

# Host variables that say how to reach the build host; copied into the child's inventory.
CONNECTION_VAR_PREFIXES = (
    "ansible_connection", "ansible_host", "ansible_port", "ansible_user", "ansible_password", "ansible_ssh_",
    "ansible_private_key_file", "ansible_docker_", "ansible_winrm_", "ansible_psrp_", "ansible_shell_",
    "ansible_become", "ansible_remote_tmp", "ansible_timeout", "ansible_pipelining", "docker_",
)
# Connections whose every command is one ``docker exec``: no tty, no sudo ``requiretty`` to trip over,
# so modules can always be piped to the interpreter's stdin instead of copied into a temp dir.
PIPELINED_CONNECTIONS = frozenset(("community.docker.docker_api", "docker_api", "community.docker.docker", "docker"))

# The parent's output plumbing (ansible-runner's event callback, a JSON stdout callback…)
# must not leak into the child: its output is read line by line into the ui.
PARENT_ENV_DROPPED = frozenset((
    "ANSIBLE_STDOUT_CALLBACK", "ANSIBLE_CALLBACK_PLUGINS", "ANSIBLE_CALLBACKS_ENABLED", "ANSIBLE_CALLBACK_WHITELIST",
    "ANSIBLE_LOAD_CALLBACK_PLUGINS", "ANSIBLE_FORCE_COLOR", "ORIGINAL_STDOUT_CALLBACK", "AWX_ISOLATED_DATA_DIR",
    "RUNNER_OMIT_EVENTS", "RUNNER_ONLY_FAILED_EVENTS", "AD_HOC_COMMAND_ID",
))


def sibling(program):
    """``program`` from the running Ansible's own installation, else from PATH."""
    candidate = os.path.join(os.path.dirname(sys.executable), program)
    if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
        return candidate
    return shutil.which(program) or program


def connection_vars(task_vars, templar, connection, play_context, user=""):
    """The build host's connection variables, templated, as plain values for an inventory."""
    host_vars = {}
    for key in sorted(task_vars):
        if key.startswith(CONNECTION_VAR_PREFIXES) and key != "ansible_python_interpreter":
            value = task_vars[key]
            if isinstance(value, str) and "{{" in value:
                value = templar.template(value)
            if value is not None:
                host_vars[key] = value if isinstance(value, (bool, int, float, list, dict)) else str(value)
    if "ansible_connection" not in host_vars and getattr(connection, "transport", None):
        host_vars["ansible_connection"] = connection.transport
    if "ansible_host" not in host_vars:
        address = play_context.remote_addr or task_vars.get("inventory_hostname")
        if address:
            host_vars["ansible_host"] = str(address)
    if user:
        host_vars["ansible_user"] = user
    # Let Ansible find the build host's Python quietly, unless the user says otherwise.
    host_vars["ansible_python_interpreter"] = "auto_silent"
    # A module over a docker connection without pipelining costs five execs (mkdir, upload, chmod,
    # run, rm) instead of one; a user's own ansible_pipelining wins.
    if host_vars.get("ansible_connection") in PIPELINED_CONNECTIONS and not _set_for_host(task_vars, PIPELINING_VARS):
        host_vars["ansible_pipelining"] = True
    return host_vars


PIPELINING_VARS = ("ansible_pipelining", "ansible_ssh_pipelining")


def _set_for_host(task_vars, names):
    """Whether the host's own variables (inventory, set_fact, extra vars) set one of ``names``.

    Task variables always hold ``ansible_pipelining``: Ansible fills in the configured default
    (false) for every connection setting; the host's ``hostvars`` hold only what was set.
    """
    try:
        own = task_vars["hostvars"][task_vars["inventory_hostname"]]
    except (KeyError, TypeError):
        return False
    return any(name in own for name in names)


def inventory(alias, host_vars, groups=(), empty_groups=()):
    """The inventory document: ``alias`` with ``host_vars``, a member of ``groups``."""
    children = {group: {"hosts": {alias: None}} for group in groups}
    for group in empty_groups:
        children.setdefault(group, {"hosts": {}})
    document = {"all": {"hosts": {alias: host_vars}}}
    if children:
        document["all"]["children"] = children
    return document


def write_inventory(directory, prefix, document):
    """Write ``document`` as a JSON inventory (mode 0600) in ``directory``; returns its path."""
    handle = tempfile.NamedTemporaryFile("w", prefix=prefix, suffix=".json", dir=directory, delete=False,
                                         encoding="utf-8")
    with handle:
        os.fchmod(handle.fileno(), 0o600)
        json.dump(document, handle)
    return handle.name


def child_environment():
    """The controller's environment for a child Ansible, without the parent's output plumbing."""
    env = {key: value for key, value in os.environ.items() if key not in PARENT_ENV_DROPPED}
    env.update(ANSIBLE_NOCOLOR="1", PYTHONUNBUFFERED="1", ANSIBLE_RETRY_FILES_ENABLED="False")
    # Packer adds this when it has no host key to check against: build hosts are new machines.
    env["ANSIBLE_HOST_KEY_CHECKING"] = "False"
    return env
