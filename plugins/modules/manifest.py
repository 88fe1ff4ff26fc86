# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation of the cattle.images.manifest action plugin (the code is in plugins/action/manifest.py)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: manifest
short_description: "Packer's manifest post-processor: record artifacts in a JSON file"
description:
  - "Appends C({name, builder_type, build_time, files, artifact_id, packer_run_uuid, custom_data}) to the C(builds) list
     of the output file and sets C(last_run_uuid), in Packer's format."
  - "With the build's C(force) (C(-force)) and a file written by another run, the file starts afresh."
  - "Parallel builds may write the same file: the update is done under an exclusive lock."
version_added: 0.1.0
author: cattle.images developers (@cattle-images)
extends_documentation_fragment:
  - cattle.images.component
  - cattle.images.component.post_processor
  - cattle.images.options_manifest
notes:
  - "Passes its input artifact through and always keeps it."
"""

EXAMPLES = r"""
- name: Record the artifact
  cattle.images.manifest:
    config:
      output: manifest.json
      strip_path: true
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
