"""Per-type value checks Packer 1.6.6 makes when it prepares a component, beyond what a schema says.

A schema names its checks in `checks`; each check takes the decoded config and the cwd and
returns [(key or None, message, severity)]. The ssh communicator's and the ISO checksum's
checks are called by the loader. Messages are Packer's own words.
"""

from __future__ import annotations

import ipaddress
import os
import re

_AMI_SPOT_MODIFICATION = (
    "Spot instances do not support modification, which is required when either `ena_support` or "
    "`sriov_support` are set. Please ensure you use an AMI that already has either SR-IOV or ENA enabled.")
_NO_SHUTDOWN_COMMAND = ("A shutdown_command was not specified. Without a shutdown command, Packer\n"
                        "will forcibly halt the virtual machine, which may result in data loss.")


def _error(key, message):
    return (key, message, "error")


def docker(config: dict, cwd: str) -> list:
    problems = []
    if not config.get("image"):
        problems.append(_error("image", "Image must be specified"))
    artifact = [key for key in ("commit", "export_path", "discard") if config.get(key)]
    if len(artifact) > 1:
        problems.append(_error(artifact[1], "Cannot specify more than one of commit, discard, and export_path"))
    elif not artifact:
        problems.append(_error(None, "No instructions given for handling the artifact; expected commit, discard, "
                                     "or export_path"))
    export_path = config.get("export_path")
    if export_path and os.path.isdir(os.path.join(cwd, export_path)):
        problems.append(_error("export_path", "export_path must be a file, not a directory"))
    if config.get("ecr_login") and not config.get("login_server"):
        problems.append(_error("login_server", "ECR login requires login server to be provided."))
    return problems


def _vm(config: dict) -> list:
    """Checks of the parts qemu and virtualbox share: HTTP server, host port forwarding."""
    problems = []
    if (config.get("http_port_min") or 8000) > (config.get("http_port_max") or 9000):
        problems.append(_error("http_port_min", "http_port_min must be less than http_port_max"))
    if config.get("http_interface") and (config.get("http_bind_address") or "0.0.0.0") == "0.0.0.0":
        problems.append(_error("http_interface", "either http_interface of http_bind_address can be specified"))
    port_min = config.get("host_port_min") or config.get("ssh_host_port_min") or 2222
    port_max = config.get("host_port_max") or config.get("ssh_host_port_max") or 4444
    if port_min > port_max:
        problems.append(_error("host_port_min", "host_port_min must be less than host_port_max"))
    return problems


def qemu(config: dict, cwd: str) -> list:
    problems = _vm(config)
    if (config.get("host_port_min") or config.get("ssh_host_port_min") or 0) < 0:
        problems.append(_error("host_port_min", "host_port_min must be positive"))
    if config.get("boot_command") and config.get("disable_vnc"):
        problems.append(_error("boot_command", "A boot command cannot be used when vnc is disabled."))
    disk_size = config.get("disk_size") or ""
    if disk_size not in ("", "0") and "{{" not in disk_size and not re.fullmatch(r"\d+[bkmgt]?", disk_size.lower()):
        problems.append(_error("disk_size", "Invalid disk size."))
    if config.get("use_backing_file") and not (config.get("disk_image") and (config.get("format") or "qcow2") == "qcow2"):
        problems.append(_error("use_backing_file",
                               "use_backing_file can only be enabled for QCOW2 images and when disk_image is true"))
    if config.get("skip_resize_disk") and not config.get("disk_image"):
        problems.append(_error("skip_resize_disk", "skip_resize_disk can only be used when disk_image is true"))
    if (config.get("vnc_port_min") or 5900) > (config.get("vnc_port_max") or 6000):
        problems.append(_error("vnc_port_min", "vnc_port_min must be less than vnc_port_max"))
    return problems


def _spot(config: dict) -> bool:
    return config.get("spot_price") not in (None, "", "0")


def amazon(config: dict, cwd: str) -> list:
    problems = []
    if bool(config.get("access_key")) != bool(config.get("secret_key")):
        problems.append(_error("access_key", "`access_key` and `secret_key` must both be either set or not set."))
    ami_filter = config.get("source_ami_filter") or {}
    if not config.get("source_ami"):
        if not ami_filter.get("owners") and not ami_filter.get("filters"):
            problems.append(_error(None, "A source_ami or source_ami_filter must be specified"))
        if not ami_filter.get("owners"):
            problems.append(_error("source_ami_filter",
                                   "For security reasons, your source AMI filter must declare an owner."))
    instance_type, spot_types = config.get("instance_type"), config.get("spot_instance_types")
    if not instance_type and not spot_types:
        problems.append(_error(None, "either instance_type or spot_instance_types must be specified"))
    elif instance_type and spot_types:
        problems.append(_error("spot_instance_types",
                               "either instance_type or spot_instance_types must be specified, not both"))
    if config.get("user_data") and config.get("user_data_file"):
        problems.append(_error("user_data_file", "Only one of user_data or user_data_file can be specified."))
    elif config.get("user_data_file") and "{{" not in config["user_data_file"]:
        if not os.path.exists(os.path.join(cwd, config["user_data_file"])):
            problems.append(_error("user_data_file", f"user_data_file not found: {config['user_data_file']}"))
    if config.get("security_group_id") and config.get("security_group_ids"):
        problems.append(_error("security_group_ids",
                               "Only one of security_group_id or security_group_ids can be specified."))
    if (config.get("block_duration_minutes") or 0) % 60:
        problems.append(_error("block_duration_minutes", "block_duration_minutes must be multiple of 60"))
    if config.get("spot_tags") and not _spot(config):
        problems.append(_error("spot_tags", "spot_tags should not be set when not requesting a spot instance"))
    if _spot(config) and (config.get("ena_support") or config.get("sriov_support")):
        problems.append(_error(None, _AMI_SPOT_MODIFICATION))
    if config.get("ssh_keypair_name"):
        if (config.get("communicator") == "winrm" and not config.get("winrm_password")
                and not config.get("ssh_private_key_file")):
            problems.append(_error("ssh_private_key_file", "ssh_private_key_file must be provided to retrieve the "
                                                           "winrm password when using ssh_keypair_name."))
        elif not config.get("ssh_private_key_file") and not config.get("ssh_agent_auth"):
            problems.append(_error("ssh_private_key_file", "ssh_private_key_file must be provided or ssh_agent_auth "
                                                           "enabled when ssh_keypair_name is specified."))
    if config.get("ssh_interface") == "session_manager":
        if config.get("communicator") == "winrm":
            problems.append(_error("ssh_interface", 'session_manager connectivity is not supported with the "winrm" '
                                                    'communicator; please use "ssh"'))
        if not config.get("iam_instance_profile") and not config.get("temporary_iam_instance_profile_policy_document"):
            problems.append(_error("iam_instance_profile", (
                "no iam_instance_profile defined; session_manager connectivity requires a valid instance profile "
                "with AmazonSSMManagedInstanceCore permissions. Alternatively a "
                "temporary_iam_instance_profile_policy_document can be used.")))
    for cidr in config.get("temporary_security_group_source_cidrs") or []:
        if "{{" in cidr or ("/" in cidr and _is_cidr(cidr)):  # Go's ParseCIDR wants the prefix length
            continue
        problems.append(_error("temporary_security_group_source_cidrs",
                               f"Error parsing CIDR in temporary_security_group_source_cidrs: invalid CIDR address: {cidr}"))
    if config.get("enable_t2_unlimited"):
        instance_type = instance_type or ""
        if _spot(config):
            problems.append(_error("enable_t2_unlimited",
                                   "Error: T2 Unlimited cannot be used in conjunction with Spot Instances"))
        if "." not in instance_type:
            problems.append(_error("instance_type", f"Error determining main Instance Type from: {instance_type}"))
        elif instance_type.split(".")[0] != "t2":
            problems.append(_error("instance_type",
                                   f"Error: T2 Unlimited enabled with a non-T2 Instance Type: {instance_type}"))
    tenancy = config.get("tenancy")
    if tenancy and tenancy not in ("default", "dedicated", "host"):
        problems.append(_error("tenancy", f"Error: Unknown tenancy type {tenancy}"))
    return problems


_KMS_ID = r"[a-f0-9-]+\Z"
_KMS_ALIAS = r"alias/[a-zA-Z0-9:/_-]+\Z"
_KMS_ARN = r"arn:aws(-us-gov)?:kms:([a-z]{2}-(gov-)?[a-z]+-\d{1})?:(\d{12}):"
_KMS_KEY = re.compile(f"{_KMS_ID}|{_KMS_ALIAS}|{_KMS_ARN}key/{_KMS_ID}|{_KMS_ARN}{_KMS_ALIAS}")


def amazon_ami(config: dict, cwd: str) -> list:
    """The AMI's regions, encryption and sharing (Packer's AMIConfig)."""
    problems = []
    regions = config.get("ami_regions") or []
    region_keys = config.get("region_kms_key_ids") or {}
    kms_key_id = config.get("kms_key_id") or ""
    encrypt = bool(config.get("encrypt_boot"))
    for region in region_keys:
        if region not in regions:
            problems.append(_error("region_kms_key_ids", f"Region {region} is in region_kms_key_ids but not in ami_regions"))
    if region_keys:
        for region in dict.fromkeys(regions):
            if region not in region_keys:
                problems.append(_error("ami_regions", f"Region {region} is in ami_regions but not in region_kms_key_ids"))
    if config.get("ami_users"):
        if not kms_key_id and encrypt:
            problems.append(_error("ami_users", "Cannot share AMI encrypted with default KMS key"))
        if any(not key for key in region_keys.values()):
            problems.append(_error("ami_users", "Cannot share AMI encrypted with default KMS key for other regions"))
    keys = ([kms_key_id] if kms_key_id else []) + [key for key in region_keys.values() if key]
    if keys and not encrypt:
        problems.append(_error("encrypt_boot", "If you have set either region_kms_key_ids or kms_key_id, "
                                               "encrypt_boot must also be true."))
    for key in keys:
        if "{{" not in key and not _KMS_KEY.match(key):
            problems.append(_error("kms_key_id", f'"{key}" is not a valid KMS Key Id.'))
    if config.get("snapshot_users"):
        if not kms_key_id and not region_keys and encrypt:
            problems.append(_error("snapshot_users", (
                "Cannot share snapshot encrypted with default KMS key, see "
                "https://www.packer.io/docs/builders/amazon-ebs#region_kms_key_ids for more information")))
        if any(not key for key in region_keys.values()):
            problems.append(_error("snapshot_users", "Cannot share snapshot encrypted with default KMS key"))
    return problems


def _is_cidr(text: str) -> bool:
    try:
        ipaddress.ip_network(text, strict=False)
    except ValueError:
        return False
    return True


def virtualbox_iso(config: dict, cwd: str) -> list:
    problems = []
    if (config.get("sata_port_count") or 0) > 30:
        problems.append(_error("sata_port_count", "sata_port_count cannot be greater than 30"))
    if (config.get("nvme_port_count") or 0) > 255:
        problems.append(_error("nvme_port_count", "nvme_port_count cannot be greater than 255"))
    if config.get("iso_interface") not in (None, "", "ide", "sata"):
        problems.append(_error("iso_interface", "iso_interface can only be ide or sata"))
    return problems + virtualbox(config, cwd)


def virtualbox(config: dict, cwd: str) -> list:
    problems = _vm(config)
    if (config.get("vrdp_port_min") or 5900) > (config.get("vrdp_port_max") or 6000):
        problems.append(_error("vrdp_port_min", "vrdp_port_min must be less than vrdp_port_max"))
    if config.get("communicator") == "none" and config.get("virtualbox_version_file", ".vbox_version") != "":
        problems.append(_error("virtualbox_version_file", "virtualbox_version_file has to be an empty string when "
                                                          "communicator = 'none'."))
    for key, what in (("cpus", "number of cpus"), ("memory", "memory size")):
        if (config.get(key) or 0) < 0:
            problems.append(_error(key, f"An invalid {what} was specified ({key} < 0): {config[key]}"))
    if config.get("communicator") == "none" and (config.get("guest_additions_mode") or "upload") == "upload":
        problems.append(_error("guest_additions_mode",
                               "communicator must not be 'none' when guest_additions_mode = 'upload'."))
    if not config.get("shutdown_command"):
        problems.append((None, _NO_SHUTDOWN_COMMAND, "warning"))
    return problems


def ssh_communicator(config: dict, cwd: str) -> list:
    """Packer's communicator checks for `ssh` (only then does Packer read the key files)."""
    problems = []

    def missing(key):
        path = os.path.expanduser(config[key])
        if not os.path.exists(os.path.join(cwd, path)):
            problems.append(_error(key, f"{key} is invalid: stat {path}: no such file or directory"))

    if config.get("ssh_private_key_file"):
        missing("ssh_private_key_file")
    if config.get("ssh_bastion_host") and not config.get("ssh_bastion_agent_auth"):
        bastion_key = config.get("ssh_bastion_private_key_file") or config.get("ssh_private_key_file")
        if not config.get("ssh_bastion_password") and not bastion_key:
            problems.append(_error("ssh_bastion_host", "ssh_bastion_password or ssh_bastion_private_key_file must be "
                                                       "specified"))
        elif config.get("ssh_bastion_private_key_file"):
            missing("ssh_bastion_private_key_file")
    method = config.get("ssh_file_transfer_method") or "scp"
    if method not in ("scp", "sftp"):
        problems.append(_error("ssh_file_transfer_method",
                               f"ssh_file_transfer_method ('{method}') is invalid, valid methods: sftp, scp"))
    if config.get("ssh_bastion_host") and config.get("ssh_proxy_host"):
        problems.append(_error("ssh_proxy_host", "please specify either ssh_bastion_host or ssh_proxy_host, not both"))
    return problems


_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
_DIGEST_TYPES = {16: "md5", 20: "sha1", 32: "sha256", 64: "sha512"}


def _hex_error(text: str) -> str | None:
    """Go's hex.DecodeString error for `text`, or None when it decodes."""
    for char in text:  # Go checks the pairs left to right, then an odd last digit
        if char not in _HEX_DIGITS:
            return f"encoding/hex: invalid byte: U+{ord(char):04X} {char!r}"
    return "encoding/hex: odd length hex string" if len(text) % 2 else None


def iso_checksum_problems(checksum: str) -> list[tuple[str, str]]:
    """[(severity, message)] for an `iso_checksum`, as Packer 1.6.6 (its go-getter) judges it at validate."""
    if checksum == "none":
        return [("warning", "A checksum of 'none' was specified. Since ISO files are so big,\n"
                            "a checksum is highly recommended.")]
    if checksum == "":
        return [("error", "A checksum must be specified")]
    problems = []
    kind, colon, value = checksum.partition(":")
    if colon and kind == "file":
        if "://" in value:
            problems.append(("error", f"the checksum file {value} would have to be fetched over the network"))
    elif "{{" not in checksum:
        digits = value if colon else checksum
        hex_error = _hex_error(digits)
        if hex_error:
            problems.append(("error", f"invalid checksum: {hex_error} in \"{checksum}\""))
        elif colon and kind.lower() not in ("md5", "sha1", "sha256", "sha512"):
            problems.append(("error", f"unsupported checksum type: {kind} in \"{checksum}\""))
        elif not colon and len(digits) // 2 not in _DIGEST_TYPES:
            problems.append(("error", f"Unknown type for checksum {checksum} in \"{checksum}\""))
    if checksum.lower().endswith(".iso"):
        problems.append(("error", "Error parsing checksum: .iso is not a valid checksum ending"))
    return problems


# ------------------------------------------------------------------ provisioners and post-processors


def shell_sources(config: dict, cwd: str) -> list:
    """shell, powershell, windows-shell: script, scripts or inline (an empty `inline` counts as given)."""
    problems = []
    if config.get("script") and config.get("scripts"):
        problems.append(_error("scripts", "Only one of script or scripts can be specified."))
    scripts = [config["script"]] if config.get("script") else config.get("scripts") or []
    if not scripts and "inline" not in config:
        problems.append(_error(None, "Either a script file or inline script must be specified."))
    elif scripts and "inline" in config:
        problems.append(_error("inline", "Only a script file or an inline script can be specified, not both."))
    return problems


_TOO_MANY_LOCAL = ("You may only specify one of the following options: Command, Inline, Script or Scripts. "
                   "Please consolidate these options in your config.")
_GO_OS_NAMES = ("darwin", "freebsd", "linux", "openbsd", "solaris", "windows")


def shell_local(config: dict, cwd: str) -> list:
    """shell-local (provisioner and post-processor), in the order Packer's shell-local config checks."""
    for name in config.get("only_on") or []:
        if name not in _GO_OS_NAMES:  # Packer returns this one alone
            return [_error("only_on", f"Invalid OS specified in only_on: '{name}'\n"
                                      f"Supported OS names: {', '.join(_GO_OS_NAMES)}")]
    problems = []
    command, script = config.get("command"), config.get("script")
    inline = config.get("inline") if "inline" in config else None
    scripts = config.get("scripts") or []
    if not command and not inline and not scripts and not script:
        problems.append(_error(None, "Command, Inline, Script and Scripts options cannot all be empty."))
    if command:
        if inline or scripts or script:
            problems.append(_error("command", _TOO_MANY_LOCAL))
        else:
            inline = [command]
    if script:
        if scripts or inline:
            problems.append(_error("script", _TOO_MANY_LOCAL))
        else:
            scripts = [script]
    if scripts and inline is not None:
        problems.append(_error("scripts", _TOO_MANY_LOCAL))
    if config.get("use_linux_pathing") and inline:
        problems.append(_error("inline", "Packer is unable to use the Command and Inline features with the Windows "
                                         "Linux Subsystem. Please use the Script or Scripts options instead"))
    return problems


def file_provisioner(config: dict, cwd: str) -> list:
    problems = []
    if (config.get("direction") or "upload") not in ("download", "upload"):
        problems.append(_error("direction", "Direction must be one of: download, upload."))
    sources = list(config.get("sources") or []) + ([config["source"]] if config.get("source") else [])
    if config.get("content") is not None:
        if sources:  # `content` is a later Packer's option: it replaces the sources
            problems.append(_error("content", "content cannot be used together with source or sources"))
    elif not sources:
        problems.append(_error(None, "Source must be specified."))
    if not config.get("destination"):
        problems.append(_error(None, "Destination must be specified."))
    return problems


def powershell(config: dict, cwd: str) -> list:
    problems = shell_sources(config, cwd)
    if config.get("elevated_password") and not config.get("elevated_user"):
        problems.append(_error("elevated_password", "Must supply an 'elevated_user' if 'elevated_password' provided"))
    debug_mode = config.get("debug_mode") or 0
    if not 0 <= debug_mode <= 2:
        problems.append(_error("debug_mode", f"{debug_mode} is an invalid Trace level for `debug_mode`; valid values "
                                             "are 0, 1, and 2"))
    return problems


def ansible(config: dict, cwd: str) -> list:
    local_port = config.get("local_port") or 0
    return [_error("local_port", f"local_port: {local_port} must be a valid port")] if local_port > 65535 else []


def file_builder(config: dict, cwd: str) -> list:
    """Packer's file builder: content and source exclude each other; neither is only a warning."""
    if config.get("content") and config.get("source"):
        return [_error("source", "Cannot specify source file AND content")]
    if not config.get("content") and not config.get("source"):
        return [(None, "Both source file and contents are blank; target will have no content", "warning")]
    return []


def checksum(config: dict, cwd: str) -> list:
    known = ("md5", "sha1", "sha224", "sha256", "sha384", "sha512")
    return [_error("checksum_types", f"Unrecognized checksum type: {kind}")
            for kind in config.get("checksum_types") or [] if kind not in known and "{{" not in kind]


def guest_os_type(config: dict, cwd: str) -> list:
    """puppet-masterless, chef-solo …: Packer knows unix and windows guests; cattle runs these on unix only."""
    value = config.get("guest_os_type") or ""
    if not isinstance(value, str) or "{{" in value or not value:
        return []
    if value.lower() == "windows":
        return [("guest_os_type", "guest_os_type windows: cattle runs this provisioner on unix guests only and the "
                                  "build will refuse it; use a powershell provisioner to run the tool instead", "warning")]
    if value.lower() != "unix":
        return [_error("guest_os_type", f'Invalid guest_os_type: "{value.lower()}"')]
    return []


def salt_masterless(config: dict, cwd: str) -> list:
    """Packer's salt-masterless checks beyond the paths: formula URLs, minion_config's exclusions."""
    problems = []
    formulas = [f for f in config.get("formulas") or [] if isinstance(f, str) and "{{" not in f]
    if any(not re.match(r"^(.*).git//[a-zA-Z0-9-_]+(\?.*)?$", f) for f in formulas):
        problems.append(_error("formulas", "Invalid formula URL. Please verify the git URLs also contain a '//' subdir"))
    elif formulas:
        problems.append(("formulas", "cattle does not download Salt formulas (builds have no network): the build will "
                                     "refuse them; put the formulas into local_state_tree", "warning"))
    if config.get("minion_config") and (config.get("remote_state_tree") or config.get("remote_pillar_roots")):
        problems.append(_error("minion_config", "remote_state_tree and remote_pillar_roots only apply when "
                                                "minion_config is not used"))
    return problems


CHECKS = {"docker": docker, "qemu": qemu, "amazon": amazon, "amazon-ami": amazon_ami, "virtualbox-iso": virtualbox_iso,
          "virtualbox": virtualbox, "shell-sources": shell_sources, "shell-local": shell_local,
          "file-provisioner": file_provisioner, "ssh": ssh_communicator, "powershell": powershell, "checksum": checksum,
          "ansible": ansible, "file-builder": file_builder, "guest-os-type": guest_os_type,
          "salt-masterless": salt_masterless}
