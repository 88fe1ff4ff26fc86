"""cattle validate agrees with Packer 1.6.6 on real config-management provisioner blocks.

The cases (tests/data/cm_provisioner_cases.json) are Packer's documentation examples and blocks
from public templates, each with its source; Packer's verdicts were recorded by
tests/data/make_cm_provisioner_verdicts.py, which builds the same directory as this test does.
"""

from __future__ import annotations

import json
import os
import sys

import pytest

from ansible_collections.cattle.images.plugins.module_utils.template import TemplateErrors, load_template

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "data"))
from make_cm_provisioner_verdicts import CASES, materialise  # noqa: E402

with open(CASES, encoding="utf-8") as _handle:
    ALL_CASES = json.load(_handle)


def test_every_implemented_provisioner_has_docs_and_three_public_templates():
    for kind in ("ansible-local", "puppet-masterless", "chef-solo", "salt-masterless"):
        cases = [c for c in ALL_CASES if c["provisioner"]["type"] == kind]
        assert any("website/pages/docs" in c["source"] for c in cases), kind
        public = {c["source"] for c in cases if "website/pages/docs" not in c["source"]}
        assert len(public) >= 3, kind


def _words_of(key):
    """How Packer's messages name an option: as is, in words, in the singular (`cookbook_paths` → "cookbook path")."""
    return {key, key.replace("_", " "), key.rstrip("s").replace("_", " ")}


@pytest.mark.parametrize("case", ALL_CASES, ids=[c["name"] for c in ALL_CASES])
def test_verdict_matches_packer(case, tmp_path):
    cwd = materialise(case, str(tmp_path))
    try:
        template = load_template(os.path.join(cwd, "template.json"), cwd=cwd)
        errors = [d for d in template.validate() if d.severity == "error"]
    except TemplateErrors as exc:
        errors = list(exc.diagnostics)
    verdict = "error" if errors else "ok"
    assert verdict == case["packer"], (case["packer_says"], [d.message for d in errors])
    if errors:
        # Our error is about the option Packer complained about.
        said = case["packer_says"].lower()
        named = [key for key in case["provisioner"] if any(w in said for w in _words_of(key))] or ["type"]
        text = " ".join(f"{d.path} {d.message}" for d in errors)
        assert any(key in text for key in named), (case["packer_says"], text)
