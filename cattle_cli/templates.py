"""Load, validate and plan a template for `cattle build`, printing diagnostics as validate does."""

from __future__ import annotations

import os

from cattle_cli.output import Output, report


def load_and_validate(path, variables, var_files, only, except_, force=False, machine_readable=False):
    """The plan of a valid template, or None after printing why it is not valid."""
    from ansible_collections.cattle.images.plugins.module_utils.template import TemplateErrors, load_template

    out = Output(machine_readable)
    try:
        template = load_template(path, variables=variables, var_files=var_files, cwd=os.getcwd())
        plan, diagnostics = template.checked_plan(only=only, except_=except_, force=force)
        report(out, diagnostics)
        return plan
    except TemplateErrors as exc:
        report(out, exc.diagnostics)
        return None
