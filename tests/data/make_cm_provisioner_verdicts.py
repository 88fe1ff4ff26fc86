"""Record Packer 1.6.6's verdict on each case of cm_provisioner_cases.json (run from the repo root):

    python tests/data/make_cm_provisioner_verdicts.py

Each case is a real provisioner block (a public template or Packer's documentation, its source
recorded) put into a template with a `null` builder, in a directory where the local files the case
names exist (`files`, `dirs`) — or not, for the cases about missing files. The verdict ("ok" or
"error") and Packer's first error line are written back into the JSON file;
tests/unit/test_cm_provisioner_verdicts.py checks that cattle's validate agrees.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, "cm_provisioner_cases.json")


def materialise(case, root):
    """Write the case's template and stub files under ``root``; the directory to validate from."""
    cwd = os.path.join(root, "work", "templates")
    os.makedirs(cwd)
    for path in case.get("dirs", []):
        os.makedirs(os.path.join(cwd, path), exist_ok=True)
    for path in case.get("files", []):
        full = os.path.join(cwd, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8") as handle:
            handle.write("# stub\n")
    template = {"variables": case.get("variables", {}), "builders": [{"type": "null", "communicator": "none"}],
                "provisioners": [case["provisioner"]]}
    with open(os.path.join(cwd, "template.json"), "w", encoding="utf-8") as handle:
        json.dump(template, handle, indent=2)
    return cwd


def packer_verdict(case):
    with tempfile.TemporaryDirectory(prefix="cm-verdict-") as root:
        cwd = materialise(case, root)
        completed = subprocess.run(["packer", "validate", "template.json"], cwd=cwd, capture_output=True, text=True,
                                   env=dict(os.environ, CHECKPOINT_DISABLE="1"), check=False)
    if completed.returncode == 0:
        return "ok", ""
    lines = [line.strip("* \t") for line in (completed.stdout + completed.stderr).splitlines()]
    detail = [line for line in lines if line and not line.startswith(("Error: Failed to prepare", "1 error", "Template"))]
    return "error", (detail[1] if len(detail) > 1 and detail[0].endswith("occurred:") else (detail or [""])[0])


def main():
    with open(CASES, encoding="utf-8") as handle:
        cases = json.load(handle)
    for case in cases:
        case["packer"], case["packer_says"] = packer_verdict(case)
        print(f"{case['packer']:5} {case['name']}: {case['packer_says']}", file=sys.stderr)
    with open(CASES, "w", encoding="utf-8") as handle:
        json.dump(cases, handle, indent=2)
        handle.write("\n")


if __name__ == "__main__":
    main()
