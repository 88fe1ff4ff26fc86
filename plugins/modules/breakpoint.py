# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation of the cattle.images.breakpoint action plugin (the code is in plugins/action/breakpoint.py)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: breakpoint
short_description: "Packer's breakpoint provisioner: pause until Enter is pressed"
description:
  - "Prints its note and waits for Enter on the controller's terminal, through Ansible's own prompting."
  - "Under the C(cattle) command (ansible-runner), it asks on the user's terminal whose path is in the environment variable C(CATTLE_TTY)."
  - "Without an interactive terminal (CI, a bare ansible-runner, C(CATTLE_TTY=none)) it does not wait: it says C(no terminal: not pausing) and continues."
version_added: 0.1.0
author: cattle.images developers
options:
  config:
    description:
      - The provisioner's Packer options, already interpolated (see the option list in the notes).
      - Give either I(config) or I(plan_file), I(build) and I(step).
    type: dict
  plan_file:
    description:
      - The plan written by C(cattle build) or M(cattle.images.plan). Its values are read by the plugin
        and never templated by Ansible; its C(sensitive_values) are masked in every returned string.
      - Defaults to C(cattle_build.plan_file) of the host.
    type: path
  build:
    description: Name of the build in the plan. Defaults to C(cattle_build.name) of the host.
    type: str
  step:
    description: Index of the provisioner in the build's C(provisioners), or C(error-cleanup).
    type: raw
  pause_before:
    description:
      - With I(config) only (a plan step carries its own). Seconds or a Go duration (C(10s), C(1m30s)).
      - As in Packer, a provisioner with I(pause_before) never times out.
    type: raw
  timeout:
    description: With I(config) only. Cancel the provisioner after this long (seconds or Go duration).
    type: raw
  max_retries:
    description:
      - With I(config) only. Re-run a failing provisioner this many times, immediately; if all fail, the
        error is the first one.
    type: raw
attributes:
  check_mode:
    support: full
    description: Nothing runs or is written; C(ui) says what would run.
  diff_mode:
    support: none
notes:
  - "Packer options: C(disable) (skip the pause), C(note)."
"""

EXAMPLES = r"""
- name: Pause to look at the build host
  cattle.images.breakpoint:
    config:
      note: inspect /etc before the cleanup scripts run
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
