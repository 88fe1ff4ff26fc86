"""Differential run of the qemu builder: Packer 1.6.6 and cattle build the same templates.

Each template under ``templates/`` (``@DISK@`` stands for the project's cached test disk) is
built twice under TCG, by ``packer build`` and by ``cattle build``, each in its own copy of
the templates directory. The runs must agree on:

- the exit status;
- the provisioners' and post-processors' output lines (``    <build>: …``), with the values
  that differ between any two runs (forwarded ports, temporary script names, run UUIDs) masked;
- the output directory's files (names, image format and virtual size);
- the produced disk's contents: the files a template names in ``GUEST_FILES``, read from the
  disk's root partition with ``debugfs``, and the login records the build left in its ``wtmp``
  (a shutdown_command sent in a pty leaves a root login there that Packer's image does not have);
- the manifest (``manifest.json``), without its times and run UUID, and with each qcow2 disk's
  size less the clusters that back the root filesystem's journal (see ``journal_clusters``).

Why the journal is left out of the size: ext4 commits its journal every 5 s, so how many
transactions a build writes (and so how far into the journal, 64 KiB qcow2 cluster by cluster,
the disk is written) depends on how the guest's writes fall into those 5-second windows — on
the machine's load and on how long each step takes, not on what the build did. Dumps of the
journal of ``provision.json``'s disk showed the same metadata blocks (superblock, bitmaps, the
inode table block holding wtmp and lastlog, /tmp and /root) in 8 transactions after a Packer run
and in 7 and in 12 after two cattle runs of the same steps: one cluster less, then one more.
Everything else in the disk's allocation is the same for the same steps.

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
import struct
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
    "keys": ["/root/keys.txt"],
}
# struct utmp (glibc, x86-64): 384 bytes; ut_type at 0, then ut_line, ut_user and ut_host.
UTMP_SIZE = 384
UTMP_TEXT = ((8, 40), (44, 76), (76, 332))
# Values that legitimately differ between two runs of the same template.
VOLATILE = [
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "<uuid>"),
    (re.compile(r"(127\.0\.0\.1|10\.0\.2\.2):\d+"), r"\1:<port>"),
    (re.compile(r"\b(Port|PackerHTTPPort)=\d+"), r"\1=<port>"),
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


def debugfs(request, raw, start):
    """``debugfs -R request`` on the filesystem at byte ``start`` of ``raw``; its stdout (bytes)."""
    return subprocess.run(["debugfs", "-R", request, f"{raw}?offset={start}"], capture_output=True,
                          check=False).stdout


def login_records(wtmp):
    """The ``wtmp`` records as ``type line user host`` (no pids or times), sorted: boot, getty,
    login and shutdown records, whose order among the gettys depends on timing."""
    records = []
    for offset in range(0, len(wtmp) - UTMP_SIZE + 1, UTMP_SIZE):
        record = wtmp[offset:offset + UTMP_SIZE]
        fields = [record[start:end].rstrip(b"\0").decode(errors="replace") for start, end in UTMP_TEXT]
        records.append(" ".join([str(struct.unpack("<i", record[:4])[0]), *fields]))
    return sorted(records)


def journal_clusters(disk, start, raw):
    """How many of ``disk``'s allocated clusters hold the root filesystem's journal (inode 8)."""
    extents = re.findall(r"\((\d+)(?:-(\d+))?\):(\d+)(?:-(\d+))?", debugfs("stat <8>", raw, start).decode())
    block_size = int(re.search(r"Block size:\s+(\d+)", debugfs("stats", raw, start).decode()).group(1))
    info = json.loads(subprocess.run(["qemu-img", "info", "--output=json", disk], capture_output=True, text=True,
                                     check=True).stdout)
    cluster = info.get("cluster-size", 65536)
    spans = [(start + int(first) * block_size, start + (int(last or first) + 1) * block_size)
             for _l1, _l2, first, last in extents]
    mapping = json.loads(subprocess.run(["qemu-img", "map", "--output=json", disk], capture_output=True, text=True,
                                        check=True).stdout)
    clusters = set()
    for extent in mapping:
        if not extent.get("data"):
            continue
        for low, high in spans:
            low, high = max(low, extent["start"]), min(high, extent["start"] + extent["length"])
            clusters.update(range(low // cluster, (high - 1) // cluster + 1) if low < high else ())
    return len(clusters) * cluster


def inspect_disk(workdir, paths):
    """The named files and the login records from the output disk's last partition (the root
    filesystem), and the bytes of the disk that hold its journal."""
    out = os.path.join(workdir, "out")
    disks = sorted(os.listdir(out)) if os.path.isdir(out) else []
    if not disks:
        return {}, [], {}
    disk = os.path.join(out, disks[0])
    raw = os.path.join(workdir, "disk.raw")
    subprocess.run(["qemu-img", "convert", "-O", "raw", disk, raw], check=True)
    try:
        table = json.loads(subprocess.run(["sfdisk", "-J", raw], capture_output=True, text=True,
                                          check=True).stdout)
        start = table["partitiontable"]["partitions"][-1]["start"] * 512
        contents = {path: normalize(debugfs(f"cat {path}", raw, start).decode(errors="replace")) for path in paths}
        logins = login_records(debugfs("cat /var/log/wtmp", raw, start))
        journal = {os.path.join(workdir, "out", disks[0]): journal_clusters(disk, start, raw)}
        return contents, logins, journal
    finally:
        os.remove(raw)


def manifest(workdir, journal_bytes):
    """The manifest without times and run UUIDs; a disk's size without its journal's clusters."""
    path = os.path.join(workdir, "manifest.json")
    if not os.path.isfile(path):
        return None
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    builds = [{key: value for key, value in build.items() if key not in ("build_time", "packer_run_uuid")}
              for build in data.get("builds", [])]
    for build in builds:
        for entry in build.get("files", []):
            journal = journal_bytes.get(os.path.join(workdir, entry.get("name", "")))
            if journal is not None:
                entry["size without the journal"] = entry.pop("size") - journal
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
        contents, logins, journal = inspect_disk(workdir, GUEST_FILES.get(name, []))
        return {
            "exit status": status,
            "output lines": output_lines(text),
            "output directory": output_files(workdir),
            "disk contents": contents,
            "login records": logins,
            "manifest": manifest(workdir, journal),
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
