# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Packer's StepStopEBSBackedInstance and StepModifyEBSBackedInstance: the instance stopped, then set up
so the AMI made from it carries sriov_support / ena_support."""

from __future__ import annotations

from ansible_collections.cattle.images.plugins.module_utils.aws.client import INSTANCE_VISIBLE, wait
from ansible_collections.cattle.images.plugins.module_utils.aws.steps.base import Step


class StepStopEBSBackedInstance(Step):
    def run(self, state):
        build, instance_id = self.build, state["instance_id"]
        if self.config["disable_stop_instance"]:
            build.say("Automatic instance stop disabled. Please stop instance manually.")
        else:
            build.say("Stopping the source instance...")
            build.call(f"stop the instance {instance_id}", "stop_instances", retry=INSTANCE_VISIBLE,
                       InstanceIds=[instance_id])
        build.say("Waiting for the instance to stop...")
        wait(build.ec2(), "instance_stopped", build.polling, f"instance {instance_id} to stop",
             retry=INSTANCE_VISIBLE, sleep=build.sleep, InstanceIds=[instance_id])


class StepModifyEBSBackedInstance(Step):
    """ena_support unset leaves the source AMI's setting."""

    def run(self, state):
        build, instance_id = self.build, state["instance_id"]
        if self.config["sriov_support"]:
            build.say("Enabling Enhanced Networking (SR-IOV)...")
            build.call(f"enable Enhanced Networking (SR-IOV) on {instance_id}", "modify_instance_attribute",
                       retry=INSTANCE_VISIBLE, InstanceId=instance_id, SriovNetSupport={"Value": "simple"})
        ena = self.config["ena_support"]
        if ena is not None:
            prefix = "En" if ena else "Dis"
            build.say(f"{prefix}abling Enhanced Networking (ENA)...")
            build.call(f"{prefix.lower()}able Enhanced Networking (ENA) on {instance_id}", "modify_instance_attribute",
                       retry=INSTANCE_VISIBLE, InstanceId=instance_id, EnaSupport={"Value": bool(ena)})
