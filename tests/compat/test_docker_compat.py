"""A fast subset of the Docker differential corpus, built with Packer 1.6.6 and with cattle.

The whole corpus runs with `benchmarks/compat.py`. These four cover the builder's commit and
export paths, file uploads (file and directory, owner fix-up), a failing provisioner, `changes`,
and the docker-import, docker-tag and manifest post-processors. Equivalence is modulo
tests/compat/deliberate.py only.
"""

from __future__ import annotations

import shutil

import pytest

from tests.compat import differential

pytestmark = [pytest.mark.docker, pytest.mark.slow]

SUBSET = [
    "ybodnar-consul-example",  # shell inline, export_path, docker-import
    "plugin-docker-upload-owner",  # discard, run_command -u 42, file + directory uploads
    "packer-docs-manifest",  # export_path, run_command --entrypoint, manifest
    "revg-containerimage",  # changes, a failing shell script, file, docker-tag
]


@pytest.fixture(scope="module")
def packer():
    if not shutil.which("packer"):
        pytest.fail("packer (1.6.6, Debian's package) is not on PATH: the differential tests need it")


@pytest.mark.parametrize("name", SUBSET)
def test_cattle_builds_what_packer_builds(packer, name):
    (entry,) = differential.load_entries([name])
    comparison = differential.run_entry(entry)
    problems = [f"[{d.aspect}] {d.detail}" for d in comparison.differences if not d.detail.startswith("(Packer")]
    assert not problems, f"{name} ({entry.source}):\n" + "\n".join(problems)
