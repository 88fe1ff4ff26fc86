# Shared helpers for the set-up scripts. Sourced, not run.
# Everything here is idempotent: a second run finds what the first made and does nothing.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$REPO/.venv"
CACHE_DIR="${CATTLE_CACHE_DIR:-/var/tmp/cattle-images}"
BASE_IMAGE="${CATTLE_BASE_IMAGE:-local/debian:bookworm}"

log() { printf '==> %s\n' "$*" >&2; }

need_root() {
  if [ "$(id -u)" != 0 ]; then
    echo "cattle.images set-up must run as root (it installs Debian packages and starts dockerd)." >&2
    exit 1
  fi
}

# apt_install PKG... — install the Debian packages that are missing, nothing else.
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  need_root
  log "installing Debian packages: ${missing[*]}"
  if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -1)" ]; then
    apt-get update -qq
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# A Python 3.11+ to build the venv from; prefer the system one (pyenv shims can fail).
find_python() {
  for py in /usr/bin/python3 "$(command -v python3 || true)"; do
    [ -x "$py" ] || continue
    if "$py" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$py"; return 0
    fi
  done
  return 1
}

ensure_venv() {
  local stamp="$VENV/.cattle-installed"
  local want
  want="$(cat "$REPO/pyproject.toml" "$REPO/requirements-test.txt" | sha256sum | cut -c1-16)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$VENV/bin/cattle" ]; then
    link_collection
    return 0
  fi
  local py
  if ! py="$(find_python)"; then
    apt_install python3 python3-venv python3-pip
    py="$(find_python)"
  fi
  if [ ! -x "$VENV/bin/python" ]; then
    log "creating the virtual environment in $VENV"
    "$py" -m venv "$VENV" 2>/dev/null || { apt_install python3-venv; "$py" -m venv "$VENV"; }
  fi
  log "installing Python packages into $VENV"
  "$VENV/bin/pip" install -q --upgrade pip >/dev/null
  "$VENV/bin/pip" install -q -r "$REPO/requirements-test.txt"
  "$VENV/bin/pip" install -q --no-deps -e "$REPO"
  link_collection
  echo "$want" > "$stamp"
}

# In a checkout the collection is the repo itself: link it where Ansible and the
# `cattle` command look for collections (the venv's site-packages/ansible_collections).
link_collection() {
  local site
  site="$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
  mkdir -p "$site/ansible_collections/cattle"
  local link="$site/ansible_collections/cattle/images"
  if [ "$(readlink "$link" 2>/dev/null)" != "$REPO" ]; then
    rm -rf "$link"
    ln -s "$REPO" "$link"
  fi
}

docker_answers() { docker info >/dev/null 2>&1; }

ensure_docker() {
  command -v dockerd >/dev/null 2>&1 && command -v docker >/dev/null 2>&1 || apt_install docker.io
  if docker_answers; then return 0; fi
  need_root
  log "starting dockerd (log: /var/log/cattle-dockerd.log)"
  # setsid: the daemon must outlive this script and the test run's process group.
  setsid nohup dockerd >/var/log/cattle-dockerd.log 2>&1 < /dev/null &
  for _ in $(seq 1 60); do
    docker_answers && return 0
    sleep 0.5
  done
  echo "dockerd did not answer within 30 s; see /var/log/cattle-dockerd.log" >&2
  tail -20 /var/log/cattle-dockerd.log >&2 || true
  exit 1
}

# The base image every Docker example and test starts from. No registry can be
# reached, so it is made with debootstrap once and cached as a tarball keyed by its recipe.
ensure_base_image() {
  if docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then return 0; fi
  local recipe="debootstrap --variant=minbase --include=python3 bookworm"
  local key
  key="$(printf '%s' "$recipe" | sha256sum | cut -c1-12)"
  local tarball="$CACHE_DIR/base-bookworm-$key.tar"
  mkdir -p "$CACHE_DIR"
  if [ ! -s "$tarball" ]; then
    apt_install debootstrap
    local root
    root="$(mktemp -d "$CACHE_DIR/rootfs.XXXXXX")"
    log "making the base image with debootstrap (once; cached in $tarball)"
    debootstrap --variant=minbase --include=python3 bookworm "$root" >"$CACHE_DIR/debootstrap.log" 2>&1 \
      || { tail -20 "$CACHE_DIR/debootstrap.log" >&2; rm -rf "$root"; exit 1; }
    tar -C "$root" -cf "$tarball.tmp" .
    mv "$tarball.tmp" "$tarball"
    rm -rf "$root"
  fi
  log "importing $tarball as $BASE_IMAGE"
  docker import --change 'CMD ["/bin/bash"]' "$tarball" "$BASE_IMAGE" >/dev/null
}
