#!/usr/bin/env python3
"""Build the shared Docker workloads with `cattle build` and `packer build`, side by side.

Runs alternate (cattle, packer, cattle, packer, …) so both see the same machine state;
prints every run's wall time and the median ratio cattle / packer per workload.

Scenarios (``--scenario``, repeatable; default all):

* ``clean``: ``cattle build`` (no cache) of each workload, against ``packer build``:
  docker-reference.json, docker-parallel.json, docker-heavy.json and ``role`` (cattle builds
  ``role/cattle-role.json``, Packer ``role/packer-role.json``: the same role, each as its
  documentation configures it).
* ``cache-first``: ``cattle build -cache`` of docker-heavy.json with an empty cache for its
  steps: the first step's command gets a new comment before every cattle run, so every
  key is new and every layer is committed (filling the cache).
* ``cache-hit``: ``cattle build -cache`` of docker-reference.json with nothing changed
  since the previous cached build (the cache is filled once before timing).
* ``cache-last``: ``cattle build -cache`` of docker-heavy.json with only the last step changed:
  step.sh gets a new comment line before every cattle run, so the last step runs and the rest is reused.
* ``floor``: not cattle at all: this installation's ``ansible-playbook`` running a playbook of
  one ``debug`` task on localhost, against ``packer build`` of docker-reference.json. It is
  the least any build that runs ``ansible-playbook`` can cost here, whatever it builds.

``--workload`` narrows the workloads of ``clean`` and replaces the one of the cache scenarios.
Only the cache layers the benchmark made for the workloads' builds, and the images its builds left untagged, are
removed at the end (the Docker daemon is shared).

By default cattle runs with compiled bytecode kept outside the tree (as an installed
package has it); ``--no-bytecode`` measures the development checkout as it is here, where
PYTHONDONTWRITEBYTECODE=1.

    .venv/bin/python benchmarks/build.py [--runs 5] [--workload docker-reference.json] [--scenario clean] …
"""

from __future__ import annotations

import argparse
import json
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

# Workloads built from a different file by each tool: (cattle's template, packer's template).
TEMPLATES = {"role": ("role/cattle-role.json", "role/packer-role.json")}
CLEAN_WORKLOADS = ("docker-reference.json", "docker-parallel.json", "docker-heavy.json", "role")
CACHE_WORKLOADS = {"cache-first": "docker-heavy.json", "cache-hit": "docker-reference.json",
                   "cache-last": "docker-heavy.json"}


def timed(cmd, cwd, env):
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{result.stdout}\n{result.stderr}")
    return elapsed


def _edit_first_step(template, run):
    """Give the first provisioner's first command a new comment: every step key of the build changes."""
    with open(template, encoding="utf-8") as handle:
        document = json.load(handle)
    inline = document["provisioners"][0]["inline"]
    inline[0] = inline[0].split(" # bench run ")[0] + f" # bench run {run} {time.time_ns()}"
    with open(template, "w", encoding="utf-8") as handle:
        json.dump(document, handle)


def bench(workload, runs, scenario="clean", bytecode=True):
    work = tempfile.mkdtemp(prefix="cattle-bench-")
    shutil.copytree(BENCH, work, dirs_exist_ok=True)
    env = dict(os.environ, CHECKPOINT_DISABLE="1", PACKER_CACHE_DIR=os.path.join(work, "packer_cache"))
    # Packer's ansible provisioner runs the ansible-playbook on PATH: the same installation as cattle's.
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    if bytecode:
        # An installed cattle has compiled bytecode (pip compiles on install); keep ours outside the tree.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = os.path.join(tempfile.gettempdir(), "cattle-bench-pycache")
    cache = ["-cache"] if scenario.startswith("cache") else []
    cattle_template, packer_template = TEMPLATES.get(workload, (workload, workload))
    commands = {
        # Distinct output repositories so neither tool finds the other's tags.
        "cattle": [CATTLE, "build", "-force", "-color=false", *cache, "-var", "out_repo=local/bench-cattle", cattle_template],
        "packer": ["packer", "build", "-force", "-color=false", "-var", "out_repo=local/bench-packer", packer_template],
    }
    if scenario == "floor":
        with open(os.path.join(work, "floor.yml"), "w", encoding="utf-8") as handle:
            handle.write(FLOOR_PLAYBOOK)
        commands["cattle"] = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"),
                              "-i", "localhost,", "floor.yml"]
    times = {"cattle": [], "packer": []}
    try:
        timed(commands["cattle"], work, env)  # warm-up: caches, page cache, docker layers (and the step cache)
        timed(commands["packer"], work, env)
        for run in range(runs):
            for tool in ("cattle", "packer"):
                if tool == "cattle" and scenario == "cache-last":
                    with open(os.path.join(work, "step.sh"), "a", encoding="utf-8") as handle:
                        handle.write(f"# edit {run}\n")
                if tool == "cattle" and scenario == "cache-first":
                    _edit_first_step(os.path.join(work, cattle_template), run)
                times[tool].append(timed(commands[tool], work, env))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return times


SCENARIOS = ("clean", "cache-first", "cache-hit", "cache-last", "floor")
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


# The build names of the workloads: the cache layers of tests and other work on the shared daemon have others.
BENCH_BUILDS = ("docker/", "node1/", "node2/", "node3/", "node4/")


def _cache_layers():
    """The step-cache layers and final images of builds named as the workloads' builds (ids)."""
    listed = subprocess.run(["docker", "images", "--no-trunc", "--format", "{{.ID}}", "cattle-cache"],
                            capture_output=True, text=True).stdout.split()
    if not listed:
        return set()
    inspected = subprocess.run(["docker", "image", "inspect", "--format",
                                '{{.Id}} {{with .Config.Labels}}{{index . "cattle.build_name"}}{{end}}/ {{.Comment}}', *sorted(set(listed))],
                               capture_output=True, text=True).stdout.splitlines()
    ours = set()
    for line in inspected:
        image_id, _space, rest = line.partition(" ")
        build_label, _space, comment = rest.partition(" ")
        if not comment.startswith("cattle.cache ") and build_label.startswith(BENCH_BUILDS):  # a final image
            ours.add(image_id)
            continue
        try:
            step = json.loads(comment.removeprefix("cattle.cache ")).get("step", "")
        except ValueError:
            continue
        if step.startswith(BENCH_BUILDS):
            ours.add(image_id)
    return ours


def _dangling_images():
    listed = subprocess.run(["docker", "images", "--quiet", "--no-trunc", "--filter", "dangling=true"],
                            capture_output=True, text=True).stdout.split()
    return set(listed)


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
            plan += [(workload, scenario) for workload in args.workload or CLEAN_WORKLOADS]
        elif scenario == "floor":
            plan.append(("docker-reference.json", scenario))
        else:
            plan += [(workload, scenario) for workload in args.workload or [CACHE_WORKLOADS[scenario]]]
    layers_before = _cache_layers()
    # Each build moves its tags to a new image and leaves the old one untagged. Left there, they pile
    # up: with 190 images on the daemon both tools' builds were 0.3-0.4 s slower than with 45.
    dangling_before = _dangling_images()
    try:
        for workload, scenario in plan:
            print(f"{workload} [{scenario}]: {args.runs} alternating runs each; load {os.getloadavg()[0]:.2f}", flush=True)
            times = bench(workload, args.runs, scenario, bytecode=not args.no_bytecode)
            medians = {tool: statistics.median(values) for tool, values in times.items()}
            for tool, values in times.items():
                label = "ansible-playbook (one task)" if scenario == "floor" and tool == "cattle" else tool
                print(f"  {label:6} median {medians[tool]:.3f}s  runs " + " ".join(f"{v:.3f}" for v in values))
            print(f"  ratio {'floor' if scenario == 'floor' else 'cattle'}/packer (medians): "
                  f"{medians['cattle'] / medians['packer']:.2f}; load {os.getloadavg()[0]:.2f}", flush=True)
    finally:
        # The images both tools tagged, then the cache layers this run made (no one else's).
        listed = subprocess.run(["docker", "images", "--format", "{{.Repository}}:{{.Tag}}"],
                                capture_output=True, text=True).stdout.split()
        ours = [ref for ref in listed if ref.startswith(("local/bench-cattle", "local/bench-packer"))]
        if ours:
            subprocess.run(["docker", "rmi", *ours], capture_output=True)
        for _ in range(10):  # a layer another layer was committed from goes once its child has gone
            made = sorted(_cache_layers() - layers_before)
            if not made:
                break
            subprocess.run(["docker", "rmi", "-f", *made], capture_output=True)
        left = sorted(_dangling_images() - dangling_before)  # the images both tools' builds untagged
        if left:
            subprocess.run(["docker", "rmi", *left], capture_output=True)


if __name__ == "__main__":
    main()
