# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Missing means deleted: the one rule every cleanup follows.

A delete that is told "not found" has nothing left to do: the resource is gone, whoever removed
it (an earlier sweep, the build's own cleanup, the user). Each platform names its "not found"
answer (an EC2 error code, Docker's 404, a missing file) and how to word any other failure.
"""

from __future__ import annotations


def missing_means_deleted(delete, is_missing, failure=None):
    """``delete()``; True when it removed something, False when what it names was already gone.

    ``is_missing(exc)`` tells a "not found" failure. Any other failure is raised as
    ``failure(exc)`` (an exception for the user, without the SDK's traceback), or as it is.
    """
    try:
        delete()
    except Exception as exc:  # noqa: BLE001 - is_missing decides; the rest is raised below
        if is_missing(exc):
            return False
        if failure is None:
            raise
        raise failure(exc) from None
    return True


def file_is_missing(exc):
    return isinstance(exc, FileNotFoundError)
