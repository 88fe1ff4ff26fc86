"""Build each Docker corpus template twice with cattle — as written (JSON) and after `cattle hcl2_upgrade` — and compare.

    .venv/bin/python -m tests.compat.hcl2.roundtrip_builds [NAME ...]

The comparison is the differential harness's (tests/compat/differential.py: exit status, step
lines, errors, artifacts, manifest, image config and filesystem, files written, leaks), with the
JSON build in the place of Packer's. What HCL2 names differently on purpose is set aside: a build
called ``NAME`` in JSON is ``docker.NAME`` in HCL2 (its ui prefix and manifest entry); cattle's own image labels (build id and
name) differ between any two builds. Too slow for the suite (two builds per entry); its last result is in
README.md beside this file.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
import sys
import tempfile

from tests.compat import deliberate, differential

CATTLE = os.path.join(differential.REPO, ".venv", "bin", "cattle")


@dataclasses.dataclass
class UpgradedEntry(differential.Entry):
    """The same entry, read from a copy whose template is the upgraded HCL2 file."""

    copy: str = ""

    @property
    def directory(self):
        return self.copy


def upgrade(entry, root):
    """A copy of the entry with its template upgraded; None (and why) when the upgrade fails."""
    copy = os.path.join(root, "hcl2-source")
    shutil.copytree(entry.directory, copy, symlinks=True)
    template = os.path.join(copy, entry.template)
    result = subprocess.run([CATTLE, "hcl2_upgrade", template], capture_output=True, text=True, check=False,
                            cwd=os.path.join(copy, entry.cwd))
    if result.returncode != 0:
        return None, (result.stdout + result.stderr).strip()
    upgraded = dataclasses.replace(entry, template=entry.template + ".pkr.hcl")
    return UpgradedEntry(**dataclasses.asdict(upgraded), copy=copy), ""


def same_names(run):
    """HCL2's ``docker.NAME`` builds read as JSON's ``NAME``."""
    def plain(text):
        return re.sub(r"\bdocker\.([A-Za-z0-9_-]+)", r"\1", text)

    run.lines = [(plain(target), kind, [plain(f) for f in fields]) for target, kind, fields in run.lines]
    run.raw = plain(run.raw)
    if run.manifest:
        for build in run.manifest.get("builds", []):
            build["name"] = plain(build.get("name", ""))
    for image in run.images:
        # cattle's own labels (the build's id and name) differ between any two builds; the harness sets
        # them aside only on its "cattle" side, and here both sides are cattle's.
        labels = (image.config or {}).get("Labels") or {}
        for key in deliberate.ADDED_LABELS:
            labels.pop(key, None)
    return run


def compare_entry(entry):
    root = tempfile.mkdtemp(prefix=f"hcl2-roundtrip-{entry.name}-")
    try:
        upgraded, why = upgrade(entry, root)
        if upgraded is None:
            return "", [f"upgrade failed: {why}"]
        from_json = differential.run_tool("cattle", entry, os.path.join(root, "json"))
        from_hcl2 = same_names(differential.run_tool("cattle", upgraded, os.path.join(root, "hcl2")))
        comparison = differential.compare(entry, same_names(from_json), from_hcl2)
        summary = (f"exit {from_json.exit_code}/{from_hcl2.exit_code}, images {len(from_json.images)}/"
                   f"{len(from_hcl2.images)}, files {len(from_json.output_files)}/{len(from_hcl2.output_files)}")
        return summary, [f"[{d.aspect}] {d.detail}" for d in comparison.differences]
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main(names):
    entries = differential.load_entries(names or None)
    failures = 0
    for entry in entries:
        summary, problems = compare_entry(entry)
        failures += bool(problems)
        print(f"{'same' if not problems else 'DIFFERENT':9} {entry.name} (JSON/HCL2: {summary})", flush=True)
        for problem in problems:
            print(f"          {problem}", flush=True)
    print(f"{len(entries) - failures} of {len(entries)} build the same image from JSON and from HCL2")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
