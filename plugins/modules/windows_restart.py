# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation of the cattle.images.windows_restart action plugin (the code is in plugins/action/windows_restart.py)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: windows_restart
short_description: "Packer's windows-restart provisioner: restart the Windows guest and wait for it"
description:
  - "Runs C(restart_command) (exit 0, 1115 or 1190 accepted; sent again only while the guest has not accepted it,
    never once it started, so the machine restarts once),
    finds out whether the machine is going down by scheduling a test restart
    (C(shutdown /r /f /t 60 /c \"packer restart test\"); it is cancelled with C(shutdown /a) when the
    machine was not restarting; 1115/1190/1717 mean \"in progress\", asked again after 10 s), then every
    5 s runs C(restart_check_command) until it runs and Packer's own check until its output contains
    C(restarted.) (and, with C(check_registry), none of C(registry_keys) exists)."
  - "Everything after C(Waiting for machine to restart...) must finish within C(restart_timeout), else
    the build fails with C(Timeout waiting for machine to restart.)."
  - "The build host's connection is reopened after the restart, so later steps work."
version_added: 0.1.0
author: cattle.images developers (@cattle-images)
extends_documentation_fragment:
  - cattle.images.component
  - cattle.images.component.provisioner
  - cattle.images.options_windows_restart
"""

EXAMPLES = r"""
- name: Restart and wait up to 15 minutes
  cattle.images.windows_restart:
    config:
      restart_timeout: 15m
      check_registry: true
"""

RETURN = r"""
msg:
  description: What happened; on failure Packer's error text for the build.
  returned: always
  type: str
  sample: Timeout waiting for machine to restart.
ui:
  description: "Output lines as C([kind, text]) pairs (C(say), C(message), C(error))."
  returned: always
  type: list
  elements: list
  sample: [["say", "Restarting Machine"], ["say", "Waiting for machine to restart..."]]
"""
