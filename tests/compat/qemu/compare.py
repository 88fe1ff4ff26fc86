"""Differential run of the qemu builder: Packer 1.6.6 and cattle build the same templates.

Each template under ``templates/`` (``@DISK@`` stands for the project's cached test disk) is
built twice under TCG, by ``packer build`` and by ``cattle build``, each in its own copy of
the templates directory. The runs must agree on:

- the exit status;
- the provisioners' and post-processors' output lines (``    <build>: …``), with the values
  that differ between any two runs (forwarded ports, temporary script names, run UUIDs) masked;
- the output directory's files (names, image format and virtual size);
- the produced disk's contents: the files a template names in ``GUEST_FILES``, read from the
  disk's root partition with ``debugfs``;
- the manifest (``manifest.json``), without its times and run UUID.

Usage: ``python tests/compat/qemu/compare.py [TEMPLATE …]`` (default: every template). Exits
non-zero and prints each difference when the runs disagree. Needs ``packer`` (Debian's 1.6.6),
qemu-system-x86, qemu-utils, e2fsprogs and fdisk; one template costs a few minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, ROOT)

from tests.fixtures import qemu_image  # noqa: E402

TEMPLATES = os.path.join(HERE, "templates")
# The files each template's provisioners leave in the guest, compared byte for byte.
GUEST_FILES = {
    "provision": ["/root/fetched.txt", "/root/build-id.txt", "/root/build-name.txt", "/root/upload.txt",
                  "/root/greeting.txt"],
    "fails": [],
}
# Values that legitimately differ between two runs of the same template.
VOLATILE = [
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "<uuid>"),
    (re.compile(r"(127\.0\.0\.1|10\.0\.2\.2):\d+"), r"\1:<port>"),
    (re.compile(r"/tmp/packer-shell\S*"), "<script>"),
    (re.compile(r"after \d+ (minutes?|seconds?|milliseconds?)[\w\s.]*"), "after <time>"),
]


def normalize(line):
    for pattern, replacement in VOLATILE:
        line = pattern.sub(replacement, line)
    return line


def output_lines(text):
    """The lines provisioners and post-processors print (four spaces, ``<build>:``)."""
    return [normalize(line.rstrip("\r")) for line in text.splitlines() if re.match(r"    \S+( \(\S+\))?: ", line)]


def run(tool, workdir, template, venv_bin):
    env = dict(os.environ, CHECKPOINT_DISABLE="1", PACKER_NO_COLOR="1")
    if tool == "packer":
        argv = ["packer", "build", "-color=false", template]
    else:
        argv = [os.path.join(venv_bin, "cattle"), "build", "-color=false", template]
    proc = subprocess.run(argv, cwd=workdir, env=env, capture_output=True, text=True, timeout=1200, check=False)
    return proc.returncode, proc.stdout + proc.stderr


def image_facts(path):
    info = subprocess.run(["qemu-img", "info", "--output=json", path], capture_output=True, text=True, check=False)
    if info.returncode != 0:
        return {"error": info.stderr.strip()}
    data = json.loads(info.stdout)
    return {"format": data.get("format"), "virtual-size": data.get("virtual-size")}


def output_files(workdir):
    out = os.path.join(workdir, "out")
    if not os.path.isdir(out):
        return None
    return {name: image_facts(os.path.join(out, name)) for name in sorted(os.listdir(out))}


def guest_files(workdir, paths):
    """The named files from the output disk's last partition (the root filesystem)."""
    out = os.path.join(workdir, "out")
    disks = sorted(os.listdir(out)) if os.path.isdir(out) else []
    if not paths or not disks:
        return {}
    raw = os.path.join(workdir, "disk.raw")
    subprocess.run(["qemu-img", "convert", "-O", "raw", os.path.join(out, disks[0]), raw], check=True)
    try:
        table = json.loads(subprocess.run(["sfdisk", "-J", raw], capture_output=True, text=True,
                                          check=True).stdout)
        start = table["partitiontable"]["partitions"][-1]["start"] * 512
        contents = {}
        for path in paths:
            cat = subprocess.run(["debugfs", "-R", f"cat {path}", f"{raw}?offset={start}"], capture_output=True,
                                 text=True, check=False)
            contents[path] = normalize(cat.stdout)
        return contents
    finally:
        os.remove(raw)


def manifest(workdir):
    path = os.path.join(workdir, "manifest.json")
    if not os.path.isfile(path):
        return None
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    builds = [{key: value for key, value in build.items() if key not in ("build_time", "packer_run_uuid")}
              for build in data.get("builds", [])]
    return {"builds": builds, "last_run_uuid": bool(data.get("last_run_uuid"))}


def observe(tool, name, venv_bin, disk):
    workdir = tempfile.mkdtemp(prefix=f"qemu-compat-{tool}-")
    shutil.copytree(TEMPLATES, workdir, dirs_exist_ok=True)
    template = os.path.join(workdir, f"{name}.json")
    with open(template, encoding="utf-8") as handle:
        text = handle.read().replace("@DISK@", disk)
    with open(template, "w", encoding="utf-8") as handle:
        handle.write(text)
    try:
        status, text = run(tool, workdir, template, venv_bin)
        return {
            "exit status": status,
            "output lines": output_lines(text),
            "output directory": output_files(workdir),
            "disk contents": guest_files(workdir, GUEST_FILES.get(name, [])),
            "manifest": manifest(workdir),
        }, text
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("templates", nargs="*", help="template names (default: all)")
    parser.add_argument("--venv-bin", default=os.path.join(ROOT, ".venv", "bin"))
    parser.add_argument("--show-output", action="store_true", help="print both runs' full output")
    args = parser.parse_args(argv)
    names = args.templates or sorted(n[:-5] for n in os.listdir(TEMPLATES) if n.endswith(".json"))
    disk = qemu_image.ensure_qemu_image()
    failed = False
    for name in names:
        packer, packer_text = observe("packer", name, args.venv_bin, disk)
        cattle, cattle_text = observe("cattle", name, args.venv_bin, disk)
        if args.show_output:
            print(f"--- packer {name}\n{packer_text}\n--- cattle {name}\n{cattle_text}")
        differences = [aspect for aspect in packer if packer[aspect] != cattle[aspect]]
        print(f"{name}: {'agrees' if not differences else 'DIFFERS on ' + ', '.join(differences)}")
        for aspect in differences:
            failed = True
            print(f"  {aspect}:\n    packer: {json.dumps(packer[aspect], indent=1)}\n"
                  f"    cattle: {json.dumps(cattle[aspect], indent=1)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
