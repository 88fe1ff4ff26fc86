# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Packer's ``breakpoint`` provisioner: wait for Enter on the controller's terminal.

The prompt is shown at once through Ansible's own prompting (task output would only be
shown after the task); under the ``cattle`` command (ansible-runner) it goes to the
user's terminal named by CATTLE_TTY. Without a terminal (CI, a bare ansible-runner) it
must not hang: it says so and continues.
"""

from __future__ import annotations

from ansible_collections.cattle.images.plugins.plugin_utils.common import UserError, as_bool, unknown_keys
from ansible_collections.cattle.images.plugins.plugin_utils.provisioner import ProvisionerAction, ProvisionError
from ansible_collections.cattle.images.plugins.plugin_utils.terminal import PromptCancelled, ask

KNOWN_KEYS = {"disable", "note"}


# Under ansible-runner the play runs on runner's own pseudo-terminal, which nobody types
# into: there only the terminal the cattle command passes in CATTLE_TTY can be asked.
class ActionModule(ProvisionerAction):
    PROVISIONER_TYPE = "breakpoint"
    NEEDS_COMMUNICATOR = False  # runs on the controller

    def prepare(self, config, context):
        unknown = unknown_keys(config, KNOWN_KEYS)
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
        prompt = f"==> {context.build_name}: {pausing}\n==> {context.build_name}: Press enter to continue."
        try:
            answered = ask(prompt + "\n", cancel=cancel)
        except PromptCancelled:
            raise ProvisionError("Build cancelled") from None
        if answered is None:
            ui.say("no terminal: not pausing")
