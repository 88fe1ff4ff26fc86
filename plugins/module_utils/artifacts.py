# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Artifacts: plain dicts passed from builders along post-processor chains.

``{"id", "builder_id", "builder_type", "build_name", "files", "string", "metadata"}``.
Destroying an artifact is what Packer does to an input a post-processor does not keep.
"""

from __future__ import annotations

import os

from ansible_collections.cattle.images.plugins.module_utils.docker import artifacts as docker
from ansible_collections.cattle.images.plugins.module_utils.missing import file_is_missing, missing_means_deleted


def local_files(artifact, cwd=None):
    """The artifact's files as paths to open: a relative name (as the template wrote it) is under ``cwd``."""
    return [os.path.join(cwd or os.getcwd(), path) if not os.path.isabs(path) else path
            for path in artifact.get("files") or []]


def destroy_files_and_directory(artifact, cwd=None):
    """VM builders' artifacts (qemu, virtualbox): Packer removes the whole output directory."""
    directories = {os.path.dirname(path) for path in local_files(artifact, cwd)}
    destroy_files(artifact, cwd)
    for directory in directories:
        try:
            os.rmdir(directory)  # only once empty: never more than the build wrote
        except OSError:
            pass


def destroy_files(artifact, cwd=None):
    """Any other artifact: its files are all there is to it."""
    for path in local_files(artifact, cwd):
        missing_means_deleted(lambda path=path: os.remove(path), file_is_missing)


# builder_id -> the function destroying that kind of artifact, ``destroyer(artifact, cwd)``; anything not
# listed is destroyed by deleting its files. VM builders' artifact is an output directory of files.
DESTROYERS = {
    **docker.DESTROYERS,
    "transcend.qemu": destroy_files_and_directory,
    "mitchellh.virtualbox": destroy_files_and_directory,
}


def destroy_artifact(artifact, cwd=None):
    """``cwd``: the run's working directory, which relative file names are under."""
    DESTROYERS.get(artifact.get("builder_id", ""), destroy_files)(artifact, cwd)


def describe(artifact):
    """Packer's one-line artifact string."""
    return artifact.get("string") or artifact.get("id") or ""
