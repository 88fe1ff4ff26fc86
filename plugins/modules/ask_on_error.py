# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: ask_on_error
short_description: Ask whether to clean up a failed build
version_added: 0.1.0
description:
  - Implements C(-on-error=ask). Prompts on the user's terminal (C(CATTLE_TTY), else C(/dev/tty))
    whether to clean up or to leave the failed build's resources in place for debugging.
  - With no terminal it cleans up, as C(-on-error=cleanup) would.
  - Packer also offers to retry the failed step; that is not offered here.
author: cattle.images developers (@cattle-images)
extends_documentation_fragment:
  - cattle.images.attributes.action_controller
options:
  build:
    description: The build's name, shown in the prompt.
    type: str
  error:
    description: The error, shown in the prompt.
    type: str
  ledger:
    description:
      - The build ledger. On C(abort) the build is marked kept there, so the run's final sweep
        (M(cattle.images.sweep), or C(cattle build)) leaves its resources in place.
    type: path
attributes:
  check_mode:
    support: full
    description: Only asks; does not mark the build kept.
"""

EXAMPLES = r"""
- name: Ask what to do
  cattle.images.ask_on_error:
    build: docker
    error: Script exited with non-zero exit status 1
    ledger: /tmp/cattle-run-x/ledger.jsonl
  register: cattle_on_error
"""

RETURN = r"""
choice:
  description: C(cleanup) or C(abort).
  returned: success
  type: str
  sample: cleanup
"""
