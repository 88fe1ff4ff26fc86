# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation of the cattle.images.compress action plugin (the code is in plugins/action/compress.py)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: compress
short_description: "Packer's compress post-processor: archive the artifact's files"
description:
  - "Writes the artifact's files into an archive whose format comes from the output name, as Packer reads it: C(.tar),
     C(.zip), C(.gz), C(.xz), C(.lz4) (needs the Python package lz4), C(.tar.gz) and similar; an unknown or missing
     extension gives a gzipped tarball."
  - "The input artifact is not kept unless C(keep_input_artifact) says so."
version_added: 0.1.0
author: cattle.images developers (@cattle-images)
extends_documentation_fragment:
  - cattle.images.component
  - cattle.images.component.post_processor
  - cattle.images.options_compress
"""

EXAMPLES = r"""
- name: Compress a disk image
  cattle.images.compress:
    config:
      output: disk.raw.xz
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
