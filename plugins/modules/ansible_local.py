# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation of the cattle.images.ansible_local action plugin (the code is in plugins/action/ansible_local.py)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ansible_local
short_description: "Packer's ansible-local provisioner: run Ansible inside the build host"
description:
  - "Stages the playbook(s), a generated (or the given) inventory, C(group_vars), C(host_vars), C(role_paths) and
     C(playbook_paths) in C(staging_directory) on the build host through its Ansible connection, then runs
     C(cd <staging> && <command> <playbook> --extra-vars \"packer_build_name=… packer_builder_type=… packer_http_addr=…
     -o IdentitiesOnly=yes\" <extra_arguments> -c local -i <inventory>) there for each playbook, as Packer 1.6.6 does."
  - "The build host needs Ansible (C(ansible-playbook) on its PATH); the controller's Ansible is not used."
version_added: 0.1.0
author: cattle.images developers (@cattle-images)
extends_documentation_fragment:
  - cattle.images.component
  - cattle.images.component.provisioner
  - cattle.images.options_ansible_local
notes:
  - "The generated inventory lists C(127.0.0.1) in each of C(inventory_groups); C(galaxy_command) runs in the guest, so without network there it only
     works with local requirements."
  - "Exit code 127 reads as Packer's \"could not be found\" error; any other non-zero exit code fails the build."
"""

EXAMPLES = r"""
- name: Run the build's ansible-local provisioner from the plan
  cattle.images.ansible_local:
    plan_file: "{{ cattle_build.plan_file }}"
    build: "{{ cattle_build.name }}"
    step: 0

- name: Run a playbook with roles inside the build host
  cattle.images.ansible_local:
    config:
      playbook_file: site.yml
      role_paths:
        - roles/web
      group_vars: group_vars
      clean_staging_directory: true
"""

RETURN = r"""
msg:
  description: What happened; on failure Packer's error text for the build.
  returned: always
  type: str
  sample: "Error executing Ansible: Non-zero exit status: 2"
ui:
  description:
    - "Output lines as C([kind, text]) pairs; C(say) is Packer's C(==> build: text), C(message) its
      C(    build: text), C(error) an error line. Sensitive values read C(<sensitive>)."
  returned: always
  type: list
  elements: list
  sample: [["say", "Provisioning with Ansible..."], ["message", "Uploading main Playbook file..."]]
"""
