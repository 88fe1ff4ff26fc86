#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: docker
short_description: Packer's docker builder - run a build container, commit or export it, remove it
version_added: 0.1.0
description:
  - The controller side of a C(docker) build, with the semantics of Packer's docker builder.
  - O(state=started) pulls the base image (unless C(pull) is false), creates a host temp dir mounted at
    C(container_dir), and creates and starts the container from C(run_command), named C(cattle-<build_id>) and
    labelled C(cattle.build_id) / C(cattle.build_name). The container is written to the ledger before it is created.
  - O(state=captured) commits the container (C(commit)), exports it to C(export_path), or does nothing (C(discard)).
    A commit keeps the base image's ENTRYPOINT and CMD unless C(changes) set them (unlike Packer, whose
    run_command entrypoint leaks into the image); as in a Dockerfile, an ENTRYPOINT change also resets CMD.
  - O(state=absent) kills and removes the container and its temp dir. It is idempotent.
  - "Runs on the controller (C(delegate_to: localhost)) and talks to the daemon named by C(DOCKER_HOST)."
author:
  - cattle.images developers
options:
  state:
    description: What to do with the build container.
    type: str
    choices: [started, captured, absent]
    default: started
  build_id:
    description: The build's short unique id; the container is named C(cattle-<build_id>).
    type: str
    required: true
  build_name:
    description: The build's name, for the label, the ledger and artifacts.
    type: str
    default: docker
  config:
    description:
      - The builder's options in Packer's shape (C(image), C(commit)/C(export_path)/C(discard), C(pull), C(changes),
        C(run_command), C(volumes), C(privileged), C(cap_add), C(cap_drop), C(device), C(tmpfs), C(container_dir),
        C(exec_user), C(fix_upload_owner), C(author), C(message), C(platform), C(runtime), C(login), C(login_server),
        C(login_username), C(login_password), C(windows_container)), checked here as Packer checks them.
      - C(login_password) is never shown in output.
      - Mutually exclusive with O(plan_file); one of them is required unless O(state=absent).
    type: dict
  plan_file:
    description:
      - A cattle plan file to read the build's config from, so the values never pass through Ansible's templating
        or task arguments. The plan's sensitive values are masked in the output.
    type: path
  build:
    description: The build's name in O(plan_file). Defaults to O(build_name).
    type: str
  ledger:
    description: The ledger file to record the container in before it is created, and release it from after removal.
    type: path
  temp_dir:
    description: The host temp dir to remove with O(state=absent); by default every C(cattle-docker-<build_id>-*) dir in the temp directory.
    type: path
attributes:
  check_mode:
    support: full
    details: Connects to the daemon and checks the config and the base image, then reports what it would do.
  diff_mode:
    support: none
requirements:
  - docker (Docker SDK for Python) >= 7.1
notes:
  - C(platform) is passed to the pull only, as Packer does.
  - With C(pull) true (Packer's default) a failed pull is an error even if the image exists locally.
  - Windows containers cannot be built here; C(windows_container=true) is rejected unless the daemon runs Windows containers.
  - The labels C(cattle.build_id) and C(cattle.build_name) of the container are committed into the image,
    as every container label is.
"""

EXAMPLES = r"""
- name: Start the build container
  cattle.images.docker:
    state: started
    build_id: 3f9a1c
    build_name: docker
    ledger: /tmp/run/ledger.jsonl
    config:
      image: local/debian:bookworm
      pull: false
      commit: true
      changes:
        - ENV APP_HOME=/srv/app
        - LABEL org.example.team=platform
  delegate_to: localhost
  register: launched

- name: Commit it, reading the config from a plan file
  cattle.images.docker:
    state: captured
    build_id: 3f9a1c
    plan_file: /tmp/run/plan.json
    build: docker
  delegate_to: localhost
  register: captured

- name: Remove the container
  cattle.images.docker:
    state: absent
    build_id: 3f9a1c
    ledger: /tmp/run/ledger.jsonl
  delegate_to: localhost
"""

RETURN = r"""
source:
  description: The running build container (O(state=started)); C(container_id) is null in check mode.
  returned: state is started
  type: dict
  sample:
    container_id: 0e1f6c1e7b0a4b9f8d3c2a1b0e1f6c1e7b0a4b9f8d3c2a1b0e1f6c1e7b0a4b9f
    container_name: cattle-3f9a1c
    image: local/debian:bookworm
    exec_user: ""
    container_user: ""
    temp_dir: /tmp/cattle-docker-3f9a1c-k2j3h4
    container_dir: /packer-files
    fix_upload_owner: true
container_name:
  description: The build container's name.
  returned: always
  type: str
  sample: cattle-3f9a1c
artifact:
  description:
    - The captured artifact (O(state=captured)); null for C(discard) and in check mode.
    - A commit gives builder id C(packer.post-processor.docker-import) and the image id; an export gives
      C(packer.docker) with the tar in C(files).
  returned: state is captured
  type: dict
  sample:
    id: sha256:4b825dc642cb6eb9a060e54bf8d69288fbee4904
    builder_id: packer.post-processor.docker-import
    builder_type: docker
    build_name: docker
    files: []
    string: "Imported Docker image: sha256:4b825dc642cb6eb9a060e54bf8d69288fbee4904"
    metadata:
      ImageSha256: sha256:4b825dc642cb6eb9a060e54bf8d69288fbee4904
      docker_tags: []
"""

import json  # noqa: E402
import os  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402

from ansible_collections.cattle.images.plugins.module_utils.docker import builder  # noqa: E402
from ansible_collections.cattle.images.plugins.module_utils.docker.client import DockerError, connect  # noqa: E402
from ansible_collections.cattle.images.plugins.module_utils.docker.config import (  # noqa: E402
    SECRET_OPTIONS,
    ConfigError,
    normalize,
)
from ansible_collections.cattle.images.plugins.module_utils.ledger import Ledger  # noqa: E402


class PlanError(Exception):
    pass


def read_plan_config(path, build_name):
    """The build's config, the plan's cwd and sensitive values, read from the plan file."""
    try:
        with open(path, encoding="utf-8") as handle:
            plan = json.load(handle)
    except (OSError, ValueError) as exc:
        raise PlanError(f"plan file {path} cannot be read: {exc}") from None
    builds = plan.get("builds") if isinstance(plan, dict) else None
    if not isinstance(builds, list):
        raise PlanError(f"plan file {path} is not a plan: expected an object with a 'builds' list")
    for build in builds:
        if build.get("name") == build_name:
            if build.get("type") != "docker":
                raise PlanError(f"build {build_name!r} in {path} is a {build.get('type')!r} build, not docker")
            return build.get("config") or {}, plan.get("cwd"), plan.get("sensitive_values") or []
    raise PlanError(f"build {build_name!r} is not in the plan {path}")


def main():
    module = AnsibleModule(
        argument_spec=dict(
            state=dict(type="str", choices=["started", "captured", "absent"], default="started"),
            build_id=dict(type="str", required=True),
            build_name=dict(type="str", default="docker"),
            config=dict(type="dict"),
            plan_file=dict(type="path"),
            build=dict(type="str"),
            ledger=dict(type="path"),
            temp_dir=dict(type="path"),
        ),
        mutually_exclusive=[("config", "plan_file")],
        required_if=[
            ("state", "started", ("config", "plan_file"), True),
            ("state", "captured", ("config", "plan_file"), True),
        ],
        supports_check_mode=True,
    )
    params = module.params
    state = params["state"]
    build_id = params["build_id"]
    build_name = params["build_name"]
    name = builder.container_name(build_id)
    result = {"changed": False, "container_name": name}

    raw_config, cwd, where = params["config"], None, "docker builder"
    if params["plan_file"]:
        plan_build = params["build"] or build_name
        try:
            raw_config, cwd, sensitive = read_plan_config(params["plan_file"], plan_build)
        except PlanError as exc:
            error = str(exc)
        else:
            error = None
        if error is not None:
            module.fail_json(msg=error, **result)
        module.no_log_values.update(value for value in sensitive if value)
        where = f"{params['plan_file']}: builds[{plan_build}]"
    if isinstance(raw_config, dict):
        module.no_log_values.update(str(raw_config[key]) for key in SECRET_OPTIONS if raw_config.get(key))

    config = None
    if raw_config is not None:
        try:
            config = normalize(raw_config, where=where, cwd=cwd)
        except ConfigError as exc:
            error = str(exc)
        else:
            error = None
        if error is not None:
            module.fail_json(msg=error, **result)

    error = None
    try:
        client = connect()
        if state == "started":
            started(module, client, config, build_id, build_name, result)
        elif state == "captured":
            captured(module, client, config, build_id, build_name, result)
        else:
            absent(module, client, build_id, result)
    except DockerError as exc:
        error = str(exc)
    if error is not None:
        # Outside the except block: the message is the whole story, no traceback is attached.
        module.fail_json(msg=error, **result)
    module.exit_json(**result)


def started(module, client, config, build_id, build_name, result):
    if config["windows_container"] and client.info().get("OSType") != "windows":
        raise DockerError(
            "windows_container is true but this Docker daemon runs Linux containers; Windows containers "
            "can only be built on a Windows Docker host."
        )
    if module.check_mode:
        if not config["pull"]:
            builder.base_image(client, config["image"], pulled=False)
        existing = builder.find_container(client, build_id)
        temp_dirs = builder.build_temp_dirs(build_id) if existing is not None else []
        temp_dir = temp_dirs[0] if temp_dirs else ""
        # container_spec checks run_command without creating anything.
        builder.container_spec(config, build_id, build_name, temp_dir or "/tmp/cattle-docker-check")
        result["changed"] = existing is None or existing.status != "running"
        result["source"] = {
            "container_id": None if existing is None else existing.id,
            "container_name": builder.container_name(build_id),
            "image": config["image"],
            "exec_user": config["exec_user"],
            "container_user": config["exec_user"],
            "temp_dir": temp_dir,
            "container_dir": config["container_dir"],
            "fix_upload_owner": config["fix_upload_owner"],
        }
        return
    ledger = Ledger(module.params["ledger"]) if module.params["ledger"] else None
    source = builder.launch(client, config, build_id, build_name, ledger=ledger)
    result["changed"] = source.pop("changed")
    for warning in source.pop("warnings"):
        module.warn(warning)
    result["source"] = source


def captured(module, client, config, build_id, build_name, result):
    result["artifact"] = None
    if module.check_mode:
        result["changed"] = bool(config["commit"] or config["export_path"])
        return
    result["artifact"] = builder.capture(client, config, build_id, build_name)
    result["changed"] = result["artifact"] is not None


def absent(module, client, build_id, result):
    temp_dir = module.params["temp_dir"]
    if module.check_mode:
        existing = builder.find_container(client, build_id)
        leftovers = [temp_dir] if temp_dir else builder.build_temp_dirs(build_id)
        result["changed"] = existing is not None or any(os.path.isdir(path) for path in leftovers)
        return
    result["changed"] = builder.remove(client, build_id, temp_dir)
    if module.params["ledger"]:
        Ledger(module.params["ledger"]).release(kind=builder.LEDGER_KIND, name=builder.container_name(build_id))


if __name__ == "__main__":
    main()
