# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation of the cattle.images.checksum action plugin (the code is in plugins/action/checksum.py)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: checksum
short_description: "Packer's checksum post-processor: checksum files for the artifact"
description:
  - "For each checksum type, appends C(<hex>\\t<file name>) lines for every artifact file to the output file."
  - "Returns an artifact listing the input files plus the checksum files created, and always keeps its input."
version_added: 0.1.0
author: cattle.images developers (@cattle-images)
extends_documentation_fragment:
  - cattle.images.component
  - cattle.images.component.post_processor
  - cattle.images.options_checksum
"""

EXAMPLES = r"""
- name: sha256 sums next to the image
  cattle.images.checksum:
    plan_file: "{{ cattle_build.plan_file }}"
    build: "{{ cattle_build.name }}"
    chain: 0
    index: 1
    artifact: "{{ cattle_artifact }}"
"""

RETURN = r"""
artifact:
  description: The output artifact, same shape as the input.
  returned: success
  type: dict
keep:
  description: The post-processor's default decision to keep its input artifact.
  returned: success
  type: bool
force_keep:
  description: Packer's forceOverride, the input is kept whatever C(keep_input_artifact) says.
  returned: success
  type: bool
msg:
  description: What happened, or the error.
  returned: always
  type: str
ui:
  description: Output lines as C([kind, text]) pairs (C(say), C(message), C(error)).
  returned: always
  type: list
  elements: list
"""
