# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Packer's StepRunSourceInstance: the source instance, running, and where the communicator reaches it."""

from __future__ import annotations

import base64
import binascii

from ansible_collections.cattle.images.plugins.module_utils.aws.client import (
    CONFIRM_GONE,
    INSTANCE_VISIBLE,
    AwsError,
    is_not_found,
    wait,
)
from ansible_collections.cattle.images.plugins.module_utils.aws.config import communicator_port
from ansible_collections.cattle.images.plugins.module_utils.aws.steps.base import (
    KIND_INSTANCE,
    Step,
    render_tags,
    tag_filter,
)
from ansible_collections.cattle.images.plugins.module_utils.aws.steps.cleanup_volumes import (
    StepCleanupVolumes,
    instance_volumes,
)

LIVE_STATES = ["pending", "running", "stopping", "stopped", "shutting-down"]
# What the launch keeps of the instance for capture and the communicator.
INSTANCE_FIELDS = ("InstanceId", "PublicIpAddress", "PrivateIpAddress", "PublicDnsName", "PrivateDnsName", "VpcId",
                   "SubnetId")


def instance_ledger_name(build_id):
    return f"cattle-{build_id}"


class StepRunSourceInstance(Step):
    kind = KIND_INSTANCE

    def run(self, state):
        instance = self.run_instance(state, state["image"], state.get("vpc_id"), state.get("subnet_id"),
                                     state["generated"])
        state["host"] = self.host(instance)
        state["port"] = communicator_port(self.config)
        state["instance"] = {key: instance.get(key) or "" for key in INSTANCE_FIELDS}
        # Volumes that may outlive the instance (DeleteOnTermination=false): cleanup deletes them after it.
        state["volumes"] = instance_volumes(instance)
        state["keep_devices"] = [m["DeviceName"] for m in self.config["launch_block_device_mappings"]]
        self.build.record(KIND_INSTANCE, instance_ledger_name(self.build.build_id), instance_id=instance["InstanceId"],
                          volumes=state["volumes"], keep_devices=state["keep_devices"])

    def user_data(self):
        config = self.config
        if config["user_data_file"]:
            try:
                with open(config["user_data_file"], "rb") as handle:
                    data = handle.read()
            except OSError as exc:
                raise AwsError(f"user_data_file: cannot read {config['user_data_file']}: {exc.strerror}") from None
        elif config["user_data"]:
            data = config["user_data"].encode("utf-8")
        else:
            return None
        # Packer passes user data that already is base64 as it is; boto3 encodes, so decode it first.
        try:
            decoded = base64.b64decode(data, validate=True)
            if base64.b64encode(decoded) == data.strip():
                return decoded
        except (binascii.Error, ValueError):
            pass
        return data

    def run_instance(self, state, image, vpc_id, subnet_id, data):  # pylint: disable=too-many-arguments
        config, build = self.config, self.build
        run_tags = render_tags(config["run_tags"], data)
        run_tags.setdefault("Name", "Packer Builder")
        kwargs = {
            "ImageId": image["ImageId"], "InstanceType": config["instance_type"], "MinCount": 1, "MaxCount": 1,
            "InstanceInitiatedShutdownBehavior": config["shutdown_behavior"],
            "TagSpecifications": build.tag_spec("instance", run_tags),
            # Idempotent on AWS: a retried call does not start a second instance.
            "ClientToken": f"cattle-{build.build_id}",
        }
        if config["run_volume_tags"]:
            kwargs["TagSpecifications"] += build.tag_spec("volume", render_tags(config["run_volume_tags"], data))
        if state.get("key_pair_name"):
            kwargs["KeyName"] = state["key_pair_name"]
        user_data = self.user_data()
        if user_data is not None:
            kwargs["UserData"] = user_data
        if config["iam_instance_profile"]:
            kwargs["IamInstanceProfile"] = {"Name": config["iam_instance_profile"]}
        if config["launch_block_device_mappings"]:
            kwargs["BlockDeviceMappings"] = config["launch_block_device_mappings"]
        if config["availability_zone"]:
            kwargs["Placement"] = {"AvailabilityZone": config["availability_zone"]}
        if config["tenancy"]:
            kwargs.setdefault("Placement", {})["Tenancy"] = config["tenancy"]
        if config["ebs_optimized"]:
            kwargs["EbsOptimized"] = True
        kwargs.update(self.network_arguments(state.get("security_group_ids") or [], subnet_id))
        build.say("Launching a source AWS instance...")
        build.record(KIND_INSTANCE, instance_ledger_name(build.build_id))
        reservation = build.call(f"launch the source instance from {image['ImageId']}", "run_instances", **kwargs)
        instance_id = reservation["Instances"][0]["InstanceId"]
        state["instance_id"] = instance_id
        build.record(KIND_INSTANCE, instance_ledger_name(build.build_id), instance_id=instance_id)
        build.message(f"Instance ID: {instance_id}")
        build.say(f"Waiting for instance ({instance_id}) to become ready...")
        wait(build.ec2(), "instance_running", build.polling, f"instance {instance_id} to become ready",
             InstanceIds=[instance_id])
        instance = self.describe_instance(instance_id)
        for key, label in (("PublicDnsName", "Public DNS"), ("PublicIpAddress", "Public IP"),
                           ("PrivateIpAddress", "Private IP")):
            if instance.get(key):
                build.message(f"{label}: {instance[key]}")
        return instance

    def network_arguments(self, groups, subnet_id):
        if self.config["associate_public_ip_address"] is None:
            kwargs = {"SecurityGroupIds": groups} if groups else {}
            if subnet_id:
                kwargs["SubnetId"] = subnet_id
            return kwargs
        # Only a network interface can say whether to get a public IP.
        interface = {"DeviceIndex": 0, "AssociatePublicIpAddress": self.config["associate_public_ip_address"],
                     "DeleteOnTermination": True, "Groups": groups}
        if subnet_id:
            interface["SubnetId"] = subnet_id
        return {"NetworkInterfaces": [interface]}

    def describe_instance(self, instance_id):
        reservations = self.build.call(f"describe the instance {instance_id}", "describe_instances",
                                       retry=INSTANCE_VISIBLE, InstanceIds=[instance_id])["Reservations"]
        for reservation in reservations:
            for instance in reservation["Instances"]:
                return instance
        raise AwsError(f"The instance {instance_id} disappeared.")

    def host(self, instance):
        """Where the communicator connects (Packer's SSHHost)."""
        config = self.config
        explicit = config["winrm_host"] if config["communicator"] == "winrm" else config["ssh_host"]
        if explicit:
            return explicit
        interface = config["ssh_interface"]
        by_interface = {"public_ip": "PublicIpAddress", "private_ip": "PrivateIpAddress",
                        "public_dns": "PublicDnsName", "private_dns": "PrivateDnsName"}
        if interface:
            value = instance.get(by_interface[interface])
            if not value:
                raise AwsError(f"ssh_interface {interface}: the instance {instance['InstanceId']} has no "
                               f"{by_interface[interface]}.")
            return value
        if instance.get("VpcId"):
            return instance.get("PublicIpAddress") or instance.get("PrivateIpAddress") or ""
        return instance.get("PublicDnsName") or instance.get("PrivateIpAddress") or ""

    # --- cleanup ---------------------------------------------------------------------

    def cleanup(self, state):
        """Terminate the instance (by id: ``state``'s, else this build's ledger entries'; else by tag)."""
        build = self.build
        instance_ids = [state["instance_id"]] if state.get("instance_id") else build.recorded(KIND_INSTANCE,
                                                                                              "instance_id")
        changed = self.terminate(instance_ids)
        volumes, keep_devices = dict(state.get("volumes") or {}), list(state.get("keep_devices") or [])
        for entry in build.entries(KIND_INSTANCE):
            volumes.update(entry.get("volumes") or {})
            keep_devices += entry.get("keep_devices") or []
        changed = StepCleanupVolumes(build).cleanup(volumes, set(keep_devices)) or changed
        build.release_recorded(KIND_INSTANCE, instance_ledger_name(build.build_id))
        return changed

    @staticmethod
    def state_of(entry):
        return {"instance_id": entry.get("instance_id") or "", "volumes": entry.get("volumes") or {},
                "keep_devices": entry.get("keep_devices") or []}

    def build_instances(self):
        """This build's instances that are not terminated, found by the build id tag (the fallback: tags lag)."""
        reservations = self.build.call("look up this build's instances", "describe_instances", Filters=[
            *tag_filter(self.build.build_id), {"Name": "instance-state-name", "Values": LIVE_STATES},
        ])["Reservations"]
        return [i["InstanceId"] for r in reservations for i in r["Instances"]]

    def terminate(self, instance_ids=()):
        """Terminate ``instance_ids`` (else the instances found by tag) and wait until they are terminated.

        An id that stays NotFound through :data:`CONFIRM_GONE` is taken as gone already.
        """
        build = self.build
        instance_ids = list(dict.fromkeys(instance_ids)) or self.build_instances()
        if not instance_ids:
            return False
        build.say("Terminating the source AWS instance...")
        present = []
        for instance_id in instance_ids:
            try:
                build.call(f"terminate the instance {instance_id}", "terminate_instances", retry=CONFIRM_GONE,
                           InstanceIds=[instance_id])
                present.append(instance_id)
            except AwsError:
                if not self._gone(instance_id):
                    raise
        if present:
            wait(build.ec2(), "instance_terminated", build.polling, f"instance(s) {', '.join(present)} to terminate",
                 retry=CONFIRM_GONE, sleep=build.sleep, InstanceIds=present)
        return bool(present)

    def _gone(self, instance_id):
        """Whether the last failure for ``instance_id`` was NotFound (asked again: describe by id)."""
        try:
            self.build.ec2().describe_instances(InstanceIds=[instance_id])
        except Exception as exc:  # noqa: BLE001
            return is_not_found(exc)
        return False
