#!/usr/bin/env python3
"""Time from spawning `cattle build` / `packer build` to the first byte on its stdout.

Both tools build ``shared/bench/docker-reference.json`` with stdout a pipe (as under CI or
``| tee``), alternating cattle, packer, cattle, … after one warm-up build each; for every run
the time from ``Popen`` to the first byte read from the pipe is kept, and the build is read to
its end (it must succeed). Prints the medians and the ratio of medians cattle/packer, for the
default output and for ``-machine-readable``.

In the default mode both tools begin with ``NAME: output will be in this color.`` (Packer
prints it off a terminal too). With ``-machine-readable`` Packer prints no such line: its first
line is the build's first step (``==> docker: Creating a temporary directory…``), so there the
figure measures how soon each tool gets the build going.

    .venv/bin/python benchmarks/first_output.py [--runs 7] [--mode human] [--mode machine-readable]
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
MODES = ("human", "machine-readable")


def first_byte(cmd, cwd, env):
    """Seconds from spawning ``cmd`` to the first byte on its stdout; the run must succeed."""
    start = time.perf_counter()
    process = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = os.read(process.stdout.fileno(), 1)
    elapsed = time.perf_counter() - start
    rest, errors = process.communicate()
    if process.returncode != 0 or not first:
        sys.exit(f"{' '.join(cmd)} failed ({process.returncode}):\n{(first + rest).decode(errors='replace')}\n"
                 f"{errors.decode(errors='replace')}")
    return elapsed


def commands(mode):
    flags = ["-machine-readable"] if mode == "machine-readable" else []
    # Distinct output repositories so neither tool finds the other's tags.
    return {
        "cattle": [CATTLE, "build", "-force", *flags, "-var", "out_repo=local/bench-first-cattle", "docker-reference.json"],
        "packer": ["packer", "build", "-force", *flags, "-var", "out_repo=local/bench-first-packer", "docker-reference.json"],
    }


def bench(mode, runs, bytecode=True):
    work = tempfile.mkdtemp(prefix="cattle-bench-first-")
    for name in os.listdir(BENCH):
        if os.path.isfile(os.path.join(BENCH, name)):
            shutil.copy(os.path.join(BENCH, name), work)
    env = dict(os.environ, CHECKPOINT_DISABLE="1", PACKER_CACHE_DIR=os.path.join(work, "packer_cache"))
    if bytecode:  # as an installed package has it (see build.py)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = os.path.join(tempfile.gettempdir(), "cattle-bench-pycache")
    cmds = commands(mode)
    times = {"cattle": [], "packer": []}
    try:
        for tool in ("cattle", "packer"):  # warm-up
            first_byte(cmds[tool], work, env)
        for _ in range(runs):
            for tool in ("cattle", "packer"):
                times[tool].append(first_byte(cmds[tool], work, env))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return times


def remove_outputs():
    listed = subprocess.run(["docker", "images", "--format", "{{.Repository}}:{{.Tag}}"],
                            capture_output=True, text=True, check=False).stdout.split()
    ours = [ref for ref in listed if ref.startswith("local/bench-first-")]
    if ours:
        subprocess.run(["docker", "rmi", *ours], capture_output=True, check=False)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--mode", action="append", choices=MODES)
    parser.add_argument("--no-bytecode", action="store_true", help="measure cattle without cached bytecode")
    args = parser.parse_args()
    if not shutil.which("packer"):
        sys.exit("packer is not installed (apt-get install packer): no baseline to compare with")
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} (1, 5, 15 min)")
    try:
        for mode in args.mode or MODES:
            times = bench(mode, args.runs, bytecode=not args.no_bytecode)
            medians = {tool: statistics.median(values) for tool, values in times.items()}
            print(f"first byte on stdout, docker-reference.json [{mode}]: {args.runs} alternating runs each")
            for tool, values in times.items():
                print(f"  {tool:6} median {medians[tool]:.3f}s  runs " + " ".join(f"{v:.3f}" for v in values))
            print(f"  ratio cattle/packer (medians): {medians['cattle'] / medians['packer']:.2f}", flush=True)
    finally:
        remove_outputs()
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} (1, 5, 15 min)")


if __name__ == "__main__":
    main()
