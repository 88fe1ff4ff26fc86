# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: sweep
short_description: Remove every resource a build ledger still lists
version_added: 0.1.0
description:
  - Reads the ledger of a run and removes each resource recorded and not yet released
    (containers, VMs, instances, key pairs, ...), then the run directory.
  - Resources left on purpose stay, with their local files (a docker container's temp dir),
    all of them with O(on_error=abort) or O(on_error=run-cleanup-provisioner), else those of builds whose user answered abort at the
    C(-on-error=ask) prompt (M(cattle.images.ask_on_error) marks them in the ledger). The rest
    of the run directory goes, the plan with its sensitive values first among it.
author: cattle.images developers (@cattle-images)
extends_documentation_fragment:
  - cattle.images.attributes.action_controller
options:
  ledger:
    description: Path of the ledger.
    type: path
    required: true
  run_dir:
    description:
      - A run directory to delete once the ledger is empty.
      - Deleted in check mode too when the ledger lists nothing (the plan written to get there).
    type: path
  on_error:
    description:
      - The run's C(-on-error). With C(abort) and C(run-cleanup-provisioner) every resource stays
        and the user is told how to remove it; with C(ask) those of the builds answered abort stay.
    type: str
    choices: [cleanup, abort, ask, run-cleanup-provisioner]
    default: cleanup
attributes:
  check_mode:
    support: full
    description: Reports what would be removed.
"""

EXAMPLES = r"""
- name: Sweep the ledger
  cattle.images.sweep:
    ledger: "{{ cattle_plan.ledger }}"
"""

RETURN = r"""
removed:
  description: The resources removed.
  returned: success
  type: list
  elements: str
kept:
  description: The resources left in place on purpose.
  returned: success
  type: list
  elements: str
"""
