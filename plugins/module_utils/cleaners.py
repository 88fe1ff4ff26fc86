# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which function removes each kind of ledger entry: every builder's cleaners, gathered.

Each builder registers its own beside its code, as a ``CLEANERS`` dict of kind -> callable
(``aws/cleanup.py``, ``docker/cleanup.py``, ``qemu/builder.py``, ``virtualbox/builder.py``); the
kinds builders share are registered here. A cleaner takes the ledger entry, treats "already
gone" as success, and raises when the resource may still be there.

Only the ledger's sweep imports this, when an entry is to be removed: it loads every platform's code.
"""

from __future__ import annotations

from ansible_collections.cattle.images.plugins.module_utils import process
from ansible_collections.cattle.images.plugins.module_utils.aws import cleanup as aws
from ansible_collections.cattle.images.plugins.module_utils.communicator import keys
from ansible_collections.cattle.images.plugins.module_utils.docker import cleanup as docker
from ansible_collections.cattle.images.plugins.module_utils.qemu import builder as qemu
from ansible_collections.cattle.images.plugins.module_utils.virtualbox import builder as virtualbox

CLEANERS = {
    **docker.CLEANERS,
    **aws.CLEANERS,
    **qemu.CLEANERS,
    **virtualbox.CLEANERS,
    # A process a build starts and detaches (QEMU, the HTTP server of qemu and virtualbox builds).
    process.LEDGER_KIND: process.stop_process,
    # The communicator's private directory (keys, control sockets), whatever the builder.
    keys.LEDGER_KIND: keys.remove_private_dir,
}
