# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Packer's StepSecurityGroup: a temporary security group open on the communicator's port."""

from __future__ import annotations

import uuid

from ansible_collections.cattle.images.plugins.module_utils.aws.client import (
    CONFIRM_GONE,
    GROUP_VISIBLE,
    AwsError,
    error_code,
    explain,
    is_not_found,
)
from ansible_collections.cattle.images.plugins.module_utils.aws.config import communicator_port
from ansible_collections.cattle.images.plugins.module_utils.aws.steps.base import KIND_SECURITY_GROUP, Step, tag_filter

# A group stays "in use" for a little while after its instance terminates.
IN_USE_ATTEMPTS = 30


class StepSecurityGroup(Step):
    kind = KIND_SECURITY_GROUP

    def run(self, state):
        if not state["security_group_ids"]:
            self.create(state, state.get("vpc_id"))

    def create(self, state, vpc_id):
        config, build = self.config, self.build
        name = f"packer_{uuid.uuid4().hex}"
        port = communicator_port(config)
        build.say("Creating temporary security group for this instance: " + name)
        build.record(KIND_SECURITY_GROUP, name, vpc_id=vpc_id or "")
        state["temporary_security_group_name"] = name
        kwargs = {"GroupName": name, "Description": "Temporary group for Packer",
                  "TagSpecifications": build.tag_spec("security-group")}
        if vpc_id:
            kwargs["VpcId"] = vpc_id
        group_id = build.call(f"create the temporary security group {name}", "create_security_group", **kwargs)["GroupId"]
        # Again, now with its id: cleanup deletes by id, since a tag-filtered lookup lags behind creates.
        build.record(KIND_SECURITY_GROUP, name, vpc_id=vpc_id or "", group_id=group_id)
        state["temporary_security_group_id"] = group_id
        state["security_group_ids"] = [group_id]
        cidrs = config["temporary_security_group_source_cidrs"]
        build.message(f"Authorizing access to port {port} from [{' '.join(cidrs)}] in the temporary security groups...")
        permissions = [{"IpProtocol": "tcp", "FromPort": port, "ToPort": port,
                        "IpRanges": [{"CidrIp": cidr} for cidr in cidrs]}]
        build.call(f"open port {port} in the temporary security group {name}", "authorize_security_group_ingress",
                   retry=GROUP_VISIBLE, GroupId=group_id, IpPermissions=permissions)

    def cleanup(self, state):
        """Delete the group by its id (from ``state``, else this build's ledger entries), else by the build's tag."""
        build = self.build
        group_id = state.get("temporary_security_group_id")
        group_ids = [group_id] if group_id else build.recorded(KIND_SECURITY_GROUP, "group_id")
        changed = self.delete(name=state.get("temporary_security_group_name"), group_ids=group_ids)
        build.release_recorded(KIND_SECURITY_GROUP, state.get("temporary_security_group_name"))
        return changed

    @staticmethod
    def state_of(entry):
        return {"temporary_security_group_name": entry["name"], "temporary_security_group_id": entry.get("group_id")}

    def build_security_groups(self, name=None):
        """This build's temporary security groups (by tag, optionally only ``name``)."""
        return self.build.call("look up this build's security groups", "describe_security_groups",
                               Filters=tag_filter(self.build.build_id, "group-name", name))["SecurityGroups"]

    def delete(self, name=None, group_ids=()):
        """Delete ``group_ids``, else this build's temporary security groups found by tag (optionally ``name``)."""
        group_ids = list(dict.fromkeys(group_ids)) or [group["GroupId"] for group in self.build_security_groups(name)]
        for group_id in group_ids:
            self.build.say(f"Deleting temporary security group {group_id} ...")
            self._delete_group(group_id)
        return bool(group_ids)

    def _delete_group(self, group_id):
        # A group made moments ago may answer NotFound for a while: NotFound through CONFIRM_GONE is gone.
        not_found = 0
        for attempt in range(IN_USE_ATTEMPTS):
            try:
                self.build.ec2().delete_security_group(GroupId=group_id)
                return
            except Exception as exc:  # noqa: BLE001
                if is_not_found(exc):
                    not_found += 1
                    if not_found >= CONFIRM_GONE.tries:
                        return
                    self.build.sleep(min(CONFIRM_GONE.initial * 2 ** (not_found - 1), CONFIRM_GONE.maximum))
                    continue
                if error_code(exc) == "DependencyViolation" and attempt < IN_USE_ATTEMPTS - 1:
                    self.build.sleep(min(2 + attempt, 10))
                    continue
                raise AwsError(explain(exc, f"delete the temporary security group {group_id}")) from None
