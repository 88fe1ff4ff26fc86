# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWS client code shared by the amazon builders: sessions, errors, waiters, the amazon-ebs steps."""
