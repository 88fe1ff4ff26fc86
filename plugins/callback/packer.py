# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
name: packer
type: stdout
short_description: Packer-style output for image builds
version_added: 0.1.0
description:
  - Prints what builds say the way Packer does, each line prefixed by the build's name
    (C(==> name) for steps, indented C(name) for output; a post-processor's lines add
    its type in parentheses after the name), then a summary of the artifacts of successful builds.
  - With C(CATTLE_MACHINE_READABLE=1) prints Packer's machine-readable format instead.
  - Every line is masked with the template's sensitive values.
author: cattle.images developers (@cattle-images)
options:
  machine_readable:
    description: Print Packer's machine-readable format.
    type: bool
    default: false
    env:
      - name: CATTLE_MACHINE_READABLE
  timestamp_ui:
    description: Prefix each line with an RFC3339 timestamp.
    type: bool
    default: false
    env:
      - name: CATTLE_TIMESTAMP_UI
  live:
    description: Show a live status line per build (current step, elapsed time) under the output.
    type: bool
    default: false
    env:
      - name: CATTLE_LIVE
  started:
    description:
      - When the command started (seconds since the epoch), so that C(Wait completed after) counts
        from there as Packer's does; by default the time the callback was loaded.
    type: float
    env:
      - name: CATTLE_STARTED
  intro:
    description:
      - "Start with Packer's C(NAME: output will be in this color.) line per build (when
        O(color) is on and the output is not machine-readable)."
      - The C(cattle) command turns it off, having printed these lines itself before Ansible started.
    type: bool
    default: true
    env:
      - name: CATTLE_INTRO
  color:
    description:
      - Colour the build prefixes.
      - When C(CATTLE_COLOR) is not set, Ansible's own choice also counts (no colour when stdout
        is not a terminal or with C(ANSIBLE_NOCOLOR); colour with C(ANSIBLE_FORCE_COLOR)).
    type: bool
    default: true
    env:
      - name: CATTLE_COLOR
"""

import json
import os
import sys
import time

from ansible.plugins.callback import CallbackBase
from ansible.utils.color import ANSIBLE_COLOR

from ansible_collections.cattle.images.plugins.module_utils.plan import PlanError, load_plan
from ansible_collections.cattle.images.plugins.plugin_utils.output import LiveView, PackerUI, register_live_receiver
from ansible_collections.cattle.images.plugins.plugin_utils.preload import preload_build_plugins


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "stdout"
    CALLBACK_NAME = "cattle.images.packer"

    def __init__(self):
        super().__init__()
        self.ui = None
        self.started = time.time()
        self.build_started = {}
        self.build_errors = {}
        self.artifacts = {}
        self.build_names = []
        self.live = None
        self.failing = set()  # failed builds whose cleanup is still printing
        self.failed_provisioning = set()  # builds whose provisioner failed

    def set_options(self, task_keys=None, var_options=None, direct=None):
        super().set_options(task_keys=task_keys, var_options=var_options, direct=direct)
        self.started = self.get_option("started") or self.started
        write = self._display.display
        if self.get_option("live") and not self.get_option("machine_readable"):
            self.live = LiveView(sys.stdout)
            write = self.live.write
        self.ui = PackerUI(
            write=write,
            machine_readable=self.get_option("machine_readable"),
            timestamp=self.get_option("timestamp_ui"),
            color=self._color(),
        )
        # Provisioners' lines as they come, through Ansible's final queue (see plugin_utils/output.py).
        register_live_receiver(self._live_line)

    # -- helpers ---------------------------------------------------------------------

    def _color(self):
        # `cattle build` decides and says so in CATTLE_COLOR; plain ansible-playbook follows
        # Ansible's own choice (none off a terminal, or with ANSIBLE_NOCOLOR).
        if "CATTLE_COLOR" in os.environ:
            return self.get_option("color")
        return self.get_option("color") and ANSIBLE_COLOR

    def _is_build(self, host):
        return host in self.build_started

    def _show_ui(self, host, result):
        # A line is [kind, text] or [kind, text, component]: the post-processor that said it.
        # Lines shown live already are in result["ui_shown"], not here.
        for line in result.get("ui") or []:
            self.ui.emit(host, *line[:3])

    def _live_line(self, host, kind, text, component=None):
        # Called by Ansible's results thread: an exception would end that thread and hang the run.
        try:
            self.ui.emit(host, kind, text, component)
        except Exception as exc:  # pylint: disable=broad-except
            self._display.warning(f"cattle.images.packer: could not show a line of {host}: {exc}")

    # -- events ----------------------------------------------------------------------
    def v2_runner_on_start(self, host, task):
        name = host.get_name()
        if self.live and self._is_build(name) and name not in self.build_errors:
            step = task.get_name().rpartition(" : ")[2]  # without the role's name
            if not step.startswith("Validating arguments"):
                self.live.step(name, step)

    def v2_runner_on_ok(self, result):
        res = result._result
        host = result._host.get_name()
        action = result._task.action
        if action == "cattle.images.plan":
            self._planned(res)
            return
        if action == "cattle.images.post_processors" and self._is_build(host):
            self.artifacts[host] = res.get("artifacts") or []
            self._show_ui(host, res)
            self._finish(host)
            return
        if not res.get("results"):
            self._show_ui(host, res)
        self._build_over(result)

    def v2_runner_item_on_ok(self, result):
        self._show_ui(result._host.get_name(), result._result)

    def v2_runner_item_on_failed(self, result):
        host = result._host.get_name()
        self._show_ui(host, result._result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        res = result._result
        host = result._host.get_name()
        if not res.get("results"):
            self._show_ui(host, res)
        if ignore_errors:
            return
        if result._task.action == "cattle.images.provision":
            self.failed_provisioning.add(host)
        msg = res.get("msg") or res.get("stderr") or json.dumps(res, default=str)[:2000]
        if self._is_build(host):
            if result._task.action == "cattle.images.post_processors":
                self.artifacts[host] = res.get("artifacts") or []
            self.build_errors[host] = msg
            if result._task.action == "cattle.images.post_processors":
                self.ui.emit(host, "error", msg)
                self._finish(host)
            elif result._task.action == "ansible.builtin.fail":
                # Packer says a failed step's error (launch, capture) as the step ends, but not a
                # failed provisioner's: that one is only in "Build '…' errored", after the cleanup.
                if host not in self.failed_provisioning:
                    self.ui.emit(host, "error", msg)
                self.failing.add(host)
        else:
            self.ui.error(msg)

    def v2_runner_on_unreachable(self, result):
        host = result._host.get_name()
        # A loop (the build's steps) is unreachable when an item was: that item's message says why.
        items = [item for item in result._result.get("results") or [] if isinstance(item, dict) and item.get("unreachable")]
        msg = (items[0] if items else result._result).get("msg", "unreachable")
        self.build_errors[host] = msg
        self.ui.emit(host, "error", msg)

    def _build_over(self, result):
        """The role's last task of a build (``cattle_build_over``): a failed build ends here."""
        host = result._host.get_name()
        if host in self.failing and result._task.vars.get("cattle_build_over"):
            self._finish(host)

    def _finish_failing(self):
        # In case a build's cleanup failed before its last task
        for host in sorted(self.failing, key=self.build_names.index):
            self._finish(host)

    def v2_playbook_on_play_start(self, play):
        self._finish_failing()
        if not self.build_names:
            # cattle build hands the playbook the plan task's result as an extra var, and no plan task runs.
            try:
                planned = play.get_variable_manager().extra_vars.get("cattle_plan")
            except AttributeError:
                planned = None
            if isinstance(planned, dict) and planned.get("builds"):
                self._planned(planned)

    def _planned(self, res):
        """The plan task's result (or cattle build's stand-in for it) is in: the builds start."""
        self._load_plan(res)
        for build in res.get("builds", []):
            self.build_started[build["name"]] = time.time()
            self.build_names.append(build["name"])
        if self.get_option("intro") and self._color():
            self.ui.color_intro(self.build_names)
        self.ui.set_builds(self.build_names)

    def v2_playbook_on_stats(self, stats):
        self._finish_failing()
        if self.live:
            self.live.close()
        self.ui.summary(
            builds=self.build_names,
            errors=self.build_errors,
            artifacts=self.artifacts,
            elapsed=time.time() - self.started,
        )

    def _finish(self, host):
        self.failing.discard(host)
        if self.live:
            self.live.done(host)
        elapsed = time.time() - self.build_started.get(host, self.started)
        if host in self.build_errors:
            self.ui.build_errored(host, elapsed, self.build_errors[host])
        else:
            self.ui.build_finished(host, elapsed)

    def _load_plan(self, res):
        # Loaded in Ansible's main process: the workers it forks from now on find it loaded,
        # and the plugins the builds use (plugin_utils/preload.py).
        try:
            plan = load_plan(res["plan_file"])
        except (PlanError, KeyError):
            return
        self.ui.sensitive = plan.sensitive_values
        preload_build_plugins(plan, cached={build.get("name") for build in res.get("builds") or [] if build.get("cache")})

    # Ansible's own chatter has no place in Packer-style output.
    def v2_playbook_on_task_start(self, task, is_conditional):
        pass

    def v2_runner_on_skipped(self, result):
        self._build_over(result)

    def v2_playbook_on_include(self, included_file):
        pass

    def v2_playbook_on_no_hosts_matched(self):
        pass
