"""Differential harness: build one template with Packer 1.6.6 and with cattle, and compare.

Each tool builds in its own fresh copy of the corpus entry (so export files, manifests and
downloads cannot mix), with ``-machine-readable`` output. Right after a tool's build, the
harness records everything it compares (exit status, step lines, artifacts, manifest,
image configs, filesystem listings) and removes every image and container the build left,
so the next build starts from the same daemon state (templates tag fixed repository names).

Compared, modulo `tests/compat/deliberate.py` (the one list of deliberate differences):

* exit status;
* the image config fields Env, Cmd, Entrypoint, WorkingDir, User, ExposedPorts, Labels,
  Volumes, Author of every image artifact;
* the filesystem of every image artifact (``docker export`` of a container created from it,
  never started) and of every tar the build wrote (export_path): path, type, owner, mode,
  size, link target;
* artifacts (builder id, id, string, files) and the manifest file, with ids and times
  replaced by placeholders;
* the step lines (``==> …`` ``say`` lines) of the output.

Nothing here imports the product: it drives ``packer`` and ``cattle`` as a user would.
"""

from __future__ import annotations

import csv
import difflib
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass, field

from tests.compat import deliberate

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "docker")
SOURCES = os.path.join(CORPUS, "SOURCES.tsv")
REPO = os.path.dirname(os.path.dirname(HERE))
BASE_IMAGE = "local/debian:bookworm"
CONFIG_FIELDS = ("Env", "Cmd", "Entrypoint", "WorkingDir", "User", "ExposedPorts", "Labels", "Volumes")
TOOLS = ("packer", "cattle")
# What `cattle build` says when it sweeps a dead run (cattle_cli/commands/sweep.py).
DEAD_RUN_SWEPT = re.compile(r"==> (Removed|Stopped) .* (left by|of) a dead run\b|==> Cleanup of a dead run failed")
BUILD_TIMEOUT = 900


@dataclass
class Entry:
    """One corpus template (a row of docker/SOURCES.tsv)."""

    name: str
    source: str
    template: str  # relative to the entry directory
    cwd: str  # relative to the entry directory
    exercises: str

    @property
    def directory(self):
        return os.path.join(CORPUS, self.name)

    @property
    def template_from_cwd(self):
        return os.path.relpath(os.path.join(self.directory, self.template), os.path.join(self.directory, self.cwd))

    def raw_template(self):
        with open(os.path.join(self.directory, self.template), encoding="utf-8") as handle:
            return handle.read()


def load_entries(names=None):
    with open(SOURCES, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    entries = [Entry(r["name"], r["source"], r["template"], r["cwd"], r["exercises"]) for r in rows]
    if names:
        unknown = set(names) - {e.name for e in entries}
        if unknown:
            raise ValueError(f"not in the corpus: {', '.join(sorted(unknown))}")
        entries = [e for e in entries if e.name in names]
    return entries


# --- running one tool ---------------------------------------------------------------------

@dataclass
class Image:
    ref: str
    builder_id: str
    config: dict
    listing: dict  # path -> (type, uid, gid, mode, size, link)


@dataclass
class Run:
    tool: str
    exit_code: int
    lines: list  # (target, kind, fields)
    artifacts: list  # dicts: builder_id, id, string, files
    images: list  # Image, one per image artifact, in artifact order
    tars: dict  # relative path -> listing, for tar files the build wrote (export_path)
    manifest: object
    output_files: list  # relative paths of files the build wrote
    leaks: list  # descriptions of containers/images left behind by a *failed* build
    raw: str = ""
    work: str = ""  # the copy the tool built in; its path is replaced by <work> before comparing

    @property
    def ui(self):
        return [(f[0], f[1]) for _t, kind, f in self.lines if kind == "ui" and len(f) >= 2]

    def step_lines(self):
        """The `say` lines of the builds (`==> name: …`), without the closing summary."""
        # cattle's sweep of runs killed earlier on this machine says what it removed before the
        # build starts: it is about those runs, not this template.
        return [text for kind, text in self.ui if kind == "say" and text.startswith("==> ")
                and not text.startswith(("==> Wait completed", "==> Builds finished", "==> Some builds"))
                and not DEAD_RUN_SWEPT.match(text)]

    def build_errors(self):
        """Why each build failed: the `Build 'name' errored after …: reason` lines."""
        return [text for kind, text in self.ui if kind == "error" and text.startswith("Build '")]


def docker(*args, check=False, timeout=300):
    return subprocess.run(["docker", *args], capture_output=True, text=True, check=check, timeout=timeout)


def _unescape(value):
    return value.replace("%!(PACKER_COMMA)", ",").replace("\\n", "\n").replace("\\r", "\r")


def parse_machine_readable(text):
    lines = []
    for line in text.splitlines():
        parts = line.split(",")
        if len(parts) < 3 or not parts[0].isdigit():
            continue
        lines.append((parts[1], parts[2], [_unescape(p) for p in parts[3:]]))
    return lines


def parse_artifacts(lines):
    artifacts = {}
    for target, kind, fields in lines:
        if kind != "artifact" or len(fields) < 2:
            continue
        blank = {"build": target, "builder_id": None, "id": None, "string": None, "files": []}
        art = artifacts.setdefault((target, fields[0]), blank)
        key, rest = fields[1], fields[2:]
        if key == "builder-id":
            art["builder_id"] = rest[0] if rest else ""
        elif key == "id":
            art["id"] = rest[0] if rest else ""
        elif key == "string":
            art["string"] = rest[0] if rest else ""
        elif key == "file" and len(rest) >= 2:
            art["files"].append(rest[1])
    return [artifacts[k] for k in sorted(artifacts, key=lambda k: (k[0], int(k[1]) if k[1].isdigit() else 0))]


def tar_listing(fileobj_or_path):
    listing = {}
    opener = tarfile.open(fileobj=fileobj_or_path, mode="r|*") if hasattr(fileobj_or_path, "read") \
        else tarfile.open(fileobj_or_path, mode="r:*")
    with opener as tar:
        for member in tar:
            path = member.name.lstrip("./").rstrip("/")
            if not path:
                continue
            kind = "d" if member.isdir() else "l" if member.issym() else "h" if member.islnk() else \
                "f" if member.isfile() else "c" if member.ischr() else "b" if member.isblk() else "p" \
                if member.isfifo() else "?"
            listing[path] = (kind, member.uid, member.gid, oct(member.mode & 0o7777),
                             member.size if kind == "f" else 0, member.linkname if kind in "lh" else "")
    return listing


def image_filesystem(ref):
    created = docker("create", ref, "/bin/true")
    if created.returncode != 0:
        # An image without a usable command (e.g. a bad ENTRYPOINT) can still be exported.
        created = docker("create", "--entrypoint", "/bin/true", ref)
    if created.returncode != 0:
        return {"<error>": ("?", 0, 0, "0", 0, created.stderr.strip()[:200])}
    container = created.stdout.strip()
    try:
        proc = subprocess.Popen(["docker", "export", container], stdout=subprocess.PIPE)
        listing = tar_listing(proc.stdout)
        proc.wait(timeout=300)
        return listing
    finally:
        docker("rm", "-f", container)


def image_config(ref):
    out = docker("image", "inspect", ref)
    if out.returncode != 0:
        return None
    data = json.loads(out.stdout)[0]
    config = {f: (data.get("Config") or {}).get(f) for f in CONFIG_FIELDS}
    config["Author"] = data.get("Author") or ""
    config["Id"] = data.get("Id")
    return config


def _image_refs(run_artifacts):
    """(reference, builder id) of the image artifacts: ids (sha256:…) and repo:tag names the daemon knows."""
    refs = []
    for art in run_artifacts:
        ident = art.get("id") or ""
        for candidate in ident.split(","):
            candidate = candidate.strip()
            if candidate and not candidate.startswith("/") and image_config(candidate) is not None:
                refs.append((candidate, art.get("builder_id") or ""))
                break
    return refs


def _snapshot_images():
    out = docker("images", "-a", "--no-trunc", "--format", "{{.ID}} {{.Repository}}:{{.Tag}}").stdout
    ids, tags = set(), set()
    for line in out.splitlines():
        ident, _sp, tag = line.partition(" ")
        ids.add(ident)
        if "<none>" not in tag:
            tags.add(tag)
    return ids, tags


def _snapshot_containers():
    return set(docker("ps", "-aq", "--no-trunc").stdout.split())


def _build_names(raw_template):
    try:
        builders = json.loads(raw_template).get("builders", [])
    except (ValueError, AttributeError):
        return set()
    return {b.get("name") or b.get("type") for b in builders if isinstance(b, dict)}


def _left_behind(container_id, tool, output_text, build_names):
    """Is this new container one the build under test left? 'certain' (then it is removed),
    'possible' (reported only) or None. The daemon is shared with other builds running at the
    same time, so only Packer's (by the id it printed) and the fixed `--name default` some
    templates give in run_command are certain; a cattle-labelled container of the same build
    name may be another concurrent cattle build's."""
    out = docker("inspect", container_id)
    if out.returncode != 0:
        return None
    data = json.loads(out.stdout)[0]
    labels = (data.get("Config") or {}).get("Labels") or {}
    if data.get("Name") == "/default" or (tool == "packer" and container_id in output_text):
        return "certain"
    if tool == "cattle" and "cattle.build_id" in labels and labels.get("cattle.build_name") in build_names:
        return "possible"
    return None


def _gone_soon(container_id, timeout=10.0):
    """A container being removed as the tool exits (or a concurrent build's, ending) is not a leak."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if docker("inspect", container_id).returncode != 0:
            return True
        time.sleep(0.5)
    return False


def clean_up(tool, before_ids, before_tags, before_containers, output_text, raw_template, base_id):
    """Remove what this build left (only what is certainly ours); return the containers found."""
    found = []
    names = _build_names(raw_template)
    for container in sorted(_snapshot_containers() - before_containers):
        verdict = _left_behind(container, tool, output_text, names)
        if verdict == "certain":
            found.append(f"container {container[:12]}")
            docker("rm", "-f", container)
        elif verdict == "possible" and not _gone_soon(container):
            found.append(f"container {container[:12]} (labelled for this build name; may be a concurrent "
                         "build's, so not removed)")
    after_ids, after_tags = _snapshot_images()
    mentioned = set(re.findall(r"sha256:[0-9a-f]{64}", output_text))
    for tag in sorted(after_tags - before_tags):
        repo = tag.rsplit(":", 1)[0]
        if repo in output_text or f'"{repo}"' in raw_template:
            docker("rmi", "-f", tag)
    for ident in sorted((after_ids - before_ids) & mentioned):
        if ident != base_id:
            docker("rmi", "-f", ident)
    return found


def _tool_command(tool, template, only=None):
    if tool == "packer":
        cmd = ["packer", "build", "-machine-readable"]
    else:
        cmd = [os.path.join(REPO, ".venv", "bin", "cattle"), "build", "-machine-readable"]
    if only:
        cmd.append(f"-only={only}")
    return cmd + [template]


def tool_env(work):
    env = dict(os.environ, CHECKPOINT_DISABLE="1", PACKER_CACHE_DIR=os.path.join(work, ".packer_cache"))
    # Packer's ansible provisioner runs ansible-playbook from PATH; give it the project's.
    env["PATH"] = os.path.join(REPO, ".venv", "bin") + os.pathsep + env.get("PATH", "")
    env.pop("PACKER_LOG", None)
    return env


def run_tool(tool, entry, work_root, only=None):
    work = os.path.join(work_root, tool)
    shutil.copytree(entry.directory, work, symlinks=True)
    cwd = os.path.join(work, entry.cwd)
    before = set()
    for root, _dirs, files in os.walk(work):
        before.update(os.path.relpath(os.path.join(root, f), work) for f in files)
    before_ids, before_tags = _snapshot_images()
    before_containers = _snapshot_containers()
    base_id = (image_config(BASE_IMAGE) or {}).get("Id")
    try:
        proc = subprocess.run(_tool_command(tool, entry.template_from_cwd, only), cwd=cwd, env=tool_env(work),
                              capture_output=True, text=True, timeout=BUILD_TIMEOUT, stdin=subprocess.DEVNULL,
                              check=False)
        exit_code, text = proc.returncode, proc.stdout + proc.stderr
    except subprocess.TimeoutExpired as exc:
        exit_code, text = -1, f"{exc.stdout or ''}{exc.stderr or ''}\n<timed out after {BUILD_TIMEOUT}s>"
    lines = parse_machine_readable(text)
    artifacts = parse_artifacts(lines)
    images = []
    try:
        for ref, builder_id in _image_refs(artifacts):
            images.append(Image(ref, builder_id, image_config(ref), image_filesystem(ref)))
        written = []
        tars = {}
        for root, dirs, files in os.walk(work):
            dirs[:] = [d for d in dirs if d != ".packer_cache"]
            for name in files:
                rel = os.path.relpath(os.path.join(root, name), work)
                if rel in before:
                    continue
                written.append(rel)
                path = os.path.join(root, name)
                if tarfile.is_tarfile(path):
                    try:
                        tars[rel] = tar_listing(path)
                    except (tarfile.TarError, OSError) as exc:
                        tars[rel] = {"<error>": ("?", 0, 0, "0", 0, str(exc))}
        manifest = None
        for rel in written:
            if rel.endswith(".json"):
                try:
                    with open(os.path.join(work, rel), encoding="utf-8") as handle:
                        data = json.load(handle)
                    if isinstance(data, dict) and "builds" in data:
                        manifest = data
                except (OSError, ValueError):
                    pass
    finally:
        leaks = clean_up(tool, before_ids, before_tags, before_containers, text, entry.raw_template(), base_id)
    return Run(tool, exit_code, lines, artifacts, images, tars, manifest, sorted(written), leaks, raw=text,
               work=work)


# --- comparing ----------------------------------------------------------------------------

@dataclass
class Difference:
    aspect: str  # exit, config, filesystem, artifacts, manifest, steps, files, leak
    detail: str


@dataclass
class Comparison:
    entry: Entry
    packer: Run
    cattle: Run
    differences: list = field(default_factory=list)

    @property
    def equivalent(self):
        return not self.differences


def normalise(text, rules=None, work=""):
    rules = deliberate.STEP_LINE_NORMALISATIONS if rules is None else rules
    if work:
        text = text.replace(work, "<work>")
    for pattern, placeholder, _why in rules:
        text = re.sub(pattern, placeholder, text)
    return text


def _changes_set(raw_template, instruction):
    try:
        data = json.loads(raw_template)
    except ValueError:
        return False
    for builder in data.get("builders", []):
        for change in builder.get("changes", []) or []:
            if str(change).strip().upper().startswith(instruction.upper() + " "):
                return True
    return False


def _exports(raw_template):
    """Does the template's docker builder export (export_path, no commit)? Then an image artifact
    can only come from docker-import of the export, which carries no config from either tool."""
    try:
        builders = json.loads(raw_template).get("builders", [])
    except (ValueError, AttributeError):
        return False
    return any(isinstance(b, dict) and b.get("export_path") and str(b.get("commit", "")).lower() not in ("true", "1")
               for b in builders)


def _ignored(path):
    top = path.split("/")[0]
    if path in deliberate.IGNORED_PATHS or top in ("dev", "proc", "sys"):
        return True
    return any(re.fullmatch(pattern, path) for pattern in deliberate.IGNORED_PATH_PATTERNS)


def compare_listings(label, packer, cattle):
    diffs = []
    keys = sorted(set(packer) | set(cattle))
    only_packer, only_cattle, changed = [], [], []
    for path in keys:
        if _ignored(path):
            continue
        p, c = packer.get(path), cattle.get(path)
        if p is None:
            only_cattle.append(path)
        elif c is None:
            only_packer.append(path)
        else:
            if any(path.startswith(pref) for pref in deliberate.SIZE_IGNORED_PREFIXES):
                p, c = p[:4] + p[5:], c[:4] + c[5:]
            if p != c:
                changed.append(f"{path}: packer {p} cattle {c}")
    for title, items in (("only in Packer's", only_packer), ("only in cattle's", only_cattle),
                         ("differ (type, uid, gid, mode, size, link)", changed)):
        if items:
            shown = ", ".join(items[:8]) + (f" … (+{len(items) - 8})" if len(items) > 8 else "")
            diffs.append(Difference("filesystem", f"{label}: {len(items)} path(s) {title}: {shown}"))
    return diffs


def compare_configs(label, packer, cattle, raw_template, base, imported=False):
    """Config fields; Cmd/Entrypoint per deliberate.KEPT_FROM_BASE_IMAGE for committed images (an
    imported export has no config from either tool, so there both must simply agree)."""
    diffs = []
    for name in CONFIG_FIELDS + ("Author",):
        p, c = packer.get(name), cattle.get(name)
        if name == "Labels" and c:
            c = {key: value for key, value in c.items() if key not in deliberate.ADDED_LABELS}
        if name in ("ExposedPorts", "Labels", "Volumes", "Env"):
            p, c = p or None, c or None
        if name in deliberate.KEPT_FROM_BASE_IMAGE and not imported and not _changes_set(raw_template, name.upper()):
            expected = (base or {}).get(name) or None
            if (c or None) != expected:
                diffs.append(Difference("config", f"{label}: {name} is {c!r}; the base image's {expected!r} should "
                                                  "be kept (no `changes` set it)"))
            continue
        if name == "Entrypoint":
            p, c = p or None, c or None
        if p != c:
            diffs.append(Difference("config", f"{label}: {name}: packer {p!r} cattle {c!r}"))
    return diffs


def _norm_artifact(art, work):
    return {
        "builder_id": art["builder_id"],
        "id": normalise(art["id"] or "", work=work),
        "string": normalise(art["string"] or "", work=work),
        "files": sorted(os.path.basename(f) for f in art["files"]),
    }


def _norm_manifest(data):
    if data is None:
        return None
    data = json.loads(json.dumps(data))
    data.pop("last_run_uuid", None)
    for build in data.get("builds", []):
        for key in deliberate.MANIFEST_VOLATILE_KEYS:
            build.pop(key, None)
        build["files"] = sorted((f.get("name"), f.get("size")) for f in build.get("files") or [])
    return data


def compare(entry, packer, cattle):
    result = Comparison(entry, packer, cattle)
    add = result.differences.extend
    if packer.exit_code != cattle.exit_code:
        add([Difference("exit", f"packer exited {packer.exit_code}, cattle {cattle.exit_code}")])
    # A line a normalisation empties is one deliberate.py says cattle does not print there.
    p_steps = [line for line in (normalise(s, work=packer.work) for s in packer.step_lines()) if line]
    c_steps = [line for line in (normalise(s, work=cattle.work) for s in cattle.step_lines()) if line]
    if p_steps != c_steps:
        diff = [d for d in difflib.unified_diff(p_steps, c_steps, "packer", "cattle", lineterm="", n=0)
                if not d.startswith(("---", "+++", "@@"))]
        add([Difference("steps", f"{len(diff)} step line(s) differ: " + " | ".join(diff[:12])
                        + (" …" if len(diff) > 12 else ""))])
    p_errors = [normalise(s, work=packer.work) for s in packer.build_errors()]
    c_errors = [normalise(s, work=cattle.work) for s in cattle.build_errors()]
    if p_errors != c_errors:
        add([Difference("error", f"packer {p_errors} cattle {c_errors}")])
    p_art = [_norm_artifact(a, packer.work) for a in packer.artifacts]
    c_art = [_norm_artifact(a, cattle.work) for a in cattle.artifacts]
    if p_art != c_art:
        add([Difference("artifacts", f"packer {p_art} cattle {c_art}")])
    if _norm_manifest(packer.manifest) != _norm_manifest(cattle.manifest):
        add([Difference("manifest", f"packer {_norm_manifest(packer.manifest)} cattle "
                                    f"{_norm_manifest(cattle.manifest)}")])
    base = image_config(BASE_IMAGE)
    raw = entry.raw_template()
    if len(packer.images) != len(cattle.images):
        add([Difference("config", f"image artifacts: packer {[i.ref for i in packer.images]} cattle "
                                  f"{[i.ref for i in cattle.images]}")])
    for index, (p_img, c_img) in enumerate(zip(packer.images, cattle.images, strict=False)):
        label = f"image #{index + 1} ({normalise(p_img.ref)})"
        # (Packer's committed image also reports the docker-import builder id, so the id cannot tell.)
        add(compare_configs(label, p_img.config, c_img.config, raw, base, imported=_exports(raw)))
        add(compare_listings(label, p_img.listing, c_img.listing))
    p_files = sorted(normalise(f) for f in packer.output_files)
    c_files = sorted(normalise(f) for f in cattle.output_files)
    if p_files != c_files:
        add([Difference("files", f"files written: packer {p_files} cattle {c_files}")])
    for rel in sorted(set(packer.tars) & set(cattle.tars)):
        add(compare_listings(f"tar {rel}", packer.tars[rel], cattle.tars[rel]))
    if cattle.leaks:
        add([Difference("leak", f"cattle left behind: {', '.join(cattle.leaks)}")])
    if packer.leaks:
        add([Difference("leak", f"(Packer left behind: {', '.join(packer.leaks)} — recorded, not a cattle defect)")])
    return result


def run_entry(entry, keep_dir=None):
    """Build the entry with both tools (Packer first) and compare."""
    work_root = tempfile.mkdtemp(prefix=f"corpus-{entry.name}-", dir=keep_dir)
    try:
        runs = {tool: run_tool(tool, entry, work_root) for tool in TOOLS}
        return compare(entry, runs["packer"], runs["cattle"])
    finally:
        if keep_dir is None:
            shutil.rmtree(work_root, ignore_errors=True)


# --- validate verdicts --------------------------------------------------------------------

VERDICTS = os.path.join(CORPUS, "VERDICTS.tsv")


def packer_validate(entry):
    work_root = tempfile.mkdtemp(prefix=f"corpus-validate-{entry.name}-")
    try:
        work = os.path.join(work_root, "t")
        shutil.copytree(entry.directory, work, symlinks=True)
        proc = subprocess.run(["packer", "validate", entry.template_from_cwd], cwd=os.path.join(work, entry.cwd),
                              env=tool_env(work_root), capture_output=True, text=True, timeout=300, check=False)
        text = (proc.stdout + proc.stderr).strip()
        return ("ok" if proc.returncode == 0 else "error"), " ".join(text.split())[:400]
    finally:
        shutil.rmtree(work_root, ignore_errors=True)


def load_verdicts():
    with open(VERDICTS, encoding="utf-8", newline="") as handle:
        return {r["name"]: r for r in csv.DictReader(handle, delimiter="\t")}


def cattle_validate(entry):
    """`cattle validate` run as Packer's was: in a fresh copy of the entry, from its cwd, same PATH."""
    work_root = tempfile.mkdtemp(prefix=f"corpus-validate-{entry.name}-")
    try:
        work = os.path.join(work_root, "t")
        shutil.copytree(entry.directory, work, symlinks=True)
        proc = subprocess.run([os.path.join(REPO, ".venv", "bin", "cattle"), "validate", entry.template_from_cwd],
                              cwd=os.path.join(work, entry.cwd), env=tool_env(work_root), capture_output=True,
                              text=True, timeout=300, stdin=subprocess.DEVNULL, check=False)
        text = (proc.stdout + proc.stderr).strip()
        return ("ok" if proc.returncode == 0 else "error"), " ".join(text.split())[:4000]
    finally:
        shutil.rmtree(work_root, ignore_errors=True)
