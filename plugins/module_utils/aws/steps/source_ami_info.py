# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Packer's StepSourceAMIInfo: the source image, by id or by filter, and the build data it gives."""

from __future__ import annotations

from ansible_collections.cattle.images.plugins.module_utils.aws.client import (
    AwsError,
    error_code,
    explain,
    is_not_found,
)
from ansible_collections.cattle.images.plugins.module_utils.aws.steps.base import Step


class StepSourceAMIInfo(Step):
    def run(self, state):
        state["image"] = image = self.source_ami()
        state["generated"] = self.generated_data(image)

    def source_ami(self):
        config, region = self.config, self.build.region
        if config["source_ami"]:
            try:
                images = self.build.ec2().describe_images(ImageIds=[config["source_ami"]])["Images"]
            except Exception as exc:  # noqa: BLE001
                if not is_not_found(exc) and error_code(exc) != "InvalidAMIID.Malformed":
                    raise AwsError(explain(exc, f"look up the source AMI {config['source_ami']}")) from None
                images = []
            if not images:
                raise AwsError(
                    f"source_ami: the AMI {config['source_ami']} does not exist in {region} "
                    "(or these credentials may not see it)."
                )
            image = images[0]
        else:
            flt = config["source_ami_filter"]
            kwargs = {"Filters": [{"Name": k, "Values": [v]} for k, v in sorted(flt["filters"].items())]}
            if flt["owners"]:
                kwargs["Owners"] = flt["owners"]
            images = self.build.call("look up the source AMI by source_ami_filter", "describe_images",
                                     **kwargs)["Images"]
            if not images:
                raise AwsError(f"source_ami_filter: No AMI was found matching filters: {flt['filters']} "
                               f"(owners {flt['owners']}) in {region}.")
            if len(images) > 1 and not flt["most_recent"]:
                raise AwsError("source_ami_filter: Your query returned more than one result. Please try a more "
                               "specific search, or set most_recent to true.")
            image = max(images, key=lambda i: i.get("CreationDate") or "")
        self.build.say(f"Found Image ID: {image['ImageId']}")
        return image

    def generated_data(self, image):
        """Packer's build data for tags and provisioners ({{ .SourceAMI }}, {{ build `SourceAMIName` }}, …)."""
        return {
            "BuildRegion": self.build.region,
            "SourceAMI": image["ImageId"],
            "SourceAMIName": image.get("Name") or "",
            "SourceAMIOwner": image.get("OwnerId") or "",
            "SourceAMIOwnerName": image.get("ImageOwnerAlias") or "",
            "SourceAMICreationDate": image.get("CreationDate") or "",
            "SourceAMITags": {t["Key"]: t["Value"] for t in image.get("Tags") or []},
        }
