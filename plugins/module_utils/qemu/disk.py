# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Disk steps on ``qemu-img``: create, copy (or back), resize, compact — as Packer's qemu builder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

from ansible_collections.cattle.images.plugins.module_utils.errors import CattleError


class DiskError(CattleError):
    pass


def qemu_img(args, extra=None, timeout=3600):
    """Run ``qemu-img`` with ``args`` (``extra`` goes right after the subcommand, as Packer's qemu_img_args)."""
    argv = ["qemu-img", args[0], *(extra or []), *args[1:]]
    try:
        result = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)  # noqa: S603
    except FileNotFoundError:
        raise DiskError("qemu-img is not installed (Debian: apt-get install qemu-utils)") from None
    except subprocess.TimeoutExpired:
        raise DiskError(f"{' '.join(argv)} did not finish within {timeout} s") from None
    if result.returncode != 0:
        raise DiskError(f"{' '.join(argv)} failed: {(result.stderr or result.stdout).strip()}")
    return result.stdout


def info(path):
    """``qemu-img info`` as a dict (``format``, ``virtual-size`` in bytes, ``backing-filename`` …)."""
    return json.loads(qemu_img(["info", "--output=json", "-U", path]))


def create(path, fmt, size_mb, extra=None):
    qemu_img(["create", "-f", fmt, path, f"{size_mb}M"], extra)


def create_backed(path, backing, backing_format, extra=None):
    """A qcow2 overlay on ``backing`` (left untouched): Packer's use_backing_file."""
    qemu_img(["create", "-f", "qcow2", "-b", os.path.abspath(backing), "-F", backing_format, path], extra)


def copy(source, destination, fmt, extra=None):
    """Copy a source disk into the output directory in ``fmt`` (Packer's stepCopyDisk)."""
    qemu_img(["convert", "-O", fmt, source, destination], extra)


def copy_file(source, destination):
    """The source disk's bytes as they are, when its extension already names the output format
    (Packer's copy-disk step then copies the file instead of running ``qemu-img convert``: the
    image keeps the source's layout, and so its size after the build)."""
    try:
        shutil.copyfile(source, destination)
    except OSError as exc:
        raise DiskError(f"Error copying {source} to {destination}: {exc.strerror or exc}") from None


def resize(path, fmt, size_mb, extra=None):
    """Grow the disk to ``size_mb`` (never shrink it: qemu-img refuses, and data would be lost)."""
    current = info(path).get("virtual-size", 0)
    wanted = size_mb * 1024 * 1024
    if wanted <= current:
        return False
    qemu_img(["resize", "-f", fmt, path, f"{size_mb}M"], extra)
    return True


def compact(path, compression=False, extra=None):
    """Rewrite a qcow2 disk without its unused blocks (and its backing file), optionally compressed.

    Packer's stepConvertDisk: ``qemu-img convert [-c] -O qcow2 disk disk.convert`` then rename.
    """
    partial = path + ".convert"
    args = ["convert"] + (["-c"] if compression else []) + ["-O", "qcow2", path, partial]
    try:
        qemu_img(args, extra)
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.remove(partial)
