# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Documentation only: the post-processor is the action plugin plugins/action/docker_import.py.

from __future__ import annotations

DOCUMENTATION = r"""
module: docker_import
short_description: Packer's docker-import post-processor - import an exported container as an image
version_added: 0.1.0
description:
  - Imports the tar of a docker builder C(export_path) artifact (or an artifice artifact) as
    C(repository[:tag]), applying C(changes) (Dockerfile instructions) and C(platform), like C(docker import).
  - The output artifact has builder id C(packer.post-processor.docker-import) and C(repository[:tag]) as its id.
    The input tar is not kept by default (Packer deletes it unless C(keep_input_artifact)).
  - If C(repository:tag) already names an image, the tag moves to the imported one, as with Packer's
    C(docker import); the ID of the image it left is printed.
  - Runs on the controller; talks to the daemon named by C(DOCKER_HOST).
author:
  - cattle.images developers (@cattle-images)
extends_documentation_fragment:
  - cattle.images.component
  - cattle.images.component.post_processor
  - cattle.images.options_docker_import
attributes:
  check_mode:
    support: full
    details: Checks the config and the input and returns the would-be artifact without importing.
requirements:
  - docker (Docker SDK for Python) >= 7.1
"""

EXAMPLES = r"""
- name: Import the exported tar
  cattle.images.docker_import:
    config:
      repository: local/app
      tag: "1.0"
      changes: ['CMD ["/bin/sh"]']
    artifact: "{{ cattle_artifact }}"
"""

RETURN = r"""
artifact:
  description: The imported image's artifact.
  returned: success
  type: dict
  sample:
    id: local/app:1.0
    builder_id: packer.post-processor.docker-import
    builder_type: docker
    build_name: docker
    files: []
    string: "Imported Docker image: local/app:1.0"
    metadata:
      ImageSha256: sha256:4b825dc642cb6eb9a060e54bf8d69288fbee4904
keep:
  description: Whether the input artifact is kept by default (Packer's keep).
  returned: success
  type: bool
force_keep:
  description: Whether the input must be kept even if C(keep_input_artifact) is false (Packer's forceOverride).
  returned: success
  type: bool
ui:
  description: Lines for the Packer-style output, each C([kind, text]) with kind C(say), C(message) or C(error).
  returned: always
  type: list
  elements: list
"""
