# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation of the cattle.images.shell_local action plugin (the code is in plugins/action/shell_local.py)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: shell_local
short_description: "Packer's shell-local provisioner and post-processor: run commands on the controller"
description:
  - "Runs C(command), C(inline) lines (joined into one script), C(script) or C(scripts) on the controller with the rendered C(execute_command)."
  - "With I(artifact), I(chain) or I(index) it acts as the C(shell-local) post-processor: it returns its input artifact
     and forces keeping it, as Packer does; otherwise it is the provisioner."
version_added: 0.1.0
author: cattle.images developers (@cattle-images)
extends_documentation_fragment:
  - cattle.images.component
  - cattle.images.component.provisioner
  - cattle.images.options_shell_local
  - cattle.images.component.post_processor
notes:
  - "The process environment gets C(PACKER_RUN_UUID); C(.Vars) holds C(PACKER_BUILD_NAME), C(PACKER_BUILDER_TYPE) and the user's variables."
"""

EXAMPLES = r"""
- name: A shell-local provisioner from the plan
  cattle.images.shell_local:
    plan_file: "{{ cattle_build.plan_file }}"
    build: "{{ cattle_build.name }}"
    step: 1

- name: As a post-processor on an artifact
  cattle.images.shell_local:
    config:
      inline: ["echo post-processing"]
    artifact: "{{ cattle_artifact }}"
"""

RETURN = r"""
msg:
  description: What happened; on failure Packer's error text for the build.
  returned: always
  type: str
  sample: "Script exited with non-zero exit status: 1.Allowed exit codes are: [0]"
ui:
  description:
    - "Output lines as C([kind, text]) pairs; C(say) is Packer's C(==> build: text), C(message) its
      C(    build: text), C(error) an error line. Sensitive values read C(<sensitive>)."
  returned: always
  type: list
  elements: list
  sample: [["say", "Provisioning with shell script: /tmp/packer-shell123"], ["message", "hello"]]
artifact:
  description: As a post-processor, the input artifact, unchanged.
  returned: as a post-processor, on success
  type: dict
keep:
  description: As a post-processor, always true.
  returned: as a post-processor, on success
  type: bool
force_keep:
  description: As a post-processor, always true (Packer's forceOverride).
  returned: as a post-processor, on success
  type: bool
"""
