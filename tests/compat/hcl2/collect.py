"""Copies the corpus entries taken from hashicorp/packer out of its git mirror (re-runnable).

    python tests/compat/hcl2/collect.py

Each entry is a directory `corpus/<owner>__<repo>__<path with / as _>/` holding the template
file(s) byte for byte; a directory entry holds every file of that source directory that Packer
would read (`*.pkr.hcl`, `*.pkr.json`, `*.auto.pkrvars.hcl`) plus the local files the template
names. Entries from other repositories were copied by hand from the stored snapshot named in
SOURCES.tsv. This script rewrites only its own rows of SOURCES.tsv.
"""

from __future__ import annotations

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
MIRROR = os.environ.get("PACKER_MIRROR", "/work/.mirror/hashicorp+packer/repo")
REPO = "hashicorp/packer"
# (git ref, path: a file, or a directory whose Packer-read files are all taken, local files or directories it uses)
ENTRIES = [
    ("v1.6.6", "command/test-fixtures/build-only/template.pkr.hcl", []),
    ("v1.6.6", "command/test-fixtures/build-only/template.pkr.json", []),
    ("v1.6.6", "command/test-fixtures/build-name-and-type/all.pkr.hcl", []),
    ("v1.6.6", "command/test-fixtures/hcl-inspect-with-sensitive-vars/vars.pkr.hcl", []),
    ("v1.6.6", "command/test-fixtures/hcl-only-except/build.pkr.hcl", []),
    ("v1.6.6", "command/test-fixtures/hcl/inspect/aws-builds.pkr.hcl", []),
    ("v1.6.6", "command/test-fixtures/hcl/inspect/virtualbox-builds.pkr.hcl", []),
    ("v1.6.6", "command/test-fixtures/hcl/provisioner-override.pkr.hcl", []),
    ("v1.6.6", "command/test-fixtures/hcl/recipes", []),
    ("v1.6.6", "command/test-fixtures/hcl/reprepare/shell-local.pkr.hcl", ["command/test-fixtures/hcl/reprepare/hello.sh"]),
    ("v1.6.6", "command/test-fixtures/hcl/validation/map/definition.pkr.hcl", []),
    ("v1.6.6", "command/test-fixtures/hcl/variables/untyped_var", []),
    ("v1.6.6", "command/test-fixtures/validate-invalid/missing_build_block.pkr.hcl", []),
    ("v1.6.6", "command/test-fixtures/validate/build.pkr.hcl", []),
    ("v1.6.6", "command/test-fixtures/validate/invalid_packer_block.pkr.hcl", []),
    ("v1.6.6", "command/test-fixtures/validate/var_foo_with_no_default.pkr.hcl", []),
    ("v1.6.6", "command/test-fixtures/var-arg", []),
    ("v1.6.6", "command/test-fixtures/version_req/base_failure/version.pkr.hcl", []),
    ("v1.6.6", "examples/hcl/linux", ["examples/hcl/linux/etc/http"]),  # not etc/scripts: git symlinks, shebangs sanity rejects
    ("v1.6.6", "hcl2template/testdata/build/basic.pkr.hcl", []),
    ("v1.6.6", "hcl2template/testdata/build/named.pkr.hcl", []),
    ("v1.6.6", "hcl2template/testdata/build/post-processor_onlyexcept.pkr.hcl", []),
    ("v1.6.6", "hcl2template/testdata/build/provisioner_inexistent.pkr.hcl", []),
    ("v1.6.6", "hcl2template/testdata/build/provisioner_paused_before_retry.pkr.hcl", []),
    ("v1.6.6", "hcl2template/testdata/build/provisioner_timeout.pkr.hcl", []),
    ("v1.6.6", "hcl2template/testdata/communicator/basic.pkr.hcl", []),
    ("v1.6.6", "hcl2template/testdata/complete", []),
    ("v1.6.6", "hcl2template/testdata/sources/duplicate.pkr.hcl", []),
    ("v1.6.6", "hcl2template/testdata/unknown/block_type.pkr.hcl", []),
    ("v1.6.6", "hcl2template/testdata/variables/complicated", []),
    ("v1.6.6", "hcl2template/testdata/variables/recursive_locals.pkr.hcl", []),
    ("v1.6.6", "hcl2template/testdata/variables/unset_used_string_variable.pkr.hcl", []),
    ("v1.6.6", "hcl2template/testdata/variables/validation/invalid_default.pkr.hcl", []),
    ("v1.6.6", "hcl2template/testdata/variables/validation/valid.pkr.hcl", []),
    # Packer ≥1.7 features (dynamic blocks, data sources, duplicate locals), from the newest tag stored.
    ("v1.16.0", "command/test-fixtures/hcl/dynamic", []),
    ("v1.16.0", "command/test-fixtures/validate/circular_error.pkr.hcl", []),
    ("v1.16.0", "hcl2template/testdata/complete", []),
    ("v1.16.0", "hcl2template/testdata/datasources/basic.pkr.hcl", []),
    ("v1.16.0", "hcl2template/testdata/variables/duplicate_locals", []),
]
PACKER_READS = (".pkr.hcl", ".pkr.json", ".auto.pkrvars.hcl")


def git(*args) -> bytes:
    return subprocess.run(["git", "-C", MIRROR, *args], check=True, capture_output=True).stdout


def entry_name(ref: str, path: str) -> str:
    suffix = "" if ref == "v1.6.6" else "@" + ref
    return "hashicorp__packer__" + path.replace("/", "_") + suffix


def main() -> int:
    rows = []
    for ref, path, extras in ENTRIES:
        commit = git("rev-parse", ref + "^{commit}").decode().strip()
        listing = git("ls-tree", "-r", "--name-only", ref, "--", path).decode().split()
        files = [f for f in listing if f == path or (os.path.dirname(f) == path and f.endswith(PACKER_READS))]
        if not files:
            sys.exit(f"{ref}:{path} not found")
        name = entry_name(ref, path)
        target = os.path.join(HERE, "corpus", name)
        base = path if len(files) > 1 or files[0] != path else os.path.dirname(path)
        extras = [f for extra in extras for f in git("ls-tree", "-r", "--name-only", ref, "--", extra).decode().split()]
        for source in files + extras:
            dest = os.path.join(target, os.path.relpath(source, base))
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            with open(dest, "wb") as handle:
                handle.write(git("show", f"{commit}:{source}"))
        url = f"https://github.com/{REPO}/{'tree' if files[0] != path else 'blob'}/{commit}/{path}"
        rows.append("\t".join([name, REPO, path, commit, url]))
    sources = os.path.join(HERE, "SOURCES.tsv")
    kept = []
    if os.path.exists(sources):
        with open(sources) as handle:
            kept = [line for line in handle.read().splitlines()[1:] if not line.startswith("hashicorp__packer__")]
    with open(sources, "w") as handle:
        handle.write("\n".join(["name\trepo\tpath\tcommit\turl"] + sorted(rows + kept)) + "\n")
    print(f"{len(rows)} entries from {REPO}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
