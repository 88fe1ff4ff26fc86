#!/usr/bin/env bash
# Runs the whole test suite, installing and starting what is missing. `.ci/run` calls this.
source "$(dirname "$0")/lib.sh"
ensure_venv
ensure_docker
ensure_base_image
apt_install qemu-system-x86 qemu-utils ovmf debootstrap e2fsprogs dosfstools mtools syslinux syslinux-common fdisk \
  isolinux xorriso busybox-static cpio docker-registry
cd "$REPO"
"$VENV/bin/ruff" check .
"$VENV/bin/ansible-lint" -q   # the whole repository (.ansible-lint says what is left out)
bash "$REPO/scripts/sanity.sh"
# A run killed earlier on this machine (a cancelled CI job, say) leaves what its ledger lists;
# remove it first, as a user would, so it is not swept in the middle of some test's build.
"$VENV/bin/cattle" sweep || echo "cattle sweep failed; the tests go on" >&2
# -rs lists every skip with its reason; the run ends with "skipped: N" (tests/conftest.py), and
# with CI set any skip fails the run. The tests run on two pytest-xdist workers (each file, all VM
# files, all step-cache files kept together: tests/conftest.py); CATTLE_TEST_WORKERS=0 runs them serially.
exec "$VENV/bin/python" -m pytest -q -rs -p no:cacheprovider -n "${CATTLE_TEST_WORKERS:-2}" --dist loadscope "$@" tests
