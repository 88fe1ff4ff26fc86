# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation of the cattle.images.file action plugin (the code is in plugins/action/file.py)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: file
short_description: "Packer's file provisioner: copy files to or from the build host"
description:
  - "Uploads files and directories to the build host (or downloads them from it) through its Ansible connection, with
     Packer's rules; no Python is needed on the build host."
  - "A source directory ending in C(/) uploads its contents, without the slash the directory itself; an existing
     destination directory receives the copy inside it, a missing one becomes the copy."
version_added: 0.1.0
author: cattle.images developers (@cattle-images)
extends_documentation_fragment:
  - cattle.images.component
  - cattle.images.component.provisioner
  - cattle.images.options_file
notes:
  - "Relative local paths are resolved against the run's working directory (the plan's C(cwd))."
  - "For docker builds with C(exec_user) and C(fix_upload_owner) (default true) in the builder's configuration, uploads
     are chowned to that user, as Packer's docker communicator does."
  - "On a Windows build host (C(winrm) communicator, or a connection with a PowerShell shell) the same rules apply;
     directories are tested with C(Test-Path) and created with C(New-Item -ItemType Directory -Force), commands go as
     C(powershell.exe -EncodedCommand), and no file modes are set. A destination ending in C(/) (not C(\\)) names a
     directory, as in Packer."
"""

EXAMPLES = r"""
- name: Upload a directory's contents
  cattle.images.file:
    config:
      source: files/
      destination: /opt/app

- name: Run the plan's step 2 (a file provisioner)
  cattle.images.file:
    plan_file: "{{ cattle_build.plan_file }}"
    build: "{{ cattle_build.name }}"
    step: 2
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
