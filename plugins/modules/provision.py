# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: provision
short_description: Run one provisioner of a planned build
version_added: 0.1.0
description:
  - Reads provisioner O(step) of build O(build) from the plan file and runs it through the
    action plugin of its Packer type (C(cattle.images.shell), C(cattle.images.file), ...),
    on the build host's connection.
author: cattle.images developers (@cattle-images)
options:
  plan_file:
    description: The plan written by M(cattle.images.plan).
    type: path
    required: true
  build:
    description: The build's name.
    type: str
    required: true
  step:
    description: Index of the provisioner, or C(error-cleanup) for the error-cleanup provisioner.
    type: str
    required: true
attributes:
  check_mode:
    support: full
    description: Passed to the provisioner, which then changes nothing.
  diff_mode:
    support: none
    description: Shows what changed as a diff in C(--diff) mode.
  platform:
    support: full
    platforms: posix
    description: Runs on the Ansible controller (an action plugin), which must be POSIX.
"""

EXAMPLES = r"""
- name: Run the first provisioner
  cattle.images.provision:
    plan_file: "{{ cattle_build.plan_file }}"
    build: "{{ cattle_build.name }}"
    step: 0
"""

RETURN = r"""
ui:
  description: Output lines, as C([kind, text]) pairs (kind is say, message or error).
  returned: always
  type: list
  elements: list
"""
