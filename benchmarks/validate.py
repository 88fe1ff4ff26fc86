#!/usr/bin/env python3
"""Time `cattle validate` against `packer validate` on the Packer corpus templates.

Each template is validated by both tools, alternating (cattle, packer, cattle, …) so that
machine noise hits both alike, RUNS times each, from the corpus directory (where Packer's
verdicts were produced). Prints per-template medians and the median of packer/cattle ratios.

    .venv/bin/python benchmarks/validate.py [--runs 5] [--limit N] [--cattle PATH] [--packer PATH]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(os.path.dirname(REPO), "shared", "corpus", "packer-json")


def timed(command: list[str], env: dict) -> tuple[float, int]:
    start = time.perf_counter()
    result = subprocess.run(command, cwd=CORPUS, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start, result.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--limit", type=int, default=0, help="only the first N templates")
    parser.add_argument("--cattle", default=os.path.join(REPO, ".venv", "bin", "cattle"))
    parser.add_argument("--packer", default="/usr/bin/packer")
    parser.add_argument("--no-bytecode", action="store_true", help="measure cattle without cached bytecode")
    args = parser.parse_args()
    if not os.path.isdir(CORPUS):
        sys.exit(f"no corpus at {CORPUS}")
    for tool in (args.cattle, args.packer):
        if not os.access(tool, os.X_OK):
            sys.exit(f"{tool} is not executable")
    env = dict(os.environ, CHECKPOINT_DISABLE="1")
    if not args.no_bytecode:
        # An installed cattle has compiled bytecode (pip compiles on install); keep ours outside the tree.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = os.path.join(tempfile.gettempdir(), "cattle-bench-pycache")
    # Packer's ansible provisioner runs `ansible-playbook --version` while validating.
    env["PATH"] = os.path.dirname(args.cattle) + os.pathsep + env.get("PATH", "")
    templates = sorted(f for f in os.listdir(CORPUS) if f.endswith(".json"))
    if args.limit:
        templates = templates[: args.limit]
    timed([args.cattle, "validate", templates[0]], env)  # warm-up: compiles the bytecode once
    ratios, cattle_all, packer_all, agree = [], [], [], 0
    print(f"{'template':<72} {'cattle ms':>9} {'packer ms':>9} {'ratio':>6}  rc")
    for template in templates:
        cattle_times, packer_times = [], []
        for _ in range(args.runs):
            seconds, cattle_rc = timed([args.cattle, "validate", template], env)
            cattle_times.append(seconds)
            seconds, packer_rc = timed([args.packer, "validate", template], env)
            packer_times.append(seconds)
        cattle_median = statistics.median(cattle_times)
        packer_median = statistics.median(packer_times)
        ratio = packer_median / cattle_median
        ratios.append(ratio)
        cattle_all.append(cattle_median)
        packer_all.append(packer_median)
        agree += (cattle_rc == 0) == (packer_rc == 0)
        print(f"{template[:72]:<72} {cattle_median * 1000:9.1f} {packer_median * 1000:9.1f} {ratio:6.2f}  "
              f"{cattle_rc}/{packer_rc}")
    print()
    print(f"templates: {len(templates)}, runs each: {args.runs}, same exit status: {agree}/{len(templates)}")
    print(f"median time: cattle {statistics.median(cattle_all) * 1000:.1f} ms, "
          f"packer {statistics.median(packer_all) * 1000:.1f} ms")
    print(f"median ratio packer/cattle: {statistics.median(ratios):.2f} (>1: cattle is faster)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
