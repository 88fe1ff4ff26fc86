# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Looking up, waiting for and deregistering AMIs: what the AMI steps share."""

from __future__ import annotations

from ansible_collections.cattle.images.plugins.module_utils.aws.client import IMAGE_VISIBLE, AwsError, wait

# Packer's default: 120 polls of 15s, 30 minutes (cross-region copies are slow), not boto's 10.
AMI_WAIT_ATTEMPTS = 120


def images_named(build, name, region):
    return build.call(f"look up AMIs named {name!r} in {region}", "describe_images", region=region,
                      Owners=["self"], Filters=[{"Name": "name", "Values": [name]}])["Images"]


def describe_image(build, image_id, region):
    images = build.call(f"describe the AMI {image_id} in {region}", "describe_images", region=region,
                        retry=IMAGE_VISIBLE, ImageIds=[image_id])["Images"]
    if not images:
        raise AwsError(f"The AMI {image_id} in {region} disappeared.")
    return images[0]


def snapshots(build, image_id, region):
    return mapped_snapshots(describe_image(build, image_id, region))


def mapped_snapshots(image):
    return [m["Ebs"]["SnapshotId"] for m in image.get("BlockDeviceMappings") or [] if (m.get("Ebs") or {}).get("SnapshotId")]


def deregister(build, image, region, delete_snapshots):
    image_id = image["ImageId"]
    build.call(f"deregister the AMI {image_id} in {region}", "deregister_image", region=region, ImageId=image_id)
    if delete_snapshots:
        for snapshot in mapped_snapshots(image):
            build.call(f"delete the snapshot {snapshot} in {region}", "delete_snapshot", region=region,
                       SnapshotId=snapshot)


def wait_available(build, image_id, region):
    wait(build.ec2(region), "image_available", build.polling.or_max_attempts(AMI_WAIT_ATTEMPTS),
         f"AMI {image_id} in {region} to become ready", retry=IMAGE_VISIBLE, sleep=build.sleep, ImageIds=[image_id])
