# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation of the cattle.images.ansible action plugin (the code is in plugins/action/ansible.py)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ansible
short_description: "Packer's ansible provisioner, run natively against the build host"
description:
  - "Runs the user's playbook with a child C(ansible-playbook) from the same installation, against an inventory
     (temporary, mode 0600, removed afterwards) holding one host, C(host_alias), with the build host's own connection
     variables. No SSH proxy is involved."
  - "The playbook sees C(packer_build_name) and C(packer_builder_type) (and C(packer_http_addr) when the build serves HTTP) as extra variables."
version_added: 0.1.0
author: cattle.images developers (@cattle-images)
extends_documentation_fragment:
  - cattle.images.component
  - cattle.images.component.provisioner
  - cattle.images.options_ansible
notes:
  - "Options about Packer's local SSH proxy are accepted and ignored (see their descriptions)."
  - "Options about Packer's SSH proxy (C(use_proxy), C(local_port), C(ssh_host_key_file), C(ssh_authorized_key_file),
     C(sftp_command), C(use_sftp), C(ansible_ssh_extra_args), C(inventory_file_template)) are accepted and ignored."
  - "C(galaxy_file) is installed with C(ansible-galaxy); requirements must point at local archives or paths when no Galaxy server can be reached."
  - "The build host's Python is discovered (C(auto_silent)) unless the user sets C(ansible_python_interpreter)."
"""

EXAMPLES = r"""
- name: Run the user's playbook against the build host
  cattle.images.ansible:
    config:
      playbook_file: ansible/site.yml
      groups: [webservers]
      extra_arguments: ["-e", "release=2"]
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
