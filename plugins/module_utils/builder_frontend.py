# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One front-end for every builder module (docker, qemu, virtualbox, amazon-ebs, file).

A builder brings a :class:`BuilderDriver`: its types, its own task arguments, its secret
options, its config normaliser and one function per ``state``. The front-end does the part
they share, once, in this order: read the build's config from the plan (or take ``config``),
hide the secrets, normalise the config, open the ledger, refuse a capture after a cancel,
load the build's state file, run the state, keep what ``started`` returned, and turn any
:class:`CattleError` into the task's failure message (never a traceback).

Progress is reported one way: the state function says Packer's lines through ``step.ui``
(:class:`Ui`), returned as the result's ``ui``.

The build's state file, ``<run dir>/build-<build id>.json`` (beside the plan and the
ledger), holds the ``source`` the launch returned; later states read it as ``step.source``,
so capture and cleanup need nothing carried back to them in task arguments.

Two callers: :func:`run_module` (each builder module's ``main``) and the docker action
plugin, which calls :func:`run_task` in the controller's own process.
"""

from __future__ import annotations

import json
import os

from ansible_collections.cattle.images.plugins.module_utils.errors import CattleError
from ansible_collections.cattle.images.plugins.module_utils.ledger import CAPTURE_CANCELLED, Ledger, capture_cancelled
from ansible_collections.cattle.images.plugins.module_utils.plan import read_plan_build, read_plan_config
from ansible_collections.cattle.images.plugins.module_utils.template.schemas.argspec import config_options
from ansible_collections.cattle.images.plugins.module_utils.ui import Ui

# Every builder's arguments besides ``state``, ``build_name`` and its own (doc fragment cattle.images.builder).
COMMON_ARGUMENTS = {
    "config": {"type": "dict"},
    "plan_file": {"type": "path"},
    "build": {"type": "str"},
    "ledger": {"type": "path"},
}
# For the builders whose resources are named and labelled with the build's id.
BUILD_ID_ARGUMENT = {"build_id": {"type": "str", "required": True}}
# The local VM builders' (qemu, virtualbox) own arguments (doc fragment cattle.images.builder.local_vm).
LOCAL_VM_ARGUMENTS = dict(
    BUILD_ID_ARGUMENT,
    force={"type": "bool", "default": False},
    ssh_public_key={"type": "str", "default": ""},
    shutdown_sent={"type": "bool", "default": False},
    keep_output={"type": "bool", "default": True},
    output_directory={"type": "path"},
)
MUTUALLY_EXCLUSIVE = [("config", "plan_file")]


class TaskFailed(CattleError):
    """The task failed; ``str()`` is the message for the user, ``result`` what to return with it."""

    def __init__(self, message, result):
        super().__init__(message)
        self.result = result


class BuilderDriver:
    """What one builder brings to the front-end.

    ``states`` maps each ``state`` (the first is the default) to a function of a :class:`Step`
    that fills ``step.result``; ``normalize(raw_config, step)`` returns the checked config;
    ``config_free_states`` run without a config (cleanup). ``begin(step)`` opens what every
    state needs (a client, a driver) into ``step.session``; ``end(step)`` runs after the
    state, failed or not. ``build_name`` is the default build name (the first type).
    """

    def __init__(self, *, types, states, normalize, arguments=None, secret_options=(), config_free_states=(),
                 begin=None, end=None, build_name=None):
        self.types = tuple(types)
        self.states = states
        self.normalize = normalize
        self.secret_options = tuple(secret_options)
        self.config_free_states = tuple(config_free_states)
        self.begin = begin
        self.end = end
        self.argument_spec = dict(
            state={"type": "str", "choices": list(states), "default": next(iter(states))},
            build_name={"type": "str", "default": build_name or self.types[0]},
            **COMMON_ARGUMENTS,
            **(arguments or {}),
        )
        options = config_options(self.types, self.secret_options)
        if options is not None:
            self.argument_spec["config"] = {"type": "dict", "options": options}
        self.required_if = [("state", state, ("config", "plan_file"), True)
                            for state in states if state not in self.config_free_states]


class Step:
    """One ``state`` of one build, as a driver's state function sees it."""

    def __init__(self, params, check_mode, warn):
        self.params = params
        self.check_mode = check_mode
        self.warn = warn
        self.state = params["state"]
        self.build_id = params.get("build_id")
        self.build_name = params["build_name"]
        self.ui = Ui()
        self.result = {"changed": False, "ui": self.ui.lines}
        self.type = None
        self.where = None
        self.cwd = None
        self.config = None
        self.ledger = Ledger(params["ledger"]) if params.get("ledger") else None
        run_file = params.get("plan_file") or params.get("ledger")
        # The run directory holds the plan and the ledger; a task given neither has none.
        self.run_dir = os.path.dirname(run_file) if run_file else None
        self.session = None

    @property
    def state_file(self):
        if not (self.run_dir and self.build_id):
            return None
        return os.path.join(self.run_dir, f"build-{self.build_id}.json")

    @property
    def source(self):
        """What this build's launch returned: the ``source`` argument, else the state file, else ``{}``."""
        if self.params.get("source"):
            return self.params["source"]
        path = self.state_file
        try:
            with open(path, encoding="utf-8") as handle:
                return json.load(handle).get("source") or {}
        except (TypeError, OSError, ValueError):
            return {}

    def keep_source(self, source):
        path = self.state_file
        if path is None:
            return
        fd = os.open(path + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump({"source": source}, handle)
        os.replace(path + ".tmp", path)

    def forget_source(self):
        path = self.state_file
        if path is not None and os.path.exists(path):
            os.remove(path)


def run_task(driver, params, check_mode, warn, hide):
    """Run ``params["state"]`` of a build with ``driver``; return the result.

    ``params`` are already checked against ``driver.argument_spec``; ``warn(text)`` reports a
    warning; ``hide(values)`` is given every secret (the plan's sensitive values, the
    builder's secret options) before anything can print it. Raises :class:`TaskFailed`.
    """
    step = Step(params, check_mode, warn)
    try:
        _configure(driver, step, hide)
        if step.state == "captured" and capture_cancelled(params):
            step.result["artifact"] = None
            raise TaskFailed(CAPTURE_CANCELLED, step.result)
        if driver.begin is not None:
            driver.begin(step)
        try:
            driver.states[step.state](step)
        finally:
            if driver.end is not None:
                driver.end(step)
        if not check_mode and step.state == "started" and step.result.get("source"):
            step.keep_source(step.result["source"])
        elif not check_mode and step.state == "absent":
            step.forget_source()
    except TaskFailed:
        raise
    except CattleError as exc:
        raise TaskFailed(str(exc), step.result) from None
    return step.result


def _configure(driver, step, hide):
    """Read, unmask and normalise the build's config into ``step`` (``step.config`` stays None without one)."""
    params = step.params
    raw_config = params["config"]
    step.type = params.get("type") or driver.types[0]
    step.where = f"{step.type} builder"
    if params["plan_file"]:
        plan_build = params["build"] or step.build_name
        types = (params["type"],) if params.get("type") else driver.types
        raw_config, step.cwd, sensitive = read_plan_config(params["plan_file"], plan_build, types)
        if len(types) > 1:
            step.type = read_plan_build(params["plan_file"], plan_build, driver.types)[0]["type"]
        hide([str(value) for value in sensitive if value])
        step.where = f"{params['plan_file']}: builds[{plan_build}]"
    elif isinstance(raw_config, dict):
        # Ansible set every option the task left out to None (argspec.py): unset stays unset.
        raw_config = {key: value for key, value in raw_config.items() if value is not None}
    if isinstance(raw_config, dict):
        hide([str(raw_config[key]) for key in driver.secret_options if raw_config.get(key)])
    if raw_config is not None:
        step.config = driver.normalize(raw_config, step)


def run_module(driver):
    """The ``main()`` of a builder module: an AnsibleModule around :func:`run_task`."""
    from ansible.module_utils.basic import AnsibleModule

    module = AnsibleModule(argument_spec=driver.argument_spec, mutually_exclusive=MUTUALLY_EXCLUSIVE,
                           required_if=driver.required_if, supports_check_mode=True)
    error = None
    try:
        result = run_task(driver, module.params, module.check_mode, module.warn, module.no_log_values.update)
    except TaskFailed as exc:
        error, result = str(exc), exc.result
    if error is not None:
        # Outside the except block: the message is the whole story, no traceback is attached.
        module.fail_json(msg=error, **result)
    module.exit_json(**result)
