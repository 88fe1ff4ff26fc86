"""Load, validate and plan a template for the commands, printing diagnostics Packer-style."""

from __future__ import annotations

import sys

from ansible_collections.cattle.images.plugins.module_utils.output import machine_escape
from ansible_collections.cattle.images.plugins.module_utils.template import TemplateErrors, load_template


def print_diagnostics(diagnostics, machine_readable=False, stream=None):
    stream = stream or sys.stderr
    errors = [d for d in diagnostics if d.severity == "error"]
    warnings = [d for d in diagnostics if d.severity != "error"]
    if machine_readable:
        import time

        now = int(time.time())
        for d in warnings:
            print(f"{now},,ui,say,{machine_escape('Warning: ' + str(d))}")
        if errors:
            print(f"{now},,error-count,{len(errors)}")
            for d in errors:
                print(f"{now},,ui,error,{machine_escape(str(d))}")
        return
    for d in warnings:
        stream.write(f"Warning: {d}\n")
    if errors:
        stream.write(f"Template validation failed: {len(errors)} error(s)\n")
        for d in errors:
            stream.write(f"Error: {d}\n")


def load_and_validate(path, variables, var_files, only, except_, machine_readable=False):
    """The plan of a valid template, or None after printing why it is not valid."""
    try:
        template = load_template(path, variables=variables, var_files=var_files)
        diagnostics = template.validate(only=only, except_=except_)
        if any(d.severity == "error" for d in diagnostics):
            print_diagnostics(diagnostics, machine_readable)
            return None
        if diagnostics:
            print_diagnostics(diagnostics, machine_readable)
        return template.plan(only=only, except_=except_)
    except TemplateErrors as exc:
        print_diagnostics(exc.diagnostics, machine_readable)
        return None
