# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The build's HTTP server for ``http_directory`` / ``http_content`` (Packer's StepHTTPServer).

It runs as a detached child process (the Python running the module, ``-c`` with the small
server below) so it outlives the module call that starts it and serves the guest while later
tasks run. The port is the first free one in ``http_port_min``..``http_port_max``, chosen by
the server itself from a random start (as Packer does), and reported through a file.
The process is recorded in the ledger (kind ``process``) before it starts, with a marker (its
config file's path, holding the build id) that identifies it for :func:`stop` and sweeps.

It binds 127.0.0.1 unless ``http_bind_address`` says otherwise (Packer binds 0.0.0.0); a
QEMU guest on user networking reaches it as 10.0.2.2 either way.
"""

from __future__ import annotations

import json
import os
import sys
import time

from ansible_collections.cattle.images.plugins.module_utils import process
from ansible_collections.cattle.images.plugins.module_utils.errors import CattleError

SERVER_CODE = r"""
import http.server, json, os, random, socket, socketserver, sys, urllib.parse
with open(sys.argv[1], encoding="utf-8") as handle:
    cfg = json.load(handle)
content = {"/" + key.lstrip("/"): value for key, value in (cfg.get("content") or {}).items()}
root = cfg.get("directory") or ""

class Handler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, directory=root or os.devnull, **kwargs)
    def _content(self):
        return content.get(urllib.parse.urlsplit(self.path).path)
    def do_GET(self):
        body = self._content()
        if body is None and not root:
            self.send_error(404)
            return
        if body is None:
            return super().do_GET()
        data = body.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    do_HEAD = do_GET
    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))
        sys.stderr.flush()

class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = False

ports = list(range(cfg["port_min"], cfg["port_max"] + 1))
start = random.randrange(len(ports))
server = None
for port in ports[start:] + ports[:start]:
    try:
        server = Server((cfg["bind"], port), Handler)
        break
    except OSError:
        continue
if server is None:
    sys.stderr.write("no free port in %d-%d\n" % (cfg["port_min"], cfg["port_max"]))
    sys.exit(3)
tmp = cfg["port_file"] + ".tmp"
with open(tmp, "w") as handle:
    handle.write("%d %d" % (server.server_address[1], os.getpid()))
os.replace(tmp, cfg["port_file"])
server.serve_forever()
"""


class HTTPServerError(CattleError):
    """The HTTP server could not start; worded for the user."""


def marker_path(work_dir, build_id):
    return os.path.join(work_dir, f"http-{build_id}.json")


def start(work_dir, build_id, build_name, directory="", content=None, port_min=8000, port_max=9000,
          bind_address="", ledger=None, timeout=10.0):
    """Start the server; returns ``{"port", "pid", "marker", "bind_address"}``.

    ``work_dir`` is the build's private temp dir (the config file, port file and log go there).
    """
    if directory and content:
        raise HTTPServerError("http_directory and http_content cannot both be set: choose one")
    if directory and not os.path.isdir(directory):
        raise HTTPServerError(f"http_directory {directory}: no such directory")
    if not 0 < port_min <= port_max <= 65535:
        raise HTTPServerError(
            f"http_port_min ({port_min}) and http_port_max ({port_max}) must be ports with min <= max"
        )
    config_path = marker_path(work_dir, build_id)
    port_file = os.path.join(work_dir, f"http-{build_id}.port")
    config = {
        "directory": os.path.abspath(directory) if directory else "",
        "content": dict(content or {}),
        "port_min": int(port_min),
        "port_max": int(port_max),
        "bind": bind_address or "127.0.0.1",
        "port_file": port_file,
    }
    fd = os.open(config_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(config, handle)
    if ledger is not None:
        ledger.record(build=build_name, kind=process.LEDGER_KIND, name=f"http-{build_id}", marker=config_path,
                      build_id=build_id, role="http server")
    log_path = os.path.join(work_dir, "http.log")
    child = process.spawn([sys.executable, "-c", SERVER_CODE, config_path], log_path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(port_file):
            with open(port_file, encoding="utf-8") as handle:
                port, pid = (int(word) for word in handle.read().split())
            if ledger is not None:
                ledger.record(build=build_name, kind=process.LEDGER_KIND, name=f"http-{build_id}",
                              marker=config_path, pid=pid, build_id=build_id, role="http server")
            return {"port": port, "pid": pid, "marker": config_path, "bind_address": config["bind"],
                    "log": log_path}
        if child.poll() is not None:
            break
        time.sleep(0.05)
    process.stop(config_path, pid=child.pid)
    try:
        with open(log_path, encoding="utf-8", errors="replace") as handle:
            detail = handle.read()[-500:].strip()
    except OSError:
        detail = ""
    raise HTTPServerError(
        f"the HTTP server for http_directory/http_content did not start on {config['bind']} "
        f"ports {port_min}-{port_max}" + (f": {detail}" if detail else "")
    )


def stop(work_dir, build_id, ledger=None):
    """Stop this build's server; idempotent. Returns whether it was running."""
    config_path = marker_path(work_dir, build_id)
    was_running = process.stop(config_path)
    if ledger is not None:
        ledger.release(kind=process.LEDGER_KIND, name=f"http-{build_id}")
    return was_running
