"""`cattle cache`: list or prune the step cache's layers (images tagged cattle-cache:<key>).

    cattle cache list
    cattle cache prune [-all] [-older-than DURATION]

``prune`` alone removes superseded layers (variants of a build step less recently used than another);
``-all`` removes every layer; ``-older-than 24h`` those last used before that.
"""

from __future__ import annotations

import sys
import time

from cattle_cli import flags

LIST_FLAGS = []
PRUNE_FLAGS = [
    flags.Flag("all", "bool", False, help="Remove every cache layer."),
    flags.Flag("older-than", "str", "", help="Remove the layers last used more than this long ago (Go duration: 36h, 90m)."),
]
SUBCOMMANDS = {"list": LIST_FLAGS, "prune": PRUNE_FLAGS}


def usage():
    return (
        "Usage: cattle cache list\n"
        "       cattle cache prune [-all] [-older-than DURATION]\n\n"
        "  list    the step cache's layers: key, build/step, image id, size, age\n"
        "  prune   remove layers: superseded ones by default\n\n"
        + flags.usage("cache prune", "[options]", PRUNE_FLAGS).split("\n", 2)[2]
    )


def run(argv):
    if not argv or argv[0] not in SUBCOMMANDS:
        sys.stderr.write(usage())
        return 1
    name, rest = argv[0], argv[1:]
    try:
        parsed = flags.parse(rest, SUBCOMMANDS[name])
        if parsed.args:
            raise flags.UsageError(f"cattle cache {name} takes no arguments, got {' '.join(parsed.args)!r}")
        older_than = _duration(parsed.values.get("older-than"))
    except flags.UsageError as exc:
        sys.stderr.write(f"{exc}\n\n{usage()}")
        return 1

    from ansible_collections.cattle.images.plugins.module_utils.docker import cache
    from ansible_collections.cattle.images.plugins.module_utils.docker.client import DockerError, connect

    try:
        client = connect()
        if name == "list":
            _list(cache.list_layers(client))
            return 0
        removed, kept = cache.prune(client, remove_all=parsed.values["all"], older_than=older_than)
    except DockerError as exc:
        sys.stderr.write(f"Error: {exc}\n")
        return 1
    for layer in removed:
        print(f"Removed {layer['key'][:20]} {layer['step']} {_short(layer['id'])}")
    for layer in kept:
        sys.stderr.write(f"Kept {layer['key'][:20]} {layer['step']}: {layer['error']}\n")
    total = sum(layer["size"] for layer in removed)
    print(f"Removed {len(removed)} cache layer(s) ({_size(total)} of image size)")
    return 1 if kept else 0


def _duration(text):
    if not text:
        return None
    from ansible_collections.cattle.images.plugins.plugin_utils.common import UserError, parse_duration

    try:
        seconds = parse_duration(text, "-older-than")
    except UserError as exc:
        raise flags.UsageError(str(exc)) from None
    if seconds < 0:
        raise flags.UsageError(f"-older-than: expected a positive duration, got {text!r}")
    return seconds


def _list(layers):
    if not layers:
        print("The step cache is empty.")
        return
    now = time.time()
    print(f"{'KEY':<20}  {'STEP':<28}  {'IMAGE ID':<12}  {'SIZE':>9}  CREATED")
    for layer in layers:
        print(f"{layer['key'][:20]:<20}  {layer['step'][:28]:<28}  {_short(layer['id']):<12}  "
              f"{_size(layer['size']):>9}  {_age(now - layer['created'])} ago")


def _short(image_id):
    return image_id.split(":", 1)[-1][:12]


def _size(size):
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f}{unit}" if unit == "B" else f"{size:.1f}{unit}"
        size /= 1000.0
    return f"{size}"


def _age(seconds):
    seconds = max(0, int(seconds))
    for unit, span in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= span:
            return f"{seconds // span}{unit}"
    return f"{seconds}s"
