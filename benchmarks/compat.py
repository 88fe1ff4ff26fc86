#!/usr/bin/env python3
"""Differential run of the whole Docker corpus: Packer 1.6.6 against cattle.

For every template in tests/compat/docker/SOURCES.tsv: cattle's validate verdict against
Packer's (VERDICTS.tsv), then a build with each tool and a comparison (see
tests/compat/differential.py). Prints one row per template, the totals, and every
difference that `tests/compat/deliberate.py` does not explain.

    .venv/bin/python benchmarks/compat.py [--only NAME ...] [--json results.json] [--keep DIR]
    .venv/bin/python benchmarks/compat.py --record-verdicts   # re-run `packer validate` into VERDICTS.tsv
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)

from tests.compat import deliberate, differential  # noqa: E402


def record_verdicts(entries):
    rows = []
    for entry in entries:
        verdict, text = differential.packer_validate(entry)
        rows.append({"name": entry.name, "packer_validate": verdict, "packer_output": text})
        print(f"{entry.name}: {verdict}", flush=True)
    with open(differential.VERDICTS, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["name", "packer_validate", "packer_output"], delimiter="\t",
                                lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--only", nargs="*", help="corpus entry names")
    parser.add_argument("--json", help="write the full results here")
    parser.add_argument("--keep", help="keep each build's work directory under this directory")
    parser.add_argument("--record-verdicts", action="store_true")
    args = parser.parse_args()
    entries = differential.load_entries(args.only)
    if args.record_verdicts:
        record_verdicts(entries)
        return 0
    verdicts = differential.load_verdicts()
    rows, results = [], []
    for entry in entries:
        packer_v = verdicts.get(entry.name, {}).get("packer_validate", "?")
        ours_v, details = differential.cattle_validate(entry)
        print(f"… {entry.name}", file=sys.stderr, flush=True)
        comparison = differential.run_entry(entry, keep_dir=args.keep)
        aspects = sorted({d.aspect for d in comparison.differences if not d.detail.startswith("(Packer")})
        verdict = "yes" if not aspects else "no: " + ",".join(aspects)
        if aspects and entry.name in deliberate.VALIDATE_DIFFERENCES:
            verdict = "deliberate (validate)"
        elif aspects and ours_v == "error" and deliberate.NOT_IMPLEMENTED in details:
            verdict = "type not implemented"
        rows.append((entry.name, packer_v, ours_v, comparison.packer.exit_code, comparison.cattle.exit_code, verdict))
        results.append({
            "name": entry.name, "source": entry.source,
            "validate": {"packer": packer_v, "cattle": ours_v},
            "exit": {"packer": comparison.packer.exit_code, "cattle": comparison.cattle.exit_code},
            "differences": [{"aspect": d.aspect, "detail": d.detail} for d in comparison.differences],
            "packer_output": comparison.packer.raw[-4000:], "cattle_output": comparison.cattle.raw[-4000:],
        })
        print(f"  {rows[-1]}", file=sys.stderr, flush=True)
    header = ("template", "validate packer", "validate cattle", "build packer", "build cattle", "equivalent")
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    print(" | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("-|-".join("-" * w for w in widths))
    for row in rows:
        print(" | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))
    total = len(rows)
    agree = sum(1 for r in rows if r[1] == r[2])
    packer_ok = sum(1 for r in rows if r[3] == 0)
    cattle_ok = sum(1 for r in rows if r[4] == 0)
    same_exit = sum(1 for r in rows if r[3] == r[4])
    equivalent = sum(1 for r in rows if r[5] == "yes")
    unimplemented = sum(1 for r in rows if r[5] == "type not implemented")
    on_purpose = sum(1 for r in rows if r[5] == "deliberate (validate)")
    print()
    print(f"validate agreement: {agree}/{total} ({unimplemented} refused only for a type cattle does not implement, "
          f"{on_purpose} refused on purpose: tests/compat/deliberate.py)")
    print(f"builds succeeded: cattle {cattle_ok}/{total}, Packer {packer_ok}/{total}; same exit status {same_exit}/{total}")
    print(f"images equivalent (no unexplained difference at all): {equivalent}/{total}")
    print()
    for result in results:
        for diff in result["differences"]:
            print(f"{result['name']}: [{diff['aspect']}] {diff['detail']}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(results, handle, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
