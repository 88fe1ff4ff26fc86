#!/usr/bin/env python3
"""Many Docker builds at once, `cattle build` against `packer build`: wall time, peak memory, leaks.

Two parts (``--part``, repeatable; default both), each run once per tool (cattle first):

* ``one-template``: one template with ``--builds`` (default 16) copies of docker-reference.json's
  builder, each with its own name, output repository (``OUT-<build name>``) and manifest file.
* ``separate``: ``--builds`` separate builds of docker-reference.json, each in its own copy of the
  workload directory with its own output repository, all started at once.

Peak memory is the largest sum over the tool's processes and all their descendants, sampled every
0.2 s from ``/proc/PID/smaps_rollup`` (what psutil reads too), of the resident set size (RSS: a page
shared by several processes counts once per process) and of the proportional set size (PSS: a
shared page is split among the processes that map it, so the sum counts it once). The Docker
daemon's memory is counted for neither tool.

Nothing may fail or leak: every build must succeed, and afterwards no container that a build
started may exist (found by the ``Container ID:`` lines both tools print, and for cattle by the
``cattle.build_id`` label on containers whose temp dir lies in this run's private TMPDIR), no
run directory or temp dir of cattle may be left in that TMPDIR, and no dangling image labelled
with one of cattle's build ids. The script exits 1 if anything failed or leaked.

This is heavy for a 2-core machine; develop with ``--builds 4``.

    .venv/bin/python benchmarks/scale.py [--builds 16] [--part one-template] [--part separate]
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)
from cattle_cli.process_tree import descendants  # noqa: E402 - after the path is set

BENCH = os.path.join(os.path.dirname(REPO), "shared", "bench")
CATTLE = os.path.join(os.path.dirname(sys.executable), "cattle")
PARTS = ("one-template", "separate")
SAMPLE_EVERY = 0.2
CONTAINER_ID = re.compile(r"Container ID: ([0-9a-f]{12,64})")
CATTLE_BUILD_ID = re.compile(r"cattle-docker-([0-9a-f]+)-")


def memory_of(pid):
    """(RSS, PSS) of a process in bytes; (0, 0) once it is gone.

    PSS splits each page shared between processes among them (Packer runs one process per plugin
    of each build, all mapping the same executable): the sum over a tree counts each page once.
    """
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as handle:
            fields = dict(line.split(":", 1) for line in handle.read().splitlines()[1:] if ":" in line)
        return int(fields["Rss"].split()[0]) * 1024, int(fields["Pss"].split()[0]) * 1024
    except (OSError, KeyError, ValueError, IndexError):
        return 0, 0  # gone meanwhile


class PeakMemory:
    """The largest sums of RSS and of PSS over ``roots`` and their descendants, sampled in a thread."""

    def __init__(self):
        self.roots = []
        self.peak = 0
        self.peak_pss = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _sample(self):
        while not self._stop.wait(SAMPLE_EVERY):
            pids = set()
            for root in list(self.roots):
                pids.add(root)
                pids.update(descendants(root))
            sizes = [memory_of(pid) for pid in pids]
            self.peak = max(self.peak, sum(rss for rss, _ in sizes))
            self.peak_pss = max(self.peak_pss, sum(pss for _, pss in sizes))
            self.samples += 1


def run_all(commands, env):
    """Start every ``(cmd, cwd)`` at once; wait for all. Returns (wall seconds, the PeakMemory, results)."""
    with PeakMemory() as memory:
        start = time.perf_counter()
        processes = []
        for cmd, cwd in commands:
            process = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            memory.roots.append(process.pid)
            processes.append(process)
        outputs = [None] * len(processes)

        def drain(index):
            outputs[index] = processes[index].communicate()[0].decode(errors="replace")

        readers = [threading.Thread(target=drain, args=(i,)) for i in range(len(processes))]
        for reader in readers:
            reader.start()
        for reader in readers:
            reader.join()
        wall = time.perf_counter() - start
    return wall, memory, [(p.returncode, out) for p, out in zip(processes, outputs, strict=True)]


def docker(*args):
    return subprocess.run(["docker", *args], capture_output=True, text=True, check=False).stdout.split()


def leaks(tool, outputs, private_tmp):
    """What the builds left behind, as lines (none: nothing leaked)."""
    found = []
    for container in sorted({cid for out in outputs for cid in CONTAINER_ID.findall(out)}):
        if docker("ps", "-aq", "--no-trunc", "--filter", f"id={container}"):
            found.append(f"{tool}: container {container[:12]} still exists")
    if tool != "cattle":
        return found
    for container in docker("ps", "-aq", "--filter", "label=cattle.build_id"):
        inspect = json.loads(subprocess.run(["docker", "inspect", container], capture_output=True, text=True,
                                            check=False).stdout or "[]")
        sources = [mount.get("Source", "") for entry in inspect for mount in entry.get("Mounts") or []]
        if any(source.startswith(private_tmp + os.sep) for source in sources):
            found.append(f"cattle: container {container} (label cattle.build_id) still exists")
    for build_id in sorted({bid for out in outputs for bid in CATTLE_BUILD_ID.findall(out)}):
        for image in docker("images", "-q", "--filter", "dangling=true", "--filter", f"label=cattle.build_id={build_id}"):
            found.append(f"cattle: dangling image {image} of build id {build_id}")
    for name in sorted(os.listdir(private_tmp)):
        if name.startswith("cattle-"):
            found.append(f"cattle: {os.path.join(private_tmp, name)} left in the temp dir")
    return found


def one_template(work, builds, token):
    """docker-reference.json with ``builds`` copies of its builder, each with its own name and outputs."""
    with open(os.path.join(work, "docker-reference.json"), encoding="utf-8") as handle:
        reference = json.load(handle)
    template = copy.deepcopy(reference)
    template["builders"] = [dict(reference["builders"][0], name=f"b{token}-{i:02d}") for i in range(1, builds + 1)]
    template["post-processors"] = [
        [{"type": "docker-tag", "repository": "{{user `out_repo`}}-{{build_name}}", "tags": ["v1"]}],
        {"type": "manifest", "output": "{{template_dir}}/manifest-{{build_name}}.json"},
    ]
    path = os.path.join(work, "scale.json")
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(template, handle, indent=2)
    return path


def commands(tool, part, work, builds, token):
    repo = f"local/scale-{token}-{tool}"
    program = [CATTLE] if tool == "cattle" else ["packer"]
    if part == "one-template":
        return [([*program, "build", "-color=false", "-var", f"out_repo={repo}", one_template(work, builds, token)], work)]
    listed = []
    for index in range(1, builds + 1):
        copy_dir = os.path.join(work, f"{tool}-{index:02d}")
        os.makedirs(copy_dir)
        for name in ("docker-reference.json", "payload.txt", "step.sh"):
            shutil.copy(os.path.join(work, name), copy_dir)
        listed.append(([*program, "build", "-color=false", "-var", f"out_repo={repo}-{index:02d}",
                        "docker-reference.json"], copy_dir))
    return listed


def remove_images(token):
    refs = [ref for ref in docker("images", "--format", "{{.Repository}}:{{.Tag}}") if ref.startswith(f"local/scale-{token}-")]
    if refs:
        subprocess.run(["docker", "rmi", *refs], capture_output=True, check=False)


def load():
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--builds", type=int, default=16)
    parser.add_argument("--part", action="append", choices=PARTS)
    args = parser.parse_args()
    if not shutil.which("packer"):
        sys.exit("packer is not installed (apt-get install packer): no baseline to compare with")
    token = uuid.uuid4().hex[:6]
    work = tempfile.mkdtemp(prefix="cattle-bench-scale-")
    private_tmp = os.path.join(work, "tmp")
    os.mkdir(private_tmp)
    for name in ("docker-reference.json", "payload.txt", "step.sh"):
        shutil.copy(os.path.join(BENCH, name), work)
    env = dict(os.environ, CHECKPOINT_DISABLE="1", PACKER_CACHE_DIR=os.path.join(work, "packer_cache"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # bytecode kept, as an installed cattle has it (see build.py)
    env["PYTHONPYCACHEPREFIX"] = os.path.join(tempfile.gettempdir(), "cattle-bench-pycache")
    problems = []
    try:
        for part in args.part or PARTS:
            figures = {}
            for tool in ("cattle", "packer"):
                tool_env = dict(env, TMPDIR=private_tmp) if tool == "cattle" else env
                before = load()
                wall, memory, results = run_all(commands(tool, part, work, args.builds, token), tool_env)
                failed = [out for rc, out in results if rc != 0]
                leaked = leaks(tool, [out for _, out in results], private_tmp)
                figures[tool] = (wall, memory.peak, memory.peak_pss)
                print(f"{part} ({args.builds} builds) {tool:6}: wall {wall:7.2f}s  peak RSS {memory.peak / 2**20:7.1f} MiB  "
                      f"peak PSS {memory.peak_pss / 2**20:7.1f} MiB  "
                      f"failed {len(failed)}  leaks {len(leaked)}  (load before {before}, after {load()})", flush=True)
                for out in failed[:3]:
                    print(f"--- a failed {tool} build's output (last 40 lines):\n" + "\n".join(out.splitlines()[-40:]))
                problems += [f"{part}: {tool}: {len(failed)} of {len(results)} builds failed"] if failed else []
                problems += [f"{part}: {line}" for line in leaked]
            cattle, packer = figures["cattle"], figures["packer"]
            print(f"{part}: ratio cattle/packer: wall {cattle[0] / packer[0]:.2f}, peak RSS {cattle[1] / packer[1]:.2f}, "
                  f"peak PSS {cattle[2] / packer[2]:.2f}", flush=True)
    finally:
        remove_images(token)
        shutil.rmtree(work, ignore_errors=True)
    for line in problems:
        print(f"PROBLEM: {line}")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
