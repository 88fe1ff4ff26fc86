"""Post-processor option schemas."""

from .provisioners import PROVISIONERS

_SHELL_LOCAL = dict(PROVISIONERS["shell-local"])

_DOCKER_LOGIN = {
    "login": "bool", "login_username": "str", "login_password": "str", "login_server": "str",
    "ecr_login": "bool", "aws_access_key": "str", "aws_secret_key": "str", "aws_token": "str",
    "aws_profile": "str", "aws_force_use_public_ecr": "bool",
}

POST_PROCESSORS = {
    "manifest": {
        "options": {"output": "str", "strip_path": "bool", "strip_time": "bool", "custom_data": "map"},
    },
    "checksum": {
        "options": {"checksum_types": "list", "output": "str"},
        "runtime": ("output",),
        "enums": {"checksum_types": ("md5", "sha1", "sha224", "sha256", "sha384", "sha512")},
    },
    "compress": {
        "options": {"output": "str", "format": "str", "compression_level": "int"},
        "runtime": ("output",),
    },
    "docker-import": {
        "options": {"repository": "str", "tag": "str", "changes": "list", "platform": "str"},
        "required": ("repository",),
    },
    "docker-tag": {
        "options": {"repository": "str", "tags": "list", "force": "bool"},
        "required": ("repository",),
    },
    "docker-push": {"options": dict(_DOCKER_LOGIN)},
    "docker-save": {"options": {"path": "str"}, "required": ("path",)},
    "shell-local": _SHELL_LOCAL,
    "vagrant": {
        "options": {
            "compression_level": "int", "include": "list", "output": "str", "vagrantfile_template": "str",
            "vagrantfile_template_generated": "bool", "provider_override": "str", "override": "map_any",
            "keep_input_artifact": "bool", "architecture": "str",
        },
        "runtime": ("output",),
        "files": {"vagrantfile_template": "file", "include": "file"},
        "files_unless": ("vagrantfile_template_generated",),
        "enums": {"provider_override": ("", "aws", "docker", "google", "hyperv", "libvirt", "parallels",
                                        "virtualbox", "vmware", "lxc", "scaleway", "digitalocean", "azure")},
    },
    "artifice": {"options": {"files": "list", "keep_input_artifact": "bool"}, "required": ("files",)},
}
