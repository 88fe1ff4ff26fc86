# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A pytest plugin (``-p``) for the pytest runs of the testinfra provisioner and ``cattle test``.

testinfra's forced ``ansible://`` backend runs each command through Ansible's ``shell``
module, which needs Python on the target. cattle's provisioners need none (they drive the
connection), so here each command goes through the ``raw`` module: the same connection
plugin and variables, no Python on the machine. ``host.ansible(...)`` calls in tests still
run real modules and need Python, as in molecule.
"""

from __future__ import annotations


def run_raw(backend, command, *args, **kwargs):
    """``backend.run`` over Ansible's ``raw`` module; the command's exit status, stdout, stderr."""
    command = backend.get_command(command, *args)
    out = backend.run_ansible("raw", module_args=command, check=False)
    if "rc" not in out:
        raise RuntimeError(f"cannot run {command!r} on {backend.host}: {out.get('msg', out)}")
    return backend.result(out["rc"], backend.encode(command), out.get("stdout", ""), out.get("stderr", ""))


def pytest_configure(config):
    # Imported here: the collection's import checks load this file without testinfra installed.
    from testinfra.backend import ansible

    original = ansible.AnsibleBackend.run

    def run(self, command, *args, **kwargs):
        if not self.force_ansible:
            return original(self, command, *args, **kwargs)
        return run_raw(self, command, *args, **kwargs)

    ansible.AnsibleBackend.run = run
