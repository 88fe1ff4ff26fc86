# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The amazon-ebs builder's ledger cleaners (:data:`CLEANERS`), and its leftovers no ledger lists.

A cleaner is the cleanup of the step that made the resource, run on the state its ledger
entry holds (``Step.state_of``). A ledger entry holds no secret: the region, the endpoint, the
build id, and the plan file and build name to read the builder's credentials from (the plan
lives in the run directory until the sweep is over). Without a readable plan, boto3's own
credential chain is used. Instances and security groups are deleted by the id the entry holds
once the create answered, key pairs by name; only an entry recorded just before an interrupted
create call (no id yet) falls back to the build id tag, where nothing found is success. AMIs are
found by their name in the entry's region. A cleaner returns only once the delete is confirmed,
else it raises and the entry stays for the next sweep.
"""

from __future__ import annotations

from ansible_collections.cattle.images.plugins.module_utils.aws.ebs import EbsBuild
from ansible_collections.cattle.images.plugins.module_utils.aws.steps.base import TAG_BUILD_ID, TAG_RUN
from ansible_collections.cattle.images.plugins.module_utils.aws.steps.create_ami import StepCreateAMI
from ansible_collections.cattle.images.plugins.module_utils.aws.steps.key_pair import StepKeyPair
from ansible_collections.cattle.images.plugins.module_utils.aws.steps.run_source_instance import StepRunSourceInstance
from ansible_collections.cattle.images.plugins.module_utils.aws.steps.security_group import StepSecurityGroup
from ansible_collections.cattle.images.plugins.module_utils.orphans import run_tag_is_dead
from ansible_collections.cattle.images.plugins.module_utils.plan import PlanError, read_plan_config

# The options of the recorded build's config a sweep uses to reach the same account and API.
CONNECTION_OPTIONS = ("access_key", "secret_key", "token", "profile", "shared_credentials_file", "custom_endpoint_ec2",
                      "insecure_skip_tls_verify", "max_retries", "aws_polling")


def _credentials(entry):
    """The credential and endpoint options of the recorded build's config, if the plan is still there."""
    if not entry.get("plan_file"):
        return {}
    try:
        config = read_plan_config(entry["plan_file"], entry.get("plan_build"), "amazon-ebs")[0]
    except PlanError:
        return {}
    return {key: config[key] for key in CONNECTION_OPTIONS if config.get(key) not in (None, "")}


def build_of(entry):
    """The build a ledger entry was recorded by, as far as a sweep needs it: its id, region and API access."""
    config = {
        "access_key": "", "secret_key": "", "token": "", "profile": "", "custom_endpoint_ec2": "",
        **_credentials(entry), "region": entry["region"],
    }
    if entry.get("endpoint_url") and not config.get("custom_endpoint_ec2"):
        config["custom_endpoint_ec2"] = entry["endpoint_url"]
    return EbsBuild(config, entry["build_id"], entry.get("build") or "amazon-ebs")


def step_cleaner(step_class):
    """The ledger's cleaner for what ``step_class`` makes: that step's own cleanup, on the entry's state."""

    def clean(entry):
        step_class(build_of(entry)).cleanup(step_class.state_of(entry))

    clean.__doc__ = f"Remove the {step_class.kind} a ledger entry records ({step_class.__name__}.cleanup)."
    return clean


# kind -> cleaner, for the ledger (module_utils/cleaners.py gathers every builder's).
CLEANERS = {step.kind: step_cleaner(step) for step in (StepRunSourceInstance, StepSecurityGroup, StepKeyPair,
                                                       StepCreateAMI)}


def remove_orphaned_resources(region, is_dead_run_dir, endpoint_url=""):
    """Terminate the instances and delete the temporary security groups and key pairs in ``region``
    whose ``cattle.run`` tag names a dead run of this machine (see ``orphans.run_tag_is_dead``):
    leftovers no ledger lists any more. Credentials come from boto3's chain (the AWS environment).
    Resources without the tag, or made on another machine, are never touched. Returns what was
    removed, as ``(kind, name)`` pairs; raises ``AwsError``.
    """
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
        build.source_instance.terminate()
        removed += [("EC2 instance", f"{instance} in {region} (build {build_id})") for instance in instances]
        groups = build.build_security_groups()
        build.security_group.delete()
        removed += [("EC2 security group", f"{group['GroupId']} in {region} (build {build_id})") for group in groups]
        pairs = build.build_key_pairs()
        build.key_pair.delete()
        removed += [("EC2 key pair", f"{pair['KeyName']} in {region} (build {build_id})") for pair in pairs]
    return removed
