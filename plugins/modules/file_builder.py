#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: file_builder
short_description: Packer's file builder - write a file from content or a copy of another file
version_added: 0.1.0
description:
  - The controller side of a C(file) build, with the semantics of Packer's file builder.
  - O(state=present) writes C(target) from C(content), or copies C(source) to it, making C(target)'s directory
    first. An existing C(target) is overwritten, as Packer does. A new file written from C(content) gets mode
    C(0600), a copy the default mode (C(0666) less the umask); an existing file keeps its mode.
  - It returns Packer's file artifact (id C(File), builder id C(packer.file)).
  - O(state=absent) removes C(target). The role does this when the build failed, so that a failed build leaves
    nothing behind (Packer keeps the file).
  - Relative paths are taken from the plan's directory (where C(cattle build) ran), as Packer takes them from its
    working directory; the output names them as the template wrote them.
  - "Runs on the controller (C(delegate_to: localhost))."
author:
  - cattle.images developers (@cattle-images)
options:
  state:
    description: Write the target, or remove it.
    type: str
    choices: [present, absent]
    default: present
  build_name:
    description: The build's name, for the artifact.
    type: str
    default: file
  config:
    description:
      - The builder's Packer options, each checked and decoded as Packer does (listed below, generated from cattle's schemas).
      - An option left out takes Packer's default; an option the builder does not have is refused.
      - Mutually exclusive with O(plan_file); one of them is required.
    type: dict
extends_documentation_fragment:
  - cattle.images.builder
  - cattle.images.options_file_builder
attributes:
  check_mode:
    details: Reads the source and the existing target and reports whether the target would change.
notes:
  - The ledger is not used; a run killed between this write and the end of the build keeps the file.
"""

EXAMPLES = r"""
- name: Write the file a file build describes, reading the config from a plan file
  cattle.images.file_builder:
    plan_file: /tmp/run/plan.json
    build: motd
    build_name: motd
  delegate_to: localhost
  register: written

- name: Write a file from content given directly
  cattle.images.file_builder:
    config:
      content: "hello\n"
      target: out/hello.txt
  delegate_to: localhost

- name: Remove the target of a failed build
  cattle.images.file_builder:
    state: absent
    plan_file: /tmp/run/plan.json
    build: motd
  delegate_to: localhost
"""

RETURN = r"""
artifact:
  description: Packer's file artifact (only with O(state=present)).
  returned: success and state is present
  type: dict
  sample:
    id: File
    builder_id: packer.file
    builder_type: file
    build_name: motd
    files: [/home/me/build/out/motd.txt]
    string: "Stored file: out/motd.txt"
    metadata: {}
target:
  description: The target's path, made absolute.
  returned: always
  type: str
  sample: /home/me/build/out/motd.txt
ui:
  description: The lines Packer prints for this step, as C([kind, text]) pairs.
  returned: always
  type: list
  elements: list
  sample: [["say", "Copying src.txt to out/copy.txt"], ["say", "Copied 10 bytes"]]
"""

from ansible_collections.cattle.images.plugins.module_utils.builder_frontend import run_module  # noqa: E402
from ansible_collections.cattle.images.plugins.module_utils.file_builder import FILE  # noqa: E402


def main():
    run_module(FILE)


if __name__ == "__main__":
    main()
