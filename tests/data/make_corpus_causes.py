"""Writes corpus_causes.tsv: for each template and check Packer 1.6.6 failed, the cause it named.

Reads Packer's full outputs in `shared/corpus/packer-json/_outputs/`. The cause is the first error
Packer reports for a build whose builder type cattle implements, reduced to key words (the field
or path and the words of the message that name the problem); a failure whose every error comes
from a build of a type cattle does not implement is recorded as `unimplemented` with that type.
Run it from the repository root with the venv's python, then review the file by hand:

    .venv/bin/python tests/data/make_corpus_causes.py
"""

from __future__ import annotations

import csv
import os
import re
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(os.path.dirname(REPO), "shared", "corpus", "packer-json")
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus_causes.tsv")
CHECKS = {"syntax": "syntax_only_verdict", "validate": "full_validate_verdict",
          "validate-args": "full_validate_with_args_verdict"}
_PREPARE = re.compile(r'^Failed to prepare build: "(.*)"$')
_INITIALIZE = re.compile(r'^Failed to initialize build "(.*?)"')
_MISSING_FILE = re.compile(r"^(Bad [\w ]+?|playbook_file:) '?([^' ]+)'?:? (?:is invalid: )?stat ")
_CORPUS_PREFIX = re.compile(r"^(\.\./shared/corpus/packer-json/|\./)+")


def blocks(text: str):
    """[(build name or None, [error messages])] from one `packer validate` output."""
    raw = []
    for line in text.splitlines()[2:]:  # the command and its rc
        if line.startswith("Error: ") or line.startswith("Failed to parse template"):
            raw.append([line.removeprefix("Error: "), []])
        elif raw:
            raw[-1][1].append(line)
    result = []
    for header, body in raw:
        items, text_lines = [], []
        for line in body:
            stripped = line.strip()
            if stripped.startswith("* "):
                items.append(stripped[2:])
            elif items and stripped:
                items[-1] += " " + stripped
            elif stripped and not re.match(r"^(\d+|<sensitive>) error(\(s\))? (occurred|decoding):$", stripped):
                text_lines.append(stripped)
        prepare = _PREPARE.match(header)
        init = _INITIALIZE.match(header)
        if prepare:
            messages = items or [" ".join(text_lines)]
        elif items:
            messages = items
        else:
            messages = [" ".join([header.strip()] + text_lines)]
        result.append(((prepare or init).group(1) if (prepare or init) else None, messages))
    return result


def key_words(message: str) -> list[str]:
    """The words of a Packer error our own error must contain to name the same cause."""
    missing = _MISSING_FILE.match(message)
    if missing:
        return [_CORPUS_PREFIX.sub("", missing.group(2)), "no such file or directory"]
    message = re.sub(r"^Failed to initialize build \".*?\":? error initializing \w+ '.*?': ", "", message.strip())
    message = re.sub(r"^Failed to parse template: ", "", message)
    for cut in (" At line", ". Please call", " in: ", "; error: "):
        message = message.split(cut)[0]
    message = message.replace("Error: variable not set", "variable not set")
    message = re.sub(r"template: root:\d+:\d+:: ", "", message)
    return [message.rstrip(".")]


def build_types(file: str) -> dict:
    sys.path.insert(0, REPO)
    from ansible_collections.cattle.images.plugins.module_utils.template import TemplateErrors, load_template

    try:
        template = load_template(file, cwd=CORPUS)
    except TemplateErrors:
        return {}
    types = {}
    for builder, name in template.build_names():
        types[name] = builder["type"]
        types[builder["raw_name"]] = builder["type"]
    return types


def lacking(builder_type: str) -> bool:
    """A type Packer 1.6.6 has and cattle does not implement."""
    from ansible_collections.cattle.images.plugins.module_utils.template.schemas.builders import BUILDERS
    from ansible_collections.cattle.images.plugins.module_utils.template.schemas.packer_types import PACKER_BUILDERS

    schema = BUILDERS.get(builder_type)
    return builder_type in PACKER_BUILDERS and (schema is None or not schema.get("implemented", True))


def main() -> None:
    with open(os.path.join(CORPUS, "VERDICTS.tsv"), encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    lines = [("file", "check", "kind", "cause")]
    for row in rows:
        for check, column in CHECKS.items():
            if check == "validate-args" and row["validate_args_used"] in ("", "-"):
                continue
            if row[column].startswith("ok") or row[column].startswith("(same"):
                continue
            stem = row["file"][: -len(".json")]
            with open(os.path.join(CORPUS, "_outputs", f"{stem}.{check}.txt"), encoding="utf-8") as handle:
                found = blocks(handle.read())
            types = build_types(row["file"])
            chosen = None
            lacking_types = []
            for build, messages in found:
                btype = types.get(build) if build is not None else None
                if btype is not None and lacking(btype):
                    lacking_types.append(btype)
                    continue
                chosen = messages[0]
                break
            if chosen is None:
                lines.append((row["file"], check, "unimplemented", " | ".join(dict.fromkeys(lacking_types))))
            else:
                lines.append((row["file"], check, "cause", " | ".join(key_words(chosen))))
    with open(OUT, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter="\t", lineterminator="\n").writerows(lines)


if __name__ == "__main__":
    main()
