"""Reruns Packer 1.6.6 on every corpus entry and rewrites VERDICTS.tsv.

    python tests/compat/hcl2/record.py [--packer /usr/bin/packer]

Each entry is validated in a scratch copy of its directory (Packer may leave `crash.log` or
`packer_cache/` behind), once with `-syntax-only` and once fully, with no variables given and
no `PKR_VAR_*` in the environment. The target is the entry's only template file, or the
directory when the entry holds several files. A verdict is the exit status and the first line
of the first error Packer prints (scratch paths replaced by `.`).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")
TEMPLATE_SUFFIXES = (".pkr.hcl", ".pkr.json")
# Entries that use what Packer 1.6.6 does not have: the feature, and the verdict that current
# Packer's documentation implies (0 = valid; otherwise the error it documents).
NEEDS_LATER = {
    "hashicorp__packer__command_test-fixtures_hcl_dynamic@v1.16.0": ("≥1.7: dynamic source/provisioner blocks", "0"),
    "hashicorp__packer__command_test-fixtures_validate_circular_error.pkr.hcl@v1.16.0":
        ("≥1.7: locals referring to each other", "1: circular reference between locals"),
    "hashicorp__packer__hcl2template_testdata_complete@v1.16.0": ("≥1.7: data sources, dynamic blocks", "1: unknown data source type (plugin not installed)"),
    "hashicorp__packer__hcl2template_testdata_datasources_basic.pkr.hcl@v1.16.0":
        ("≥1.7: data blocks", "1: unknown data source types (plugins not installed)"),
    "hashicorp__packer__hcl2template_testdata_variables_duplicate_locals@v1.16.0":
        ("≥1.7: duplicate local detection across files", "1: Duplicate local definition"),
    "code-fabrik__hashipack__spec_docker.pkr.hcl": ("≥1.7: packer { required_plugins }", "0 once `packer init` installed the docker plugin"),
    "discite__alpineless-base__docker-ansible-base.pkr.hcl":
        ("≥1.7: packer { required_plugins }", "1: Unset variable \"alpine-base-image\""),
    "loeweps__jenkins-packer-pipeline__docker-ubuntu.pkr.hcl": ("≥1.7: packer { required_plugins }", "0 once `packer init` installed the docker plugin"),
    "mukulgavri__infra_pipeline__docker_container.pkr.hcl": ("≥1.7: packer { required_plugins }", "0 once `packer init` installed the docker plugin"),
    "mansong1__Packer__packer_sources.pkr.hcl":
        ("≥1.7: packer { required_plugins }", "0 once `packer init` installed the amazon plugin (no build uses the source)"),
    "alexp-computematrix__packer-virtualbox-builds__builder_builder.pkr.hcl":
        ("≥1.7: packer { required_plugins }", "0 once `packer init` installed the virtualbox plugin (no build uses the source)"),
    "sestegra__packer-examples-for-vsphere__tests_storage_test.pkr.hcl":
        ("≥1.7: templatefile", "1: Reference to undeclared input variable \"vm_disk_partitions\" (and the others)"),
}


def target_of(entry_dir: str) -> str:
    templates = [f for f in os.listdir(entry_dir) if f.endswith(TEMPLATE_SUFFIXES) or f.endswith(".auto.pkrvars.hcl")]
    if len(templates) == 1 and templates[0].endswith(TEMPLATE_SUFFIXES):
        return templates[0]
    return "."


def first_error(output: str, scratch: str) -> str:
    """`Error: <summary> [at <file> line N]: <detail>` for the first error Packer prints."""
    lines = [line.strip() for line in output.replace(scratch + "/", "").replace(scratch, ".").splitlines() if line.strip()]
    starts = [i for i, line in enumerate(lines) if line.startswith("Error:") or line.startswith("Failed to")]
    if not starts:
        return lines[0] if lines else ""
    first = starts[0]
    block = lines[first + 1:starts[1] if len(starts) > 1 else len(lines)]
    block = [line for line in block if line != "(source code not available)" and not line.startswith("Template validation failed")]
    where = next((line[3:].rstrip(":") for line in block if line.startswith("on ")), "")
    # the quoted source line ("2: required_plugins {") is not the explanation
    detail = " ".join(line for line in block if not line.startswith("on ") and not re.match(r"^\d+: ", line))
    detail = re.sub(r"0x[0-9a-f]+", "0x…", detail)  # Go pointers differ per run, and so does map order:
    detail = re.sub(r"\[([^]]*)\]", lambda m: "[" + " ".join(sorted(m.group(1).split())) + "]", detail)
    where = "" if where.strip() == "line 0" else where
    return lines[first] + (f" [{where}]" if where else "") + (f": {detail}" if detail else "")


def run(packer: str, entry: str, args: list) -> tuple[int, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PKR_VAR_")}
    env["CHECKPOINT_DISABLE"] = "1"
    with tempfile.TemporaryDirectory(prefix="hcl2-corpus-") as scratch:
        work = os.path.join(scratch, "entry")
        shutil.copytree(os.path.join(CORPUS, entry), work)
        target = target_of(work)
        try:
            done = subprocess.run([packer, "validate", *args, target], cwd=work, env=env, capture_output=True,
                                  text=True, timeout=300, check=False)
        except subprocess.TimeoutExpired:
            return -1, "timed out after 300 s"
        text = done.stdout + "\n" + done.stderr
        if "PACKER CRASH" in text:
            return done.returncode, "Packer crashed: " + first_error(text, work)
        return done.returncode, "" if done.returncode == 0 else first_error(text, work)


def clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()[:300]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packer", default=shutil.which("packer") or "/usr/bin/packer")
    options = parser.parse_args(argv)
    version = subprocess.run([options.packer, "version"], capture_output=True, text=True, check=False,
                             env=dict(os.environ, CHECKPOINT_DISABLE="1")).stdout.strip()
    if not version.startswith("Packer v1.6.6"):
        sys.exit(f"the verdicts are Packer 1.6.6's; {options.packer} is {version!r}")
    rows = ["name\ttarget\tsyntax_exit\tsyntax_error\tvalidate_exit\tvalidate_error\tneeds\tcurrent_packer_verdict"]
    for entry in sorted(os.listdir(CORPUS)):
        syntax = run(options.packer, entry, ["-syntax-only"])
        full = run(options.packer, entry, [])
        needs, later = NEEDS_LATER.get(entry, ("", ""))
        rows.append("\t".join([entry, target_of(os.path.join(CORPUS, entry)), str(syntax[0]), clean(syntax[1]),
                               str(full[0]), clean(full[1]), needs, later]))
        print(f"{entry}: syntax {syntax[0]}, validate {full[0]} {clean(full[1])[:100]}")
    with open(os.path.join(HERE, "VERDICTS.tsv"), "w") as handle:
        handle.write("\n".join(rows) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
