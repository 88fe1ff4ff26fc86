# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation of the cattle.images.shell action plugin (the code is in plugins/action/shell.py)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: shell
short_description: "Packer's shell provisioner: run scripts on the build host"
description:
  - "Uploads each script (or the C(inline) lines joined into one script starting with C(#!inline_shebang)) to the build
     host through its Ansible connection, runs it with the rendered C(execute_command), checks its exit code and removes
     it. The build host needs no Python."
  - "Runs in the order and with the semantics of Packer's C(shell) provisioner."
version_added: 0.1.0
author: cattle.images developers (@cattle-images)
extends_documentation_fragment:
  - cattle.images.component
  - cattle.images.component.provisioner
  - cattle.images.options_shell
notes:
  - "The script's environment has C(PACKER_BUILD_NAME), C(PACKER_BUILDER_TYPE) and, when the build serves HTTP (host var
     C(cattle_http)), C(PACKER_HTTP_ADDR/IP/PORT); keys are sorted and single quotes escaped as Packer does."
  - "Standard output lines are C(message) ui lines, standard error lines C(error) ui lines."
"""

EXAMPLES = r"""
- name: Run the first provisioner of the build from the plan
  cattle.images.shell:
    plan_file: "{{ cattle_build.plan_file }}"
    build: "{{ cattle_build.name }}"
    step: 0

- name: Run inline commands given directly
  cattle.images.shell:
    config:
      inline:
        - apt-get update
        - apt-get install -y curl
      environment_vars:
        - DEBIAN_FRONTEND=noninteractive
    max_retries: 2
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
"""
