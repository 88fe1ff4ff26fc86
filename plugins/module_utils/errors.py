# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one base class of cattle's own exceptions.

Its text is the user's message: whatever catches a ``CattleError`` shows ``str(exc)`` as it
is, never a traceback. Plain Python, so modules, plugins and the ``cattle`` command share it.
"""

from __future__ import annotations


class CattleError(Exception):
    """A failure to report to the user in the words of ``str(exc)``."""
