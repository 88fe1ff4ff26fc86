"""Packer 1.6.6's deprecated option names (packer-plugin-sdk template/config/deprecated_options.go).

Packer looks an option that is not a real option of the component up in this table by the
component's plugin id (globbed, `*` matching anything): a hit is an error telling the user to
run `packer fix`, a miss an "unknown configuration key". Components decoded without a plugin
id (shell-local, the file builder, the vagrant post-processor) never hit. A deprecated
name that still is a real option of the component is accepted (see a schema's `deprecated`).
"""

from __future__ import annotations

from fnmatch import fnmatchcase

DEPRECATED_OPTIONS = {
    "*": ("iso_md5", "ssh_key_path", "ssh_disable_agent", "ssh_host_port_min", "ssh_host_port_max",
          "ssh_skip_nat_mapping", "ssh_wait_timeout", "iso_checksum_url", "iso_checksum_type"),
    "*amazon*": ("shutdown_behaviour", "enhanced_networking", "ssh_private_ip", "temporary_security_group_source_cidr",
                 "clean_ami_name", "spot_price_auto_product"),
    "Azure*": ("clean_image_name", "exlude_from_latest"),
    "MSOpenTech.hyperv": ("vhd_temp_path", "clone_from_vmxc_path", "cpu", "ram_size"),
    "ansible": ("galaxycommand",),
    "hashicorp.scaleway": ("access_key",),
    "jetbrains.vsphere": ("network_card", "network", "networkCard", "disk_size", "disk_thin_provisioned",
                          "disk_eagerly_scrub"),
    "mitchellh.virtualbox": ("guest_additions_attach",),
    "packer.docker": ("login_email",),
    "packer.googlecompute": ("clean_image_name",),
    "packer.parallels": ("headless", "parallels_tools_host_path", "guest_os_distribution"),
    "packer.post-processor.docker-import": ("login_email",),
    "packer.post-processor.docker-tag": ("tag",),
    "packer.post-processor.manifest": ("filename",),
    "transcend.qemu": ("ssh_host_port_max", "ssh_host_port_min"),
}

DEPRECATED_MESSAGE = (
    "Deprecated configuration key: '{key}'. Please call `packer fix` against your template to "
    "update your template to be compatible with the current version of Packer. Visit "
    "https://www.packer.io/docs/commands/fix/ for more detail."
)


def is_fixable(plugin_id: str, key: str) -> bool:
    """Whether Packer calls `key` deprecated (fixable) rather than unknown for this component."""
    if not plugin_id:
        return False
    return any(fnmatchcase(plugin_id, pattern) and key in keys for pattern, keys in DEPRECATED_OPTIONS.items())
