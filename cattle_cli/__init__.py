"""The `cattle` command: Packer's CLI on top of the cattle.images Ansible collection."""

__version__ = "0.1.0"
