"""With `communicator: none` the build host's connection is the controller's own:
provisioners that act on the build host must refuse, controller-side ones still run."""

from __future__ import annotations

import json
import os
import subprocess

PLAYBOOK = """
- hosts: build
  gather_facts: false
  tasks:
    - name: A remote provisioner refuses
      cattle.images.shell:
        config: {{inline: ["touch {marker}"]}}
      register: remote
      ignore_errors: true
    - name: A controller-side provisioner runs
      cattle.images.shell_local:
        config: {{inline: ["echo on the controller"]}}
      register: local
    - ansible.builtin.copy:
        dest: "{out}"
        content: "{{{{ {{'remote': remote, 'local': local}} | to_json }}}}"
      delegate_to: localhost
"""


def test_remote_provisioners_refuse_without_a_communicator(venv_bin, tmp_path):
    marker = tmp_path / "must-not-exist"
    out = tmp_path / "out.json"
    (tmp_path / "play.yml").write_text(PLAYBOOK.format(marker=marker, out=out))
    python = os.path.join(venv_bin, "python")
    (tmp_path / "hosts").write_text(
        f"build ansible_connection=local ansible_python_interpreter={python} cattle_communicator=none "
        "cattle_build='{\"name\": \"nb\", \"type\": \"null\", \"id\": \"x\", \"run_uuid\": \"u\"}'\n"
    )
    result = subprocess.run([os.path.join(venv_bin, "ansible-playbook"), "-i", "hosts", "play.yml"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    outcome = json.loads(out.read_text())
    assert outcome["remote"]["failed"]
    assert "needs a communicator" in outcome["remote"]["msg"]
    assert not marker.exists()
    assert not outcome["local"].get("failed")
    assert any("on the controller" in text for _kind, text in outcome["local"]["ui"])
