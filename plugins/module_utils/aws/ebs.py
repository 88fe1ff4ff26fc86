# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The amazon-ebs builder's steps on boto3, in Packer's order.

launch:  prevalidate the AMI name → source AMI → VPC/subnet → temporary key pair →
         temporary security group → run the instance → wait until it runs → pick its address
capture: stop → (force_deregister) → create the AMI → wait → (encrypt_boot) encrypted copy →
         copy to ami_regions → launch permissions → tags → artifact
cleanup: terminate the instance → delete the temporary security group and key pair

Every resource is written to the ledger before the call that creates it, under a name a
cleaner can find it by (the key pair's and security group's names, the instance's
``cattle.build_id`` tag, the AMI name in each region), and is tagged with the build's id
(AMIs are not: their tags are the template's). A failed launch removes what it made before
raising; a failed capture deregisters the AMIs it made; the AMIs' entries are released once
the artifact is complete.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import shutil
import tempfile
import time
import uuid

from ansible_collections.cattle.images.plugins.module_utils.aws.client import (
    CONFIRM_GONE,
    GROUP_VISIBLE,
    IMAGE_VISIBLE,
    INSTANCE_VISIBLE,
    AwsError,
    Polling,
    ec2_client,
    endpoint_url,
    error_code,
    eventually,
    explain,
    is_not_found,
    session,
    wait,
)
from ansible_collections.cattle.images.plugins.module_utils.aws.config import (
    communicator_port,
    needs_temporary_key_pair,
)
from ansible_collections.cattle.images.plugins.module_utils.orphans import run_tag

BUILDER_ID = "mitchellh.amazonebs"
TAG_BUILD_ID = "cattle.build_id"
# The run that made a resource (orphans.run_tag): lets a sweep tell a dead run's leftovers when no ledger lists them.
TAG_RUN = "cattle.run"
AMI_WAIT_ATTEMPTS = 120
KIND_INSTANCE = "ec2_instance"
KIND_KEY_PAIR = "ec2_key_pair"
KIND_SECURITY_GROUP = "ec2_security_group"
KIND_IMAGE = "ec2_image"
KEY_DIR_PREFIX = "cattle-ec2-"


def instance_ledger_name(build_id):
    return f"cattle-{build_id}"


def image_ledger_name(build_id, region, ami_name):
    # One entry per region and build: the encrypted copy shares the original's name and region.
    return f"{region}:{ami_name} ({build_id})"


def render(text, data):
    """``{{ .SourceAMI }}`` and friends; a bad template is the user's error, said plainly."""
    from ansible_collections.cattle.images.plugins.module_utils.template import TemplateErrors, render_runtime

    try:
        return render_runtime(text, data)
    except TemplateErrors as exc:
        details = "; ".join(d.message for d in exc.diagnostics) or str(exc)
        raise AwsError(f"cannot render {text!r}: {details}") from None


class EbsBuild:
    """One amazon-ebs build: its config, clients, ledger and the Packer-style lines it says."""

    def __init__(self, config, build_id, build_name="amazon-ebs", ledger=None, plan_file=None, plan_build=None,
                 key_dir=None, sleep=time.sleep):
        self.config = config
        self.build_id = build_id
        self.build_name = build_name
        self.ledger = ledger
        self.plan_file = plan_file
        self.plan_build = plan_build or build_name
        self.key_dir = key_dir
        self.region = config["region"]
        self.polling = Polling.from_config(config)
        self.session = session(config)
        self.ui = []
        self._clients = {}
        self._sleep = sleep
        # region -> ids of the AMIs that already carried ami_name when this build recorded its own there
        self._recorded_images = {}
        self._description = ""

    # --- plumbing ------------------------------------------------------------------------

    def ec2(self, region=None):
        region = region or self.region
        if region not in self._clients:
            self._clients[region] = ec2_client(self.config, region, aws_session=self.session)
        return self._clients[region]

    def say(self, text):
        self.ui.append(["say", text])

    def message(self, text):
        self.ui.append(["message", text])

    def call(self, action, operation, *, region=None, retry=None, **kwargs):
        """One EC2 API call; any failure becomes an AwsError saying what we were doing.

        ``retry``: a :class:`RetryPolicy` when the call names a resource EC2 may not show yet.
        """
        method = getattr(self.ec2(region), operation)
        try:
            if retry:
                return eventually(lambda: method(**kwargs), retry, self._sleep)
            return method(**kwargs)
        except AwsError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise AwsError(explain(exc, action)) from None

    def _record(self, kind, name, region=None, **details):
        if self.ledger is not None:
            self.ledger.record(build=self.build_name, kind=kind, name=name, build_id=self.build_id,
                               region=region or self.region, endpoint_url=endpoint_url(self.config),
                               plan_file=self.plan_file or "", plan_build=self.plan_build, **details)

    def _tag_spec(self, resource_type, tags=None):
        tags = dict(tags or {})
        tags[TAG_BUILD_ID] = self.build_id
        if self.ledger is not None:
            tags[TAG_RUN] = run_tag(os.path.dirname(os.path.abspath(self.ledger.path)))
        return [{"ResourceType": resource_type, "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}]

    def render_tags(self, tags, data):
        return {render(key, data): render(value, data) for key, value in tags.items()}

    # --- launch --------------------------------------------------------------------------

    def prevalidate(self):
        """Packer's StepPreValidate: the regions exist, the AMI name is free unless it is to be replaced."""
        self.validate_regions()
        name = self.config["ami_name"]
        if self.config["force_deregister"] or self.config["skip_create_ami"]:
            return
        self.say(f"Prevalidating AMI Name: {name}")
        images = self.call(f"look up AMIs named {name!r}", "describe_images", Owners=["self"],
                           Filters=[{"Name": "name", "Values": [name]}])["Images"]
        if images:
            raise AwsError(
                f"AMI Name: {name!r} is used by an existing AMI: {images[0]['ImageId']} (in {self.region}). "
                "Choose another ami_name, set force_deregister (with force_delete_snapshot to delete its "
                "snapshots too) to replace it, or run the build with -force."
            )

    def validate_regions(self):
        """``region`` and ``ami_regions`` must be regions this account has, unless skip_region_validation."""
        if self.config["skip_region_validation"]:
            return
        wanted = [self.region, *self.config["ami_regions"]]
        available = sorted(r["RegionName"] for r in self.call("list the EC2 regions", "describe_regions")["Regions"])
        unknown = [region for region in dict.fromkeys(wanted) if region and region not in available]
        if unknown:
            raise AwsError(
                f"Invalid region(s) {', '.join(unknown)} (in region / ami_regions); the regions available are "
                f"{', '.join(available)}. Set skip_region_validation to use a region this list lacks."
            )

    def source_ami(self):
        """The source image (Packer's StepSourceAMIInfo)."""
        config = self.config
        if config["source_ami"]:
            try:
                images = self.ec2().describe_images(ImageIds=[config["source_ami"]])["Images"]
            except Exception as exc:  # noqa: BLE001
                if not is_not_found(exc) and error_code(exc) != "InvalidAMIID.Malformed":
                    raise AwsError(explain(exc, f"look up the source AMI {config['source_ami']}")) from None
                images = []
            if not images:
                raise AwsError(
                    f"source_ami: the AMI {config['source_ami']} does not exist in {self.region} "
                    "(or these credentials may not see it)."
                )
            image = images[0]
        else:
            flt = config["source_ami_filter"]
            kwargs = {"Filters": [{"Name": k, "Values": [v]} for k, v in sorted(flt["filters"].items())]}
            if flt["owners"]:
                kwargs["Owners"] = flt["owners"]
            images = self.call("look up the source AMI by source_ami_filter", "describe_images", **kwargs)["Images"]
            if not images:
                raise AwsError(f"source_ami_filter: No AMI was found matching filters: {flt['filters']} "
                               f"(owners {flt['owners']}) in {self.region}.")
            if len(images) > 1 and not flt["most_recent"]:
                raise AwsError("source_ami_filter: Your query returned more than one result. Please try a more "
                               "specific search, or set most_recent to true.")
            image = max(images, key=lambda i: i.get("CreationDate") or "")
        self.say(f"Found Image ID: {image['ImageId']}")
        return image

    def generated_data(self, image):
        """Packer's build data for tags and provisioners ({{ .SourceAMI }}, {{ build `SourceAMIName` }}, …)."""
        return {
            "BuildRegion": self.region,
            "SourceAMI": image["ImageId"],
            "SourceAMIName": image.get("Name") or "",
            "SourceAMIOwner": image.get("OwnerId") or "",
            "SourceAMIOwnerName": image.get("ImageOwnerAlias") or "",
            "SourceAMICreationDate": image.get("CreationDate") or "",
            "SourceAMITags": {t["Key"]: t["Value"] for t in image.get("Tags") or []},
        }

    def network(self):
        """VPC and subnet from ids or filters (Packer's StepNetworkInfo). Returns (vpc_id, subnet_id)."""
        config = self.config
        vpc_id, subnet_id = config["vpc_id"], config["subnet_id"]
        if not vpc_id and config["vpc_filter"]:
            vpcs = self.call("look up the VPC by vpc_filter", "describe_vpcs",
                             Filters=[{"Name": k, "Values": [v]} for k, v in config["vpc_filter"]["filters"].items()])
            if len(vpcs["Vpcs"]) != 1:
                raise AwsError(f"vpc_filter: exactly one VPC should match the filter, found {len(vpcs['Vpcs'])}.")
            vpc_id = vpcs["Vpcs"][0]["VpcId"]
            self.message(f"Found VPC ID: {vpc_id}")
        if not subnet_id and config["subnet_filter"]:
            flt = config["subnet_filter"]
            filters = [{"Name": k, "Values": [v]} for k, v in flt["filters"].items()]
            if vpc_id:
                filters.append({"Name": "vpc-id", "Values": [vpc_id]})
            if config["availability_zone"]:
                filters.append({"Name": "availability-zone", "Values": [config["availability_zone"]]})
            subnets = self.call("look up the subnet by subnet_filter", "describe_subnets", Filters=filters)["Subnets"]
            if not subnets:
                raise AwsError(f"subnet_filter: no subnet matches the filter {flt['filters']}.")
            if len(subnets) > 1 and not (flt.get("most_free") or flt.get("random")):
                raise AwsError("subnet_filter: your filter matched more than one subnet; add most_free or random, "
                               "or narrow the filter.")
            if flt.get("random"):
                import random

                subnet = random.choice(subnets)
            else:
                subnet = max(subnets, key=lambda s: s.get("AvailableIpAddressCount") or 0)
            subnet_id = subnet["SubnetId"]
            self.message(f"Found Subnet ID: {subnet_id}")
        if subnet_id and not vpc_id:
            subnets = self.call(f"look up the subnet {subnet_id}", "describe_subnets", SubnetIds=[subnet_id])["Subnets"]
            if subnets:
                vpc_id = subnets[0].get("VpcId") or ""
        return vpc_id, subnet_id

    def create_key_pair(self, source):
        """A temporary EC2 key pair; its private key goes 0600 into a private directory."""
        config = self.config
        name = config["temporary_key_pair_name"] or f"packer_{uuid.uuid4().hex}"
        if self.key_dir:
            # The communicator's private directory: it finds id_<type> there and uses it.
            key_dir, owned = self.key_dir, not os.path.isdir(self.key_dir)
            os.makedirs(key_dir, mode=0o700, exist_ok=True)
            os.chmod(key_dir, 0o700)
        else:
            key_dir, owned = tempfile.mkdtemp(prefix=f"{KEY_DIR_PREFIX}{self.build_id}-"), True  # 0700
        source["key_dir"], source["key_dir_owned"] = key_dir, owned
        self.say(f"Creating temporary keypair: {name}")
        self._record(KIND_KEY_PAIR, name, key_dir=key_dir, key_dir_owned=owned,
                     key_type=config["temporary_key_pair_type"])
        source["temporary_key_pair_name"] = name
        result = self.call(f"create the temporary key pair {name}", "create_key_pair", KeyName=name,
                           KeyType=config["temporary_key_pair_type"], TagSpecifications=self._tag_spec("key-pair"))
        path = os.path.join(key_dir, "id_" + config["temporary_key_pair_type"])
        material = result["KeyMaterial"].rstrip("\n") + "\n"
        write_private(path, material)
        with open(path + ".pub", "w", encoding="utf-8") as handle:
            handle.write(public_key_line(material, name) + "\n")
        source["key_pair_name"] = name
        source["private_key_file"] = path

    def create_security_group(self, source, vpc_id):
        """A temporary security group open on the communicator's port to the source CIDRs."""
        config = self.config
        name = f"packer_{uuid.uuid4().hex}"
        port = communicator_port(config)
        self.say("Creating temporary security group for this instance: " + name)
        self._record(KIND_SECURITY_GROUP, name, vpc_id=vpc_id or "")
        source["temporary_security_group_name"] = name
        kwargs = {"GroupName": name, "Description": "Temporary group for Packer",
                  "TagSpecifications": self._tag_spec("security-group")}
        if vpc_id:
            kwargs["VpcId"] = vpc_id
        group_id = self.call(f"create the temporary security group {name}", "create_security_group", **kwargs)["GroupId"]
        # Again, now with its id: cleanup deletes by id, since a tag-filtered lookup lags behind creates.
        self._record(KIND_SECURITY_GROUP, name, vpc_id=vpc_id or "", group_id=group_id)
        source["temporary_security_group_id"] = group_id
        source["security_group_ids"] = [group_id]
        cidrs = config["temporary_security_group_source_cidrs"]
        self.message(f"Authorizing access to port {port} from [{' '.join(cidrs)}] in the temporary security groups...")
        permissions = [{"IpProtocol": "tcp", "FromPort": port, "ToPort": port,
                        "IpRanges": [{"CidrIp": cidr} for cidr in cidrs]}]
        self.call(f"open port {port} in the temporary security group {name}", "authorize_security_group_ingress",
                  retry=GROUP_VISIBLE, GroupId=group_id, IpPermissions=permissions)

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

    def run_instance(self, source, image, vpc_id, subnet_id, data):
        config = self.config
        run_tags = self.render_tags(config["run_tags"], data)
        run_tags.setdefault("Name", "Packer Builder")
        kwargs = {
            "ImageId": image["ImageId"], "InstanceType": config["instance_type"], "MinCount": 1, "MaxCount": 1,
            "InstanceInitiatedShutdownBehavior": config["shutdown_behavior"],
            "TagSpecifications": self._tag_spec("instance", run_tags),
            # Idempotent on AWS: a retried call does not start a second instance.
            "ClientToken": f"cattle-{self.build_id}",
        }
        if config["run_volume_tags"]:
            kwargs["TagSpecifications"] += self._tag_spec("volume", self.render_tags(config["run_volume_tags"], data))
        if source.get("key_pair_name"):
            kwargs["KeyName"] = source["key_pair_name"]
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
        groups = source.get("security_group_ids") or []
        if config["associate_public_ip_address"] is not None:
            # Only a network interface can say whether to get a public IP.
            interface = {"DeviceIndex": 0, "AssociatePublicIpAddress": config["associate_public_ip_address"],
                         "DeleteOnTermination": True, "Groups": groups}
            if subnet_id:
                interface["SubnetId"] = subnet_id
            kwargs["NetworkInterfaces"] = [interface]
        else:
            if groups:
                kwargs["SecurityGroupIds"] = groups
            if subnet_id:
                kwargs["SubnetId"] = subnet_id
        self.say("Launching a source AWS instance...")
        self._record(KIND_INSTANCE, instance_ledger_name(self.build_id))
        reservation = self.call(f"launch the source instance from {image['ImageId']}", "run_instances", **kwargs)
        instance_id = reservation["Instances"][0]["InstanceId"]
        source["instance_id"] = instance_id
        self._record(KIND_INSTANCE, instance_ledger_name(self.build_id), instance_id=instance_id)
        self.message(f"Instance ID: {instance_id}")
        self.say(f"Waiting for instance ({instance_id}) to become ready...")
        wait(self.ec2(), "instance_running", self.polling, f"instance {instance_id} to become ready",
             InstanceIds=[instance_id])
        instance = self.describe_instance(instance_id)
        for key, label in (("PublicDnsName", "Public DNS"), ("PublicIpAddress", "Public IP"),
                           ("PrivateIpAddress", "Private IP")):
            if instance.get(key):
                self.message(f"{label}: {instance[key]}")
        return instance

    def describe_instance(self, instance_id):
        reservations = self.call(f"describe the instance {instance_id}", "describe_instances",
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

    def launch(self):
        """Everything up to a running instance. Returns ``source`` (what capture and cleanup need)."""
        config = self.config
        source = {"region": self.region, "build_id": self.build_id, "instance_id": "", "key_pair_name":
                  config["ssh_keypair_name"], "private_key_file": config["ssh_private_key_file"], "key_dir": "",
                  "temporary_key_pair_name": "", "temporary_security_group_id": "",
                  "temporary_security_group_name": "", "security_group_ids": list(config["security_group_ids"])}
        try:
            self.prevalidate()
            image = self.source_ami()
            data = self.generated_data(image)
            source["generated"] = data
            vpc_id, subnet_id = self.network()
            if needs_temporary_key_pair(config):
                self.create_key_pair(source)
            if not source["security_group_ids"]:
                self.create_security_group(source, vpc_id)
            instance = self.run_instance(source, image, vpc_id, subnet_id, data)
            source["host"] = self.host(instance)
            source["port"] = communicator_port(config)
            source["instance"] = {k: instance.get(k) or "" for k in (
                "InstanceId", "PublicIpAddress", "PrivateIpAddress", "PublicDnsName", "PrivateDnsName", "VpcId",
                "SubnetId")}
        except Exception:
            try:
                self.cleanup(source)
            except AwsError as exc:
                self.ui.append(["error", f"Cleanup after the failed launch failed too: {exc}"])
            raise
        return source

    # --- capture -------------------------------------------------------------------------

    def stop(self, instance_id):
        if self.config["disable_stop_instance"]:
            self.say("Automatic instance stop disabled. Please stop instance manually.")
        else:
            self.say("Stopping the source instance...")
            self.call(f"stop the instance {instance_id}", "stop_instances", retry=INSTANCE_VISIBLE,
                      InstanceIds=[instance_id])
        self.say("Waiting for the instance to stop...")
        wait(self.ec2(), "instance_stopped", self.polling, f"instance {instance_id} to stop",
             retry=INSTANCE_VISIBLE, sleep=self._sleep, InstanceIds=[instance_id])

    def modify_instance(self, instance_id):
        """sriov_support / ena_support on the stopped instance, so the AMI made from it carries them
        (Packer's StepModifyEBSBackedInstance; ena_support unset leaves the source AMI's setting)."""
        if self.config["sriov_support"]:
            self.say("Enabling Enhanced Networking (SR-IOV)...")
            self.call(f"enable Enhanced Networking (SR-IOV) on {instance_id}", "modify_instance_attribute",
                      retry=INSTANCE_VISIBLE, InstanceId=instance_id, SriovNetSupport={"Value": "simple"})
        ena = self.config["ena_support"]
        if ena is not None:
            prefix = "En" if ena else "Dis"
            self.say(f"{prefix}abling Enhanced Networking (ENA)...")
            self.call(f"{prefix.lower()}able Enhanced Networking (ENA) on {instance_id}", "modify_instance_attribute",
                      retry=INSTANCE_VISIBLE, InstanceId=instance_id, EnaSupport={"Value": bool(ena)})

    def images_named(self, name, region):
        return self.call(f"look up AMIs named {name!r} in {region}", "describe_images", region=region,
                         Owners=["self"], Filters=[{"Name": "name", "Values": [name]}])["Images"]

    def deregister(self, image, region, delete_snapshots):
        image_id = image["ImageId"]
        self.call(f"deregister the AMI {image_id} in {region}", "deregister_image", region=region, ImageId=image_id)
        if delete_snapshots:
            for mapping in image.get("BlockDeviceMappings") or []:
                snapshot = (mapping.get("Ebs") or {}).get("SnapshotId")
                if snapshot:
                    self.call(f"delete the snapshot {snapshot} in {region}", "delete_snapshot", region=region,
                              SnapshotId=snapshot)

    def force_deregister(self):
        name = self.config["ami_name"]
        for region in [self.region, *self.config["ami_regions"]]:
            for image in self.images_named(name, region):
                self.say(f"Deregistered AMI id: {image['ImageId']} ({region})")
                self.deregister(image, region, self.config["force_delete_snapshot"])

    def describe_image(self, image_id, region):
        images = self.call(f"describe the AMI {image_id} in {region}", "describe_images", region=region,
                           retry=IMAGE_VISIBLE, ImageIds=[image_id])["Images"]
        if not images:
            raise AwsError(f"The AMI {image_id} in {region} disappeared.")
        return images[0]

    def wait_available(self, image_id, region):
        # Packer's default: 120 polls of 15s, 30 minutes (cross-region copies are slow), not boto's 10.
        wait(self.ec2(region), "image_available", self.polling.or_max_attempts(AMI_WAIT_ATTEMPTS), f"AMI {image_id} in {region} to become ready",
             retry=IMAGE_VISIBLE, sleep=self._sleep, ImageIds=[image_id])

    def copy(self, image_id, region, encrypt, kms_key_id, amis):
        kwargs = {"SourceRegion": self.region, "SourceImageId": image_id, "Name": self.config["ami_name"]}
        if self.config["ami_description"]:
            kwargs["Description"] = self._description
        if encrypt:
            kwargs["Encrypted"] = True
            if kms_key_id:
                kwargs["KmsKeyId"] = kms_key_id
        return self.make_image(region, amis, f"copy the AMI {image_id} to {region}", "copy_image", **kwargs)

    def make_image(self, region, amis, action, operation, **kwargs):
        """CreateImage / CopyImage into ``region``, written to the ledger first. Returns the new AMI's id."""
        self.record_image(region)
        try:
            return getattr(self.ec2(region), operation)(**kwargs)["ImageId"]
        except AwsError:
            raise
        except Exception as exc:  # noqa: BLE001
            if error_code(exc) and region not in amis and region in self._recorded_images:
                # AWS answered no: nothing was made, and a same-named AMI there now (the reason for an
                # InvalidAMIName.Duplicate) is not this build's, so neither discard nor a sweep looks.
                del self._recorded_images[region]
                self.ledger.release(KIND_IMAGE, image_ledger_name(self.build_id, region, self.config["ami_name"]))
            raise AwsError(explain(exc, action)) from None

    def capture(self, source):
        """Stop, make the AMI(s), share and tag them. Returns the artifact, or None with skip_create_ami."""
        config = self.config
        instance_id = source.get("instance_id")
        if not instance_id:
            raise AwsError("Cannot capture: this build has no instance (did the launch fail?).")
        data = dict(source.get("generated") or {})
        self._description = render(config["ami_description"], data) if config["ami_description"] else ""
        self.stop(instance_id)
        self.modify_instance(instance_id)
        if config["skip_create_ami"]:
            self.say("Skipping AMI creation...")
            return None
        if config["force_deregister"]:
            self.force_deregister()
        amis = {}
        try:
            self.create_images(instance_id, amis)
            self.share(amis)
            self.tag(amis, data)
        except Exception:
            self.discard(amis)
            raise
        # Complete: from here on the AMIs are the build's artifact, no longer something to sweep.
        self._release_recorded(KIND_IMAGE)
        return artifact(amis, self.build_name, data)

    def create_images(self, instance_id, amis):
        config = self.config
        name = config["ami_name"]
        self.say(f"Creating AMI {name} from instance {instance_id}")
        kwargs = {"InstanceId": instance_id, "Name": name}
        if self._description:
            kwargs["Description"] = self._description
        if config["ami_block_device_mappings"]:
            kwargs["BlockDeviceMappings"] = config["ami_block_device_mappings"]
        image_id = self.make_image(self.region, amis, f"create the AMI {name!r} from {instance_id}", "create_image",
                                   **kwargs)
        amis[self.region] = image_id
        self.message(f"AMI: {image_id}")
        self.say("Waiting for AMI to become ready...")
        self.wait_available(image_id, self.region)

        if config["encrypt_boot"]:
            # Packer's way: an encrypted copy in the build region replaces the unencrypted original.
            kms = config["region_kms_key_ids"].get(self.region) or config["kms_key_id"]
            self.say(f"Copying/Encrypting AMI ({image_id}) to other regions...")
            encrypted = self.copy(image_id, self.region, True, kms, amis)
            self.message(f"Copying to: {self.region}")
            amis[self.region] = encrypted
            self.wait_available(encrypted, self.region)
            self.say(f"Deregistering the intermediary AMI {image_id} and deleting its snapshots")
            self.deregister(self.describe_image(image_id, self.region), self.region, True)
            image_id = encrypted
        copies = {}
        if config["ami_regions"]:
            self.say(f"Copying/Encrypting AMI ({image_id}) to other regions...")
        for region in config["ami_regions"]:
            self.message(f"Copying to: {region}")
            kms = config["region_kms_key_ids"].get(region, "")
            copies[region] = amis[region] = self.copy(image_id, region, bool(config["encrypt_boot"]), kms, amis)
        for region, copied in copies.items():
            self.message(f"Waiting for all copies to complete... ({region})")
            self.wait_available(copied, region)
        if config["skip_save_build_region"]:
            self.say(f"Deregistering the AMI in the build region {self.region} (skip_save_build_region)")
            self.deregister(self.describe_image(amis.pop(self.region), self.region), self.region, True)

    def share(self, amis):
        config = self.config
        permissions = [{"UserId": user} for user in config["ami_users"]] + \
                      [{"Group": group} for group in config["ami_groups"]]
        snapshot_permissions = config["snapshot_users"] or config["snapshot_groups"]
        if not (permissions or config["ami_product_codes"] or snapshot_permissions):
            return
        self.say("Modifying attributes on AMI...")
        for region, image_id in sorted(amis.items()):
            if permissions:
                self.message(f"Modifying: {image_id} ({region}) launch permissions")
                self.call(f"share the AMI {image_id} in {region}", "modify_image_attribute", region=region,
                          retry=IMAGE_VISIBLE, ImageId=image_id, LaunchPermission={"Add": permissions})
            if config["ami_product_codes"]:
                self.call(f"set product codes on the AMI {image_id} in {region}", "modify_image_attribute",
                          region=region, retry=IMAGE_VISIBLE, ImageId=image_id, ProductCodes=config["ami_product_codes"])
            if snapshot_permissions:
                for snapshot in self.snapshots(image_id, region):
                    self.call(f"share the snapshot {snapshot} in {region}", "modify_snapshot_attribute",
                              region=region, retry=IMAGE_VISIBLE, SnapshotId=snapshot, Attribute="createVolumePermission",
                              OperationType="add", UserIds=config["snapshot_users"],
                              GroupNames=config["snapshot_groups"])

    def snapshots(self, image_id, region):
        image = self.describe_image(image_id, region)
        return [m["Ebs"]["SnapshotId"] for m in image.get("BlockDeviceMappings") or []
                if (m.get("Ebs") or {}).get("SnapshotId")]

    def tag(self, amis, data):
        config = self.config
        tags = self.render_tags(config["tags"], data)
        # Snapshots get the AMI's tags, overridden by snapshot_tags (Packer's StepCreateTags).
        snapshot_tags = dict(tags, **self.render_tags(config["snapshot_tags"], data))
        if not tags and not snapshot_tags:
            return
        for region, image_id in sorted(amis.items()):
            self.say(f"Adding tags to AMI ({image_id}) in {region}...")
            if tags:
                self.call(f"tag the AMI {image_id} in {region}", "create_tags", region=region, retry=IMAGE_VISIBLE, Resources=[image_id],
                          Tags=[{"Key": k, "Value": v} for k, v in tags.items()])
            snapshots = self.snapshots(image_id, region)
            if snapshot_tags and snapshots:
                self.message("Tagging snapshot: " + ", ".join(snapshots))
                self.call(f"tag the snapshots of {image_id} in {region}", "create_tags", region=region, retry=IMAGE_VISIBLE,
                          Resources=snapshots, Tags=[{"Key": k, "Value": v} for k, v in snapshot_tags.items()])

    def discard(self, amis):
        """A capture that fails half-way leaves no AMI behind (Packer's stepCreateAMI cleanup)."""
        failed = set()
        for region, image_id in amis.items():
            try:
                self.say(f"Deregistering the AMI {image_id} in {region} because the build failed")
                self.deregister(self.describe_image(image_id, region), region, True)
            except AwsError as exc:
                failed.add(region)
                self.ui.append(["error", f"Could not deregister {image_id} in {region}: {exc}"])
        # Also what a create or copy call made before failing without saying its id.
        for region, existing in self._recorded_images.items():
            if region in failed:
                continue  # its ledger entry stays: the wrapper's sweep tries again
            try:
                self.remove_new_images(region, self.config["ami_name"], existing)
            except AwsError as exc:
                self.ui.append(["error", f"Could not deregister the AMIs named {self.config['ami_name']!r} "
                                         f"in {region}: {exc}"])
                continue
            self.ledger.release(KIND_IMAGE, image_ledger_name(self.build_id, region, self.config["ami_name"]))

    def record_image(self, region):
        """Write the AMI about to be made in ``region`` (CreateImage, CopyImage) to the ledger, once per region.

        A sweep finds it by name, since an interrupted call may never say its id. The AMIs that
        carry the name already are noted and never touched: a same-named AMI can only be there
        when it is not this build's (prevalidate refused it, force_deregister removed it, or it
        appeared meanwhile, and then AWS refuses our create call).
        """
        if self.ledger is None or region in self._recorded_images:
            return
        name = self.config["ami_name"]
        existing = sorted(image["ImageId"] for image in self.images_named(name, region))
        self._recorded_images[region] = existing
        self._record(KIND_IMAGE, image_ledger_name(self.build_id, region, name), region=region, ami_name=name,
                     existing_image_ids=existing)

    def remove_new_images(self, region, name, existing_ids):
        """Deregister the AMIs named ``name`` in ``region`` but not in ``existing_ids``, and delete their snapshots."""
        images = [image for image in self.images_named(name, region) if image["ImageId"] not in set(existing_ids)]
        if images:
            self.say("Deregistering the AMI and deleting associated snapshots because of cancellation, or error...")
        for image in images:
            image_id = image["ImageId"]
            # A pending AMI may not list its snapshots yet; their descriptions name it
            # ("Created by CreateImage(i-…) for ami-…", "Copied for DestinationAmi ami-…").
            described = self.call(f"look up the snapshots of {image_id} in {region}", "describe_snapshots",
                                  region=region, OwnerIds=["self"],
                                  Filters=[{"Name": "description", "Values": [f"*{image_id}*"]}])["Snapshots"]
            mentions = re.compile(rf"\b{re.escape(image_id)}\b")
            snapshots = [s["SnapshotId"] for s in described if mentions.search(s.get("Description") or "")]
            mapped = [m["Ebs"]["SnapshotId"] for m in image.get("BlockDeviceMappings") or []
                      if (m.get("Ebs") or {}).get("SnapshotId")]
            self.deregister(image, region, False)
            self.say(f"Deregistered AMI id: {image_id}")
            for snapshot in dict.fromkeys(mapped + snapshots):
                try:
                    self.ec2(region).delete_snapshot(SnapshotId=snapshot)
                except Exception as exc:  # noqa: BLE001
                    if is_not_found(exc):
                        continue
                    raise AwsError(explain(exc, f"delete the snapshot {snapshot} in {region}")) from None
                self.say(f"Deleted snapshot: {snapshot}")
        return bool(images)

    # --- cleanup -------------------------------------------------------------------------

    def build_instances(self):
        """This build's instances that are not terminated, found by the build id tag (the fallback: tags lag)."""
        reservations = self.call("look up this build's instances", "describe_instances", Filters=[
            {"Name": f"tag:{TAG_BUILD_ID}", "Values": [self.build_id]},
            {"Name": "instance-state-name", "Values": ["pending", "running", "stopping", "stopped", "shutting-down"]},
        ])["Reservations"]
        return [i["InstanceId"] for r in reservations for i in r["Instances"]]

    def terminate_instances(self, instance_ids=()):
        """Terminate ``instance_ids`` (else the instances found by tag) and wait until they are terminated.

        An id that stays NotFound through :data:`CONFIRM_GONE` is taken as gone already.
        """
        instance_ids = list(dict.fromkeys(instance_ids)) or self.build_instances()
        if not instance_ids:
            return False
        self.say("Terminating the source AWS instance...")
        present = []
        for instance_id in instance_ids:
            try:
                self.call(f"terminate the instance {instance_id}", "terminate_instances", retry=CONFIRM_GONE,
                          InstanceIds=[instance_id])
                present.append(instance_id)
            except AwsError:
                if not self._gone(instance_id):
                    raise
        if present:
            wait(self.ec2(), "instance_terminated", self.polling, f"instance(s) {', '.join(present)} to terminate",
                 retry=CONFIRM_GONE, sleep=self._sleep, InstanceIds=present)
        return bool(present)

    def _gone(self, resource_id):
        """Whether the last failure for ``resource_id`` was NotFound (asked again: describe by id)."""
        try:
            if resource_id.startswith("i-"):
                self.ec2().describe_instances(InstanceIds=[resource_id])
            else:
                self.ec2().describe_security_groups(GroupIds=[resource_id])
        except Exception as exc:  # noqa: BLE001
            return is_not_found(exc)
        return False

    def build_security_groups(self, name=None):
        """This build's temporary security groups (by tag, optionally only ``name``)."""
        filters = [{"Name": f"tag:{TAG_BUILD_ID}", "Values": [self.build_id]}]
        if name:
            filters.append({"Name": "group-name", "Values": [name]})
        return self.call("look up this build's security groups", "describe_security_groups",
                         Filters=filters)["SecurityGroups"]

    def delete_security_groups(self, name=None, group_ids=()):
        """Delete ``group_ids``, else this build's temporary security groups found by tag (optionally ``name``)."""
        group_ids = list(dict.fromkeys(group_ids)) or [group["GroupId"] for group in self.build_security_groups(name)]
        for group_id in group_ids:
            self.say(f"Deleting temporary security group {group_id} ...")
            self._delete_group(group_id)
        return bool(group_ids)

    def _delete_group(self, group_id):
        # A group stays "in use" for a little while after its instance terminates, and a group made
        # moments ago may answer NotFound for a while (then NotFound through CONFIRM_GONE is gone).
        attempts = 30
        not_found = 0
        for attempt in range(attempts):
            try:
                self.ec2().delete_security_group(GroupId=group_id)
                return
            except Exception as exc:  # noqa: BLE001
                if is_not_found(exc):
                    not_found += 1
                    if not_found >= CONFIRM_GONE.tries:
                        return
                    self._sleep(min(CONFIRM_GONE.initial * 2 ** (not_found - 1), CONFIRM_GONE.maximum))
                    continue
                if error_code(exc) == "DependencyViolation" and attempt < attempts - 1:
                    self._sleep(min(2 + attempt, 10))
                    continue
                raise AwsError(explain(exc, f"delete the temporary security group {group_id}")) from None

    def build_key_pairs(self, name=None):
        """This build's temporary key pairs (by tag, optionally only ``name``)."""
        filters = [{"Name": f"tag:{TAG_BUILD_ID}", "Values": [self.build_id]}]
        if name:
            filters.append({"Name": "key-name", "Values": [name]})
        try:
            return self.ec2().describe_key_pairs(Filters=filters)["KeyPairs"]
        except Exception as exc:  # noqa: BLE001
            if is_not_found(exc):
                return []
            raise AwsError(explain(exc, "look up this build's key pairs")) from None

    def delete_key_pairs(self, name=None):
        """Delete the temporary key pair ``name`` (a key pair's name is its id), else those found by tag."""
        names = [name] if name else [pair["KeyName"] for pair in self.build_key_pairs()]
        for each in names:
            self.say("Deleting temporary keypair...")
            try:
                # DeleteKeyPair of a name that is not there succeeds: nothing to confirm.
                self.ec2().delete_key_pair(KeyName=each)
            except Exception as exc:  # noqa: BLE001
                if not is_not_found(exc):
                    raise AwsError(explain(exc, f"delete the temporary key pair {each}")) from None
        return bool(names)

    def cleanup(self, source=None):
        """Terminate the instance, delete the temporary security group and key pair. Idempotent.

        Deletes by the ids the launch recorded (in ``source`` or this build's ledger entries);
        only without one does it look for the ``cattle.build_id`` tag, which lags behind creates.
        A ledger entry is released once its delete is confirmed (a failure raises first), so it
        is safe after a failed or interrupted launch. Returns whether anything was removed.
        """
        source = source or {}
        instance_ids = [source["instance_id"]] if source.get("instance_id") else self._recorded(KIND_INSTANCE,
                                                                                                "instance_id")
        changed = self.terminate_instances(instance_ids)
        self._release_recorded(KIND_INSTANCE, instance_ledger_name(self.build_id))
        group_ids = ([source["temporary_security_group_id"]] if source.get("temporary_security_group_id")
                     else self._recorded(KIND_SECURITY_GROUP, "group_id"))
        changed = self.delete_security_groups(group_ids=group_ids) or changed
        self._release_recorded(KIND_SECURITY_GROUP, source.get("temporary_security_group_name"))
        key_names = [source["temporary_key_pair_name"]] if source.get("temporary_key_pair_name") else \
            [entry["name"] for entry in self._entries(KIND_KEY_PAIR)]
        if key_names:
            for key_name in key_names:
                changed = self.delete_key_pairs(key_name) or changed
        else:
            changed = self.delete_key_pairs() or changed
        self._release_recorded(KIND_KEY_PAIR, source.get("temporary_key_pair_name"))
        changed = remove_key_dir(source.get("key_dir"), source.get("key_dir_owned"), self.config,
                                 self.build_id) or changed
        return changed

    def _entries(self, kind):
        if self.ledger is None:
            return []
        return [entry for entry in self.ledger.entries()
                if entry.get("kind") == kind and entry.get("build_id") == self.build_id]

    def _recorded(self, kind, field):
        """The resource ids this build's live ledger entries of ``kind`` hold in ``field``."""
        return [entry[field] for entry in self._entries(kind) if entry.get(field)]

    def _release_recorded(self, kind, name=None):
        """Release ``name`` and every other live ledger entry of this build of ``kind`` (all removed now)."""
        if self.ledger is None:
            return
        names = {name} if name else set()
        names.update(entry["name"] for entry in self._entries(kind))
        for each in sorted(names):
            self.ledger.release(kind=kind, name=each)


def write_private(path, text):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(path, 0o600)


def public_key_line(private_key_text, comment):
    """The OpenSSH public key line of a private key (PEM or OpenSSH format), for the communicator."""
    from cryptography.hazmat.primitives import serialization

    data = private_key_text.encode("utf-8")
    try:
        if b"OPENSSH PRIVATE KEY" in data:
            key = serialization.load_ssh_private_key(data, password=None)
        else:
            key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise AwsError(f"EC2 returned a private key that cannot be read: {exc}") from None
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    return f"{public.decode('ascii')} {comment}"


def remove_key_dir(key_dir, owned, config=None, build_id=""):
    """Remove the private key directory if this build made it, else only the key files it wrote there."""
    if key_dir:
        paths = [key_dir]
    else:
        paths, owned = build_key_dirs(build_id), True
    changed = False
    for path in paths:
        if not path or not os.path.isabs(path) or not os.path.isdir(path):
            continue
        if owned:
            shutil.rmtree(path, ignore_errors=True)
            changed = True
            continue
        key_type = (config or {}).get("temporary_key_pair_type") or "rsa"
        for name in (f"id_{key_type}", f"id_{key_type}.pub"):
            try:
                os.remove(os.path.join(path, name))
                changed = True
            except FileNotFoundError:
                pass
    return changed


def build_key_dirs(build_id):
    prefix = f"{KEY_DIR_PREFIX}{build_id}-"
    root = tempfile.gettempdir()
    try:
        names = os.listdir(root)
    except OSError:
        return []
    return sorted(os.path.join(root, name) for name in names if name.startswith(prefix))


def artifact(amis, build_name, data=None):
    """Packer's amazon artifact: id ``region:ami,…`` (sorted), and its "AMIs were created" string."""
    parts = sorted(f"{region}:{image_id}" for region, image_id in amis.items())
    lines = sorted(f"{region}: {image_id}" for region, image_id in amis.items())
    return {
        "id": ",".join(parts),
        "builder_id": BUILDER_ID,
        "builder_type": "amazon-ebs",
        "build_name": build_name,
        "files": [],
        "string": "AMIs were created:\n" + "\n".join(lines) + "\n",
        "metadata": {"amis": dict(amis), **{k: v for k, v in (data or {}).items() if isinstance(v, str)}},
    }
