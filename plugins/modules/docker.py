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
  - O(state=started) creates a host temp dir mounted at C(container_dir), pulls the base image (unless C(pull) is
    false), and creates and starts the container from C(run_command), named C(cattle-<build_id>) unless
    C(run_command) gives C(--name), and labelled C(cattle.build_id) / C(cattle.build_name). The container is written
    to the ledger before it is created.
  - C(run_command) is parsed with the docker CLI's rules and created through the API with the same result as
    Packer's C(docker run); an option without meaning there (C(--cidfile), C(--attach) ...) or unknown is an error
    naming it. Bind mounts (C(-v host:ctr), C(volumes), the temp dir) are not declared as image volumes, as with
    C(docker run); a bare C(-v /path) is.
  - O(state=captured) commits the container (C(commit)), exports it to C(export_path), or does nothing (C(discard));
    a discard still returns Packer's export artifact with no file, which the post-processors receive.
    A commit keeps the base image's ENTRYPOINT and CMD unless C(changes) set them (unlike Packer, whose
    run_command entrypoint leaks into the image); as in a Dockerfile, an ENTRYPOINT change also resets CMD.
  - O(state=absent) kills and removes the container and its temp dir. It is idempotent.
  - "Runs on the controller (C(delegate_to: localhost)) and talks to the daemon named by C(DOCKER_HOST)."
  - An action plugin of the same name runs it (the same builder front-end and driver as this module's C(main))
    in Ansible's worker on the controller, without starting a module process; the task's C(environment) applies to
    it as it would to a module.
author:
  - cattle.images developers (@cattle-images)
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
      - The builder's Packer options, each checked and decoded as Packer does (listed below, generated from cattle's schemas).
      - An option left out takes Packer's default; an option the builder does not have is refused.
      - C(cache) is cattle's step cache (see O(cache)).
      - Mutually exclusive with O(plan_file); one of them is required unless O(state=absent).
    type: dict
  temp_dir:
    description:
      - The host temp dir to remove with O(state=absent). By default the one the launch recorded in the build's state
        file (C(build-<build_id>.json) beside O(plan_file) and O(ledger)), else every C(cattle-docker-<build_id>-*)
        dir in the temp directory.
    type: path
  cache:
    description:
      - With O(state=started), use the step cache (also on when the builder config has C(cache=true)). Needs
        O(plan_file), where the provisioners to key come from; C(cattle.images.provision) then reuses or commits each layer.
      - The container starts from the layer of the longest prefix of provisioners whose inputs are unchanged, and
        C(cache-<build_id>.json) next to the plan file records which steps that covers.
      - Layers are images tagged C(cattle-cache:<key>) whose commit comment holds their metadata (no labels, so
        nothing reaches the built image); see C(cattle cache list). Steps whose inputs no key covers run uncached.
      - With O(state=captured), a commit made while the container held exactly the build's last layer is kept,
        tagged C(cattle-cache:image-<key>) (the key covers the layers and the commit's C(changes), C(author) and C(message)); a later
        build reaching the same layer with the same settings gets that image as its artifact instead of a new commit.
      - With O(reuse_leading_steps), when every provisioner is cached and so is that image, the launch creates no
        container (C(container_id) in RV(source) is null); the step cache creates it if a step must run after all.
    type: bool
    default: false
  background:
    description:
      - With O(state=absent) and O(ledger), return once the container is found; a child process kills and removes
        it, with its temp dir, and then releases its ledger entry. The build goes on meanwhile (the post-processors).
      - Every sweep of the ledger (C(cattle.images.sweep), the C(cattle) command's) waits for that child first,
        and removes the container itself if the child could not. Without O(ledger) the removal is done in the task.
    type: bool
    default: false
  reuse_leading_steps:
    description:
      - With O(state=started) and the step cache, also take the cached provisioners at the head of the build, up to
        the first one that is local (C(shell-local)), cannot be cached or is not cached. The launch reuses their
        layers and says so, as C(cattle.images.provision) would for each. RV(cache.steps_done) says how many the
        caller need not run.
      - Sound because nothing runs between the launch and those steps; a cached step after a local one is checked
        again at its own turn. Leave it off when something must happen before each provisioner (Packer's C(-debug)
        pause).
    type: bool
    default: false
attributes:
  check_mode:
    details: Connects to the daemon and checks the config and the base image, then reports what it would do.
extends_documentation_fragment:
  - cattle.images.builder
  - cattle.images.options_docker
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
  description: The running build container (O(state=started)); C(container_id) is null in check mode, and when the
    step cache had the whole image (see O(cache)).
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
daemon:
  description:
    - How community.docker.docker_api reaches the daemon the builder used (O(state=started)), read from
      E(DOCKER_HOST), E(DOCKER_TLS_VERIFY) and E(DOCKER_CERT_PATH) as the docker CLI reads them.
    - The certificate paths are returned only when TLS is on; C(api_version) is the Docker API version the
      builder speaks to it, so the connection need not ask the daemon again on every task.
  returned: state is started
  type: dict
  sample:
    docker_host: unix:///var/run/docker.sock
    tls: false
    validate_certs: false
    api_version: "1.41"
cache:
  description: What the step cache found at the launch (O(state=started) with the cache on).
  returned: state is started and the step cache is on, not in check mode
  type: dict
  contains:
    state_file:
      description: The build's cache state, C(cache-<build_id>.json) beside the plan file.
      type: str
    resume:
      description: The index of the first provisioner that changes the image and must run.
      type: int
    cached_steps:
      description: The indexes of the provisioners whose layers the build reuses.
      type: list
      elements: int
    steps_done:
      description: How many provisioners at the head of the build the launch took (O(reuse_leading_steps)); 0 without it.
      type: int
  sample:
    state_file: /tmp/cattle-run-x1/cache-3f9a1c.json
    resume: 4
    cached_steps: [0, 2, 3]
    steps_done: 1
ui:
  description: Packer's lines for the steps taken (temp dir, pull, run command, container id, commit, image id,
    kill), each C([kind, text]) with kind C(say) or C(message).
  returned: always
  type: list
  elements: list
  sample: [["say", "Starting docker container..."], ["message", "Container ID: 0e1f6c1e7b0a"]]
container_name:
  description: The build container's name.
  returned: always
  type: str
  sample: cattle-3f9a1c
artifact:
  description:
    - The captured artifact (O(state=captured)); null in check mode.
    - A commit gives builder id C(packer.post-processor.docker-import) and the image id; an export gives
      C(packer.docker) with id C(Container) and the tar in C(files); a discard the same with C(files) V([""]).
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

from ansible_collections.cattle.images.plugins.module_utils.builder_frontend import run_module  # noqa: E402
from ansible_collections.cattle.images.plugins.module_utils.docker.task import DOCKER  # noqa: E402


def main():
    # The build runs the action plugin of the same name, which runs this same driver in-process.
    run_module(DOCKER)


if __name__ == "__main__":
    main()
