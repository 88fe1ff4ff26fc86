#!/usr/bin/env bash
# Runs `ansible-test sanity` on the collection, offline except for PyPI.
#
# ansible-test insists on two things a checkout does not give it:
#  - the collection must sit at .../ansible_collections/cattle/images in a git work tree
#    (the venv's symlink is resolved and refused), so the working tree's tracked and
#    untracked-not-ignored files are copied to a fresh temporary one;
#  - each sanity venv is bootstrapped with pip's get-pip.py downloaded from
#    ci-files.testing.ansible.com, which cannot be reached here. ansible-test uses a cached
#    script instead when one exists, so a stand-in is written there (see write_get_pip).
# The sanity venvs are cached by ansible-test in ~/.ansible/test/venv: the first run builds
# them from PyPI, later runs reuse them.
#
# Usage: bash scripts/sanity.sh [ansible-test sanity options, e.g. --test pep8]
source "$(dirname "$0")/lib.sh"
cd "$REPO"

PYTHON_VERSION=3.11

# Where ansible-test looks for the bootstrap script of the pip version it pins for a Python.
get_pip_path() {
  "$VENV/bin/python" - "$PYTHON_VERSION" <<'EOF'
import os
import sys
from types import SimpleNamespace

from ansible_test._internal.python_requirements import get_venv_packages

pip_version = get_venv_packages(SimpleNamespace(version=sys.argv[1]))["pip"]
# Same path as ansible_test/_util/target/setup/requirements.py:bootstrap() uses.
print(os.path.expanduser("~/.ansible/test/cache/get_pip_%s.py" % pip_version.replace(".", "_")))
EOF
}

# The stand-in for get-pip.py. ansible-test runs it in a new, pip-less venv as
# `python get_pip_X_Y.py --disable-pip-version-check pip==X.Y --no-setuptools --no-wheel`.
# It installs the pip bundled with Python (ensurepip, offline), then lets that pip install
# what was asked for from PyPI. get-pip.py's own --no-* flags are not pip's: they say what
# not to add besides the requested packages, so they are dropped, and the setuptools
# ensurepip brings along is removed again when --no-setuptools asked for none.
write_get_pip() {
  local path="$1"
  mkdir -p "$(dirname "$path")"
  cat > "$path.tmp" <<'EOF'
"""Stand-in for pip's get-pip.py (written by cattle.images' scripts/sanity.sh): ensurepip, then pip from PyPI."""
import subprocess
import sys

subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade", "--default-pip"])
args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel", "--no-pip")]
subprocess.check_call([sys.executable, "-m", "pip", "install", *args])
if "--no-setuptools" in sys.argv:
    subprocess.check_call([sys.executable, "-m", "pip", "uninstall", "--yes", "--quiet", "setuptools"])
EOF
  mv "$path.tmp" "$path"
}

# The shellcheck test is skipped with a warning when the program is missing: make it run.
apt_install shellcheck
write_get_pip "$(get_pip_path)"

work="$(mktemp -d "${TMPDIR:-/tmp}/cattle-sanity.XXXXXX")"
trap 'rm -rf "$work"' EXIT
tree="$work/ansible_collections/cattle/images"
mkdir -p "$tree"
# The files of the collection as `ansible-galaxy collection build` would ship them:
# galaxy.yml's build_ignore leaves out what is not collection content (the `cattle`
# command, scripts, benchmarks, packaging files). Files deleted in the working tree but
# still tracked are left out, as a commit would.
collection_files() {
  git ls-files -co --exclude-standard -z | "$VENV/bin/python" -c '
import fnmatch, os, sys, yaml
patterns = yaml.safe_load(open("galaxy.yml"))["build_ignore"]
def ignored(path):
    parts = path.split("/")
    prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    return any(fnmatch.fnmatch(p, pat) for p in prefixes for pat in patterns)
for path in sys.stdin.read().split("\0"):
    if path and os.path.lexists(path) and not ignored(path):
        sys.stdout.write(path + "\0")
'
}
collection_files | xargs -0 cp -P --parents -t "$tree" --
# ansible-test lists the collection's files with git; staging them is enough.
(cd "$tree" && git init -q && git add -A)

cd "$tree"
"$VENV/bin/ansible-test" sanity --python "$PYTHON_VERSION" --color no "$@"
