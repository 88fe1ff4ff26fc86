# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: job_outputs
short_description: Return a job's output files with its ansible-runner artifacts
version_added: 0.1.0
description:
  - Copies every regular file written below O(root) since O(since) into
    O(dest), keeping its path relative to O(root).
  - Relative outputs of post-processors and builders (a manifest, C(docker-save) tars, a qemu
    C(output_directory)) land below the working directory, which under
    C(ansible-runner worker) (AWX) is a temporary private data directory deleted after the job.
    The job's artifact directory is streamed back to C(ansible-runner process); copied there,
    the files come back under C(artifacts/<ident>/cattle/).
  - Never copied, whatever their age, are ansible-runner's own artifact directories and cattle's
    run directories (plans, keys), nor fifos or symlinks.
author: cattle.images developers (@cattle-images)
extends_documentation_fragment:
  - cattle.images.attributes.action_controller
options:
  since:
    description: When the job started, in seconds since the epoch; older files are not outputs of it.
    type: float
    required: true
  enabled:
    description:
      - V(auto) copies when ansible-runner runs the playbook (it sets C(AWX_ISOLATED_DATA_DIR)).
      - V(true) always copies (then O(dest) is required outside ansible-runner); V(false) never does.
      - The playbook C(cattle.images.build_image) passes its extra var C(cattle_return_outputs).
    type: str
    default: auto
  root:
    description: Where relative outputs land. The working directory of ansible-playbook by default.
    type: path
  dest:
    description: Where the files go. C($AWX_ISOLATED_DATA_DIR/cattle) by default.
    type: path
attributes:
  check_mode:
    support: full
    description: Lists the files it would copy and copies none.
"""

EXAMPLES = r"""
- name: Send the build's outputs back with the job's artifacts
  cattle.images.job_outputs:
    since: "{{ cattle_plan.job_started }}"  # registered from cattle.images.plan
    enabled: "{{ cattle_return_outputs | default('auto') }}"
"""

RETURN = r"""
files:
  description: The files copied (or, in check mode, that would be), relative to O(root) and to O(dest).
  returned: unless skipped
  type: list
  elements: str
  sample: [manifest.json, output/image.tar]
dest:
  description: Where the files went.
  returned: unless skipped
  type: str
  sample: /runner/artifacts/4f1c/cattle
"""
