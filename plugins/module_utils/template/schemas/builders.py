"""Builder option schemas (Packer 1.6.6 option lists, plus options added up to 1.9)."""

from . import defaults
from .communicator import COMMUNICATOR_OPTIONS

_HTTP = {"http_directory": "str", "http_content": "map", "http_port_min": "int", "http_port_max": "int",
         "http_bind_address": "str", "http_interface": "str"}
_FLOPPY = {"floppy_files": "list", "floppy_dirs": "list", "floppy_label": "str"}
_CD = {"cd_files": "list", "cd_label": "str"}
_ISO = {"iso_checksum": "str", "iso_url": "str", "iso_urls": "list", "iso_target_path": "str",
        "iso_target_extension": "str"}
_BOOT = {"boot_command": "list", "boot_wait": "duration", "disable_vnc": "bool"}
_SHUTDOWN = {"shutdown_command": "str", "shutdown_timeout": "duration"}
_FLOPPY_FILES = {"floppy_files": "path", "floppy_dirs": "dir", "cd_files": "path"}

_AWS_ACCESS = {
    "access_key": "str", "secret_key": "str", "token": "str", "profile": "str", "region": "str",
    "assume_role": "map_any", "custom_endpoint_ec2": "str", "shared_credentials_file": "str",
    "decode_authorization_messages": "bool", "insecure_skip_tls_verify": "bool", "max_retries": "int",
    "mfa_code": "str", "skip_metadata_api_check": "bool", "skip_credential_validation": "bool",
    "vault_aws_engine": "map_any", "aws_polling": "map_any",
}
_AWS_AMI = {
    "ami_name": "str", "ami_description": "str", "ami_virtualization_type": "str", "ami_users": "list",
    "ami_groups": "list", "ami_product_codes": "list", "ami_regions": "list", "skip_region_validation": "bool",
    "tags": "map", "tag": "listmap", "ena_support": "trilean", "sriov_support": "bool", "force_deregister": "bool",
    "force_delete_snapshot": "bool", "encrypt_boot": "trilean", "kms_key_id": "str", "region_kms_key_ids": "map",
    "skip_save_build_region": "bool", "snapshot_tags": "map", "snapshot_tag": "listmap", "snapshot_users": "list",
    "snapshot_groups": "list", "deprecate_at": "str", "ami_org_arns": "list", "ami_ou_arns": "list",
    "imds_support": "str", "boot_mode": "str", "tpm_support": "str",
}
_AWS_RUN = {
    "associate_public_ip_address": "trilean", "availability_zone": "str", "block_duration_minutes": "int",
    "disable_stop_instance": "bool", "ebs_optimized": "bool", "enable_t2_unlimited": "bool",
    "enable_unlimited_credits": "bool", "iam_instance_profile": "str", "skip_profile_validation": "bool",
    "temporary_iam_instance_profile_policy_document": "map_any", "shutdown_behavior": "str",
    "instance_type": "str", "security_group_filter": "map_any", "run_tags": "map", "run_tag": "listmap",
    "security_group_id": "str", "security_group_ids": "list", "source_ami": "str", "source_ami_filter": "map_any",
    "spot_instance_types": "list", "spot_price": "str", "spot_tags": "map", "spot_tag": "listmap",
    "subnet_filter": "map_any", "subnet_id": "str", "tenancy": "str", "placement": "map_any",
    "temporary_security_group_source_cidrs": "list", "temporary_security_group_source_public_ip": "bool",
    "user_data": "str", "user_data_file": "str", "vpc_filter": "map_any", "vpc_id": "str",
    "windows_password_timeout": "duration", "metadata_options": "map_any", "ssh_interface": "str",
    "pause_before_ssm": "duration", "session_manager_port": "int", "capacity_reservation_preference": "str",
    "capacity_reservation_id": "str", "capacity_reservation_group_arn": "str", "fleet_tags": "map",
    "fleet_tag": "listmap", "enable_nitro_enclave": "bool", "license_specifications": "listmap",
    "skip_create_ami": "bool", "ssm_agent_enable": "bool",
}

_VBOX_COMMON = {
    **_HTTP, **_FLOPPY, **_CD, **_BOOT, **_SHUTDOWN,
    "boot_keygroup_interval": "duration", "output_directory": "str", "output_filename": "str",
    "format": "str", "export_opts": "list", "export_manifest": "str", "skip_export": "bool",
    "keep_registered": "bool", "headless": "bool", "vrdp_bind_address": "str", "vrdp_port_min": "int",
    "vrdp_port_max": "int", "vboxmanage": "listlist", "vboxmanage_post": "listlist",
    "virtualbox_version_file": "str", "guest_additions_mode": "str", "guest_additions_path": "str",
    "guest_additions_url": "str", "guest_additions_sha256": "str", "guest_additions_interface": "str",
    "host_port_min": "int", "host_port_max": "int", "skip_nat_mapping": "bool",
    "ssh_host_port_min": "int", "ssh_host_port_max": "int", "ssh_skip_nat_mapping": "bool",
    "post_shutdown_delay": "duration", "disable_shutdown": "bool", "acpi_shutdown": "bool", "vm_name": "str",
}
# Hardware settings: virtualbox-iso only (an imported VM keeps its own; set it with vboxmanage).
_VBOX_HARDWARE = {
    "cpus": "int", "memory": "int", "sound": "str", "usb": "bool",
    "nic_type": "str", "gfx_controller": "str", "gfx_vram_size": "int", "gfx_accelerate_3d": "bool",
    "gfx_efi_resolution": "str", "nested_virt": "bool", "rtc_time_base": "str", "firmware": "str",
    "chipset": "str", "audio_controller": "str", "bundle_iso": "bool",
}
_VBOX_ENUM_MESSAGES = {
    "guest_additions_mode": "guest_additions_mode is invalid. Must be one of: [disable attach upload]",
    "format": "invalid format, only 'ovf' or 'ova' are allowed",
}
_VBOX_RUNTIME = ("boot_command", "vboxmanage", "vboxmanage_post", "guest_additions_path", "guest_additions_url")

BUILDERS = {
    "docker": {
        "options": {
            "image": "str", "pull": "bool", "commit": "bool", "export_path": "str", "discard": "bool",
            "author": "str", "message": "str", "changes": "list", "run_command": "list", "volumes": "map",
            "privileged": "bool", "cap_add": "list", "cap_drop": "list", "device": "list", "tmpfs": "list",
            "container_dir": "str", "exec_user": "str", "fix_upload_owner": "bool", "windows_container": "bool",
            "login": "bool", "login_server": "str", "login_username": "str", "login_password": "str",
            "ecr_login": "bool", "aws_access_key": "str", "aws_secret_key": "str",
            "aws_token": "str", "aws_profile": "str", "platform": "str", "runtime": "str",
            "aws_force_use_public_ecr": "bool", "pty": "bool", "cache": "bool",
            **COMMUNICATOR_OPTIONS,
        },
        "one_of": [],
        "runtime": ("run_command",),
        "defaults": defaults.DOCKER,
        "secrets": ("login_password", "aws_secret_key", "aws_token"),
        "communicator": "docker",
        "plugin_id": "packer.docker",
        "checks": ("docker",),
        "files": {},
    },
    "qemu": {
        "options": {
            **_ISO, **_HTTP, **_FLOPPY, **_CD, **_BOOT, **_SHUTDOWN, **COMMUNICATOR_OPTIONS,
            "iso_skip_cache": "bool", "accelerator": "str", "disk_image": "bool", "use_backing_file": "bool",
            "skip_resize_disk": "bool", "disk_size": "str", "disk_additional_size": "list", "format": "str",
            "disk_interface": "str", "disk_cache": "str", "disk_discard": "str", "disk_detect_zeroes": "str",
            "disk_compression": "bool", "skip_compaction": "bool", "net_device": "str", "net_bridge": "str",
            "machine_type": "str", "qemu_binary": "str", "qemuargs": "listlist", "qemu_img_args": "map_any",
            "cpus": "int", "memory": "int", "headless": "bool", "display": "str", "use_default_display": "bool",
            "vnc_bind_address": "str", "vnc_port_min": "int", "vnc_port_max": "int", "vnc_use_password": "bool",
            "qmp_enable": "bool", "qmp_socket_path": "str", "vm_name": "str", "output_directory": "str",
            "cdrom_interface": "str", "boot_key_interval": "duration", "host_port_min": "int",
            "host_port_max": "int", "skip_nat_mapping": "bool", "ssh_host_port_min": "int",
            "ssh_host_port_max": "int", "efi_boot": "bool", "efi_firmware_code": "str",
            "efi_firmware_vars": "str", "firmware": "str", "cpu_model": "str", "sockets": "int",
            "cores": "int", "threads": "int", "vga": "str", "vtpm": "bool", "use_pflash": "bool",
            "tpm_device_type": "str", "boot_steps": "listlist", "boot_keygroup_interval": "duration",
            "run_once": "bool",
        },
        "plugin_id": "transcend.qemu",
        "deprecated": {key: (
            f"{key} is deprecated and is being replaced by {key[4:]}. Please, update your template to use "
            f"{key[4:]}. In future versions of Packer, inclusion of {key} will error your builds.")
            for key in ("ssh_host_port_min", "ssh_host_port_max")},
        "checks": ("qemu",),
        "required": (),
        "one_of": [],
        "require_iso": True,
        "runtime": ("boot_command", "qemuargs"),
        "defaults": defaults.QEMU,
        "enums": {"accelerator": ("none", "kvm", "tcg", "hax", "hvf", "whpx", "xen"),
                  "format": ("qcow2", "raw"),
                  "disk_interface": ("virtio", "ide", "scsi", "virtio-scsi", "nvme", "sata"),
                  "disk_cache": ("writethrough", "writeback", "none", "unsafe", "directsync"),
                  "disk_discard": ("unmap", "ignore"), "disk_detect_zeroes": ("unmap", "on", "off")},
        "enum_messages": {
            "accelerator": "invalid accelerator, only 'kvm', 'tcg', 'xen', 'hax', 'hvf', 'whpx', or 'none' are allowed",
            "format": "invalid format, only 'qcow2' or 'raw' are allowed",
            "disk_interface": "unrecognized disk interface type", "disk_cache": "unrecognized disk cache type",
            "disk_discard": "unrecognized disk discard type",
            "disk_detect_zeroes": "unrecognized disk detect zeroes setting"},
        "communicator": "ssh",
        "files": dict(_FLOPPY_FILES),
        "output_directory_must_not_exist": True,
    },
    "amazon-ebs": {
        "options": {
            **_AWS_ACCESS, **_AWS_AMI, **_AWS_RUN, **COMMUNICATOR_OPTIONS,
            "ami_block_device_mappings": "listmap", "launch_block_device_mappings": "listmap",
            "run_volume_tags": "map", "run_volume_tag": "listmap", "no_ephemeral": "bool",
            "spot_price_auto_product": "str",
        },
        "plugin_id": "mitchellh.amazonebs",
        "deprecated": {"spot_price_auto_product": (
            "spot_price_auto_product is deprecated and no longer necessary for Packer builds. In future versions "
            "of Packer, inclusion of spot_price_auto_product will error your builds. Please take a look at our "
            "current documentation to understand how Packer requests Spot instances.")},
        "dropped": ("spot_price_auto_product",),
        "required": ("ami_name",),  # a region may come from the environment, as in Packer
        "one_of": [],
        "checks": ("amazon", "amazon-ami"),
        "runtime": ("ami_description", "tags", "run_tags", "run_volume_tags", "snapshot_tags", "spot_tags",
                    "fleet_tags", "tag", "run_tag", "snapshot_tag", "spot_tag", "run_volume_tag"),
        "enum_messages": {"shutdown_behavior": "shutdown_behavior only accepts 'stop' or 'terminate' values.",
                          "ssh_interface": "Unknown interface type: {value}"},
        "enums": {"shutdown_behavior": ("stop", "terminate"),
                  "ssh_interface": ("", "public_ip", "private_ip", "public_dns", "private_dns", "session_manager")},
        "communicator": "ssh",
        "files": {},
        "block_device_keys": ("ami_block_device_mappings", "launch_block_device_mappings"),
        "secrets": ("secret_key", "token", "mfa_code", "ssh_password", "winrm_password", "ssh_bastion_password",
                    "ssh_proxy_password"),
        "clean_resource_name": True,
    },
    "virtualbox-iso": {
        "options": {
            **_ISO, **_VBOX_COMMON, **_VBOX_HARDWARE, **COMMUNICATOR_OPTIONS,
            "guest_os_type": "str", "disk_size": "int", "hard_drive_interface": "str", "hard_drive_discard": "bool",
            "hard_drive_nonrotational": "bool", "sata_port_count": "int", "nvme_port_count": "int",
            "iso_interface": "str", "keep_registered": "bool", "disk_additional_size": "list",
        },
        "plugin_id": "mitchellh.virtualbox",
        "checks": ("virtualbox-iso",),
        "defaults": defaults.VIRTUALBOX_ISO,
        "required": (),
        "one_of": [],
        "require_iso": True,
        "runtime": _VBOX_RUNTIME,
        "enum_messages": {**_VBOX_ENUM_MESSAGES,
                          "hard_drive_interface": "hard_drive_interface can only be ide, sata, pcie or scsi"},
        "enums": {"hard_drive_interface": ("ide", "sata", "scsi", "pcie", "virtio"),
                  "guest_additions_mode": ("upload", "attach", "disable"), "format": ("ovf", "ova")},
        "communicator": "ssh",
        "files": dict(_FLOPPY_FILES),
    },
    "virtualbox-ovf": {
        "options": {
            **_VBOX_COMMON, **COMMUNICATOR_OPTIONS,
            "source_path": "str", "checksum": "str", "checksum_type": "str", "target_path": "str",
            "import_flags": "list", "import_opts": "str", "guest_additions_interface": "str",
        },
        "plugin_id": "mitchellh.virtualbox",
        "checks": ("virtualbox",),
        "defaults": defaults.VIRTUALBOX_OVF,
        "required": ("source_path",),
        "required_messages": {"source_path": "source_path is required"},
        "one_of": [],
        "runtime": _VBOX_RUNTIME,
        "enums": {"guest_additions_mode": ("upload", "attach", "disable"), "format": ("ovf", "ova")},
        "enum_messages": _VBOX_ENUM_MESSAGES,
        "communicator": "ssh",
        "files": dict(_FLOPPY_FILES),
    },
    "null": {
        "options": dict(COMMUNICATOR_OPTIONS),
        "required": (),
        "one_of": [],
        "communicator": "ssh",
        "null_auth": True,
        "plugin_id": "fnoeding.null",
        "files": {},
    },
    "file": {
        "options": {"content": "str", "source": "str", "target": "str"},
        "required": ("target",),
        "required_messages": {"target": "target required"},
        "one_of": [],
        "checks": ("file-builder",),
        "communicator": None,
        "files": {"source": "file"},
    },
}
