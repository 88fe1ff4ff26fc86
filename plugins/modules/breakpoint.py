# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation of the cattle.images.breakpoint action plugin (the code is in plugins/action/breakpoint.py)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: breakpoint
short_description: "Packer's breakpoint provisioner: pause until Enter is pressed"
description:
  - "Prints its note and waits for Enter on the controller's terminal, through Ansible's own prompting."
  - "Under the C(cattle) command (ansible-runner), it asks on the user's terminal whose path is in the environment variable C(CATTLE_TTY)."
  - "Without an interactive terminal (CI, a bare ansible-runner, C(CATTLE_TTY=none)) it does not wait: it says C(no terminal: not pausing) and continues."
version_added: 0.1.0
author: cattle.images developers (@cattle-images)
extends_documentation_fragment:
  - cattle.images.component
  - cattle.images.component.provisioner
  - cattle.images.options_breakpoint
"""

EXAMPLES = r"""
- name: Pause to look at the build host
  cattle.images.breakpoint:
    config:
      note: inspect /etc before the cleanup scripts run
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
