"""Our validator against Packer 1.6.6's own verdicts on 87 real templates.

`shared/corpus/packer-json/VERDICTS.tsv` records what `packer validate -syntax-only`,
`packer validate` and `packer validate <args>` said for each template, run from the corpus
directory. We run the same checks (same cwd, same arguments) and expect the same ok/error
verdict, except for the differences listed in KNOWN_DIFFERENCES, each with its reason.

An error must also be the same error: `tests/data/corpus_causes.tsv` (written by
`tests/data/make_corpus_causes.py` from Packer's full outputs) records the cause Packer named
for each failure, as key words our diagnostics must contain. A failure whose every Packer error
comes from a builder type cattle does not implement is recorded as `unimplemented`: there our
error must be that the type is not implemented, and such templates are counted apart.
"""

from __future__ import annotations

import csv
import os
import shlex

import pytest

from ansible_collections.cattle.images.plugins.module_utils.template import TemplateErrors, load_template

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(os.path.dirname(REPO), "shared", "corpus", "packer-json")
VERDICTS = os.path.join(CORPUS, "VERDICTS.tsv")
CAUSES = os.path.join(REPO, "tests", "data", "corpus_causes.tsv")

# (file, check) -> reason; check is "syntax", "validate" or "validate-args".
KNOWN_DIFFERENCES: dict[tuple[str, str], str] = {
    ("packer-docs__website_content_docs_builders_qemu.mdx_L31.json", "validate"): (
        "validate asks cattle's own qemu builder, which refuses a missing http_directory; Packer 1.6.6 "
        "would serve the missing directory as empty"
    ),
}


def _rows():
    if not os.path.exists(VERDICTS):
        return []
    with open(VERDICTS, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


ROWS = _rows()


def _causes():
    with open(CAUSES, encoding="utf-8", newline="") as handle:
        return {(row["file"], row["check"]): (row["kind"], row["cause"].split(" | "))
                for row in csv.DictReader(handle, delimiter="\t")}


CAUSE_ROWS = _causes()
pytestmark = pytest.mark.skipif(not ROWS, reason=f"the Packer corpus is not at {CORPUS}")


def _verdict(text: str) -> str:
    return "ok" if text.startswith("ok") else "error"


def _split_args(args: str):
    variables, var_files = {}, []
    words = shlex.split(args)
    while words:
        word = words.pop(0)
        name, _equals, value = word.lstrip("-").partition("=")
        if not value:
            value = words.pop(0)
        if name == "var":
            key, _equals, val = value.partition("=")
            variables[key] = val
        elif name == "var-file":
            var_files.append(value)
    return variables, var_files


def _ours(file: str, check: str, args: str = "-") -> tuple[str, str]:
    variables, var_files = _split_args(args) if args not in ("", "-") else ({}, [])
    try:
        template = load_template(file, variables=variables, var_files=var_files, cwd=CORPUS)
    except TemplateErrors as exc:
        return "error", str(exc)
    if check == "syntax":
        return "ok", ""
    problems = [d for d in template.validate() if d.severity == "error"]
    return ("error", "\n".join(map(str, problems))) if problems else ("ok", "")


def _names_cause(details: str, kind: str, words: list[str]) -> bool:
    if kind == "unimplemented":
        return all(f"builder type '{t}' is built into Packer 1.6.6 but not implemented in cattle" in details
                   for t in words)
    return all(word.lower() in details.lower() for word in words)


def _cases():
    for row in ROWS:
        file = row["file"]
        yield pytest.param(file, "syntax", "-", row["syntax_only_verdict"], id=f"{file}-syntax")
        yield pytest.param(file, "validate", "-", row["full_validate_verdict"], id=f"{file}-validate")
        args = row["validate_args_used"]
        if args not in ("", "-"):
            yield pytest.param(file, "validate-args", args, row["full_validate_with_args_verdict"],
                               id=f"{file}-validate-args")


@pytest.fixture(autouse=True)
def _in_corpus(monkeypatch):
    # Packer's verdicts were produced with the corpus directory as the working directory.
    monkeypatch.chdir(CORPUS)


@pytest.mark.parametrize(("file", "check", "args", "packer"), list(_cases()))
def test_same_verdict_as_packer(file, check, args, packer):
    ours, details = _ours(file, check, args)
    expected = _verdict(packer)
    if (file, check) in KNOWN_DIFFERENCES:
        assert ours != expected, f"{file} now agrees with Packer; drop it from KNOWN_DIFFERENCES"
        return
    assert ours == expected, f"Packer said: {packer}\nwe said: {ours}\n{details}"
    if expected == "error" and (file, check) not in KNOWN_CAUSE_DIFFERENCES:
        kind, words = CAUSE_ROWS[(file, check)]
        assert _names_cause(details, kind, words), f"Packer's cause ({kind}): {words}\nwe said:\n{details}"


def test_every_packer_failure_has_its_cause_recorded():
    failures = {(file, check) for file, check, _args, packer in (c.values for c in _cases())
                if _verdict(packer) == "error"}
    assert failures == set(CAUSE_ROWS)
    assert set(KNOWN_CAUSE_DIFFERENCES) <= failures


def test_agreement_by_cause(capsys):
    """How many of Packer's failures we report for the same cause (printed; run with -s to see)."""
    same = unimplemented = differ = 0
    for file, check, args, packer in (c.values for c in _cases()):
        if _verdict(packer) != "error" or (file, check) in KNOWN_DIFFERENCES:
            continue
        ours, details = _ours(file, check, args)
        kind, words = CAUSE_ROWS[(file, check)]
        if ours != "error" or not _names_cause(details, kind, words):
            differ += 1
        elif kind == "unimplemented":
            unimplemented += 1
        else:
            same += 1
    with capsys.disabled():
        print(f"\ncorpus failures: {same} agree with Packer by cause, {unimplemented} fail only for a builder type "
              f"cattle does not implement, {differ} name a different cause")
    assert differ == len(KNOWN_CAUSE_DIFFERENCES)


# (file, check) -> why our error names a different cause than Packer's first one.
KNOWN_CAUSE_DIFFERENCES: dict[tuple[str, str], str] = {}


def test_known_differences_name_real_files():
    files = {row["file"] for row in ROWS}
    for file, check in KNOWN_DIFFERENCES:
        assert file in files and check in ("syntax", "validate", "validate-args")
