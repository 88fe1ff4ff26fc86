"""Packer's deprecated option names (packer-plugin-sdk template/config/deprecated_options.go).

An option in this table that is not a real option of the component is an error telling the
user to run `packer fix`; a deprecated name that still is a real option is accepted.
"""

DEPRECATED_OPTIONS = frozenset({
    "iso_md5", "ssh_key_path", "ssh_disable_agent", "ssh_host_port_min", "ssh_host_port_max",
    "ssh_skip_nat_mapping", "ssh_wait_timeout", "iso_checksum_url", "iso_checksum_type",
    "shutdown_behaviour", "enhanced_networking", "ssh_private_ip", "temporary_security_group_source_cidr",
    "clean_ami_name", "spot_price_auto_product", "login_email", "tag", "filename", "galaxycommand",
})

DEPRECATED_MESSAGE = (
    "Deprecated configuration key: '{key}'. Please call `packer fix` against your template to "
    "update your template to be compatible with the current version of Packer. Visit "
    "https://www.packer.io/docs/commands/fix/ for more detail."
)
