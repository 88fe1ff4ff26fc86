# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: communicator
short_description: Point a build host's connection at the machine being built, as Packer's communicator
version_added: 0.1.0
description:
  - Packer's C(ssh) and C(winrm) communicators as the build host's own Ansible connection
    (C(ansible.builtin.ssh), C(ansible.builtin.winrm)); no SSH proxy, no Python on the target.
  - With O(state=key) it makes (once per build) the temporary key pair Packer makes when a
    template gives neither C(ssh_password) nor C(ssh_private_key_file) nor C(ssh_agent_auth),
    records its private directory in the ledger (kind C(ssh_key_dir)) before creating it,
    and returns the public key for C({{ .SSHPublicKey }}) / C({{ build `SSHPublicKey` }}).
  - With O(state=facts) it returns the host variables (C(ansible_connection), C(ansible_host),
    C(ansible_port), C(ansible_user), C(ansible_password), C(ansible_ssh_private_key_file),
    C(ansible_ssh_common_args), ...) that the builder role sets with M(ansible.builtin.set_fact).
    Host keys are never checked nor written to C(~/.ssh/known_hosts); SSH masters live in
    the build's private directory, so parallel builds never share one.
    The result is hidden from output (C(no_log)) when it holds a password.
  - With O(state=connected) it waits like Packer ("Waiting for SSH to become available...",
    retries every 5 s until C(ssh_timeout), authentication failures end the wait after
    C(ssh_handshake_attempts), "Connected to SSH!") by running C(exit 0) through the host's
    connection, which must already be the communicator (set the facts first; do not delegate).
  - With O(state=authorized_keys_cleared) it removes the temporary public key from the
    guest's C(authorized_keys) when C(ssh_clear_authorized_keys) is set (Packer's
    StepCleanupTempKeys); with O(state=absent) it stops the build's SSH masters and removes
    the private directory (idempotent).
  - For C(communicator=none) and the docker communicators nothing is done; the facts are
    only C(cattle_communicator).
author: cattle.images developers (@cattle-images)
extends_documentation_fragment:
  - cattle.images.attributes.action_controller
options:
  state:
    description: What to do; see the description.
    type: str
    choices: [key, facts, connected, authorized_keys_cleared, absent]
    default: facts
  config:
    description:
      - The builder's Packer options (C(communicator), C(ssh_*), C(winrm_*), C(pause_before_connecting)).
        Durations are seconds or Go duration strings (C(5m)).
      - Without it, the options are read from the builder config of O(build) in O(plan_file).
    type: dict
  plan_file:
    description: The plan; defaults to C(cattle_build.plan_file).
    type: path
  build:
    description: The build's name in the plan; defaults to C(cattle_build.name).
    type: str
  host:
    description:
      - The address the builder found (an instance's IP, C(127.0.0.1) for a forwarded port).
        C(ssh_host) / C(winrm_host) in the template win over it, as in Packer.
    type: str
  port:
    description:
      - The port the builder found (a forwarded host port). It wins over C(ssh_port) / C(winrm_port).
    type: int
  default_communicator:
    description: The builder's default when the template has no C(communicator) key.
    type: str
    default: ssh
  private_dir:
    description:
      - The build's private directory (temporary key, secret files, SSH control sockets).
        Defaults to C(communicator-<build id>) next to the ledger (or the plan file).
    type: path
  ledger:
    description: The run's ledger; defaults to C(cattle_build.ledger).
    type: path
  retry_interval:
    description: Seconds between two connection attempts (Packer waits 5 s; tests use less).
    type: float
    default: 5
  password_file:
    description:
      - A file holding the WinRM password the builder learnt at launch (the amazon-ebs builder's decrypted
        Windows password); it wins over C(winrm_password). Read by O(state=facts); never shown.
    type: path
attributes:
  check_mode:
    support: full
    description:
      - O(state=facts) returns the facts without creating the key or the directory; the other
        states only say what they would do.
notes:
  - Password authentication uses ansible-core's own C(ssh_askpass) mechanism (no C(sshpass)
    needed); C(ssh_bastion_password) needs the C(sshpass) program on the controller.
  - C(ssh_proxy_host) (SOCKS proxy), C(ssh_bastion_certificate_file) and C(ssh_bastion_interactive)
    are refused with an error; C(ssh_read_write_timeout) is ignored.
seealso:
  - plugin: ansible.builtin.ssh
    plugin_type: connection
"""

EXAMPLES = r"""
# roles/builder_<type>/tasks/launch.yml of a VM builder
- name: Make the temporary key pair (when the template gives no credentials)
  cattle.images.communicator:
    state: key
  delegate_to: localhost
  register: cattle_comm_key

- name: Start the VM with the public key in its seed
  cattle.images.qemu:
    state: started
    plan_file: "{{ cattle_build.plan_file }}"
    build: "{{ cattle_build.name }}"
    ssh_public_key: "{{ cattle_comm_key.ssh_public_key }}"
  delegate_to: localhost
  register: cattle_qemu_launched

- name: Work out the communicator's connection
  cattle.images.communicator:
    state: facts
    host: 127.0.0.1
    port: "{{ cattle_qemu_launched.source.ssh_host_port }}"
  delegate_to: localhost
  register: cattle_comm
  no_log: true

- name: Point the build host at the VM
  ansible.builtin.set_fact:
    cattle_source: "{{ cattle_qemu_launched.source }}"
    cattle_generated: "{{ (cattle_generated | default({})) | combine(cattle_comm_key.generated) }}"
    ansible_connection: "{{ cattle_comm.facts.ansible_connection }}"
    ansible_host: "{{ cattle_comm.facts.ansible_host }}"
    ansible_port: "{{ cattle_comm.facts.ansible_port }}"
    ansible_user: "{{ cattle_comm.facts.ansible_user }}"
    ansible_password: "{{ cattle_comm.facts.ansible_password | default(omit) }}"
    ansible_ssh_private_key_file: "{{ cattle_comm.facts.ansible_ssh_private_key_file | default(omit) }}"
    ansible_ssh_common_args: "{{ cattle_comm.facts.ansible_ssh_common_args }}"
    ansible_ssh_extra_args: "{{ cattle_comm.facts.ansible_ssh_extra_args }}"
    ansible_ssh_transfer_method: "{{ cattle_comm.facts.ansible_ssh_transfer_method }}"
    ansible_scp_extra_args: "{{ cattle_comm.facts.ansible_scp_extra_args | default('') }}"
    ansible_ssh_pipelining: "{{ cattle_comm.facts.ansible_ssh_pipelining }}"
    ansible_control_path_dir: "{{ cattle_comm.facts.ansible_control_path_dir | default(omit) }}"
    ansible_python_interpreter: "{{ cattle_comm.facts.ansible_python_interpreter }}"
    cattle_communicator: "{{ cattle_comm.facts.cattle_communicator }}"
  no_log: true

- name: Wait for the communicator
  cattle.images.communicator:
    state: connected

# roles/builder_<type>/tasks/capture.yml, after the provisioners
- name: Remove the temporary key from authorized_keys (ssh_clear_authorized_keys)
  cattle.images.communicator:
    state: authorized_keys_cleared

# roles/builder_<type>/tasks/cleanup.yml
- name: Remove the temporary key and stop the SSH masters
  cattle.images.communicator:
    state: absent
  delegate_to: localhost
"""

RETURN = r"""
communicator:
  description: The communicator type (C(ssh), C(winrm), C(none), C(docker), ...).
  returned: always
  type: str
  sample: ssh
facts:
  description:
    - Host variables to set with M(ansible.builtin.set_fact). Always has C(cattle_communicator);
      for C(ssh) also C(ansible_connection), C(ansible_host), C(ansible_port), C(ansible_user),
      C(ansible_ssh_common_args), C(ansible_ssh_extra_args), C(ansible_ssh_transfer_method),
      C(ansible_ssh_pipelining), C(ansible_python_interpreter), and when they apply
      C(ansible_password), C(ansible_ssh_private_key_file), C(ansible_scp_extra_args),
      C(ansible_control_path_dir); for C(winrm) the C(ansible_winrm_*) variables.
  returned: state=facts
  type: dict
  sample:
    ansible_connection: ssh
    ansible_host: 127.0.0.1
    ansible_port: 2222
    ansible_user: packer
    ansible_ssh_common_args: -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR
    cattle_communicator: ssh
ssh_public_key:
  description: The temporary public key (OpenSSH format), empty when the template gives credentials.
  returned: state=key or state=facts
  type: str
ssh_private_key_file:
  description: Path of the temporary private key (0600, in the build's private directory).
  returned: state=key or state=facts
  type: str
generated:
  description: Build data for C({{ build `...` }}), e.g. C(SSHPublicKey); merge it into C(cattle_generated).
  returned: state=key or state=facts
  type: dict
private_dir:
  description: The build's private directory.
  returned: state=facts
  type: str
attempts:
  description: Connection attempts made while waiting.
  returned: state=connected
  type: int
ui:
  description: Packer-style output lines, C([kind, text]) with kind C(say), C(message) or C(error).
  returned: always
  type: list
  elements: list
"""
