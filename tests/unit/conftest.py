"""The unit tests' markers, registered here too: `ansible-test units` runs pytest with its own ini file
(and --strict-markers), so pyproject.toml's marker list does not reach it."""

from __future__ import annotations


def pytest_configure(config):
    config.addinivalue_line("markers", "docker: needs a running Docker daemon and the local base image")
    config.addinivalue_line("markers", "slow: takes more than a few seconds")


# ansible-test imports each test file as a package module (ansible_collections.cattle.images.tests...),
# so a test's own directory is not on sys.path as it is under plain pytest; a few tests import a
# helper that sits beside them (`from conftest import null_build`, `from packer_compare import ...`, `from fake_guest import ...`).
if __name__.startswith("ansible_collections."):
    import os
    import sys

    _HERE = os.path.dirname(os.path.abspath(__file__))
    for _helpers in ("plugins/module_utils/template/hcl2", "plugins/module_utils/template", "plugins/action"):
        sys.path.insert(0, os.path.join(_HERE, _helpers))
