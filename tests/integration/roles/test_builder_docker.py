"""roles/builder_docker end to end: launch → the docker_api connection (exec, put_file, fetch_file) → capture → cleanup."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
import uuid

import pytest

from tests.fixtures import plans
from tests.fixtures.docker_cli import remove_build_id

BASE_IMAGE = os.environ.get("CATTLE_BASE_IMAGE", "local/debian:bookworm")
VENV_BIN = os.path.dirname(sys.executable)
pytestmark = pytest.mark.docker

# A stand-in for a provisioner: drives the connection directly, as the real ones do.
CONNECTION_PROBE = '''
from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    TRANSFERS_FILES = True

    def run(self, tmp=None, task_vars=None):
        super().run(tmp, task_vars)
        args = self._task.args
        self._connection.put_file(args["src"], args["dest"])
        rc, out, err = self._connection.exec_command("stat -c '%U %a' " + args["dest"] + "; id -un")
        self._connection.fetch_file(args["dest"], args["back"])
        return {"changed": True, "rc": rc, "lines": out.decode().split()}
'''

PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  connection: local
  tasks:
    - ansible.builtin.add_host:
        name: "{{ item.name }}"
        groups: cattle_builds
        ansible_python_interpreter: "{{ ansible_playbook_python }}"
        cattle_build:
          name: "{{ item.name }}"
          type: docker
          id: "{{ item.id }}"
          plan_file: "{{ plan_file }}"
          ledger: "{{ ledger }}"
          force: false
      loop: "{{ builds }}"

- hosts: cattle_builds
  gather_facts: false
  tasks:
    - block:
        - ansible.builtin.include_role:
            name: cattle.images.builder_docker
            tasks_from: launch
        - name: raw
          ansible.builtin.raw: "echo hello from $(cat /etc/debian_version | cut -c1-2); test ! -e /usr/bin/python-none"
          register: raw
        - name: probe
          connection_probe:
            src: "{{ upload }}"
            dest: /tmp/uploaded.txt
            back: "{{ workdir }}/{{ inventory_hostname }}-back.txt"
          register: probe
        - ansible.builtin.include_role:
            name: cattle.images.builder_docker
            tasks_from: capture
        - name: report
          ansible.builtin.copy:
            content: "{{ {'raw': raw.stdout, 'probe': probe.lines, 'artifact': cattle_captured.artifact, 'source': cattle_source,
                         'connection': ansible_connection, 'user': ansible_user | default('')} | to_json }}"
            dest: "{{ workdir }}/{{ inventory_hostname }}.json"
          delegate_to: localhost
      always:
        - ansible.builtin.include_role:
            name: cattle.images.builder_docker
            tasks_from: cleanup
"""


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    import docker

    client = docker.from_env()
    workdir = tmp_path_factory.mktemp("role")
    (workdir / "action_plugins").mkdir()
    (workdir / "action_plugins" / "connection_probe.py").write_text(CONNECTION_PROBE)
    (workdir / "play.yml").write_text(textwrap.dedent(PLAYBOOK))
    (workdir / "upload.txt").write_text("payload\n")
    (workdir / "upload.txt").chmod(0o640)
    suffix = uuid.uuid4().hex[:8]
    builds = [{"name": "rootbuild", "id": "r" + suffix}, {"name": "userbuild", "id": "u" + suffix}]
    plans.write_plan(workdir,
                     plans.build("rootbuild", "docker", config={
                         "image": BASE_IMAGE, "pull": False, "commit": True, "changes": ["ENV BUILT=yes"]}),
                     plans.build("userbuild", "docker", config={
                         "image": BASE_IMAGE, "pull": False, "discard": True, "exec_user": "nobody"}))
    extra = {"plan_file": str(workdir / "plan.json"), "ledger": str(workdir / "ledger.jsonl"), "builds": builds,
             "workdir": str(workdir), "upload": str(workdir / "upload.txt")}
    try:
        proc = subprocess.run(
            [os.path.join(VENV_BIN, "ansible-playbook"), "-f", "4", "-e", json.dumps(extra), "play.yml"],
            capture_output=True, text=True, cwd=str(workdir), timeout=240,
            env=dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_LOCALHOST_WARNING="0"), check=False,
        )
        reports = {}
        for build in builds:
            path = workdir / f"{build['name']}.json"
            reports[build["name"]] = json.loads(path.read_text()) if path.exists() else None
        leftovers = [c.name for b in builds for c in client.containers.list(
            all=True, filters={"label": f"cattle.build_id={b['id']}"})]
        leftovers += [name for name in os.listdir(tempfile.gettempdir())
                      for b in builds if name.startswith(f"cattle-docker-{b['id']}-")]
        yield {"proc": proc, "reports": reports, "workdir": workdir, "leftovers": leftovers, "client": client}
    finally:
        for build in builds:
            remove_build_id(client, build["id"])


def test_playbook_succeeds(run):
    assert run["proc"].returncode == 0, run["proc"].stdout[-3000:] + run["proc"].stderr[-2000:]


def test_connection_exec_and_facts(run):
    report = run["reports"]["rootbuild"]
    assert report["connection"] == "community.docker.docker_api"
    assert report["raw"].startswith("hello from 12")
    assert report["source"]["container_name"].startswith("cattle-r")
    assert report["user"] == ""


def test_put_and_fetch_file_as_root(run):
    # Note for the file provisioner: docker_api's put_file keeps only the owner's permission
    # bits (0640 -> 0600), unlike Packer's docker cp; a chmod afterwards is needed to match.
    assert run["reports"]["rootbuild"]["probe"] == ["root", "600", "root"]
    assert (run["workdir"] / "rootbuild-back.txt").read_text() == "payload\n"


def test_exec_user_owns_uploaded_files(run):
    # community.docker's docker_api put_file writes with the uid/gid of the connection user,
    # which is what Packer's fix_upload_owner achieves with a chown afterwards.
    report = run["reports"]["userbuild"]
    assert report["user"] == "nobody"
    assert report["probe"] == ["nobody", "600", "nobody"]


def test_capture_sets_the_artifact(run):
    artifact = run["reports"]["rootbuild"]["artifact"]
    assert artifact["builder_id"] == "packer.post-processor.docker-import"
    config = run["client"].images.get(artifact["id"]).attrs["Config"]
    assert "BUILT=yes" in config["Env"] and config["Cmd"] == ["/bin/bash"] and not config["Entrypoint"]
    # discard: Packer's export artifact with no file, for the post-processors
    discarded = run["reports"]["userbuild"]["artifact"]
    assert (discarded["id"], discarded["builder_id"], discarded["files"]) == ("Container", "packer.docker", [""])


def test_cleanup_leaves_nothing(run):
    assert run["leftovers"] == []
    from ansible_collections.cattle.images.plugins.module_utils.ledger import Ledger

    assert Ledger(str(run["workdir"] / "ledger.jsonl")).entries() == []
