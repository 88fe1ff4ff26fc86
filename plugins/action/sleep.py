# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Packer's ``sleep`` provisioner: wait ``duration``, on the controller; a timeout or cancel ends the wait."""

from __future__ import annotations

from ansible_collections.cattle.images.plugins.module_utils.durations import seconds
from ansible_collections.cattle.images.plugins.plugin_utils.common import UserError, go_duration, unknown_keys
from ansible_collections.cattle.images.plugins.plugin_utils.provisioner import ProvisionerAction

KNOWN_KEYS = {"duration"}


class ActionModule(ProvisionerAction):
    PROVISIONER_TYPE = "sleep"
    NEEDS_COMMUNICATOR = False  # nothing runs on the build host

    def prepare(self, config, context):
        unknown = unknown_keys(config, KNOWN_KEYS)
        if unknown:
            raise UserError("; ".join(unknown))
        try:
            duration = seconds(config.get("duration") or 0)
        except ValueError as exc:
            raise UserError(f"duration: {exc}") from None
        return {"duration": max(duration, 0.0)}

    def describe(self, config, context, ui):
        ui.say(f"Check mode: would sleep {go_duration(config['duration'])}")

    def provision(self, config, context, ui, cancel):
        # Packer's sleep prints nothing; the wait ends early only when the step is cancelled.
        cancel.wait(config["duration"])
