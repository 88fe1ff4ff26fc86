# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Packer's ``breakpoint`` provisioner: wait for Enter on the controller's terminal.

The prompt is shown at once through Ansible's own prompting (task output would only be
shown after the task); under the ``cattle`` command (ansible-runner) it goes to the
user's terminal named by CATTLE_TTY. Without a terminal (CI, a bare ansible-runner) it
must not hang: it says so and continues.
"""

from __future__ import annotations

import os
import select

from ansible.errors import AnsiblePromptInterrupt, AnsiblePromptNoninteractive
from ansible.utils.display import Display

from ansible_collections.cattle.images.plugins.plugin_utils.common import UserError, as_bool
from ansible_collections.cattle.images.plugins.plugin_utils.provisioner import ProvisionerAction, ProvisionError

KNOWN_KEYS = {"disable", "note"}
display = Display()
# Under ansible-runner the play runs on runner's own pseudo-terminal, which nobody types
# into: there only the terminal the cattle command passes in CATTLE_TTY can be asked.
RUNNER_MARKERS = ("AWX_ISOLATED_DATA_DIR", "RUNNER_OMIT_EVENTS")


def prompt_channel(environ=None):
    """``"cattle_tty"`` (the path in CATTLE_TTY), ``"ansible"`` (Ansible's own prompt) or None."""
    environ = os.environ if environ is None else environ
    if environ.get("CATTLE_TTY"):
        return None if environ["CATTLE_TTY"] == "none" else "cattle_tty"
    if any(marker in environ for marker in RUNNER_MARKERS):
        return None
    return "ansible"


def wait_for_enter(path, prompt, cancel):
    """Show ``prompt`` on the terminal at ``path`` and wait for a line; False when it cannot be used."""
    try:
        # O_NOCTTY: a worker is a session leader; the user's terminal must not become its own.
        fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
    except OSError:
        return False
    try:
        os.write(fd, prompt.encode("utf-8"))
        while not cancel.is_set():
            ready, _, _ = select.select([fd], [], [], 0.5)
            if ready:
                return bool(os.read(fd, 4096))  # a line (canonical mode); empty when the terminal hung up
        raise ProvisionError("Build cancelled")
    except OSError:
        return False
    finally:
        os.close(fd)


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
        prompt = f"==> {context.build_name}: {pausing}\n==> {context.build_name}: Press enter to continue."
        channel = prompt_channel()
        if channel == "cattle_tty":
            if not wait_for_enter(os.environ["CATTLE_TTY"], prompt + "\n", cancel):
                ui.say("no terminal: not pausing")
            return
        if channel is None:
            ui.say("no terminal: not pausing")
            return
        try:
            # From a worker process this asks the controller's main process, which owns the terminal.
            display.prompt_until(prompt, complete_input=(b"\r", b"\n"))
        except AnsiblePromptNoninteractive:
            ui.say("no terminal: not pausing")
        except AnsiblePromptInterrupt:
            raise ProvisionError("Build cancelled") from None
