#!/usr/bin/env python3
"""Build the shared Docker workloads with `cattle build` and `packer build`, side by side.

Runs alternate (cattle, packer, cattle, packer, …) so both see the same machine state;
prints every run's wall time and the median ratio cattle / packer per workload.

    .venv/bin/python benchmarks/build.py [--runs 5] [--workload docker-reference.json] …
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(os.path.dirname(REPO), "shared", "bench")
CATTLE = os.path.join(os.path.dirname(sys.executable), "cattle")


def timed(cmd, cwd, env):
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{result.stdout}\n{result.stderr}")
    return elapsed


def bench(workload, runs):
    work = tempfile.mkdtemp(prefix="cattle-bench-")
    for name in os.listdir(BENCH):
        shutil.copy(os.path.join(BENCH, name), work)
    env = dict(os.environ, CHECKPOINT_DISABLE="1", PACKER_CACHE_DIR=os.path.join(work, "packer_cache"))
    commands = {
        # Distinct output repositories so neither tool finds the other's tags.
        "cattle": [CATTLE, "build", "-force", "-color=false", "-var", "out_repo=local/bench-cattle", workload],
        "packer": ["packer", "build", "-force", "-color=false", "-var", "out_repo=local/bench-packer", workload],
    }
    times = {"cattle": [], "packer": []}
    try:
        timed(commands["cattle"], work, env)  # warm-up: caches, page cache, docker layers
        timed(commands["packer"], work, env)
        for _ in range(runs):
            for tool in ("cattle", "packer"):
                times[tool].append(timed(commands[tool], work, env))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workload", action="append")
    args = parser.parse_args()
    if not shutil.which("packer"):
        sys.exit("packer is not installed (apt-get install packer): no baseline to compare with")
    for workload in args.workload or ["docker-reference.json", "docker-parallel.json"]:
        times = bench(workload, args.runs)
        medians = {tool: statistics.median(values) for tool, values in times.items()}
        print(f"{workload}: {args.runs} alternating runs each")
        for tool, values in times.items():
            print(f"  {tool:6} median {medians[tool]:.3f}s  runs " + " ".join(f"{v:.3f}" for v in values))
        print(f"  ratio cattle/packer (medians): {medians['cattle'] / medians['packer']:.2f}")


if __name__ == "__main__":
    main()
