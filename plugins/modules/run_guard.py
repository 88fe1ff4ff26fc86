# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: run_guard
short_description: Sweep a run whose ansible-playbook is killed
version_added: 0.1.0
description:
  - Starts a small process, in a session of its own, that waits for the end of the run that
    owns O(run_dir) (the ansible-playbook that planned it).
  - When the run ends normally its directory is gone and the guard leaves. When ansible-playbook
    dies first (SIGKILL, or SIGINT/SIGTERM, on which Ansible skips C(always)), as when
    ansible-runner or AWX cancels a job by killing its process group, the guard removes every
    resource the run's ledger still lists (containers, VMs, instances, temp dirs) and then the run
    directory.
  - Resources kept on purpose (O(cattle.images.sweep#module:on_error=abort)) are left alone.
  - The playbook C(cattle.images.build_image) starts it when it planned the run itself; under
    C(cattle build) the wrapper sweeps instead.
author: cattle.images developers (@cattle-images)
extends_documentation_fragment:
  - cattle.images.attributes.action_controller
options:
  run_dir:
    description: The run directory written by M(cattle.images.plan), already claimed by its owner.
    type: path
    required: true
attributes:
  check_mode:
    support: full
    description: Starts the guard in check mode too, as the plan wrote a run directory there too.
notes:
  - The guard outlives ansible-playbook only as long as the machine (or container) running it;
    an execution environment's container that is removed with the job takes it along, and then
    C(cattle sweep) on the Docker host removes what is left.
"""

EXAMPLES = r"""
- name: Sweep the run if this playbook is killed
  cattle.images.run_guard:
    run_dir: "{{ cattle_plan.run_dir }}"
  when: cattle_plan.owns_run_dir
"""

RETURN = r"""
pid:
  description: The process id of the guard.
  returned: success
  type: int
  sample: 4242
"""
