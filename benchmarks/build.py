#!/usr/bin/env python3
"""Build the shared Docker workloads with `cattle build` and `packer build`, side by side.

Runs alternate (cattle, packer, cattle, packer, …) so both see the same machine state;
prints every run's wall time and the median ratio cattle / packer per workload.

Scenarios (``--scenario``, repeatable; default all):

* ``clean``: ``cattle build`` (no cache) of each workload, against ``packer build``.
* ``cache-hit``: ``cattle build -cache`` of docker-reference.json with nothing changed
  since the previous cached build (the cache is filled once before timing).
* ``cache-last``: ``cattle build -cache`` with only the last step changed: step.sh gets a
  new comment line before every cattle run, so the last step runs and the rest is reused.
* ``floor``: not cattle at all: this installation's ``ansible-playbook`` running a playbook of
  one ``debug`` task on localhost, against ``packer build`` of docker-reference.json. It is
  the least any build that runs ``ansible-playbook`` can cost here, whatever it builds.

By default cattle runs with compiled bytecode kept outside the tree (as an installed
package has it); ``--no-bytecode`` measures the development checkout as it is here, where
PYTHONDONTWRITEBYTECODE=1.

    .venv/bin/python benchmarks/build.py [--runs 5] [--workload docker-reference.json] [--scenario clean] …
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


def bench(workload, runs, scenario="clean", bytecode=True):
    work = tempfile.mkdtemp(prefix="cattle-bench-")
    for name in os.listdir(BENCH):
        shutil.copy(os.path.join(BENCH, name), work)
    env = dict(os.environ, CHECKPOINT_DISABLE="1", PACKER_CACHE_DIR=os.path.join(work, "packer_cache"))
    if bytecode:
        # An installed cattle has compiled bytecode (pip compiles on install); keep ours outside the tree.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = os.path.join(tempfile.gettempdir(), "cattle-bench-pycache")
    cache = ["-cache"] if scenario in ("cache-hit", "cache-last") else []
    commands = {
        # Distinct output repositories so neither tool finds the other's tags.
        "cattle": [CATTLE, "build", "-force", "-color=false", *cache, "-var", "out_repo=local/bench-cattle", workload],
        "packer": ["packer", "build", "-force", "-color=false", "-var", "out_repo=local/bench-packer", workload],
    }
    if scenario == "floor":
        with open(os.path.join(work, "floor.yml"), "w", encoding="utf-8") as handle:
            handle.write(FLOOR_PLAYBOOK)
        commands["cattle"] = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"),
                              "-i", "localhost,", "floor.yml"]
    step = os.path.join(work, "step.sh")
    times = {"cattle": [], "packer": []}
    try:
        timed(commands["cattle"], work, env)  # warm-up: caches, page cache, docker layers (and the step cache)
        timed(commands["packer"], work, env)
        for run in range(runs):
            for tool in ("cattle", "packer"):
                if tool == "cattle" and scenario == "cache-last":
                    with open(step, "a", encoding="utf-8") as handle:
                        handle.write(f"# edit {run}\n")
                times[tool].append(timed(commands[tool], work, env))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return times


SCENARIOS = ("clean", "cache-hit", "cache-last", "floor")
# The cheapest playbook: one task on localhost, no facts, the controller's own Python.
FLOOR_PLAYBOOK = """\
- name: Floor
  hosts: localhost
  gather_facts: false
  vars:
    ansible_connection: local
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:
    - name: One task
      ansible.builtin.debug:
        msg: hello
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workload", action="append")
    parser.add_argument("--scenario", action="append", choices=SCENARIOS)
    parser.add_argument("--no-bytecode", action="store_true", help="measure cattle without cached bytecode")
    args = parser.parse_args()
    if not shutil.which("packer"):
        sys.exit("packer is not installed (apt-get install packer): no baseline to compare with")
    plan = []
    for scenario in args.scenario or SCENARIOS:
        if scenario == "clean":
            plan += [(workload, scenario) for workload in args.workload or ["docker-reference.json", "docker-parallel.json"]]
        else:
            plan.append(("docker-reference.json", scenario))
    try:
        for workload, scenario in plan:
            times = bench(workload, args.runs, scenario, bytecode=not args.no_bytecode)
            medians = {tool: statistics.median(values) for tool, values in times.items()}
            print(f"{workload} [{scenario}]: {args.runs} alternating runs each")
            for tool, values in times.items():
                label = "ansible-playbook (one task)" if scenario == "floor" and tool == "cattle" else tool
                print(f"  {label:6} median {medians[tool]:.3f}s  runs " + " ".join(f"{v:.3f}" for v in values))
            print(f"  ratio {'floor' if scenario == 'floor' else 'cattle'}/packer (medians): {medians['cattle'] / medians['packer']:.2f}", flush=True)
    finally:
        # The images both tools tagged, then the layers the cache scenarios made.
        listed = subprocess.run(["docker", "images", "--format", "{{.Repository}}:{{.Tag}}"],
                                capture_output=True, text=True).stdout.split()
        ours = [ref for ref in listed if ref.startswith(("local/bench-cattle", "local/bench-packer"))]
        if ours:
            subprocess.run(["docker", "rmi", *ours], capture_output=True)
        if any(scenario.startswith("cache") for _, scenario in plan):
            subprocess.run([CATTLE, "cache", "prune", "-all"], capture_output=True)


if __name__ == "__main__":
    main()
