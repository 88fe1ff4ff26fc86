# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Packer's StepModifyAMIAttributes and StepCreateTags: the AMIs shared and tagged in every region."""

from __future__ import annotations

from ansible_collections.cattle.images.plugins.module_utils.aws.client import IMAGE_VISIBLE
from ansible_collections.cattle.images.plugins.module_utils.aws.steps.amis import snapshots
from ansible_collections.cattle.images.plugins.module_utils.aws.steps.base import Step, render_tags


class StepModifyAMIAttributes(Step):
    def run(self, state):
        self.share(state["amis"])

    def share(self, amis):
        config, build = self.config, self.build
        permissions = [{"UserId": user} for user in config["ami_users"]] + \
                      [{"Group": group} for group in config["ami_groups"]]
        snapshot_permissions = config["snapshot_users"] or config["snapshot_groups"]
        if not (permissions or config["ami_product_codes"] or snapshot_permissions):
            return
        build.say("Modifying attributes on AMI...")
        for region, image_id in sorted(amis.items()):
            if permissions:
                build.message(f"Modifying: {image_id} ({region}) launch permissions")
                build.call(f"share the AMI {image_id} in {region}", "modify_image_attribute", region=region,
                           retry=IMAGE_VISIBLE, ImageId=image_id, LaunchPermission={"Add": permissions})
            if config["ami_product_codes"]:
                build.call(f"set product codes on the AMI {image_id} in {region}", "modify_image_attribute",
                           region=region, retry=IMAGE_VISIBLE, ImageId=image_id, ProductCodes=config["ami_product_codes"])
            if snapshot_permissions:
                for snapshot in snapshots(build, image_id, region):
                    build.call(f"share the snapshot {snapshot} in {region}", "modify_snapshot_attribute",
                               region=region, retry=IMAGE_VISIBLE, SnapshotId=snapshot, Attribute="createVolumePermission",
                               OperationType="add", UserIds=config["snapshot_users"],
                               GroupNames=config["snapshot_groups"])


class StepCreateTags(Step):
    def run(self, state):
        self.tag(state["amis"], state["generated"])

    def tag(self, amis, data):
        config, build = self.config, self.build
        tags = render_tags(config["tags"], data)
        # Snapshots get the AMI's tags, overridden by snapshot_tags (Packer's StepCreateTags).
        snapshot_tags = dict(tags, **render_tags(config["snapshot_tags"], data))
        if not tags and not snapshot_tags:
            return
        for region, image_id in sorted(amis.items()):
            build.say(f"Adding tags to AMI ({image_id}) in {region}...")
            if tags:
                build.call(f"tag the AMI {image_id} in {region}", "create_tags", region=region, retry=IMAGE_VISIBLE,
                           Resources=[image_id], Tags=[{"Key": k, "Value": v} for k, v in tags.items()])
            image_snapshots = snapshots(build, image_id, region)
            if snapshot_tags and image_snapshots:
                build.message("Tagging snapshot: " + ", ".join(image_snapshots))
                build.call(f"tag the snapshots of {image_id} in {region}", "create_tags", region=region,
                           retry=IMAGE_VISIBLE, Resources=image_snapshots,
                           Tags=[{"Key": k, "Value": v} for k, v in snapshot_tags.items()])
