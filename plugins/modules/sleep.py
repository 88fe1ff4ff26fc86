# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation of the cattle.images.sleep action plugin (the code is in plugins/action/sleep.py)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: sleep
short_description: "Packer's sleep provisioner: wait a while between two provisioners"
description:
  - "Waits C(duration) on the controller and prints nothing, as Packer's C(sleep) provisioner does."
  - "The wait ends early when the step's C(timeout) expires or the build is cancelled."
version_added: 0.1.0
author: cattle.images developers (@cattle-images)
extends_documentation_fragment:
  - cattle.images.component
  - cattle.images.component.provisioner
  - cattle.images.options_sleep
"""

EXAMPLES = r"""
- name: Let the services settle before the next step
  cattle.images.sleep:
    config:
      duration: 10s
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
  sample: [["say", "Check mode: would sleep 10s"]]
"""
