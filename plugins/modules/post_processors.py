# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: post_processors
short_description: Run the post-processor chains of a planned build
version_added: 0.1.0
description:
  - Runs every post-processor chain of build O(build) on O(artifact), with Packer's rules
    for C(keep_input_artifact) - an input artifact not kept is destroyed, and the builder's
    artifact survives only when some chain's first post-processor keeps it.
  - A failing post-processor stops its own chain at once (nothing after it in that chain runs);
    the other chains still run, as in Packer 1.6.6, and the task fails with Packer's
    multi-error message, which counts and lists every error.
author: cattle.images developers (@cattle-images)
extends_documentation_fragment:
  - cattle.images.planned_build
  - cattle.images.attributes.action_controller
options:
  artifact:
    description: The builder's artifact.
    type: dict
attributes:
  check_mode:
    support: full
    description: Passed to each post-processor; no artifact is destroyed.
"""

EXAMPLES = r"""
- name: Post-process
  cattle.images.post_processors:
    plan_file: "{{ cattle_build.plan_file }}"
    build: "{{ cattle_build.name }}"
    artifact: "{{ cattle_artifact }}"
"""

RETURN = r"""
artifacts:
  description: The artifacts of the build, in Packer's order.
  returned: always
  type: list
  elements: dict
  sample: [{"id": "sha256:3c1f...", "builder_id": "packer.post-processor.docker-import"}]
"""
