# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Steps the local VM builders (qemu, virtualbox) share: the build's private work dir, the
output directory (made, then deleted or kept at removal), the HTTP server, a free host port,
and whether a GUI can be shown.

Errors are raised as the caller's own class (``error=``), so each builder keeps raising its
one error type with a message for the user; ledger kinds are the caller's too (``kind=``).
"""

from __future__ import annotations

import os
import random
import shutil
import socket
import sys
import tempfile

from ansible_collections.cattle.images.plugins.module_utils import httpserver

NO_DISPLAY = "headless is false but there is no display (DISPLAY is not set): "


def boot_wait(configured):
    """Seconds to wait before the boot command, as Packer's BootConfig reads ``boot_wait``: unset or
    zero is its 10 s default, and only a negative duration (``-1s``) means no wait at all."""
    if not configured:
        return 10.0
    return max(configured, 0.0)


def work_dir(prefix, build_id):
    """The build's private directory, ``<tmp>/<prefix><build_id>``."""
    return os.path.join(tempfile.gettempdir(), f"{prefix}{build_id}")


def remove_work_dir(prefix, build_id):
    """Drop the build's private directory; True when there was one."""
    path = work_dir(prefix, build_id)
    if os.path.isdir(path):
        shutil.rmtree(path, ignore_errors=True)
        return True
    return False


def check_output_directory(config, *, error):
    """An existing ``output_directory`` is an error unless ``force`` (Packer's ``-force``); check
    mode asks this alone."""
    path = config["output_directory"]
    if os.path.exists(path) and not config["force"]:
        raise error(
            f"Output directory exists: {path}. Use the force flag (-force) to delete it prior to building, "
            "or set output_directory to a path that does not exist.")


def prepare_output_directory(config, build_name, ledger, *, kind, error):
    """Make ``output_directory``, recorded in the ledger as ``kind`` first; an existing one is an
    error unless ``force`` deletes it (:func:`check_output_directory`)."""
    check_output_directory(config, error=error)
    path = config["output_directory"]
    if os.path.exists(path):
        shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)
    if ledger is not None:
        ledger.record(build=build_name, kind=kind, name=path)
    os.makedirs(path)


def remove_output_directory(entry):
    """The ledger cleaner for an output directory a build made (and did not finish)."""
    path = entry["name"]
    if os.path.isdir(path):
        shutil.rmtree(path)
        return True
    return False


def release_output_directory(path, keep, ledger, *, kind):
    """At removal: delete the output directory unless ``keep`` (a failed build's is not kept), and
    release it from the ledger. True when it was deleted."""
    changed = False if keep else remove_output_directory({"name": path})
    if ledger is not None:
        ledger.release(kind=kind, name=path)
    return changed


def start_http_server(config, work, build_id, build_name, ledger, *, error):
    """The HTTP server for ``http_directory`` / ``http_content``, bound as the config says."""
    try:
        return httpserver.start(work, build_id, build_name, directory=config["http_directory"],
                                content=config["http_content"], port_min=config["http_port_min"],
                                port_max=config["http_port_max"], bind_address=config["http_bind_address"],
                                ledger=ledger)
    except httpserver.HTTPServerError as exc:
        raise error(str(exc)) from None


def free_port(low, high, host="127.0.0.1", exclude=(), *, error):
    """A port in [low, high] that can be bound now, tried from a random start (as Packer does)."""
    ports = list(range(low, high + 1))
    start = random.randrange(len(ports))
    for port in ports[start:] + ports[:start]:
        if port in exclude:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind((host, port))
            except OSError:
                continue
            return port
    raise error(f"no free port between {low} and {high} on {host}")


def headless_setting(config, environ=None, *, fallback, display_platforms=()):
    """``(headless, note)``: a GUI needs a display; without one the VM runs headless.

    ``fallback`` ends the note (what runs instead, how to watch it); ``display_platforms`` are
    ``sys.platform`` values where the hypervisor always has a screen to show the VM on.
    """
    environ = os.environ if environ is None else environ
    if config["headless"]:
        return True, ""
    if sys.platform in display_platforms or environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"):
        return False, ""
    return True, NO_DISPLAY + fallback
