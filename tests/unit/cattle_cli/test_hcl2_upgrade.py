"""`cattle hcl2_upgrade`: output file, refusal to overwrite, errors."""

from __future__ import annotations

import json
import os

import pytest

from cattle_cli import main
from cattle_cli.commands import hcl2_upgrade

TEMPLATE = {"variables": {"tag": "v1"},
            "builders": [{"type": "docker", "image": "local/debian:bookworm", "commit": True}],
            "provisioners": [{"type": "shell", "inline": ["echo {{user `tag`}}"]}]}


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "t.json").write_text(json.dumps(TEMPLATE))
    return tmp_path


def test_writes_packer_default_name(workdir, capsys):
    assert main.main(["hcl2_upgrade", "t.json"]) == 0
    assert capsys.readouterr().out == "Successfully created t.json.pkr.hcl\n"
    text = (workdir / "t.json.pkr.hcl").read_text()
    assert 'inline = ["echo ${var.tag}"]' in text
    assert [p.name for p in workdir.iterdir() if p.name.startswith(".")] == []  # no temporary left


def test_refuses_to_overwrite_without_force(workdir, capsys):
    (workdir / "t.json.pkr.hcl").write_text("mine\n")
    assert hcl2_upgrade.run(["t.json"]) == 1
    assert "t.json.pkr.hcl already exists; use -force" in capsys.readouterr().err
    assert (workdir / "t.json.pkr.hcl").read_text() == "mine\n"
    assert hcl2_upgrade.run(["-force", "t.json"]) == 0
    assert "source.docker.docker" in (workdir / "t.json.pkr.hcl").read_text()


def test_output_file_in_a_new_directory(workdir):
    assert hcl2_upgrade.run(["-output-file=out/x.pkr.hcl", "t.json"]) == 0
    assert os.path.isfile(workdir / "out" / "x.pkr.hcl")


def test_invalid_template_writes_nothing(workdir, capsys):
    (workdir / "bad.json").write_text('{"builders": [{"image": "x"}]}')
    assert hcl2_upgrade.run(["bad.json"]) == 1
    assert capsys.readouterr().err == ("Failed to read bad.json; nothing was written. Errors are shown below.\n\n"
                                       "Error: bad.json:1:15: builders[0]: builder 1: missing 'type'\n")
    assert not os.path.exists(workdir / "bad.json.pkr.hcl")


def test_usage(workdir, capsys):
    assert hcl2_upgrade.run([]) == 1
    assert "Usage: cattle hcl2_upgrade" in capsys.readouterr().err
    assert main.main(["hcl2_upgrade", "-h"]) == 0
    assert "-output-file=path" in capsys.readouterr().out
