# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options the builder modules (docker, qemu, amazon_ebs, virtualbox) share.

A module that names one of these options again overrides only the keys it gives (Ansible
merges an option's keys, the module's winning): the modules restate a description where
their wording really differs, or give a default of their own.
"""


class ModuleDocFragment:
    # Every builder: where its config comes from and the ledger.
    DOCUMENTATION = r"""
options:
  plan_file:
    description:
      - A cattle plan file to read the build's config from, so the values never pass through Ansible's templating
        or task arguments. The plan's sensitive values are masked in the output.
    type: path
  build:
    description: The build's name in O(plan_file). Defaults to O(build_name).
    type: str
  ledger:
    description:
      - The ledger file to record what the build creates in before it is created, and release it from after removal.
    type: path
attributes:
  check_mode:
    support: full
    description: Checks what it can without changing anything and reports what it would do.
  diff_mode:
    support: none
    description: Shows what changed as a diff in C(--diff) mode.
"""

    # The local VM builders (qemu, virtualbox): the same states, output directory and shutdown hand-over.
    LOCAL_VM = r"""
options:
  state:
    description: What to do.
    type: str
    choices: [started, shutdown_command, stopped, captured, absent]
    default: started
  build_name:
    description: The build's name (default C(vm_name) is C(packer-<build_name>), C(output_directory) C(output-<build_name>)).
    type: str
  force:
    description: Delete an existing output directory first (the C(-force) flag) instead of failing.
    type: bool
    default: false
  ssh_public_key:
    description: The temporary public key, exposed to C(boot_command) as C({{ .SSHPublicKey }}).
    type: str
    default: ""
  shutdown_sent:
    description: With O(state=stopped), whether the role sent the shutdown command (else the VM is powered off).
    type: bool
    default: false
  keep_output:
    description: With O(state=absent), keep the output directory (a successful build); false removes it.
    type: bool
    default: true
  output_directory:
    description:
      - With O(state=absent), the output directory the launch made; by default the one the launch recorded in the
        build's state file (C(build-<build_id>.json) beside O(plan_file) and O(ledger)).
    type: path
"""
