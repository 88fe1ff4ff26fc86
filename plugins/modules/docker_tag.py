# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Documentation only: the post-processor is the action plugin plugins/action/docker_tag.py.

from __future__ import annotations

DOCUMENTATION = r"""
module: docker_tag
short_description: Packer's docker-tag post-processor - tag the image of a docker artifact
version_added: 0.1.0
description:
  - Tags the input image as C(repository:tag) for every tag in C(tags) (or C(repository) alone, which Docker
    reads as C(:latest)), like Packer's docker-tag.
  - Accepts artifacts of the docker builder with C(commit), of docker-import and of docker-tag; anything else is
    an error naming the artifact type.
  - A tag that already names a different image is moved, as Packer does (re-running a template works); the ID
    of the image the tag left is printed, so it can still be found. C(force) is accepted and, as in Packer
    with Docker 1.12 or later, changes nothing.
  - The output artifact has builder id C(packer.post-processor.docker-tag), the last tag as its id and all tags
    in C(metadata.docker_tags). The input is always kept (Packer forces it).
  - Runs on the controller; talks to the daemon named by C(DOCKER_HOST).
author:
  - cattle.images developers (@cattle-images)
extends_documentation_fragment:
  - cattle.images.component
  - cattle.images.component.post_processor
  - cattle.images.options_docker_tag
attributes:
  check_mode:
    support: full
    details: Checks the config and the input, reports the tags it would set and returns the would-be artifact.
requirements:
  - docker (Docker SDK for Python) >= 7.1
"""

EXAMPLES = r"""
- name: Tag the committed image
  cattle.images.docker_tag:
    config:
      repository: registry.example.com/team/app
      tags: [v1, latest]
    artifact: "{{ cattle_artifact }}"
  register: tagged
"""

RETURN = r"""
artifact:
  description: The tag artifact.
  returned: success
  type: dict
  sample:
    id: registry.example.com/team/app:latest
    builder_id: packer.post-processor.docker-tag
    builder_type: docker
    build_name: docker
    files: []
    string: "Imported Docker image: registry.example.com/team/app:latest with tags registry.example.com/team/app:v1 registry.example.com/team/app:latest"
    metadata:
      ImageSha256: sha256:4b825dc642cb6eb9a060e54bf8d69288fbee4904
      docker_tags: [registry.example.com/team/app:v1, registry.example.com/team/app:latest]
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
