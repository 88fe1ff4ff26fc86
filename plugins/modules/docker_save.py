# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Documentation only: the post-processor is the action plugin plugins/action/docker_save.py.

from __future__ import annotations

DOCUMENTATION = r"""
module: docker_save
short_description: Packer's docker-save post-processor - save an image to a tar file
version_added: 0.1.0
description:
  - Saves the input image (docker builder C(commit), docker-import or docker-tag artifact) to C(path) like
    C(docker save), keeping its layers and metadata. An existing file at C(path) is replaced, as Packer does;
    the file appears only once complete.
  - A relative C(path) is resolved against the run's working directory (the plan's C(cwd)).
  - Passes its input artifact through and keeps it.
  - Runs on the controller; talks to the daemon named by C(DOCKER_HOST).
author:
  - cattle.images developers (@cattle-images)
extends_documentation_fragment:
  - cattle.images.component
  - cattle.images.component.post_processor
  - cattle.images.options_docker_save
attributes:
  check_mode:
    support: full
    details: Checks the config and the input and writes nothing.
requirements:
  - docker (Docker SDK for Python) >= 7.1
"""

EXAMPLES = r"""
- name: Save the tagged image
  cattle.images.docker_save:
    config:
      path: /srv/images/app.tar
    artifact: "{{ tagged.artifact }}"
"""

RETURN = r"""
artifact:
  description: The input artifact, unchanged.
  returned: success
  type: dict
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
