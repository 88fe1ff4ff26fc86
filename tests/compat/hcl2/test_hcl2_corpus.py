"""The HCL2 corpus: complete and recorded; `cattle validate` gives Packer's verdict on each entry."""

from __future__ import annotations

import csv
import os
import pkgutil
import re

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")
TEMPLATE_SUFFIXES = (".pkr.hcl", ".pkr.json")
ENTRIES = sorted(os.listdir(CORPUS))

try:
    from ansible_collections.cattle.images.plugins.module_utils.template import hcl2 as hcl2_reader

    # Before the reader is merged the package holds an empty __init__.py and upgrade.py only.
    READER = any(not name.startswith("_") and name != "upgrade" for name in vars(hcl2_reader)) or any(
        module.name != "upgrade" for module in pkgutil.iter_modules(hcl2_reader.__path__))
except ImportError:
    READER = False


def table(name: str) -> dict:
    with open(os.path.join(HERE, name), newline="") as handle:
        return {row["name"]: row for row in csv.DictReader(handle, delimiter="\t")}


def expected_exit(verdict: dict) -> int:
    """Packer 1.6.6's exit status, or current Packer's documented one where 1.6.6 lacks the feature."""
    if verdict["needs"]:
        return int(re.match(r"\d+", verdict["current_packer_verdict"]).group())
    return int(verdict["validate_exit"])


def test_corpus_is_complete():
    sources, verdicts = table("SOURCES.tsv"), table("VERDICTS.tsv")
    assert len(ENTRIES) >= 30
    assert set(sources) == set(ENTRIES), "every entry has a source and every source an entry"
    others = [name for name in ENTRIES if sources[name]["repo"] != "hashicorp/packer"]
    assert len(others) >= 30, "at least 30 real templates from repositories other than Packer's own"
    assert set(verdicts) == set(ENTRIES), "every entry has a verdict: rerun record.py"
    for name in ENTRIES:
        files = [f for f in os.listdir(os.path.join(CORPUS, name)) if f.endswith(TEMPLATE_SUFFIXES)]
        assert files, f"{name} holds no template"
        assert re.fullmatch(r"[0-9a-f]{40}", sources[name]["commit"].split()[0].split("@")[-1]), name
        assert sources[name]["url"].startswith("https://github.com/" + sources[name]["repo"] + "/"), name
        verdict = verdicts[name]
        assert verdict["syntax_exit"] in ("0", "1") and verdict["validate_exit"] in ("0", "1"), name
        assert (verdict["validate_exit"] == "0") == (verdict["validate_error"] == ""), name
        assert bool(verdict["needs"]) == bool(verdict["current_packer_verdict"]), name


def test_corpus_mixes_builders_and_verdicts():
    types = set()
    for name in ENTRIES:
        for root, _dirs, files in os.walk(os.path.join(CORPUS, name)):
            for file in files:
                if file.endswith(".pkr.hcl"):
                    with open(os.path.join(root, file), encoding="utf-8") as handle:
                        types.update(re.findall(r'^\s*source\s+"([^"]+)"', handle.read(), re.M))
    assert {"docker", "qemu", "amazon-ebs", "virtualbox-iso", "null", "file"} <= types
    exits = {row["validate_exit"] for row in table("VERDICTS.tsv").values()}
    assert exits == {"0", "1"}


@pytest.mark.xfail(not READER, reason="HCL2 reader not merged", strict=True)
@pytest.mark.parametrize("name", ENTRIES)
def test_cattle_validate_agrees_with_packer(name, monkeypatch, capsys):
    from cattle_cli.commands import validate

    assert READER, "HCL2 reader not merged"

    verdict = table("VERDICTS.tsv")[name]
    for variable in [k for k in os.environ if k.startswith("PKR_VAR_")]:
        monkeypatch.delenv(variable)
    monkeypatch.chdir(os.path.join(CORPUS, name))
    status = validate.run([verdict["target"]])
    output = capsys.readouterr()
    said = f"Packer: {verdict['validate_error'] or 'valid'}\ncattle: {output.out}{output.err}"
    assert status == expected_exit(verdict), said
    where = re.search(r"\[([^\]\s]+) line (\d+)", verdict["validate_error"])
    if where and not verdict["needs"]:  # cattle reports every error: Packer's first is among them, at its place
        assert f"{where.group(1)}:{where.group(2)}:" in output.out + output.err, said
