# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation of the cattle.images.puppet_masterless action plugin (code: plugins/action/puppet_masterless.py)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: puppet_masterless
short_description: "Packer's puppet-masterless provisioner: puppet apply inside the build host"
description:
  - "Stages the manifest (a file, or a directory of manifests), the C(module_paths) (as C(<staging>/module-N)) and the
     C(hiera_config_path) (as C(<staging>/hiera.yaml)) in C(staging_directory) on the build host through its Ansible
     connection, then runs the rendered C(execute_command) there, as Packer 1.6.6 does."
  - "The build host needs Puppet; Puppet's C(--detailed-exitcodes) exit code 2 (changes applied) counts as success."
version_added: 0.1.0
author: cattle.images developers (@cattle-images)
extends_documentation_fragment:
  - cattle.images.component
  - cattle.images.component.provisioner
  - cattle.images.options_puppet_masterless
notes:
  - "C(facter) gets C(packer_build_name) and C(packer_builder_type) added, passed as C(FACTER_name='value') sorted by name; the C(execute_command)
     template has C({{.WorkingDir}}), C({{.FacterVars}}), C({{.Sudo}}), C({{.PuppetBinDir}}), C({{.ModulePath}}), C({{.HieraConfigPath}}),
     C({{.ManifestDir}}), C({{.ExtraArguments}}) and C({{.ManifestFile}})."
"""

EXAMPLES = r"""
- name: Run the build's puppet-masterless provisioner from the plan
  cattle.images.puppet_masterless:
    plan_file: "{{ cattle_build.plan_file }}"
    build: "{{ cattle_build.name }}"
    step: 1

- name: Apply a manifest with local modules
  cattle.images.puppet_masterless:
    config:
      manifest_file: manifests/site.pp
      module_paths:
        - modules
      hiera_config_path: hiera.yaml
      facter:
        role: web
"""

RETURN = r"""
msg:
  description: What happened; on failure Packer's error text for the build.
  returned: always
  type: str
  sample: "Puppet exited with a non-zero exit status: 1"
ui:
  description:
    - "Output lines as C([kind, text]) pairs; C(say) is Packer's C(==> build: text), C(message) its
      C(    build: text), C(error) an error line. Sensitive values read C(<sensitive>)."
  returned: always
  type: list
  elements: list
  sample: [["say", "Provisioning with Puppet..."], ["message", "Uploading manifests..."]]
"""
