"""Plain ansible-playbook with the collection's callback: Packer's lines, provisioner output
without -v, colour only where Ansible would colour (#16)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

PLAYBOOK = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")


def _run(tmp_path, **env):
    template = tmp_path / "t.json"
    template.write_text(json.dumps({
        "builders": [{"type": "null", "communicator": "none"}],
        "provisioners": [{"type": "shell-local", "inline": ["echo provisioner says hello"]}],
    }))
    return subprocess.run([PLAYBOOK, "cattle.images.build_image", "-e", f"template={template}"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300, check=False,
                          env={**os.environ, "ANSIBLE_STDOUT_CALLBACK": "cattle.images.packer",
                               "ANSIBLE_LOCALHOST_WARNING": "False", "ANSIBLE_INVENTORY_UNPARSED_WARNING": "False",
                               **env})


def test_piped_output_has_the_provisioner_lines_and_no_colour(tmp_path):
    result = _run(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "    null: provisioner says hello" in result.stdout.splitlines()
    assert "\x1b[" not in result.stdout


def test_ansible_force_color_colours_the_prefixes(tmp_path):
    result = _run(tmp_path, ANSIBLE_FORCE_COLOR="1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "\x1b[" in result.stdout
