"""The per-option doc fragments are generated from the schemas: every option has a description and the
checked-in fragments are what scripts/gen_option_docs.py writes today."""

from __future__ import annotations

import importlib.util
import os

import pytest
import yaml

from tests.conftest import REPO

_SPEC = importlib.util.spec_from_file_location("gen_option_docs", os.path.join(REPO, "scripts", "gen_option_docs.py"))
gen = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(gen)


@pytest.mark.parametrize("module", sorted(gen.MODULES))
def test_the_checked_in_fragment_is_current(module):
    with open(gen.fragment_path(module), encoding="utf-8") as handle:
        checked_in = handle.read()
    assert checked_in == gen.fragment(module), f"stale: run python scripts/gen_option_docs.py ({module})"


@pytest.mark.parametrize("module", sorted(gen.MODULES))
def test_the_module_extends_its_fragment(module):
    with open(os.path.join(REPO, "plugins", "modules", f"{module}.py"), encoding="utf-8") as handle:
        source = handle.read()
    assert f"  - cattle.images.options_{module}\n" in source


def test_every_option_of_every_type_has_a_description():
    for kind, types in gen.MODULES.values():
        gen.option_docs(kind, types)  # raises KeyError naming the undescribed options


def test_an_undescribed_option_fails_naming_it(monkeypatch):
    from ansible_collections.cattle.images.plugins.module_utils.template.schemas import builders
    monkeypatch.setitem(builders.BUILDERS["file"]["options"], "brand_new", "str")
    with pytest.raises(KeyError, match="builder file: brand_new"):
        gen.option_docs("builder", ("file",))


def test_a_fragment_documents_type_default_and_secrecy():
    doc = yaml.safe_load(gen.fragment("docker").split('r"""', 1)[1].rsplit('"""', 1)[0])
    options = doc["options"]["config"]["suboptions"]
    assert options["pull"] == {"description": ["Pull the base image before starting; false uses the local copy.",
                                               "Packer type: boolean. Default C(true)."], "type": "raw"}
    assert "Never shown in output or logs." in options["login_password"]["description"]
    assert "Only for virtualbox-iso." in gen.option_docs("builder", ("virtualbox-iso", "virtualbox-ovf"))["cpus"]["description"]
