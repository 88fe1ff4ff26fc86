"""`cattle inspect`: Packer's sections, machine-readable lines, sensitive defaults."""

from __future__ import annotations

import json

import pytest

from cattle_cli.commands import inspect

TEMPLATE = {
    "description": "A test",
    "variables": {"region": "us-east-1", "token": "t0ken", "name": None},
    "sensitive-variables": ["token"],
    "builders": [{"type": "docker", "name": "web", "image": "x", "commit": True}, {"type": "null"}],
    "provisioners": [{"type": "shell", "inline": ["echo"]}, {"type": "file", "source": "a", "destination": "b"}],
    "post-processors": [[{"type": "docker-tag", "repository": "r"}, "docker-push"], "manifest"],
}


@pytest.fixture
def template(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "t.json").write_text(json.dumps(TEMPLATE))
    return "t.json"


def test_human_output(template, capsys):
    assert inspect.run([template]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Packer Inspect: JSON mode\nDescription:\n\nA test\n\n")
    assert "Required variables:\n\n  name\n\n" in out
    assert "Optional variables and their defaults:\n\n  region = us-east-1\n  token  = <sensitive>\n\n" in out
    assert "t0ken" not in out
    assert "Builders:\n\n  null\n  web  (docker)\n\n" in out
    assert "Provisioners:\n\n  shell\n  file\n\n" in out
    assert "Post-processors:\n\n  docker-tag -> docker-push\n  manifest\n\n" in out


def test_machine_readable(template, capsys):
    assert inspect.run(["-machine-readable", template]) == 0
    rows = [line.split(",", 2)[2] for line in capsys.readouterr().out.splitlines()]
    assert "template-variable,name,,1" in rows
    assert "template-variable,region,us-east-1,0" in rows
    assert "template-variable,token,<sensitive>,0" in rows
    assert "template-builder,web,docker" in rows and "template-builder,null,null" in rows
    assert rows.count("template-provisioner,shell") == 1


def test_no_variables_and_errors(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "e.json").write_text('{"builders": []}')
    assert inspect.run(["e.json"]) == 0
    out = capsys.readouterr().out
    assert "Variables:\n\n  <No variables>" in out and "<No builders>" in out and "<No provisioners>" in out
    (tmp_path / "bad.json").write_text('{"hello": 1}')
    assert inspect.run(["bad.json"]) == 1
    assert "bad.json:1:2: hello: Unknown root level key in template: 'hello'" in capsys.readouterr().err
    assert inspect.run([]) == 1
