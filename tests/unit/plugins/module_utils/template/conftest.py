"""Helpers for the template-language tests: write a template and load it."""

from __future__ import annotations

import json
import os

import pytest

from ansible_collections.cattle.images.plugins.module_utils.template import load_template

EXPERIMENTS = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), *[".."] * 5, "..", "shared", "reference", "experiments"
)


@pytest.fixture
def write(tmp_path):
    """write(obj_or_text, name="t.json") -> path of the written file."""

    def _write(content, name="t.json"):
        path = tmp_path / name
        path.write_text(content if isinstance(content, str) else json.dumps(content, indent=2))
        return str(path)

    return _write


@pytest.fixture
def load(write, tmp_path):
    """load(template, **kwargs) -> Template, with the cwd set to the template's directory."""

    def _load(content, name="t.json", **kwargs):
        kwargs.setdefault("cwd", str(tmp_path))
        return load_template(write(content, name), **kwargs)

    return _load


@pytest.fixture
def experiments():
    path = os.path.normpath(EXPERIMENTS)
    if not os.path.isdir(path):
        pytest.skip(f"the Packer experiments are not at {path}")
    return path


def null_build(**extra):
    return {"type": "null", "communicator": "none", **extra}
