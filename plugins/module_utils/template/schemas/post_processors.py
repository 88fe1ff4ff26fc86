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
        "plugin_id": "packer.post-processor.manifest",
    },
    "checksum": {
        "options": {"checksum_types": "list", "output": "str"},
        "plugin_id": "checksum",
        "runtime": ("output",),
        "checks": ("checksum",),
    },
    "compress": {
        # Packer 1.6.6 also decodes its derived fields `archive` and `algorithm` (Go field names,
        # no mapstructure tag) and then overwrites them from `output`: accepted, then dropped.
        "options": {"output": "str", "format": "str", "compression_level": "int", "archive": "str",
                    "algorithm": "str"},
        "dropped": ("archive", "algorithm"),
        "plugin_id": "compress",
        "runtime": ("output",),
    },
    "docker-import": {
        "options": {"repository": "str", "tag": "str", "changes": "list", "platform": "str"},
        "plugin_id": "packer.post-processor.docker-import",
        "required": ("repository",),
    },
    "docker-tag": {
        "options": {"repository": "str", "tags": "list", "tag": "list", "force": "bool"},
        "deprecated": {"tag": (
            'Deprecation warning: "tag" option has been replaced with "tags". In future versions of Packer, '
            "this configuration may not work. Please call `packer fix` on your template to update.")},
        # Packer appends `tag` to `tags`; the plan carries only `tags`.
        "merged_into": {"tag": "tags"},
        "plugin_id": "packer.post-processor.docker-tag",
        "required": ("repository",),
    },
    # Packer 1.6.6 decodes docker-push with docker-import's plugin id (its login_email is "deprecated").
    "docker-push": {"options": dict(_DOCKER_LOGIN), "plugin_id": "packer.post-processor.docker-import"},
    "docker-save": {"options": {"path": "str"}, "required": ("path",), "plugin_id": "packer.post-processor.docker-save"},
    "shell-local": _SHELL_LOCAL,
    "vagrant": {
        "options": {
            "compression_level": "int", "include": "list", "output": "str", "vagrantfile_template": "str",
            "vagrantfile_template_generated": "bool", "provider_override": "str", "override": "map_any",
            "keep_input_artifact": "bool", "architecture": "str",
        },
        "runtime": ("output",),
        "implemented": False,
        "files": {"vagrantfile_template": "file", "include": "file"},
        "files_unless": ("vagrantfile_template_generated",),
        "enums": {"provider_override": ("", "aws", "docker", "google", "hyperv", "libvirt", "parallels",
                                        "virtualbox", "vmware", "lxc", "scaleway", "digitalocean", "azure")},
    },
    "artifice": {"options": {"files": "list", "keep_input_artifact": "bool"}, "required": ("files",),
                 "implemented": False, "plugin_id": "artifice"},
}
