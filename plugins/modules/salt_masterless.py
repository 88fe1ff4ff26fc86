# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation of the cattle.images.salt_masterless action plugin (code: plugins/action/salt_masterless.py)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: salt_masterless
short_description: "Packer's salt-masterless provisioner: salt-call --local inside the build host"
description:
  - "Unless C(skip_bootstrap), fetches and runs Salt's bootstrap script (network needed in the guest; as in Packer its
     exit codes are not checked). Uploads the C(minion_config) and C(grains_file) to C(/etc/salt), the C(local_state_tree)
     to C(/srv/salt) (or C(remote_state_tree)) and the C(local_pillar_roots) to C(/srv/pillar) (or
     C(remote_pillar_roots)), through C(temp_config_dir) with Packer's C(mv) commands, then runs
     C(salt-call --local state.highstate) (or C(state.sls <custom_state>)) with Packer's arguments."
version_added: 0.1.0
author: cattle.images developers (@cattle-images)
extends_documentation_fragment:
  - cattle.images.component
  - cattle.images.component.provisioner
  - cattle.images.options_salt_masterless
notes:
  - "C(formulas) are refused: Packer downloads them with git on the controller, and builds here have no network."
"""

EXAMPLES = r"""
- name: Run the build's salt-masterless provisioner from the plan
  cattle.images.salt_masterless:
    plan_file: "{{ cattle_build.plan_file }}"
    build: "{{ cattle_build.name }}"
    step: 0

- name: Apply a local state tree with Salt already in the image
  cattle.images.salt_masterless:
    config:
      skip_bootstrap: true
      local_state_tree: salt
      local_pillar_roots: pillar
"""

RETURN = r"""
msg:
  description: What happened; on failure Packer's error text for the build.
  returned: always
  type: str
  sample: "Error executing salt-call: Bad exit status: 1"
ui:
  description:
    - "Output lines as C([kind, text]) pairs; C(say) is Packer's C(==> build: text), C(message) its
      C(    build: text), C(error) an error line. Sensitive values read C(<sensitive>)."
  returned: always
  type: list
  elements: list
  sample: [["say", "Provisioning with Salt..."], ["message", "Uploading local state tree: salt"]]
"""
