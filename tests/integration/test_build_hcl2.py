"""HCL2 templates built with Docker: variables from -var, a var file and PKR_VAR_, locals with functions,
two sources in one build (one a named override), only/except, docker-tag; and the same build in JSON
gives an equivalent image (three docker builds in all)."""

from __future__ import annotations

import json
import os
import subprocess
import uuid

import pytest

pytestmark = [pytest.mark.docker, pytest.mark.slow]

TEMPLATE = """
variable "greeting" {
  type = string
}
variable "owner" {
  type = string
}
variable "extra" {
  type    = list(string)
  default = []
}
variable "repo" {
  type = string
}
variable "tag" {
  default = "v1"
}

locals {
  banner = "${upper(var.greeting)} from ${title(var.owner)}"
  extras = join(",", sort(var.extra))
}

source "docker" "base" {
  image  = "local/debian:bookworm"
  commit = true
  pull   = false
}

build {
  name    = "hcl2"
  sources = ["source.docker.base"]

  source "source.docker.base" {
    name    = "alt"
    changes = ["ENV ROLE=alt"]
  }

  provisioner "shell" {
    inline = [
      "echo '${local.banner}' > /greeting",
      "echo '${local.extras}' > /extras",
      "echo '${source.name}' > /source-name",
    ]
  }
  provisioner "shell" {
    only   = ["docker.alt"]
    inline = ["touch /only-alt"]
  }
  provisioner "shell" {
    except = ["docker.alt"]
    inline = ["touch /not-alt"]
  }

  post-processor "docker-tag" {
    repository = "${var.repo}-${source.name}"
    tags       = [var.tag]
  }
}
"""


def docker(*args, check=True):
    return subprocess.run(["docker", *args], capture_output=True, text=True, check=check)


def run_in(ref, command):
    return docker("run", "--rm", "--entrypoint", "", ref, "sh", "-c", command).stdout


@pytest.fixture
def repo():
    name = f"local/hcl2-it-{uuid.uuid4().hex[:8]}"
    yield name
    for suffix in ("-base", "-alt", "-json"):
        docker("rmi", "-f", f"{name}{suffix}:v1", check=False)


def cattle(venv_bin, *args, cwd, env=None):
    return subprocess.run([os.path.join(venv_bin, "cattle"), *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          timeout=600, check=False, env={**os.environ, **(env or {})})


CONTENT = "cat /greeting /extras /source-name; ls /only-alt /not-alt 2>/dev/null; echo role=$ROLE"


def test_hcl2_docker_build_and_its_json_twin(venv_bin, tmp_path, repo):
    project = tmp_path / "project"
    project.mkdir()
    (project / "build.pkr.hcl").write_text(TEMPLATE)
    (project / "owner.pkrvars.hcl").write_text('owner = "ops team"\n')
    env = {"PKR_VAR_extra": '["b", "a"]'}

    validated = cattle(venv_bin, "validate", "-var", "greeting=hi", "-var", f"repo={repo}",
                       "-var-file=owner.pkrvars.hcl", ".", cwd=project, env=env)
    assert validated.returncode == 0, validated.stdout + validated.stderr

    built = cattle(venv_bin, "build", "-var", "greeting=hi", "-var", f"repo={repo}",
                   "-var-file=owner.pkrvars.hcl", ".", cwd=project, env=env)
    assert built.returncode == 0, built.stdout + built.stderr
    assert "hcl2.docker.base" in built.stdout and "hcl2.docker.alt" in built.stdout

    assert run_in(f"{repo}-base:v1", CONTENT).split("\n") == ["HI from Ops Team", "a,b", "base", "/not-alt", "role=", ""]
    assert run_in(f"{repo}-alt:v1", CONTENT).split("\n") == ["HI from Ops Team", "a,b", "alt", "/only-alt", "role=alt", ""]

    # The same build as a legacy JSON template: the same image content.
    json_template = {
        "variables": {"greeting": "hi", "owner": "Ops Team"},
        "builders": [{"type": "docker", "name": "base", "image": "local/debian:bookworm", "commit": True, "pull": False}],
        "provisioners": [
            {"type": "shell", "inline": ["echo '{{user `greeting` | upper}} from {{user `owner`}}' > /greeting",
                                         "echo 'a,b' > /extras", "echo '{{build_name}}' > /source-name"]},
            {"type": "shell", "inline": ["touch /not-alt"]},
        ],
        "post-processors": [{"type": "docker-tag", "repository": f"{repo}-json", "tags": ["v1"]}],
    }
    (project / "twin.json").write_text(json.dumps(json_template))
    built = cattle(venv_bin, "build", "twin.json", cwd=project)
    assert built.returncode == 0, built.stdout + built.stderr
    assert run_in(f"{repo}-json:v1", CONTENT) == run_in(f"{repo}-base:v1", CONTENT)


def test_hcl2_only_and_bad_variable(venv_bin, tmp_path, repo):
    project = tmp_path / "project"
    project.mkdir()
    (project / "build.pkr.hcl").write_text(TEMPLATE)
    inspected = cattle(venv_bin, "inspect", "build.pkr.hcl", cwd=project)
    assert inspected.returncode == 0, inspected.stderr  # as Packer's: an unset variable is only unknown here
    assert 'var.greeting: "<unknown>"' in inspected.stdout
    assert inspected.stdout.count("      docker.base\n") == 2  # Packer lists a named source by what it names
    listed = cattle(venv_bin, "validate", "-only=*.alt", "-var", "greeting=x", "-var", "owner=y", "-var", "repo=r",
                    "-var", "nope=1", "build.pkr.hcl", cwd=project)
    assert listed.returncode == 1
    assert 'Undefined -var variable; A "nope" variable was passed in the command line' in listed.stdout + listed.stderr
