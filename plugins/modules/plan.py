# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: plan
short_description: Load a Packer template and plan its builds
version_added: 0.1.0
description:
  - Loads a Packer legacy JSON (or YAML) template, validates it, interpolates it once and
    writes the resulting plan to a private run directory.
  - Returns one small entry per build, used by C(ansible.builtin.add_host) to fan the builds out.
  - Ansible never templates the plan's values, which stay in the plan file.
author: cattle.images developers (@cattle-images)
extends_documentation_fragment:
  - cattle.images.attributes.action_controller
options:
  template:
    description: Path of the template. Required unless O(plan_file) is given.
    type: path
  plan_file:
    description: A plan already written by C(cattle build).
    type: path
  vars:
    description: User variables, as C(-var) would give them.
    type: dict
    default: {}
  var_files:
    description: Variable files, as C(-var-file) would give them.
    type: list
    elements: path
    default: []
  only:
    description: Build only these builds (names, comma separated or a list).
    type: raw
  except:
    description: Build all builds except these.
    type: raw
  force:
    description: Force builds to overwrite previous artifacts (like C(-force)).
    type: bool
    default: false
  on_error:
    description: What to do when a build fails.
    type: str
    choices: [cleanup, abort, ask, run-cleanup-provisioner]
    default: cleanup
  debug:
    description: Debug mode.
    type: bool
    default: false
attributes:
  check_mode:
    support: full
    description: Only reads the template and writes the plan into a temporary directory.
"""

EXAMPLES = r"""
- name: Plan the builds of a template
  cattle.images.plan:
    template: docker-example.json
    vars:
      greeting: hello
  register: cattle_plan
"""

RETURN = r"""
builds:
  description: One entry per build.
  returned: success
  type: list
  elements: dict
  sample:
    - name: docker
      type: docker
      id: 3f2a9c1d0b7e
plan_file:
  description: Path of the plan file.
  returned: success
  type: str
ledger:
  description: Path of the build ledger.
  returned: success
  type: str
run_dir:
  description: The private run directory.
  returned: success
  type: str
job_started:
  description: When this task started (seconds since the epoch); the job's outputs are the files written since.
  returned: success
  type: float
"""
