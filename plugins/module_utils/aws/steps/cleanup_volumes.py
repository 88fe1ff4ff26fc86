# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Packer's StepCleanupVolumes: the instance's volumes that outlive it, deleted after it is terminated.

An AMI's block device mapping may say DeleteOnTermination=false (many public AMIs do for the
root volume): the volume the instance got from it stays, ``available``, after termination.
Packer deletes every such volume except those of ``launch_block_device_mappings``, whose own
``delete_on_termination`` the user chose; so do we. The volume ids come from the running
instance and are recorded in its ledger entry, so a sweep after a crash removes them too.
"""

from __future__ import annotations

from ansible_collections.cattle.images.plugins.module_utils.aws.client import AwsError, delete_or_gone


def instance_volumes(instance):
    """``{volume id: device name}`` of an instance's EBS block devices."""
    return {bdm["Ebs"]["VolumeId"]: bdm.get("DeviceName") or "" for bdm in instance.get("BlockDeviceMappings") or []
            if (bdm.get("Ebs") or {}).get("VolumeId")}


class StepCleanupVolumes:
    """Run after the instance's termination (its cleanup calls :meth:`cleanup`, as Packer's step order does)."""

    def __init__(self, build):
        self.build = build

    def cleanup(self, volumes, keep_devices):
        """Delete the ``volumes`` (id -> device) still ``available``, except those on ``keep_devices``.

        Returns whether any was deleted; a failed delete raises (the ledger entry then stays).
        """
        build = self.build
        if not volumes:
            return False
        build.say("Cleaning up any extra volumes...")
        try:
            found = build.ec2().describe_volumes(Filters=[{"Name": "volume-id", "Values": sorted(volumes)}])["Volumes"]
        except Exception as exc:  # noqa: BLE001
            raise AwsError(f"Error describing volumes: {exc}") from None
        leftovers = sorted(volume["VolumeId"] for volume in found
                           if volume.get("State") == "available" and volumes.get(volume["VolumeId"]) not in keep_devices)
        if not leftovers:
            build.say("No volumes to clean up, skipping")
            return False
        for volume_id in leftovers:
            build.say(f"Destroying volume ({volume_id})...")
            delete_or_gone(lambda volume_id=volume_id: build.ec2().delete_volume(VolumeId=volume_id),
                           f"delete the volume {volume_id}")
        return True
