"""A stand-in Ansible connection for provisioner unit tests: records commands and uploads."""

from __future__ import annotations

import importlib
from unittest import mock


class FakeConnection:
    """``exec_command`` answers from ``exit_codes`` ({command substring: code}, first match) and
    records each command; ``put_file`` records the uploaded file's text under its remote path."""

    transport = "community.docker.docker_api"

    def __init__(self, exit_codes=None, outputs=None):
        self.exit_codes = dict(exit_codes or {})
        self.outputs = dict(outputs or {})
        self.commands = []
        self.uploads = {}
        self.events = []
        self._shell = mock.MagicMock(tmpdir="/tmp/unused", SHELL_FAMILY="sh")  # what ActionBase.run looks at

    def exec_command(self, command, in_data=None, sudoable=True):
        self.commands.append(command)
        self.events.append(("run", command))
        code = next((c for part, c in self.exit_codes.items() if part in command), 0)
        output = next((o for part, o in self.outputs.items() if part in command), b"")
        return code, output, b""

    def put_file(self, local_path, remote_path):
        with open(local_path, encoding="utf-8", errors="replace") as handle:
            self.uploads[remote_path] = handle.read()
        self.events.append(("put", remote_path))


def run_provisioner(name, config, connection, task_vars=None, check_mode=False, **args):
    """The result of provisioner action ``cattle.images.<name>`` with ``config`` over ``connection``."""
    module = importlib.import_module(f"ansible_collections.cattle.images.plugins.action.{name}")
    task = mock.MagicMock()
    task.args = dict(args, config=config) if config is not None else dict(args)
    task.async_val = 0
    task.check_mode = check_mode
    play_context = mock.MagicMock(check_mode=check_mode)
    action = module.ActionModule(task, connection, play_context, None, None, None)
    variables = {"cattle_build": {"name": "default", "type": "docker"}, **(task_vars or {})}
    return action.run(task_vars=variables)


def ui_lines(result, kind=None):
    return [text for line_kind, text in result.get("ui", []) if kind is None or line_kind == kind]
