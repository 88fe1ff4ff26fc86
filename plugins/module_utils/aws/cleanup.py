# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ledger's cleaners for ``ec2_instance``, ``ec2_security_group``, ``ec2_key_pair`` and ``ec2_image``.

A ledger entry holds no secret: the region, the endpoint, the build id, and the plan file
and build name to read the builder's credentials from (the plan lives in the run directory
until the sweep is over). Without a readable plan, boto3's own credential chain is used.
Instances and security groups are deleted by the id the entry holds once the create answered,
key pairs by name; only an entry recorded just before an interrupted create call (no id yet)
falls back to the build id tag, where nothing found is success. AMIs are found by their name
in the entry's region. A cleaner returns only once the delete is confirmed, else it raises and
the entry stays for the next sweep.
"""

from __future__ import annotations

import json
import os

from ansible_collections.cattle.images.plugins.module_utils.aws.ebs import EbsBuild, remove_key_dir


def _credentials(entry):
    """The credential and endpoint options of the recorded build's config, if the plan is still there."""
    path = entry.get("plan_file")
    if not path or not os.path.isfile(path):
        return {}
    try:
        with open(path, encoding="utf-8") as handle:
            plan = json.load(handle)
    except (OSError, ValueError):
        return {}
    for build in plan.get("builds") or []:
        if build.get("name") == entry.get("plan_build"):
            config = build.get("config") or {}
            keys = ("access_key", "secret_key", "token", "profile", "shared_credentials_file", "custom_endpoint_ec2",
                    "insecure_skip_tls_verify", "max_retries", "aws_polling")
            return {key: config[key] for key in keys if config.get(key) not in (None, "")}
    return {}


def _build(entry):
    config = {
        "access_key": "", "secret_key": "", "token": "", "profile": "", "custom_endpoint_ec2": "",
        **_credentials(entry), "region": entry["region"],
    }
    if entry.get("endpoint_url") and not config.get("custom_endpoint_ec2"):
        config["custom_endpoint_ec2"] = entry["endpoint_url"]
    return EbsBuild(config, entry["build_id"], entry.get("build") or "amazon-ebs")


def terminate_instance(entry):
    """Terminate the entry's instance (by id; by the build id tag if it has none) and wait until it is."""
    _build(entry).terminate_instances([entry["instance_id"]] if entry.get("instance_id") else [])


def delete_security_group(entry):
    """Delete the entry's temporary security group (by id; by name and the build's tag if it has none)."""
    _build(entry).delete_security_groups(name=entry["name"],
                                         group_ids=[entry["group_id"]] if entry.get("group_id") else [])


def delete_key_pair(entry):
    """Delete the temporary key pair named in the entry (its name is its id) and its key files."""
    build = _build(entry)
    build.delete_key_pairs(name=entry["name"])
    remove_key_dir(entry.get("key_dir"), entry.get("key_dir_owned", True),
                   {"temporary_key_pair_type": entry.get("key_type") or "rsa"}, entry["build_id"])


def deregister_image(entry):
    """Deregister the AMIs the entry's build made under its AMI name in its region, and delete their snapshots.

    The AMIs that already carried the name when the entry was recorded are never touched.
    """
    _build(entry).remove_new_images(entry["region"], entry["ami_name"], entry.get("existing_image_ids") or [])


def remove_orphaned_resources(region, is_dead_run_dir, endpoint_url=""):
    """Terminate the instances and delete the temporary security groups and key pairs in ``region``
    whose ``cattle.run`` tag names a dead run of this machine (see ``orphans.run_tag_is_dead``):
    leftovers no ledger lists any more. Credentials come from boto3's chain (the AWS environment).
    Resources without the tag, or made on another machine, are never touched. Returns what was
    removed, as ``(kind, name)`` pairs; raises ``AwsError``.
    """
    from ansible_collections.cattle.images.plugins.module_utils.aws.ebs import TAG_BUILD_ID, TAG_RUN
    from ansible_collections.cattle.images.plugins.module_utils.orphans import run_tag_is_dead

    finder = EbsBuild({"region": region, "custom_endpoint_ec2": endpoint_url}, "sweep")
    tagged = [{"Name": "tag-key", "Values": [TAG_RUN]}]
    live_states = {"Name": "instance-state-name",
                   "Values": ["pending", "running", "stopping", "stopped", "shutting-down"]}
    found = []
    for reservation in finder.call("list cattle's instances", "describe_instances",
                                   Filters=[*tagged, live_states])["Reservations"]:
        found.extend(reservation["Instances"])
    found += finder.call("list cattle's security groups", "describe_security_groups", Filters=tagged)["SecurityGroups"]
    found += finder.call("list cattle's key pairs", "describe_key_pairs", Filters=tagged)["KeyPairs"]
    dead_builds = set()
    for resource in found:
        tags = {tag["Key"]: tag["Value"] for tag in resource.get("Tags") or []}
        if tags.get(TAG_BUILD_ID) and run_tag_is_dead(tags.get(TAG_RUN), is_dead_run_dir):
            dead_builds.add(tags[TAG_BUILD_ID])
    removed = []
    for build_id in sorted(dead_builds):
        build = EbsBuild(finder.config, build_id)
        instances = build.build_instances()
        build.terminate_instances()
        removed += [("EC2 instance", f"{instance} in {region} (build {build_id})") for instance in instances]
        groups = build.build_security_groups()
        build.delete_security_groups()
        removed += [("EC2 security group", f"{group['GroupId']} in {region} (build {build_id})") for group in groups]
        pairs = build.build_key_pairs()
        build.delete_key_pairs()
        removed += [("EC2 key pair", f"{pair['KeyName']} in {region} (build {build_id})") for pair in pairs]
    return removed
