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
      - The builder's options in Packer's shape (C(target), and C(content) or C(source)).
      - Mutually exclusive with O(plan_file); one of them is required.
    type: dict
extends_documentation_fragment:
  - cattle.images.builder
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

import filecmp  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402

from ansible_collections.cattle.images.plugins.module_utils.plan_file import PlanError, read_plan_config  # noqa: E402

BUILDER_ID = "packer.file"


def file_artifact(path, shown, build_name):
    """Packer's FileArtifact: ``path`` is the real file, ``shown`` the name as the template wrote it."""
    return {
        "id": "File",
        "builder_id": BUILDER_ID,
        "builder_type": "file",
        "build_name": build_name,
        "files": [path],
        "string": f"Stored file: {shown}",
        "metadata": {},
    }


def _same(path, data=None, source=None):
    """Whether ``path`` already holds ``data`` (bytes) or the same bytes as the file ``source``."""
    if not os.path.isfile(path):
        return False
    if source is not None:
        return filecmp.cmp(source, path, shallow=False)
    with open(path, "rb") as handle:
        return handle.read(len(data) + 1) == data


def write_target(config, cwd, check_mode):
    """Write the target as Packer does; returns (changed, absolute target, ui lines)."""
    shown = config["target"]
    target = os.path.normpath(os.path.join(cwd, shown))
    source = os.path.normpath(os.path.join(cwd, config["source"])) if config.get("source") else None
    ui = []
    if source is not None:
        if not os.path.isfile(source):
            raise OSError(f"open {config['source']}: no such file or directory")
        ui.append(["say", f"Copying {config['source']} to {shown}"])
        data, mode = None, 0o666
    else:
        data, mode = (config.get("content") or "").encode("utf-8"), 0o600
    changed = not _same(target, data, source)
    if not check_mode:
        if os.path.dirname(target):
            os.makedirs(os.path.dirname(target), mode=0o755, exist_ok=True)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        with os.fdopen(fd, "wb") as handle:
            if source is None:
                handle.write(data)
            else:
                # Streamed, as Packer's io.Copy: a source may be a disk image.
                with open(source, "rb") as reader:
                    shutil.copyfileobj(reader, handle, 1024 * 1024)
    if source is not None:
        ui.append(["say", f"Copied {os.path.getsize(source)} bytes"])
    return changed, target, ui


def main():
    module = AnsibleModule(
        argument_spec=dict(
            state=dict(type="str", choices=["present", "absent"], default="present"),
            build_name=dict(type="str", default="file"),
            config=dict(type="dict"),
            plan_file=dict(type="path"),
            build=dict(type="str"),
            ledger=dict(type="path"),
        ),
        mutually_exclusive=[("config", "plan_file")],
        required_one_of=[("config", "plan_file")],
        supports_check_mode=True,
    )
    params = module.params
    config, cwd, where = params["config"], os.getcwd(), "file builder"
    if params["plan_file"]:
        plan_build = params["build"] or params["build_name"]
        try:
            config, plan_cwd, sensitive = read_plan_config(params["plan_file"], plan_build, "file")
        except PlanError as exc:
            module.fail_json(msg=str(exc))
        module.no_log_values.update(str(value) for value in sensitive if value)
        cwd = plan_cwd or cwd
        where = f"{params['plan_file']}: builds[{plan_build}]"
    problems = []
    if not config.get("target"):
        problems.append("target required")
    if config.get("content") and config.get("source"):
        problems.append("Cannot specify source file AND content")
    if problems:
        module.fail_json(msg=f"{where}: {'; '.join(problems)}", ui=[])
    target = os.path.normpath(os.path.join(cwd, config["target"]))

    if params["state"] == "absent":
        exists = os.path.lexists(target)
        if exists and not module.check_mode:
            os.remove(target)
        module.exit_json(changed=exists, target=target, ui=[])

    try:
        changed, target, ui = write_target(config, cwd, module.check_mode)
    except OSError as exc:
        message = str(exc) if not exc.filename else f"{exc.strerror}: {exc.filename}"
        module.fail_json(msg=f"{where}: {message}", target=target, ui=[])
    module.exit_json(changed=changed, target=target, ui=ui,
                     artifact=file_artifact(target, config["target"], params["build_name"]))


if __name__ == "__main__":
    main()
