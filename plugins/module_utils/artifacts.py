# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Artifacts: plain dicts passed from builders along post-processor chains.

``{"id", "builder_id", "builder_type", "build_name", "files", "string", "metadata"}``.
Destroying an artifact is what Packer does to an input a post-processor does not keep.
"""

from __future__ import annotations

import importlib
import os

# Builders whose artifact is an output directory of files: destroying it removes them and the directory.
DIRECTORY_BUILDERS = frozenset({"transcend.qemu", "mitchellh.virtualbox"})
# builder_id -> "module:function" destroying that kind of artifact; anything not listed
# is destroyed by deleting its files.
DESTROYERS = {
    "packer.docker": "ansible_collections.cattle.images.plugins.module_utils.docker.artifacts:destroy_artifact",
    "packer.post-processor.docker-import": (
        "ansible_collections.cattle.images.plugins.module_utils.docker.artifacts:destroy_artifact"
    ),
    "packer.post-processor.docker-tag": (
        "ansible_collections.cattle.images.plugins.module_utils.docker.artifacts:destroy_artifact"
    ),
}


def local_files(artifact, cwd=None):
    """The artifact's files as paths to open: a relative name (as the template wrote it) is under ``cwd``."""
    return [os.path.join(cwd or os.getcwd(), path) if not os.path.isabs(path) else path
            for path in artifact.get("files") or []]


def destroy_files_and_directory(artifact, cwd=None):
    """VM builders' artifacts (qemu, virtualbox): Packer removes the whole output directory."""
    directories = {os.path.dirname(path) for path in local_files(artifact, cwd)}
    _remove_files(artifact, cwd)
    for directory in directories:
        try:
            os.rmdir(directory)  # only once empty: never more than the build wrote
        except OSError:
            pass


def _remove_files(artifact, cwd=None):
    for path in local_files(artifact, cwd):
        try:
            os.remove(path)
        except FileNotFoundError:
            pass


def destroy_artifact(artifact, cwd=None):
    """``cwd``: the run's working directory, which relative file names are under."""
    if artifact.get("builder_id", "") in DIRECTORY_BUILDERS:
        destroy_files_and_directory(artifact, cwd)
        return
    target = DESTROYERS.get(artifact.get("builder_id", ""))
    if target:
        module_name, func_name = target.split(":")
        getattr(importlib.import_module(module_name), func_name)(artifact)
        return
    _remove_files(artifact, cwd)


def describe(artifact):
    """Packer's one-line artifact string."""
    return artifact.get("string") or artifact.get("id") or ""
