# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Packer's StepNetworkInfo: the VPC and subnet, from ids or filters."""

from __future__ import annotations

import random

from ansible_collections.cattle.images.plugins.module_utils.aws.client import AwsError
from ansible_collections.cattle.images.plugins.module_utils.aws.steps.base import Step


class StepNetworkInfo(Step):
    def run(self, state):
        state["vpc_id"], state["subnet_id"] = self.network()

    def network(self):
        """Returns (vpc_id, subnet_id)."""
        config, build = self.config, self.build
        vpc_id, subnet_id = config["vpc_id"], config["subnet_id"]
        if not vpc_id and config["vpc_filter"]:
            vpcs = build.call("look up the VPC by vpc_filter", "describe_vpcs",
                              Filters=[{"Name": k, "Values": [v]} for k, v in config["vpc_filter"]["filters"].items()])
            if len(vpcs["Vpcs"]) != 1:
                raise AwsError(f"vpc_filter: exactly one VPC should match the filter, found {len(vpcs['Vpcs'])}.")
            vpc_id = vpcs["Vpcs"][0]["VpcId"]
            build.message(f"Found VPC ID: {vpc_id}")
        if not subnet_id and config["subnet_filter"]:
            subnet_id = self.filtered_subnet(vpc_id)
            build.message(f"Found Subnet ID: {subnet_id}")
        if subnet_id and not vpc_id:
            subnets = build.call(f"look up the subnet {subnet_id}", "describe_subnets", SubnetIds=[subnet_id])["Subnets"]
            if subnets:
                vpc_id = subnets[0].get("VpcId") or ""
        return vpc_id, subnet_id

    def filtered_subnet(self, vpc_id):
        config = self.config
        flt = config["subnet_filter"]
        filters = [{"Name": k, "Values": [v]} for k, v in flt["filters"].items()]
        if vpc_id:
            filters.append({"Name": "vpc-id", "Values": [vpc_id]})
        if config["availability_zone"]:
            filters.append({"Name": "availability-zone", "Values": [config["availability_zone"]]})
        subnets = self.build.call("look up the subnet by subnet_filter", "describe_subnets", Filters=filters)["Subnets"]
        if not subnets:
            raise AwsError(f"subnet_filter: no subnet matches the filter {flt['filters']}.")
        if len(subnets) > 1 and not (flt.get("most_free") or flt.get("random")):
            raise AwsError("subnet_filter: your filter matched more than one subnet; add most_free or random, "
                           "or narrow the filter.")
        if flt.get("random"):
            return random.choice(subnets)["SubnetId"]
        return max(subnets, key=lambda s: s.get("AvailableIpAddressCount") or 0)["SubnetId"]
