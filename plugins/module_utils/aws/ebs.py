# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The amazon-ebs builder: its steps (``aws/steps/``) run in Packer's order.

launch:  prevalidate the AMI name → source AMI → VPC/subnet → temporary key pair →
         temporary security group → run the instance → wait until it runs → pick its address →
         (winrm without winrm_password) wait for and decrypt the generated Windows password
capture: stop → (force_deregister) → create the AMI → wait → (encrypt_boot) encrypted copy →
         copy to ami_regions → launch permissions → tags → artifact
cleanup: each launch step's cleanup, newest first: terminate the instance → delete its volumes that
         outlived it (DeleteOnTermination=false, not in launch_block_device_mappings) → delete the
         temporary security group → delete the key pair

Every resource is written to the ledger before the call that creates it, under a name a
cleaner can find it by (the key pair's and security group's names, the instance's
``cattle.build_id`` tag, the AMI name in each region), and is tagged with the build's id
(AMIs are not: their tags are the template's). A failed launch removes what it made before
raising; a failed capture deregisters the AMIs it made; the AMIs' entries are released once
the artifact is complete.

:class:`EbsBuild` is the steps' shared state: config, EC2 clients, ledger, and the Packer-style
lines the build says.
"""

from __future__ import annotations

import os
import time

from ansible_collections.cattle.images.plugins.module_utils.aws.client import (
    AwsError,
    Polling,
    ec2_client,
    endpoint_url,
    eventually,
    explain,
    session,
)
from ansible_collections.cattle.images.plugins.module_utils.aws.steps.ami_attributes import (
    StepCreateTags,
    StepModifyAMIAttributes,
)
from ansible_collections.cattle.images.plugins.module_utils.aws.steps.base import (
    KIND_IMAGE,
    TAG_BUILD_ID,
    TAG_RUN,
    render,
)
from ansible_collections.cattle.images.plugins.module_utils.aws.steps.create_ami import StepCreateAMI, StepDeregisterAMI
from ansible_collections.cattle.images.plugins.module_utils.aws.steps.get_password import StepGetPassword
from ansible_collections.cattle.images.plugins.module_utils.aws.steps.key_pair import StepKeyPair
from ansible_collections.cattle.images.plugins.module_utils.aws.steps.network_info import StepNetworkInfo
from ansible_collections.cattle.images.plugins.module_utils.aws.steps.pre_validate import StepPreValidate
from ansible_collections.cattle.images.plugins.module_utils.aws.steps.run_source_instance import StepRunSourceInstance
from ansible_collections.cattle.images.plugins.module_utils.aws.steps.security_group import StepSecurityGroup
from ansible_collections.cattle.images.plugins.module_utils.aws.steps.source_ami_info import StepSourceAMIInfo
from ansible_collections.cattle.images.plugins.module_utils.aws.steps.stop_instance import (
    StepModifyEBSBackedInstance,
    StepStopEBSBackedInstance,
)
from ansible_collections.cattle.images.plugins.module_utils.orphans import run_tag
from ansible_collections.cattle.images.plugins.module_utils.ui import Ui

BUILDER_ID = "mitchellh.amazonebs"
# What the launch steps keep in their state for each other, not part of the source it returns.
LAUNCH_ONLY = ("image", "vpc_id", "subnet_id")


class EbsBuild:
    """One amazon-ebs build: its config, clients, ledger, steps and the Packer-style lines it says."""

    def __init__(self, config, build_id, build_name="amazon-ebs", ledger=None, plan_file=None, plan_build=None,
                 key_dir=None, sleep=time.sleep, ui=None):
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
        self.ui = ui if ui is not None else Ui()
        self.sleep = sleep
        self._clients = {}
        self.pre_validate = StepPreValidate(self)
        self.source_ami_info = StepSourceAMIInfo(self)
        self.network_info = StepNetworkInfo(self)
        self.key_pair = StepKeyPair(self)
        self.security_group = StepSecurityGroup(self)
        self.source_instance = StepRunSourceInstance(self)
        self.create_ami = StepCreateAMI(self)
        self.create_tags = StepCreateTags(self)
        self.launch_steps = (self.pre_validate, self.source_ami_info, self.network_info, self.key_pair,
                             self.security_group, self.source_instance, StepGetPassword(self))
        self.ami_steps = (StepDeregisterAMI(self), self.create_ami, StepModifyAMIAttributes(self), self.create_tags)

    # --- what the steps share --------------------------------------------------------------

    def ec2(self, region=None):
        region = region or self.region
        if region not in self._clients:
            self._clients[region] = ec2_client(self.config, region, aws_session=self.session)
        return self._clients[region]

    def say(self, text):
        self.ui.say(text)

    def message(self, text):
        self.ui.message(text)

    def call(self, action, operation, *, region=None, retry=None, **kwargs):
        """One EC2 API call; any failure becomes an AwsError saying what we were doing.

        ``retry``: a :class:`RetryPolicy` when the call names a resource EC2 may not show yet.
        """
        method = getattr(self.ec2(region), operation)
        try:
            if retry:
                return eventually(lambda: method(**kwargs), retry, self.sleep)
            return method(**kwargs)
        except AwsError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise AwsError(explain(exc, action)) from None

    def record(self, kind, name, region=None, **details):
        """Write a resource about to be made to the ledger, with what a sweep needs to reach it (no secret)."""
        if self.ledger is not None:
            self.ledger.record(build=self.build_name, kind=kind, name=name, build_id=self.build_id,
                               region=region or self.region, endpoint_url=endpoint_url(self.config),
                               plan_file=self.plan_file or "", plan_build=self.plan_build, **details)

    def entries(self, kind):
        """This build's live ledger entries of ``kind``."""
        if self.ledger is None:
            return []
        return [entry for entry in self.ledger.entries()
                if entry.get("kind") == kind and entry.get("build_id") == self.build_id]

    def recorded(self, kind, field):
        """The resource ids this build's live ledger entries of ``kind`` hold in ``field``."""
        return [entry[field] for entry in self.entries(kind) if entry.get(field)]

    def release_recorded(self, kind, name=None):
        """Release ``name`` and every other live ledger entry of this build of ``kind`` (all removed now)."""
        if self.ledger is None:
            return
        names = {name} if name else set()
        names.update(entry["name"] for entry in self.entries(kind))
        for each in sorted(names):
            self.ledger.release(kind=kind, name=each)

    def tag_spec(self, resource_type, tags=None):
        tags = dict(tags or {})
        tags[TAG_BUILD_ID] = self.build_id
        if self.ledger is not None:
            tags[TAG_RUN] = run_tag(os.path.dirname(os.path.abspath(self.ledger.path)))
        return [{"ResourceType": resource_type, "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}]

    # --- the build -------------------------------------------------------------------------

    def launch(self):
        """Everything up to a running instance. Returns ``source`` (what capture and cleanup need)."""
        config = self.config
        state = {"region": self.region, "build_id": self.build_id, "instance_id": "", "key_pair_name":
                 config["ssh_keypair_name"], "private_key_file": config["ssh_private_key_file"], "key_dir": "",
                 "temporary_key_pair_name": "", "temporary_security_group_id": "",
                 "temporary_security_group_name": "", "security_group_ids": list(config["security_group_ids"])}
        try:
            for step in self.launch_steps:
                step.run(state)
        except Exception:
            try:
                self.cleanup(state)
            except AwsError as exc:
                self.ui.error(f"Cleanup after the failed launch failed too: {exc}")
            raise
        return {key: value for key, value in state.items() if key not in LAUNCH_ONLY}

    def capture(self, source):
        """Stop, make the AMI(s), share and tag them. Returns the artifact, or None with skip_create_ami."""
        config = self.config
        if not source.get("instance_id"):
            raise AwsError("Cannot capture: this build has no instance (did the launch fail?).")
        data = dict(source.get("generated") or {})
        state = dict(source, generated=data, amis={},
                     description=render(config["ami_description"], data) if config["ami_description"] else "")
        StepStopEBSBackedInstance(self).run(state)
        StepModifyEBSBackedInstance(self).run(state)
        if config["skip_create_ami"]:
            self.say("Skipping AMI creation...")
            return None
        try:
            for step in self.ami_steps:
                step.run(state)
        except Exception:
            self.discard(state["amis"])
            raise
        # Complete: from here on the AMIs are the build's artifact, no longer something to sweep.
        self.release_recorded(KIND_IMAGE)
        return artifact(state["amis"], self.build_name, data)

    def discard(self, amis):
        """A capture that fails half-way leaves no AMI behind (its failures are said in ``ui``)."""
        try:
            self.create_ami.cleanup({"amis": amis})
        except AwsError:
            pass

    def cleanup(self, source=None):
        """Each launch step's cleanup, newest first: terminate the instance, delete the temporary security
        group and key pair. Idempotent.

        Deletes by the ids the launch recorded (in ``source`` or this build's ledger entries);
        only without one does it look for the ``cattle.build_id`` tag, which lags behind creates.
        A ledger entry is released once its delete is confirmed (a failure raises first), so it
        is safe after a failed or interrupted launch. Returns whether anything was removed.
        """
        source = source or {}
        changed = False
        for step in reversed(self.launch_steps):
            changed = step.cleanup(source) or changed
        return changed

    # --- single steps, for the module's check mode and the orphan sweep ----------------------

    def prevalidate(self):
        self.pre_validate.run({})

    def source_ami(self):
        return self.source_ami_info.source_ami()

    def generated_data(self, image):
        return self.source_ami_info.generated_data(image)

    def network(self):
        return self.network_info.network()

    def build_instances(self):
        return self.source_instance.build_instances()

    def build_security_groups(self, name=None):
        return self.security_group.build_security_groups(name)

    def build_key_pairs(self, name=None):
        return self.key_pair.build_key_pairs(name)


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
