# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation of the cattle.images.chef_solo action plugin (the code is in plugins/action/chef_solo.py)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: chef_solo
short_description: "Packer's chef-solo provisioner: chef-solo inside the build host"
description:
  - "Unless C(skip_install), runs C(install_command) (Packer's default pipes Chef's omnitruck installer into bash, which
     needs network in the guest). Then stages cookbooks (C(<staging>/cookbooks-N)), roles, data bags, the encrypted data
     bag secret and environments in C(staging_directory) on the build host, generates C(solo.rb) (Packer's template or
     C(config_template)) and C(node.json) (C(json) plus C(run_list)), and runs C(execute_command), as Packer 1.6.6 does."
  - "Tested against a strict stand-in C(chef-solo), not real Chef (it cannot be installed where cattle is tested)."
version_added: 0.1.0
author: cattle.images developers (@cattle-images)
extends_documentation_fragment:
  - cattle.images.component
  - cattle.images.component.provisioner
  - cattle.images.options_chef_solo
notes:
  - "C(chef_license) defaults to C(accept-silent) when Packer's own installer runs; C(config_template) sees C({{.CookbookPaths}}), C({{.RolesPath}}),
     C({{.HasRolesPath}}) and the like."
"""

EXAMPLES = r"""
- name: Run the build's chef-solo provisioner from the plan
  cattle.images.chef_solo:
    plan_file: "{{ cattle_build.plan_file }}"
    build: "{{ cattle_build.name }}"
    step: 0

- name: Converge local cookbooks with Chef already in the image
  cattle.images.chef_solo:
    config:
      skip_install: true
      chef_license: accept-no-persist
      cookbook_paths:
        - cookbooks
      run_list:
        - recipe[web]
"""

RETURN = r"""
msg:
  description: What happened; on failure Packer's error text for the build.
  returned: always
  type: str
  sample: "Error executing Chef: Non-zero exit status: 1"
ui:
  description:
    - "Output lines as C([kind, text]) pairs; C(say) is Packer's C(==> build: text), C(message) its
      C(    build: text), C(error) an error line. Sensitive values read C(<sensitive>)."
  returned: always
  type: list
  elements: list
  sample: [["say", "Provisioning with chef-solo"], ["message", "Creating configuration file 'solo.rb'"]]
"""
