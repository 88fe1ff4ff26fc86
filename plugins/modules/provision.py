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
  - One task per provisioner, so that a failed provisioner stops the build at once, as in Packer.
    Do not run a build's provisioners as one task with C(loop), which would run every item even
    after one failed; the role C(cattle.images.build) includes one such task per step instead.
  - With C(-debug) (C(cattle_build.debug)) it waits for Enter before a provisioner; with the step
    cache (C(cattle_build.cache)) a docker build reuses or commits the step's layer.
  - O(step=error-cleanup) runs the build's C(error-cleanup-provisioner) after a failure, first saying,
    as Packer does, that it runs one if present; a build without one only gets that line.
author: cattle.images developers (@cattle-images)
extends_documentation_fragment:
  - cattle.images.planned_build
  - cattle.images.attributes.action_controller
options:
  step:
    description: Index of the provisioner, or C(error-cleanup) for the error-cleanup provisioner.
    type: str
    required: true
attributes:
  check_mode:
    support: full
    description: Passed to the provisioner, which then changes nothing.
"""

EXAMPLES = r"""
- name: Run the first provisioner
  cattle.images.provision:
    plan_file: "{{ cattle_build.plan_file }}"
    build: "{{ cattle_build.name }}"
    step: 0

- name: After a failure, run the error-cleanup provisioner
  cattle.images.provision:
    plan_file: "{{ cattle_build.plan_file }}"
    build: "{{ cattle_build.name }}"
    step: error-cleanup
"""

RETURN = r"""
ui:
  description: Output lines, as C([kind, text]) pairs (kind is say, message or error).
  returned: always
  type: list
  elements: list
"""
