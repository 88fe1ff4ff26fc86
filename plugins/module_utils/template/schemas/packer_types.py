"""The component types built into Packer 1.6.6 (its command/plugin.go).

A type in these lists that cattle does not implement is refused by `validate` as "not
implemented in cattle"; a type in none of them is unknown, as it is to Packer 1.6.6.
"""

PACKER_BUILDERS = frozenset({
    "alicloud-ecs", "amazon-chroot", "amazon-ebs", "amazon-ebssurrogate", "amazon-ebsvolume", "amazon-instance",
    "azure-arm", "azure-chroot", "azure-dtl", "cloudstack", "digitalocean", "docker", "file", "googlecompute",
    "hcloud", "hyperone", "hyperv-iso", "hyperv-vmcx", "jdcloud", "linode", "lxc", "lxd", "ncloud", "null",
    "oneandone", "openstack", "oracle-classic", "oracle-oci", "osc-bsu", "osc-bsusurrogate", "osc-bsuvolume",
    "osc-chroot", "parallels-iso", "parallels-pvm", "profitbricks", "proxmox", "proxmox-clone", "proxmox-iso",
    "qemu", "scaleway", "tencentcloud-cvm", "triton", "ucloud-uhost", "vagrant", "virtualbox-iso",
    "virtualbox-ovf", "virtualbox-vm", "vmware-iso", "vmware-vmx", "vsphere-clone", "vsphere-iso", "yandex",
})

PACKER_PROVISIONERS = frozenset({
    "ansible", "ansible-local", "azure-dtlartifact", "breakpoint", "chef-client", "chef-solo", "converge", "file",
    "inspec", "powershell", "puppet-masterless", "puppet-server", "salt-masterless", "shell", "shell-local",
    "sleep", "windows-restart", "windows-shell",
})

PACKER_POST_PROCESSORS = frozenset({
    "alicloud-import", "amazon-import", "artifice", "checksum", "compress", "digitalocean-import", "docker-import",
    "docker-push", "docker-save", "docker-tag", "exoscale-import", "googlecompute-export", "googlecompute-import",
    "manifest", "shell-local", "ucloud-import", "vagrant", "vagrant-cloud", "vsphere", "vsphere-template",
    "yandex-export", "yandex-import",
})

PACKER_TYPES = {"builder": PACKER_BUILDERS, "provisioner": PACKER_PROVISIONERS,
                "post-processor": PACKER_POST_PROCESSORS}
