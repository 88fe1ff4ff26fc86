# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Packer's StepDeregisterAMI, stepCreateAMI and StepAMIRegionCopy: the AMI made (and, with encrypt_boot,
replaced by an encrypted copy), copied to ami_regions; and, when the build fails, removed again.

An AMI is written to the ledger (kind ``ec2_image``, once per region) before the call that makes
it, under its name: an interrupted CreateImage or CopyImage may never say the new AMI's id. The
AMIs that carried the name already are noted then and never touched.
"""

from __future__ import annotations

import re

from ansible_collections.cattle.images.plugins.module_utils.aws.client import (
    AwsError,
    delete_or_gone,
    error_code,
    explain,
)
from ansible_collections.cattle.images.plugins.module_utils.aws.steps.amis import (
    deregister,
    describe_image,
    images_named,
    mapped_snapshots,
    wait_available,
)
from ansible_collections.cattle.images.plugins.module_utils.aws.steps.base import KIND_IMAGE, Step


def image_ledger_name(build_id, region, ami_name):
    # One entry per region and build: the encrypted copy shares the original's name and region.
    return f"{region}:{ami_name} ({build_id})"


class StepDeregisterAMI(Step):
    """force_deregister: the AMIs already named ami_name go first, in every region the build writes to."""

    def run(self, state):
        if not self.config["force_deregister"]:
            return
        name = self.config["ami_name"]
        for region in [self.build.region, *self.config["ami_regions"]]:
            for image in images_named(self.build, name, region):
                self.build.say(f"Deregistered AMI id: {image['ImageId']} ({region})")
                deregister(self.build, image, region, self.config["force_delete_snapshot"])


class StepCreateAMI(Step):
    kind = KIND_IMAGE

    def __init__(self, build):
        super().__init__(build)
        # region -> ids of the AMIs that already carried ami_name when this build recorded its own there
        self.recorded_images = {}

    def run(self, state):
        self.create_images(state["instance_id"], state["amis"], state.get("description") or "")

    def create_images(self, instance_id, amis, description=""):
        config, build, region = self.config, self.build, self.build.region
        name = config["ami_name"]
        build.say(f"Creating AMI {name} from instance {instance_id}")
        kwargs = {"InstanceId": instance_id, "Name": name}
        if description:
            kwargs["Description"] = description
        if config["ami_block_device_mappings"]:
            kwargs["BlockDeviceMappings"] = config["ami_block_device_mappings"]
        image_id = self.make_image(region, amis, f"create the AMI {name!r} from {instance_id}", "create_image", **kwargs)
        amis[region] = image_id
        build.message(f"AMI: {image_id}")
        build.say("Waiting for AMI to become ready...")
        wait_available(build, image_id, region)

        if config["encrypt_boot"]:
            # Packer's way: an encrypted copy in the build region replaces the unencrypted original.
            kms = config["region_kms_key_ids"].get(region) or config["kms_key_id"]
            build.say(f"Copying/Encrypting AMI ({image_id}) to other regions...")
            encrypted = self.copy(image_id, region, True, kms, amis, description)
            build.message(f"Copying to: {region}")
            amis[region] = encrypted
            wait_available(build, encrypted, region)
            build.say(f"Deregistering the intermediary AMI {image_id} and deleting its snapshots")
            deregister(build, describe_image(build, image_id, region), region, True)
            image_id = encrypted
        self.copy_to_regions(image_id, amis, description)

    def copy_to_regions(self, image_id, amis, description):
        config, build = self.config, self.build
        copies = {}
        if config["ami_regions"]:
            build.say(f"Copying/Encrypting AMI ({image_id}) to other regions...")
        for region in config["ami_regions"]:
            build.message(f"Copying to: {region}")
            kms = config["region_kms_key_ids"].get(region, "")
            copies[region] = amis[region] = self.copy(image_id, region, bool(config["encrypt_boot"]), kms, amis,
                                                      description)
        for region, copied in copies.items():
            build.message(f"Waiting for all copies to complete... ({region})")
            wait_available(build, copied, region)
        if config["skip_save_build_region"]:
            build.say(f"Deregistering the AMI in the build region {build.region} (skip_save_build_region)")
            deregister(build, describe_image(build, amis.pop(build.region), build.region), build.region, True)

    def copy(self, image_id, region, encrypt, kms_key_id, amis, description):  # pylint: disable=too-many-arguments
        kwargs = {"SourceRegion": self.build.region, "SourceImageId": image_id, "Name": self.config["ami_name"]}
        if self.config["ami_description"]:
            kwargs["Description"] = description
        if encrypt:
            kwargs["Encrypted"] = True
            if kms_key_id:
                kwargs["KmsKeyId"] = kms_key_id
        return self.make_image(region, amis, f"copy the AMI {image_id} to {region}", "copy_image", **kwargs)

    def make_image(self, region, amis, action, operation, **kwargs):
        """CreateImage / CopyImage into ``region``, written to the ledger first. Returns the new AMI's id."""
        self.record_image(region)
        try:
            return getattr(self.build.ec2(region), operation)(**kwargs)["ImageId"]
        except AwsError:
            raise
        except Exception as exc:  # noqa: BLE001
            if error_code(exc) and region not in amis and region in self.recorded_images:
                # AWS answered no: nothing was made, and a same-named AMI there now (the reason for an
                # InvalidAMIName.Duplicate) is not this build's, so neither cleanup nor a sweep looks.
                del self.recorded_images[region]
                self.build.ledger.release(KIND_IMAGE, image_ledger_name(self.build.build_id, region,
                                                                        self.config["ami_name"]))
            raise AwsError(explain(exc, action)) from None

    def record_image(self, region):
        """Write the AMI about to be made in ``region`` (CreateImage, CopyImage) to the ledger, once per region.

        A sweep finds it by name, since an interrupted call may never say its id. The AMIs that
        carry the name already are noted and never touched: a same-named AMI can only be there
        when it is not this build's (prevalidate refused it, force_deregister removed it, or it
        appeared meanwhile, and then AWS refuses our create call).
        """
        build = self.build
        if build.ledger is None or region in self.recorded_images:
            return
        name = self.config["ami_name"]
        existing = sorted(image["ImageId"] for image in images_named(build, name, region))
        self.recorded_images[region] = existing
        build.record(KIND_IMAGE, image_ledger_name(build.build_id, region, name), region=region, ami_name=name,
                     existing_image_ids=existing)

    def cleanup(self, state):
        """A capture that fails half-way leaves no AMI behind: those it made (``state["amis"]``), and those
        the ledger's entries stand for (what a create or copy made before failing without saying its id).

        Each failure is said in the build's output; the first is raised once all were tried, and the
        ledger entries of its region stay for the wrapper's sweep to try again.
        """
        build = self.build
        name = state.get("ami_name") or self.config["ami_name"]
        failures, failed_regions, changed = [], set(), False
        for region, image_id in (state.get("amis") or {}).items():
            try:
                build.say(f"Deregistering the AMI {image_id} in {region} because the build failed")
                deregister(build, describe_image(build, image_id, region), region, True)
                changed = True
            except AwsError as exc:
                failed_regions.add(region)
                failures.append(exc)
                build.ui.error(f"Could not deregister {image_id} in {region}: {exc}")
        recorded = dict(self.recorded_images, **(state.get("recorded_images") or {}))
        for region, existing in recorded.items():
            if region in failed_regions:
                continue  # its ledger entry stays: the wrapper's sweep tries again
            try:
                changed = self.remove_new_images(region, name, existing) or changed
            except AwsError as exc:
                failures.append(exc)
                build.ui.error(f"Could not deregister the AMIs named {name!r} in {region}: {exc}")
                continue
            if build.ledger is not None:
                build.ledger.release(KIND_IMAGE, image_ledger_name(build.build_id, region, name))
        if failures:
            raise failures[0]
        return changed

    @staticmethod
    def state_of(entry):
        return {"ami_name": entry["ami_name"], "recorded_images": {entry["region"]: entry.get("existing_image_ids") or []}}

    def remove_new_images(self, region, name, existing_ids):
        """Deregister the AMIs named ``name`` in ``region`` but not in ``existing_ids``, and delete their snapshots."""
        build = self.build
        images = [image for image in images_named(build, name, region) if image["ImageId"] not in set(existing_ids)]
        if images:
            build.say("Deregistering the AMI and deleting associated snapshots because of cancellation, or error...")
        for image in images:
            image_id = image["ImageId"]
            # A pending AMI may not list its snapshots yet; their descriptions name it
            # ("Created by CreateImage(i-…) for ami-…", "Copied for DestinationAmi ami-…").
            described = build.call(f"look up the snapshots of {image_id} in {region}", "describe_snapshots",
                                   region=region, OwnerIds=["self"],
                                   Filters=[{"Name": "description", "Values": [f"*{image_id}*"]}])["Snapshots"]
            mentions = re.compile(rf"\b{re.escape(image_id)}\b")
            named = [s["SnapshotId"] for s in described if mentions.search(s.get("Description") or "")]
            deregister(build, image, region, False)
            build.say(f"Deregistered AMI id: {image_id}")
            for snapshot in dict.fromkeys(mapped_snapshots(image) + named):
                if delete_or_gone(lambda snapshot=snapshot: build.ec2(region).delete_snapshot(SnapshotId=snapshot),
                                  f"delete the snapshot {snapshot} in {region}"):
                    build.say(f"Deleted snapshot: {snapshot}")
        return bool(images)
