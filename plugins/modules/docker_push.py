# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Documentation only: the post-processor is the action plugin plugins/action/docker_push.py.

from __future__ import annotations

DOCUMENTATION = r"""
module: docker_push
short_description: Packer's docker-push post-processor - push an image's tags to a registry
version_added: 0.1.0
description:
  - Pushes the input artifact's image name and every tag in its C(metadata.docker_tags) (docker-import and
    docker-tag artifacts), like Packer's docker-push.
  - With C(login) true, authenticates to C(login_server) with C(login_username) and C(login_password) for the
    pushes; the password never appears in output.
  - The output artifact has builder id C(packer.post-processor.docker-import), the pushed name as id and the
    registry's digest in C(metadata.Digest). The input is kept.
  - Runs on the controller; talks to the daemon named by C(DOCKER_HOST).
author:
  - cattle.images developers (@cattle-images)
extends_documentation_fragment:
  - cattle.images.component
  - cattle.images.component.post_processor
  - cattle.images.options_docker_push
attributes:
  check_mode:
    support: full
    details: Checks the config and the input and lists what it would push, without contacting the registry.
requirements:
  - docker (Docker SDK for Python) >= 7.1
"""

EXAMPLES = r"""
- name: Push the tags
  cattle.images.docker_push:
    config:
      login: true
      login_server: registry.example.com
      login_username: ci
      login_password: "{{ registry_password }}"
    artifact: "{{ tagged.artifact }}"
"""

RETURN = r"""
artifact:
  description: The pushed image's artifact.
  returned: success
  type: dict
  sample:
    id: registry.example.com/team/app:latest
    builder_id: packer.post-processor.docker-import
    builder_type: docker
    build_name: docker
    files: []
    string: "Imported Docker image: registry.example.com/team/app:latest"
    metadata:
      docker_tags: [registry.example.com/team/app:v1, registry.example.com/team/app:latest]
      Digest: sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae
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
