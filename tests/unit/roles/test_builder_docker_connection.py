"""The docker build host's connection waits for a busy daemon as long as the builder's own client.

community.docker.docker_api reads its API timeout from ``ansible_docker_timeout``, which falls back
to ANSIBLE_TIMEOUT's 10 s: with 16 builds at once on two cores an upload (``put_archive``) took
longer, and the build failed with "Read timed out. (read timeout=10)" where Packer's ``docker cp``
waits. benchmarks/scale.py found it; the launch now sets the builder client's timeout.
"""

from __future__ import annotations

import os
import re

import yaml

from ansible_collections.cattle.images.plugins.module_utils.docker.client import DEFAULT_TIMEOUT

LAUNCH = os.path.join(os.path.dirname(__file__), "..", "..", "..", "roles", "builder_docker", "tasks", "launch.yml")


def test_the_docker_connection_gets_the_builders_api_timeout():
    with open(LAUNCH, encoding="utf-8") as handle:
        tasks = yaml.safe_load(handle)
    [pointing] = [task["ansible.builtin.set_fact"] for task in tasks
                  if task.get("ansible.builtin.set_fact", {}).get("ansible_connection") == "community.docker.docker_api"]
    timeout = pointing.get("ansible_docker_timeout", "")
    # The user's own ansible_docker_timeout wins; otherwise the builder client's timeout.
    assert re.fullmatch(r"\{\{ ansible_docker_timeout \| default\((\d+)\) \}\}", timeout), timeout
    assert int(re.search(r"default\((\d+)\)", timeout).group(1)) == DEFAULT_TIMEOUT
