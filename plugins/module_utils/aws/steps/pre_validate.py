# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Packer's StepPreValidate: the regions exist, and the AMI name is free unless it is to be replaced."""

from __future__ import annotations

from ansible_collections.cattle.images.plugins.module_utils.aws.client import AwsError
from ansible_collections.cattle.images.plugins.module_utils.aws.steps.base import Step


class StepPreValidate(Step):
    def run(self, state):
        self.validate_regions()
        name = self.config["ami_name"]
        if self.config["force_deregister"] or self.config["skip_create_ami"]:
            return
        self.build.say(f"Prevalidating AMI Name: {name}")
        images = self.build.call(f"look up AMIs named {name!r}", "describe_images", Owners=["self"],
                                 Filters=[{"Name": "name", "Values": [name]}])["Images"]
        if images:
            raise AwsError(
                f"AMI Name: {name!r} is used by an existing AMI: {images[0]['ImageId']} (in {self.build.region}). "
                "Choose another ami_name, set force_deregister (with force_delete_snapshot to delete its "
                "snapshots too) to replace it, or run the build with -force."
            )

    def validate_regions(self):
        """``region`` and ``ami_regions`` must be regions this account has, unless skip_region_validation."""
        if self.config["skip_region_validation"]:
            return
        wanted = [self.build.region, *self.config["ami_regions"]]
        regions = self.build.call("list the EC2 regions", "describe_regions")["Regions"]
        available = sorted(region["RegionName"] for region in regions)
        unknown = [region for region in dict.fromkeys(wanted) if region and region not in available]
        if unknown:
            raise AwsError(
                f"Invalid region(s) {', '.join(unknown)} (in region / ami_regions); the regions available are "
                f"{', '.join(available)}. Set skip_region_validation to use a region this list lacks."
            )
