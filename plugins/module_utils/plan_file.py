# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Old name of ``module_utils/plan.py``, kept while builder modules still import it from here."""

from __future__ import annotations

from ansible_collections.cattle.images.plugins.module_utils.plan import (
    PlanError,
    read_plan_build,
    read_plan_config,
    write_plan,
)

__all__ = ["PlanError", "read_plan_build", "read_plan_config", "write_plan"]
