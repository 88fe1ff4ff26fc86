# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The communicator's error type (its own module so every communicator module can import it)."""

from __future__ import annotations

from ansible_collections.cattle.images.plugins.module_utils.errors import CattleError


class CommunicatorError(CattleError):
    """A mistake in the communicator configuration, or a connection that never came up.

    The message names the option and is shown to the user as it is.
    """
