# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation of the cattle.images.powershell action plugin (the code is in plugins/action/powershell.py)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: powershell
short_description: "Packer's powershell provisioner: run PowerShell scripts on a Windows build host"
description:
  - "Uploads each script (or the C(inline) lines joined into one C(.ps1)) to the build host through its
    Ansible connection (normally C(winrm), see M(cattle.images.communicator)), uploads the environment
    variables as a C($env:K=\"V\"; ) file, runs the rendered C(execute_command) as the command line of a
    WinRS cmd shell (exactly what Packer's WinRM communicator sends), checks its exit code and finally
    runs Packer's self-deleting clean-up script."
  - "With C(elevated_user) the command runs as a scheduled task of that user (a service account such as
    C(SYSTEM) when C(elevated_password) is empty); its output is read back from a log file. The password
    is only written into the uploaded task script, never into a command line or the output; that script
    waits until the task ran (Running, then Ready), sets no time limit and deletes itself and the task
    afterwards, whatever C(skip_clean) says."
version_added: 0.1.0
author: cattle.images developers (@cattle-images)
extends_documentation_fragment:
  - cattle.images.component
  - cattle.images.component.provisioner
  - cattle.images.options_powershell
notes:
  - "Values in C(environment_vars) are escaped for PowerShell (C($), C(\"), C(`), C(') get a backtick);
    C(PACKER_BUILD_NAME), C(PACKER_BUILDER_TYPE) and the HTTP server's variables are added; keys are sorted."
  - "A build with C(communicator: none) fails this provisioner with a clear error."
"""

EXAMPLES = r"""
- name: Run the provisioner of the build from the plan
  cattle.images.powershell:
    plan_file: "{{ cattle_build.plan_file }}"
    build: "{{ cattle_build.name }}"
    step: 1

- name: Run inline PowerShell as the Administrator
  cattle.images.powershell:
    config:
      inline:
        - Install-WindowsFeature Web-Server
      elevated_user: Administrator
      elevated_password: "{{ admin_password }}"
      valid_exit_codes: [0, 3010]
"""

RETURN = r"""
msg:
  description: What happened; on failure Packer's error text for the build.
  returned: always
  type: str
  sample: "Script exited with non-zero exit status: 1.Allowed exit codes are: [0]"
ui:
  description: "Output lines as C([kind, text]) pairs (C(say), C(message), C(error)); sensitive values masked."
  returned: always
  type: list
  elements: list
  sample: [["say", "Provisioning with Powershell..."], ["message", "hello"]]
"""
