# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation of the cattle.images.windows_shell action plugin (the code is in plugins/action/windows_shell.py)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: windows_shell
short_description: "Packer's windows-shell provisioner: run cmd.exe batch scripts on a Windows build host"
description:
  - "Uploads each script (or the C(inline) lines joined into one batch file) to C(remote_path) through
    the build host's connection (normally C(winrm)), runs the rendered C(execute_command) as the command
    line of a WinRS cmd shell, and checks its exit code against C(valid_exit_codes)."
version_added: 0.1.0
author: cattle.images developers (@cattle-images)
extends_documentation_fragment:
  - cattle.images.component
  - cattle.images.component.provisioner
  - cattle.images.options_windows_shell
notes:
  - "C(PACKER_BUILD_NAME), C(PACKER_BUILDER_TYPE) and the HTTP server's variables are added to the
    environment; keys are sorted."
"""

EXAMPLES = r"""
- name: Run a batch file given directly
  cattle.images.windows_shell:
    config:
      inline:
        - "echo %PACKER_BUILD_NAME%"
      environment_vars:
        - GREETING=hello
"""

RETURN = r"""
msg:
  description: What happened; on failure Packer's error text for the build.
  returned: always
  type: str
ui:
  description: "Output lines as C([kind, text]) pairs (C(say), C(message), C(error)); sensitive values masked."
  returned: always
  type: list
  elements: list
"""
