#!/usr/bin/env python3
"""The same qemu template through `cattle build` and Packer 1.6.6's qemu builder, side by side.

The template boots the test fixture's Debian disk (tests/fixtures/qemu_image.py) under TCG
from a copy of it, types a command in the root shell on the console, fetches a file from the
build's HTTP server, runs a shell and a file provisioner over SSH, shuts the guest down and
compacts the disk. Runs alternate (cattle, packer, …); every run's wall time and the median
ratio cattle / packer are printed.

    .venv/bin/python benchmarks/qemu.py [--runs 3]

Needs qemu-system-x86 and qemu-utils, /usr/bin/packer (1.6.6) and a root shell for the
fixture's first build (debootstrap; cached in /var/tmp/cattle-images afterwards).
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
sys.path.insert(0, REPO)
CATTLE = os.path.join(os.path.dirname(sys.executable), "cattle")

from tests.fixtures import qemu_image  # noqa: E402


def template(disk):
    return {
        "builders": [{
            "type": "qemu", "name": "bench", "iso_url": disk, "iso_checksum": "none",
            # Packer 1.6.6's use_backing_file fails with qemu-img >= 6.1 (no -F): both copy the disk.
            "disk_image": True, "use_backing_file": False, "accelerator": "tcg", "headless": True,
            "disk_size": "2048M", "format": "qcow2",
            # Both tools forward SSH on loopback only.
            "qemuargs": [["-netdev", "user,id=user.0,hostfwd=tcp:127.0.0.1:{{ .SSHHostPort }}-:22"]],
            "ssh_username": "root", "ssh_password": qemu_image.ROOT_PASSWORD, "ssh_timeout": "5m",
            "boot_wait": qemu_image.BOOT_WAIT, "boot_key_interval": "20ms",
            "boot_command": qemu_image.BOOT_COMMAND,
            "http_directory": "www", "shutdown_command": "shutdown -P now", "shutdown_timeout": "2m",
        }],
        "provisioners": [
            {"type": "shell", "inline": [
                "cat /root/typed-marker",
                "wget -q -O /root/fetched.txt http://$(cut -d' ' -f3 /root/typed-marker)/hello.txt",
            ]},
            {"type": "file", "source": "upload.txt", "destination": "/root/upload.txt"},
        ],
    }


def timed(cmd, cwd, env):
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{result.stdout[-4000:]}\n{result.stderr[-2000:]}")
    if "Typed packer-bench 10.0.2.2:" not in result.stdout:
        sys.exit(f"{cmd[0]}: the boot command did not reach the guest:\n{result.stdout[-4000:]}")
    return elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    disk = qemu_image.ensure_qemu_image()
    work = tempfile.mkdtemp(prefix="cattle-bench-qemu-")
    try:
        os.mkdir(os.path.join(work, "www"))
        with open(os.path.join(work, "www", "hello.txt"), "w") as handle:
            handle.write("served over http\n")
        with open(os.path.join(work, "upload.txt"), "w") as handle:
            handle.write("uploaded by file\n")
        with open(os.path.join(work, "qemu.json"), "w") as handle:
            json.dump(template(disk), handle)
        env = dict(os.environ, CHECKPOINT_DISABLE="1", PACKER_CACHE_DIR=os.path.join(work, "packer_cache"))
        commands = {
            "cattle": [CATTLE, "build", "-force", "-color=false", "qemu.json"],
            "packer": ["packer", "build", "-force", "-color=false", "qemu.json"],
        }
        times = {"cattle": [], "packer": []}
        for run in range(args.runs):
            for tool in ("cattle", "packer"):
                elapsed = timed(commands[tool], work, env)
                times[tool].append(elapsed)
                print(f"run {run + 1} {tool:6s} {elapsed:7.1f} s", flush=True)
        cattle, packer = statistics.median(times["cattle"]), statistics.median(times["packer"])
        print(f"median: cattle {cattle:.1f} s, packer {packer:.1f} s, ratio cattle/packer {cattle / packer:.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
