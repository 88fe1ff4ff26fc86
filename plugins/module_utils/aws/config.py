# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The amazon-ebs builder's configuration: Packer's option names, defaults and checks.

The plan already holds the config in Packer's shape (weak typing applied, ``ami_name``
checked); the module may also be called directly, so values are checked and coerced again
here. Errors name the option and say what was expected; all problems are reported at once.
"""

from __future__ import annotations

import os

from ansible_collections.cattle.images.plugins.module_utils.option_values import (
    ConfigError,
    to_bool,
    to_duration,
    to_int,
    to_list,
    to_map,
    to_str,
)
from ansible_collections.cattle.images.plugins.module_utils.template.builder_checks import ami_name_problems
from ansible_collections.cattle.images.plugins.module_utils.template.schemas.builders import BUILDERS

SECRET_OPTIONS = BUILDERS["amazon-ebs"]["secrets"]

# Options Packer has and this builder does not do (yet): refusing them beats ignoring them.
UNSUPPORTED = {
    "spot_price": "spot instances", "spot_instance_types": "spot instances", "spot_tags": "spot instances",
    "spot_tag": "spot instances", "block_duration_minutes": "spot instances", "fleet_tags": "spot instances",
    "fleet_tag": "spot instances",
    "assume_role": "assume_role", "vault_aws_engine": "Vault AWS credentials", "mfa_code": "MFA codes",
    "temporary_iam_instance_profile_policy_document": "temporary IAM instance profiles",
    "security_group_filter": "security_group_filter", "deprecate_at": "deprecate_at",
    "ami_org_arns": "sharing with organizations", "ami_ou_arns": "sharing with organizational units",
    "capacity_reservation_preference": "capacity reservations", "capacity_reservation_id": "capacity reservations",
    "capacity_reservation_group_arn": "capacity reservations", "license_specifications": "license specifications",
    "enable_nitro_enclave": "Nitro enclaves", "placement": "placement", "metadata_options": "metadata_options",
}

VOLUME_TYPES = ("standard", "io1", "io2", "gp2", "gp3", "sc1", "st1")
SSH_INTERFACES = ("", "public_ip", "private_ip", "public_dns", "private_dns")
KEY_PAIR_TYPES = ("rsa", "ed25519")


def _read(reader, value, name, problems, default, **options):
    """``reader``'s value (option_values); a problem and ``default`` when it refuses it."""
    try:
        return reader(name, value, **options)
    except ValueError as exc:
        problems.append(str(exc))
        return default


def _bool(value, name, problems, default=False):
    if value is None:
        return default
    return _read(to_bool, value, name, problems, default, expected="true or false", floats=True)


def _trilean(value, name, problems):
    """Packer's trilean: unset (None), true or false."""
    return None if value is None or value == "" else _bool(value, name, problems)


def _int(value, name, problems, default=0):
    if value is None or value == "":
        return default
    return _read(to_int, value, name, problems, default)


def _str(value, name, problems):
    return _read(to_str, value, name, problems, "")


def _list(value, name, problems):
    return _read(to_list, value, name, problems, [], strip=True)


def _map(value, name, problems):
    if isinstance(value, dict):  # an unset tag value is an empty one
        value = {k: "" if v is None else v for k, v in value.items()}
    return _read(to_map, value, name, problems, {}, what="an object of names to strings")


def _tags(config, plural, singular, problems):
    """``tags`` (map) plus Packer's ``tag`` form (a list of {key, value}), merged."""
    tags = _map(config.get(plural), plural, problems)
    for i, item in enumerate(config.get(singular) or []):
        if not isinstance(item, dict) or "key" not in item:
            problems.append(f"{singular}[{i}]: expected an object with key and value")
            continue
        tags[str(item["key"])] = str(item.get("value", ""))
    return tags


def _filter(value, name, problems, extra=(), pair_key="name"):
    """A Packer filter block: {"filters": {name: value}, ...extra keys}. Its `filter` list ({key|name, value}
    objects, HCL2's `filter {}` blocks) is folded into `filters`, as Packer's KeyValueFilter/NameValueFilter do."""
    if not value:
        return None
    if not isinstance(value, dict):
        problems.append(f"{name}: expected an object with filters")
        return None
    unknown = sorted(set(value) - {"filters", "filter", *extra})
    if unknown:
        problems.append(f"{name}: unknown key(s) {', '.join(unknown)}; expected filters, filter" +
                        "".join(f", {key}" for key in extra))
    filters = value.get("filters") or {}
    if not isinstance(filters, dict):
        problems.append(f"{name}.filters: expected an object of filter names to values")
        filters = {}
    filters = {str(k): str(v) for k, v in filters.items()}
    for i, item in enumerate(value.get("filter") or []):
        if not isinstance(item, dict) or pair_key not in item:
            problems.append(f"{name}.filter[{i}]: expected an object with {pair_key} and value")
            continue
        filters[str(item[pair_key])] = str(item.get("value", ""))
    out = dict(value, filters=filters)
    out.pop("filter", None)
    return out


def _block_devices(value, name, problems):
    """Packer's block device mappings as EC2's BlockDeviceMappings."""
    mappings = []
    if value is None:
        return mappings
    if not isinstance(value, list):
        problems.append(f"{name}: expected a list of block devices")
        return mappings
    for i, raw in enumerate(value):
        where = f"{name}[{i}]"
        if not isinstance(raw, dict):
            problems.append(f"{where}: expected an object")
            continue
        device = raw.get("device_name")
        if not device:
            problems.append(f"{where}: The `device_name` must be specified for every device in the block device mapping.")
            continue
        mapping = {"DeviceName": str(device)}
        if _bool(raw.get("no_device"), f"{where}.no_device", problems):
            mapping["NoDevice"] = ""
            mappings.append(mapping)
            continue
        if raw.get("virtual_name"):
            mapping["VirtualName"] = str(raw["virtual_name"])
            mappings.append(mapping)
            continue
        ebs = {}
        volume_type = _str(raw.get("volume_type"), f"{where}.volume_type", problems)
        if volume_type:
            if volume_type not in VOLUME_TYPES:
                problems.append(f"{where}.volume_type: expected one of {', '.join(VOLUME_TYPES)}, got {volume_type!r}")
            ebs["VolumeType"] = volume_type
        for key, field in (("volume_size", "VolumeSize"), ("iops", "Iops"), ("throughput", "Throughput")):
            number = _int(raw.get(key), f"{where}.{key}", problems)
            if number:
                ebs[field] = number
        if raw.get("snapshot_id"):
            ebs["SnapshotId"] = str(raw["snapshot_id"])
        ebs["DeleteOnTermination"] = _bool(raw.get("delete_on_termination"), f"{where}.delete_on_termination", problems)
        encrypted = _trilean(raw.get("encrypted"), f"{where}.encrypted", problems)
        if encrypted is not None:
            ebs["Encrypted"] = encrypted
        if raw.get("kms_key_id"):
            if not encrypted:
                problems.append(f"{where}.kms_key_id: the volume must be encrypted (\"encrypted\": true) to use a KMS key")
            ebs["KmsKeyId"] = str(raw["kms_key_id"])
        mapping["Ebs"] = ebs
        mappings.append(mapping)
    return mappings


def normalize(raw, where="amazon-ebs builder", cwd=None, force=False):
    """Checked config with Packer's defaults filled in. Raises :class:`ConfigError`."""
    if not isinstance(raw, dict):
        raise ConfigError(["expected an object of builder options"], where)
    problems = []
    for key, what in UNSUPPORTED.items():
        if raw.get(key) not in (None, "", [], {}, False):
            problems.append(f"{key}: {what} are not supported by this amazon-ebs builder yet" if what.endswith("s")
                            else f"{key}: {what} is not supported by this amazon-ebs builder yet")
    config = dict(raw)
    for key in ("region", "ami_name", "instance_type", "source_ami", "access_key", "secret_key", "token", "profile",
                "shared_credentials_file", "custom_endpoint_ec2", "ami_description", "ami_virtualization_type",
                "kms_key_id", "iam_instance_profile", "subnet_id", "vpc_id", "security_group_id", "user_data",
                "user_data_file", "shutdown_behavior", "ssh_interface", "temporary_key_pair_name",
                "temporary_key_pair_type", "ssh_keypair_name", "ssh_private_key_file", "ssh_host", "ssh_username",
                "ssh_password", "winrm_host", "winrm_username", "winrm_password", "availability_zone", "tenancy",
                "communicator"):
        config[key] = _str(raw.get(key), key, problems)
    for key in ("region", "ami_name", "instance_type"):
        if not config[key]:
            problems.append(f"{key}: required")
    problems.extend(ami_name_problems(config["ami_name"]))
    if bool(config["access_key"]) != bool(config["secret_key"]):
        problems.append("access_key and secret_key: set both or neither")

    config["source_ami_filter"] = _filter(raw.get("source_ami_filter"), "source_ami_filter", problems,
                                          extra=("owners", "most_recent"), pair_key="key")
    if config["source_ami_filter"] is not None:
        config["source_ami_filter"]["owners"] = _list(config["source_ami_filter"].get("owners"),
                                                      "source_ami_filter.owners", problems)
        config["source_ami_filter"]["most_recent"] = _bool(config["source_ami_filter"].get("most_recent"),
                                                           "source_ami_filter.most_recent", problems)
    if not config["source_ami"]:
        if config["source_ami_filter"] is None or not config["source_ami_filter"]["filters"] and not \
                config["source_ami_filter"]["owners"]:
            problems.append("source_ami or source_ami_filter: a source_ami or source_ami_filter must be specified")
        elif not config["source_ami_filter"]["owners"]:
            problems.append("source_ami_filter.owners: for security reasons, your source AMI filter must declare an owner")
    config["subnet_filter"] = _filter(raw.get("subnet_filter"), "subnet_filter", problems, extra=("most_free", "random"))
    config["vpc_filter"] = _filter(raw.get("vpc_filter"), "vpc_filter", problems)
    if config["user_data"] and config["user_data_file"]:
        problems.append("user_data and user_data_file: only one of them may be set")
    if config["user_data_file"]:
        path = os.path.expanduser(config["user_data_file"])
        if not os.path.isabs(path):
            path = os.path.join(cwd or os.getcwd(), path)
        if not os.path.isfile(path):
            problems.append(f"user_data_file: {config['user_data_file']} does not exist")
        config["user_data_file"] = path

    config["security_group_ids"] = _list(raw.get("security_group_ids"), "security_group_ids", problems)
    if config["security_group_id"]:
        if config["security_group_ids"]:
            problems.append("security_group_id and security_group_ids: only one of them may be set")
        config["security_group_ids"] = [config["security_group_id"]]
    config["temporary_security_group_source_cidrs"] = _list(
        raw.get("temporary_security_group_source_cidrs"), "temporary_security_group_source_cidrs", problems
    ) or ["0.0.0.0/0"]

    for key in ("ami_users", "ami_groups", "ami_product_codes", "snapshot_users", "snapshot_groups"):
        config[key] = _list(raw.get(key), key, problems)
    regions = []
    for region in _list(raw.get("ami_regions"), "ami_regions", problems):
        if region != config["region"] and region not in regions:
            regions.append(region)
    config["ami_regions"] = regions
    config["region_kms_key_ids"] = _map(raw.get("region_kms_key_ids"), "region_kms_key_ids", problems)

    for key in ("force_deregister", "force_delete_snapshot", "skip_create_ami", "skip_save_build_region",
                "disable_stop_instance", "ebs_optimized", "skip_region_validation", "ssh_agent_auth",
                "winrm_use_ssl", "insecure_skip_tls_verify"):
        config[key] = _bool(raw.get(key), key, problems)
    if force:
        config["force_deregister"] = True  # -force implies force_deregister, as in Packer
    for key in ("encrypt_boot", "associate_public_ip_address", "ena_support"):
        config[key] = _trilean(raw.get(key), key, problems)
    config["sriov_support"] = _bool(raw.get("sriov_support"), "sriov_support", problems)
    if config["kms_key_id"] and config["encrypt_boot"] is not True:
        problems.append("kms_key_id: encrypt_boot must also be true when kms_key_id is set")
    if config["region_kms_key_ids"] and config["encrypt_boot"] is not True:
        problems.append("region_kms_key_ids: encrypt_boot must also be true when region_kms_key_ids is set")
    if config["region_kms_key_ids"]:
        for region in config["ami_regions"]:
            if region not in config["region_kms_key_ids"]:
                problems.append(f"region_kms_key_ids: region {region} is in ami_regions but has no KMS key here")
    if config["skip_save_build_region"] and not config["ami_regions"]:
        problems.append("skip_save_build_region: needs at least one ami_regions entry, or no AMI would be kept")

    config["launch_block_device_mappings"] = _block_devices(
        raw.get("launch_block_device_mappings"), "launch_block_device_mappings", problems)
    config["ami_block_device_mappings"] = _block_devices(
        raw.get("ami_block_device_mappings"), "ami_block_device_mappings", problems)

    config["tags"] = _tags(raw, "tags", "tag", problems)
    config["run_tags"] = _tags(raw, "run_tags", "run_tag", problems)
    config["run_volume_tags"] = _tags(raw, "run_volume_tags", "run_volume_tag", problems)
    config["snapshot_tags"] = _tags(raw, "snapshot_tags", "snapshot_tag", problems)

    config["shutdown_behavior"] = config["shutdown_behavior"] or "stop"
    if config["shutdown_behavior"] not in ("stop", "terminate"):
        problems.append(f"shutdown_behavior: expected stop or terminate, got {config['shutdown_behavior']!r}")
    if config["ssh_interface"] == "session_manager":
        problems.append("ssh_interface: session_manager is not supported by this amazon-ebs builder yet")
    elif config["ssh_interface"] not in SSH_INTERFACES:
        problems.append(f"ssh_interface: expected one of {', '.join(SSH_INTERFACES[1:])}, got {config['ssh_interface']!r}")
    if config["ami_virtualization_type"] not in ("", "hvm", "paravirtual"):
        problems.append(f"ami_virtualization_type: expected hvm or paravirtual, got {config['ami_virtualization_type']!r}")

    config["communicator"] = config["communicator"] or "ssh"
    if config["communicator"] not in ("ssh", "winrm", "none"):
        problems.append(f"communicator: expected ssh, winrm or none, got {config['communicator']!r}")
    config["temporary_key_pair_type"] = config["temporary_key_pair_type"] or "rsa"
    if config["temporary_key_pair_type"] not in KEY_PAIR_TYPES:
        problems.append(f"temporary_key_pair_type: EC2 key pairs are rsa or ed25519, got {config['temporary_key_pair_type']!r}")
    config["ssh_port"] = _int(raw.get("ssh_port"), "ssh_port", problems, 22) or 22
    config["winrm_port"] = _int(raw.get("winrm_port"), "winrm_port", problems, 0) or (
        5986 if config["winrm_use_ssl"] else 5985)
    config["max_retries"] = _int(raw.get("max_retries"), "max_retries", problems, 0)
    password_timeout = raw.get("windows_password_timeout")
    config["windows_password_timeout"] = (_read(to_duration, password_timeout, "windows_password_timeout", problems, 0.0)
                                          if password_timeout not in (None, "") else 0.0) or 1200.0  # Packer's 20m
    polling = raw.get("aws_polling") or {}
    if not isinstance(polling, dict) or set(polling) - {"delay_seconds", "max_attempts"}:
        problems.append("aws_polling: expected an object with delay_seconds and/or max_attempts")
        polling = {}
    config["aws_polling"] = {
        "delay_seconds": _int(polling.get("delay_seconds"), "aws_polling.delay_seconds", problems),
        "max_attempts": _int(polling.get("max_attempts"), "aws_polling.max_attempts", problems),
    }
    if problems:
        raise ConfigError(problems, where)
    return config


def needs_temporary_key_pair(config):
    """Packer's StepKeyPair: a temporary EC2 key pair unless the user brought a way in."""
    if config["communicator"] == "none":
        return False
    if config["communicator"] == "winrm":
        # A key pair lets EC2 encrypt the Administrator password (GetPasswordData).
        return not config["winrm_password"] and not config["ssh_keypair_name"]
    return not (config["ssh_password"] or config["ssh_private_key_file"] or config["ssh_agent_auth"]
                or config["ssh_keypair_name"])


def communicator_port(config):
    return config["winrm_port"] if config["communicator"] == "winrm" else config["ssh_port"]
