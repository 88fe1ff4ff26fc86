# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The amazon-ebs builder's steps, one file each as Packer's ``builder/amazon/common/step_*.go``.

Each step is a small class with ``run(state)`` and ``cleanup(state)`` (see :mod:`.base`); the
cleanup of a step that makes something is also the ledger's cleaner of that thing's kind
(registered in ``aws/cleanup.py``). ``aws/ebs.py`` runs them in Packer's order.
"""
