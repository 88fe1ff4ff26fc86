# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation of the cattle.images.compress action plugin (the code is in plugins/action/compress.py)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: compress
short_description: "Packer's compress post-processor: archive the artifact's files"
description:
  - "Writes the artifact's files into an archive whose format comes from the output name, as Packer reads it: C(.tar), C(.zip), C(.gz), C(.xz), C(.lz4) (needs the Python package lz4), C(.tar.gz) and similar; an unknown or missing extension gives a gzipped tarball."
  - "The input artifact is not kept unless C(keep_input_artifact) says so."
version_added: 0.1.0
author: cattle.images developers
options:
  config:
    description:
      - The post-processor's Packer options (see the notes). Give either I(config) or I(plan_file),
        I(build), I(chain) and I(index).
    type: dict
  plan_file:
    description: The plan; defaults to C(cattle_build.plan_file) of the host. Its sensitive values are masked.
    type: path
  build:
    description: Name of the build in the plan; defaults to C(cattle_build.name).
    type: str
  chain:
    description: Index of the post-processor chain (sequence) in the build's C(post_processors).
    type: int
  index:
    description: Index of the post-processor inside its chain.
    type: int
  artifact:
    description:
      - The input artifact, C({id, builder_id, builder_type, build_name, files, string, metadata}).
    type: dict
attributes:
  check_mode:
    support: full
    description: Nothing runs or is written; C(ui) says what would run.
  diff_mode:
    support: none
notes:
  - "Packer options: C(output) (C(packer_{{.BuildName}}_{{.BuilderType}})), C(format), C(compression_level) (6; 0 and -1 mean 6, above 9 means 9)."
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
