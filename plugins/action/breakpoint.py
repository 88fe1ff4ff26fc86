# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Packer's ``breakpoint`` provisioner: wait for Enter on the controller's terminal.

The prompt is shown at once through Ansible's own prompting (task output would only be
shown after the task). Without an interactive terminal (CI, ansible-runner unless the
wrapper sets CATTLE_INTERACTIVE=1) it must not hang: it says so and continues.
"""

from __future__ import annotations

import os

from ansible.errors import AnsiblePromptInterrupt, AnsiblePromptNoninteractive
from ansible.utils.display import Display

from ansible_collections.cattle.images.plugins.plugin_utils.common import UserError, as_bool
from ansible_collections.cattle.images.plugins.plugin_utils.provisioner import ProvisionerAction, ProvisionError

KNOWN_KEYS = {"disable", "note"}
display = Display()
# ansible-runner gives ansible-playbook a pseudo-terminal nobody types into: under it, only
# pause when the wrapper says it forwards a real terminal (CATTLE_INTERACTIVE=1).
RUNNER_MARKERS = ("AWX_ISOLATED_DATA_DIR", "RUNNER_OMIT_EVENTS")


def interactive_allowed(environ=None):
    environ = os.environ if environ is None else environ
    wanted = environ.get("CATTLE_INTERACTIVE", "")
    if wanted:
        return wanted.lower() in ("1", "true", "yes")
    return not any(marker in environ for marker in RUNNER_MARKERS)


class ActionModule(ProvisionerAction):
    PROVISIONER_TYPE = "breakpoint"

    def prepare(self, config, context):
        unknown = [f"unknown configuration key: '\"{key}\"'" for key in config
                   if key not in KNOWN_KEYS and not key.startswith("packer_")]
        if unknown:
            raise UserError("; ".join(unknown))
        return {"disable": as_bool(config.get("disable", False), "disable"), "note": str(config.get("note") or "")}

    def describe(self, config, context, ui):
        ui.say("Check mode: would pause at the breakpoint" + (" (disabled)" if config["disable"] else ""))

    def provision(self, config, context, ui, cancel):
        note = config["note"]
        if config["disable"]:
            if note:
                ui.say(f'Breakpoint provisioner with note "{note}" disabled; continuing...')
            else:
                ui.say("Breakpoint provisioner disabled; continuing...")
            return
        pausing = f'Pausing at breakpoint provisioner with note "{note}".' if note else "Pausing at breakpoint provisioner."
        ui.say(pausing)
        if not interactive_allowed():
            ui.say("no terminal: not pausing")
            return
        prompt = f"==> {context.build_name}: {pausing}\n==> {context.build_name}: Press enter to continue."
        try:
            # From a worker process this asks the controller's main process, which owns the terminal.
            display.prompt_until(prompt, complete_input=(b"\r", b"\n"))
        except AnsiblePromptNoninteractive:
            ui.say("no terminal: not pausing")
        except AnsiblePromptInterrupt:
            raise ProvisionError("Build cancelled") from None
