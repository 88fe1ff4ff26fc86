"""What each post-processor option does, one sentence each, in cattle's words (facts from Packer's docs and source).

``SHARED`` holds options with one meaning across post-processors; ``BY_TYPE`` a type's own.
shell-local's options are the provisioner's (its sentences are in ``provisioners.py``).
"""

from .provisioners import BY_TYPE as _PROVISIONERS
from .provisioners import SHARED as _PROVISIONER_SHARED

SHARED = {
    "output": "Path of the file written; a template with C({{.BuildName}}) and C({{.BuilderType}}).",
    "keep_input_artifact": "Keep the input artifact instead of deleting it after this step.",
}

_DOCKER_LOGIN = {
    "login": "Log in to the registry before pushing.",
    "login_server": "Registry to log in to.",
    "login_username": "User for the registry login.",
    "login_password": "Password for the registry login.",
    "ecr_login": "Log in to Amazon ECR; refused by cattle (log in with C(login_server), C(login_username), C(login_password)).",
    "aws_access_key": "AWS access key for the ECR login (unused, as C(ecr_login) is refused).",
    "aws_secret_key": "AWS secret key for the ECR login (unused, as C(ecr_login) is refused).",
    "aws_token": "AWS session token for the ECR login (unused, as C(ecr_login) is refused).",
    "aws_profile": "AWS profile for the ECR login (unused, as C(ecr_login) is refused).",
    "aws_force_use_public_ecr": "Log in to the public ECR gallery (unused, as C(ecr_login) is refused).",
}

BY_TYPE = {
    "manifest": {
        "output": "Path of the manifest file (default C(packer-manifest.json)); a build's entry is added to an existing one.",
        "strip_path": "Record only the base name of each artifact file.",
        "strip_time": "Leave the build time out of the entries.",
        "custom_data": "Extra data recorded in each entry, as a map.",
    },
    "checksum": {
        "checksum_types": "Checksum algorithms to compute (md5, sha1, sha224, sha256, sha384, sha512; default md5).",
        "output": "Path of each checksum file; a template (default C(packer_{{.BuildName}}_{{.BuilderType}}_{{.ChecksumType}}.checksum)).",
    },
    "compress": {
        "output": "Path of the archive; its extension picks the format (default C(packer_{{.BuildName}}_{{.BuilderType}}.tar.gz)).",
        "format": "Archive format, overriding the one the C(output) extension implies.",
        "compression_level": "Compression level from 1 to 9 (default 6; 0 and -1 mean 6, above 9 means 9).",
        "archive": "Packer's internal field; accepted and ignored (it is derived from C(output)).",
        "algorithm": "Packer's internal field; accepted and ignored (it is derived from C(output)).",
    },
    "docker-import": {
        "repository": "Repository to import the exported container into.",
        "tag": "Tag of the imported image.",
        "changes": "Dockerfile instructions applied while importing.",
        "platform": "Platform (C(os/arch)) of the imported image.",
    },
    "docker-tag": {
        "repository": "Repository to tag the image into.",
        "tags": "Tags to give the image (a list, or a comma-separated string).",
        "tag": "Older name of C(tags), merged into it.",
        "force": "Packer's old force flag; accepted, no effect.",
    },
    "docker-push": _DOCKER_LOGIN,
    "docker-save": {"path": "Path of the tar file the image is saved to."},
    "shell-local": {**_PROVISIONER_SHARED, **_PROVISIONERS["shell-local"]},
}
