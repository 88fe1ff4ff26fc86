"""How the Docker compatibility corpus was made (re-runnable where the mirrors exist).

Each entry names a public repository, the commit its template was read at, the template's
path, the local files it uses, the rewrites applied (only the base image, to the local
`local/debian:bookworm`, with `"pull": false` since Packer pulls by default and no
registry can be reached here) and stand-ins for local files that the source repository
does not hold (each stand-in says so in its first line). The result is one directory per
entry under this folder, laid out as in the source repository, and SOURCES.tsv.

    python tests/compat/collect_corpus.py [--mirrors /work/.mirror]

Mirrors are bare clones at ``<mirrors>/<owner>+<name>/repo`` (or ``repo/.git``).
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "docker")
BASE = "local/debian:bookworm"
# Packer pulls by default and no registry answers here, so the base image rewrite turns the pull off.
NO_PULL = f'"image": "{BASE}", "pull": false'
NO_PULL_KEEP = f'"image": "{BASE}"'
STAND_IN = "STAND-IN written for the cattle compatibility corpus: the source repository does not hold this file."

SHARED = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(HERE)))), "shared",
                      "corpus", "packer-json")

# name, repo, commit, template path, cwd (relative to the entry), local files or dirs (repo paths),
# rewrites [(old, new)], stand-ins {path: content}, note
ENTRIES = [
    dict(name="ybodnar-consul-example", repo="ybodnar/terraform-consul-example",
         commit="2b85d2b161cc32e4346c5b581d9dfc2342b90d21", template="packer-docker.json",
         rewrites=[('"image": "ubuntu"', NO_PULL)],
         note="shell inline; export_path; docker-import"),
    dict(name="revg-containerimage", repo="Rev-G/containerimage",
         commit="f13f51546ae8e5cea07cff469677bfaefcb3c417", template="packer-docker.json",
         files=["installs.sh", "app.py"],
         rewrites=[('"image": "centos:latest"', NO_PULL)],
         note="changes LABEL/WORKDIR/ENV/CMD; shell script (yum); file; docker-tag"),
    dict(name="grr-docker", repo="google/grr",
         commit="955b80b37445d50a6efe7692f5c0e9f97d9b9377", template="packer/docker.json", cwd="packer",
         files=["packer/scripts/docker.sh"],
         rewrites=[('"image": "ubuntu:trusty"', NO_PULL)],
         note="shell scripts (apt-get, network)"),
    dict(name="cassandra-image", repo="cloudurable/cassandra-image",
         commit="168b20817a8f0ecb394340c480bab1bc9583890a", template="packer-docker.json",
         files=["resources", "scripts/000-provision.sh", "scripts/001-docker-prepare-systemd.sh",
                "scripts/010-tune-os.sh", "scripts/020-cassandra.sh"],
         rewrites=[('"image": "centos:centos7.3.1611"', NO_PULL)],
         note="file (directory upload); shell scripts (yum); docker-tag x2 + docker-push"),
    dict(name="entercloudsuite-ansible-example", repo="entercloudsuite/ansible-example",
         commit="20779bb7150f0bb15efbcda56132b2bb0003e0f7", template="packer-docker.json",
         files=["molecule/default/playbook.yml"],
         rewrites=[('"image": "ubuntu:16.04"', NO_PULL)],
         note="changes CMD; shell (apt-get); ansible with ansible_env_vars; docker-tag + docker-push"),
    dict(name="lolsam-packer-docker", repo="lolsam/hashicorp-packer",
         commit="55d5c20b81684e67b34299f77c5a4b514d32caba", template="packer-docker.json",
         rewrites=[('"image": "centos"', NO_PULL)],
         standins={"install.sh": f"#!/bin/sh\n# {STAND_IN}\nset -e\nmkdir -p /opt/app\necho installed > /opt/app/installed\n"},
         note="export_path with changes; shell script with timeout; docker-import with {{timestamp}} + docker-push"),
    dict(name="urbinaalex17-packer-files", repo="urbinaalex17/packer-files",
         commit="030de3154b1722ea2797feffe19ffe7931430cca", template="packer-docker.json",
         rewrites=[('"image": "node"', NO_PULL)],
         note="user variables; author; changes EXPOSE; shell (apt-get, curl); docker-tag"),
    dict(name="masteinhauser-devops-journey", repo="masteinhauser/ansible-devops-journey",
         commit="3b0d7d8c5c129674d568367d42864f2102c1c366", template="packer-docker.json",
         files=["site.yml"],
         rewrites=[('"image": "ubuntu:14.04"', NO_PULL_KEEP), ('"pull": true', '"pull": false')],
         note="pull; shell (apt-get); ansible-local"),
    dict(name="phbasin-docker", repo="PHBasin/packer",
         commit="83d0d9d53402fd59b7837e3fb317a138bc7892ad", template="docker/packer.json", cwd="docker",
         files=["docker/app/index.js", "docker/app/package.json", "docker/app/Dockerfile"],
         rewrites=[('"image": "node:10-alpine"', NO_PULL)],
         note="changes USER/ENTRYPOINT/WORKDIR/EXPOSE/CMD; shell; file dir; docker-tag+docker-push and docker-save "
              "chains (app/node_modules, public/, views/ left out: 1.8 MB, the build fails before they matter)"),
    dict(name="esacteksab-pyall", repo="esacteksab/packer-pyall",
         commit="3d9c65677d0524130355e48974f39e79c7bef2cd", template="docker-ubuntu.json",
         files=["provisioning/container.yml"],
         rewrites=[('"image": "ubuntu"', NO_PULL)],
         note="shell (apt-get); ansible-local; docker-tag"),
    dict(name="hikosaburou-amazonlinux", repo="Hikosaburou/packer_docker",
         commit="f4d69f8ef064f8016e061385f04626a2e90f58b9", template="docker.json",
         rewrites=[('"image": "amazonlinux:2-with-sources"', NO_PULL)],
         note="export_path; shell (yum); execute_command with su; docker-import"),
    dict(name="piinit-docker", repo="ncabatoff/piinit",
         commit="c4a39803a6be79b54769593795729ac94f3871ed", template="packer/docker.json", cwd="packer",
         rewrites=[('"image": "debian:stretch-slim"', NO_PULL)],
         standins={"packer/packages/amd64/README": f"{STAND_IN}\n(generated .deb packages go here)\n"},
         note="changes ENTRYPOINT/EXPOSE; file with generated; file from an absolute host path that does not "
              "exist here (/vagrant/...); shell (apt-get); docker-tag in a sequence"),
    dict(name="cto-bootcamp-docker", repo="izquierdogalan/cto-bootcamp",
         commit="ee132edbd1b723b07f37abde56123b03d95d7fcf", template="packer/docker.json", cwd="packer",
         rewrites=[('"image": "ubuntu:16.04"', NO_PULL)],
         standins={"ansible/demo.yml": f"# {STAND_IN}\n- hosts: all\n  gather_facts: false\n  tasks:\n"
                                       "    - raw: echo demo > /demo.txt\n",
                   "ansible/galaxy/README": f"{STAND_IN}\n"},
         note="run_command with --name; template_dir; shell (apt-get); ansible with ansible_env_vars"),
    dict(name="tema01-job03", repo="AdriIlegra/tema-01-final",
         commit="08bf86a05e95f67e8174e61ba97d88c2a46c3211", template="job-03/packer.json", cwd="job-03",
         rewrites=[('"image": "ubuntu:20.04"', NO_PULL)],
         note="env variables; shell (apt-get); docker-tag"),
    dict(name="announcerd-docker", repo="oceanedgeio/announcerd",
         commit="4c73883f31683a453312d4e8c30279cf8183ca13", template="docker/packer.json", cwd="docker",
         rewrites=[('"image": "node:10"', NO_PULL)],
         standins={"docker/discord-announcer.tar.gz": None},  # a small gzip tar, made below
         note="changes CMD; file upload of a tarball; shell (tar, npm); docker-tag + docker-push"),
    dict(name="homemaker-docker", repo="jessestuart/homemaker",
         commit="9bba72390bf160fef5f12eb2732862a863dfb94b", template="packer/docker.json",
         files=["ansible/bootstrap.yml"],
         rewrites=[('"base_image": "archlinux/base"', f'"base_image": "{BASE}"'),
                   ('"privileged": true,', '"privileged": true, "pull": false,')],
         note="user-variable image; privileged; export_path; VOLUME change; run_command --name; shell (pacman); "
              "ansible; artifice + docker-import"),
    dict(name="defn-dream", repo="defn/dream",
         commit="0078a3377c754fa92a38ba4f749b666ee83226b3", template="packer-docker.json",
         note="JSON with a trailing comma (Packer rejects it); image from an env variable (no rewrite needed)"),
    dict(name="adilbaig-challenge", repo="adilbaig/technical-challenge",
         commit="051f293dc5d379e4fed7ee24e32ad3dc6ae545d4", template="packer-docker.json",
         rewrites=[('"image": "tiangolo/uwsgi-nginx:python3.6"', NO_PULL)],
         note="changes only, including RUN (not allowed by docker commit --change)"),
    dict(name="packer-docs-manifest", repo="hashicorp/packer",
         commit="9b997f28d5e3a187f2141d7c06082bbf0732954b", template="website/content/docs/post-processors/manifest.mdx#L140",
         shared="packer-docs__website_content_docs_post-processors_manifest.mdx_L140.json",
         rewrites=[('"image": "ubuntu:latest"', NO_PULL)],
         note="docs example: export_path; run_command --entrypoint; manifest with custom_data"),
    dict(name="packer-docs-ansible-docker", repo="hashicorp/packer",
         commit="9b997f28d5e3a187f2141d7c06082bbf0732954b", template="website/content/docs/provisioners/ansible.mdx#L562",
         shared="packer-docs__website_content_docs_provisioners_ansible.mdx_L562.json",
         rewrites=[('"image": "centos:7"', NO_PULL)],
         standins={"webserver.yml": f"# {STAND_IN}\n# (the docs page shows no playbook)\n- hosts: webserver\n"
                                    "  gather_facts: false\n  tasks:\n    - raw: mkdir -p /srv/www && echo hello > /srv/www/index.html\n"},
         note="docs example: ansible over the docker connection, run_command --name, groups, user variables"),
    dict(name="packer-fixture-ansible-docker", repo="hashicorp/packer",
         commit="9b997f28d5e3a187f2141d7c06082bbf0732954b", template="test/fixtures/provisioner-ansible/docker.json",
         files=["test/fixtures/provisioner-ansible/playbook.yml", "test/fixtures/provisioner-ansible/dir"],
         cwd="test/fixtures/provisioner-ansible",
         rewrites=[('"image": "debian:jessie"', NO_PULL)],
         note="acceptance fixture: discard; shell (apt-get); ansible with use_sftp=false"),
    dict(name="plugin-docker-upload-owner", repo="hashicorp/packer-plugin-docker",
         commit="a29ac30d29a63ac9afd1d3c04e4a0f7622a6f2c0", template="builder/docker/test-fixtures/fix_upload_owner.json",
         files=["builder/docker/test-fixtures/onecakes", "builder/docker/test-fixtures/manycakes"],
         cwd="builder/docker",
         rewrites=[('"image": "ubuntu"', NO_PULL)],
         note="acceptance fixture: discard; run_command -u 42; file upload (file and directory); string inline"),
    dict(name="plugin-docker-upload-download", repo="hashicorp/packer-plugin-docker",
         commit="a29ac30d29a63ac9afd1d3c04e4a0f7622a6f2c0", template="builder/docker/test-fixtures/upload_download.json",
         files=["builder/docker/test-fixtures/onecakes"],
         cwd="builder/docker",
         rewrites=[('"image": "ubuntu"', NO_PULL)],
         note="acceptance fixture: discard; file upload then download"),
]


def git_dir(mirrors, repo):
    base = os.path.join(mirrors, repo.replace("/", "+"), "repo")
    return os.path.join(base, ".git") if os.path.isdir(os.path.join(base, ".git")) else base


def git(gd, *args):
    return subprocess.run(["git", f"--git-dir={gd}", *args], capture_output=True, check=True).stdout


def export(gd, commit, path, dest_root):
    kind = git(gd, "cat-file", "-t", f"{commit}:{path}").decode().strip()
    paths = [path]
    if kind == "tree":
        paths = git(gd, "ls-tree", "-r", "--name-only", commit, "--", path).decode().split("\n")
    for p in filter(None, paths):
        dest = os.path.join(dest_root, p)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with open(dest, "wb") as handle:
            handle.write(git(gd, "show", f"{commit}:{p}"))
        mode = git(gd, "ls-tree", commit, "--", p).decode().split()[0]
        os.chmod(dest, 0o755 if mode == "100755" else 0o644)


def make_tarball(dest):
    """A small .tar.gz stand-in, byte-identical on every run (gzip and tar times are 0)."""
    import gzip
    import io
    import tarfile
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    data = f"// {STAND_IN}\nconsole.log('announcer');\n".encode()
    with open(dest, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz, \
            tarfile.open(fileobj=gz, mode="w") as tar:
        info = tarfile.TarInfo("index.js")
        info.size, info.mtime, info.mode = len(data), 0, 0o644
        tar.addfile(info, io.BytesIO(data))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--mirrors", default="/work/.mirror")
    args = parser.parse_args()
    rows = []
    for entry in ENTRIES:
        root = os.path.join(HERE, entry["name"])
        shutil.rmtree(root, ignore_errors=True)
        template = entry["template"].split("#")[0]
        target = os.path.join(root, template if "shared" not in entry else os.path.basename(entry["shared"]))
        if "shared" in entry:
            os.makedirs(root, exist_ok=True)
            shutil.copy(os.path.join(SHARED, entry["shared"]), target)
        else:
            export(git_dir(args.mirrors, entry["repo"]), entry["commit"], template, root)
        gd = git_dir(args.mirrors, entry["repo"]) if entry.get("files") else None
        for path in entry.get("files", []):
            export(gd, entry["commit"], path, root)
        raw = open(target, "rb").read().decode()
        for old, new in entry.get("rewrites", []):
            if raw.count(old) != 1:
                sys.exit(f"{entry['name']}: rewrite {old!r} matches {raw.count(old)} times")
            raw = raw.replace(old, new)
        with open(target, "wb") as handle:
            handle.write(raw.encode())
        for path, content in entry.get("standins", {}).items():
            dest = os.path.join(root, path)
            if content is None:
                make_tarball(dest)
                continue
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            with open(dest, "w") as handle:
                handle.write(content)
            if path.endswith(".sh"):
                os.chmod(dest, 0o755)
        rows.append({
            "name": entry["name"],
            "source": f"{entry['repo']}@{entry['commit']}:{entry['template']}",
            "template": os.path.relpath(target, root),
            "cwd": entry.get("cwd", "."),
            "local_files": ",".join(entry.get("files", [])) or "-",
            "rewrites": "; ".join(f"{old} -> {new}" for old, new in entry.get("rewrites", [])) or "-",
            "stand_ins": ",".join(entry.get("standins", {})) or "-",
            "exercises": entry["note"],
        })
    with open(os.path.join(HERE, "SOURCES.tsv"), "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), delimiter="\t", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} entries written to {HERE}")


if __name__ == "__main__":
    main()
