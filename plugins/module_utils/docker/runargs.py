# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Packer's docker ``run_command`` — a ``docker run`` argument list — as Docker SDK create arguments.

Packer passes ``run_command`` to the docker CLI; we talk to the API, so the options users
actually write there are parsed here, with the CLI's rules: short options may be grouped
(``-dit``), values follow as ``--opt=value``, ``--opt value``, ``-ovalue`` or ``-o value``,
and option parsing stops at ``--`` or at the first word that is not an option (the image);
everything after the image is the command. Unknown options are an error, never ignored.
"""

from __future__ import annotations

import os
import re

DEFAULT_RUN_COMMAND = ["-d", "-i", "-t", "--entrypoint=/bin/sh", "--", "{{.Image}}"]


class RunCommandError(ValueError):
    """``run_command`` cannot be understood; the message names the option."""


# option name -> (key in the parsed result, kind). kinds: flag (boolean), value (last wins),
# multi (repeatable, list), ignored_value (accepted and dropped, with a reason).
_LONG = {
    "detach": ("detach", "flag"),
    "interactive": ("stdin_open", "flag"),
    "tty": ("tty", "flag"),
    "privileged": ("privileged", "flag"),
    "rm": ("auto_remove", "flag"),
    "init": ("init", "flag"),
    "read-only": ("read_only", "flag"),
    "entrypoint": ("entrypoint", "value"),
    "env": ("environment", "multi"),
    "volume": ("volumes", "multi"),
    "user": ("user", "value"),
    "workdir": ("working_dir", "value"),
    "cap-add": ("cap_add", "multi"),
    "cap-drop": ("cap_drop", "multi"),
    "network": ("network_mode", "value"),
    "net": ("network_mode", "value"),
    "hostname": ("hostname", "value"),
    "tmpfs": ("tmpfs", "multi"),
    "device": ("devices", "multi"),
    "label": ("labels", "multi"),
    "platform": ("platform", "value"),
    "runtime": ("runtime", "value"),
    "add-host": ("extra_hosts", "multi"),
    "dns": ("dns", "multi"),
    "security-opt": ("security_opt", "multi"),
    "memory": ("mem_limit", "value"),
    "shm-size": ("shm_size", "value"),
    "name": (None, "ignored_value"),
}
_SHORT = {
    "d": "detach",
    "i": "interactive",
    "t": "tty",
    "e": "env",
    "v": "volume",
    "u": "user",
    "w": "workdir",
    "h": "hostname",
    "l": "label",
    "m": "memory",
}
_TRUE_WORDS = {"true", "1", "t", "yes"}
_FALSE_WORDS = {"false", "0", "f", "no"}
_IMAGE_PLACEHOLDER = re.compile(r"\{\{\s*\.Image\s*\}\}")


def supported_options():
    longs = ", ".join("--" + name for name in sorted(_LONG))
    shorts = ", ".join("-" + name for name in sorted(_SHORT))
    return f"{shorts}, {longs}"


def render_image(words, image):
    """Fill ``{{.Image}}`` in each word: the template package's renderer when present, else locally."""
    try:
        from ansible_collections.cattle.images.plugins.module_utils.template import render_runtime
    except ImportError:
        render_runtime = None
    rendered = []
    for word in words:
        if render_runtime is not None and "{{" in word:
            try:
                rendered.append(render_runtime(word, {"Image": image}))
            except Exception as exc:  # noqa: BLE001 - the template package's errors are the user's
                raise RunCommandError(f"run_command: cannot render {word!r}: {exc}") from None
        else:
            rendered.append(_IMAGE_PLACEHOLDER.sub(lambda _match: image, word))
    return rendered


def parse_run_command(words):
    """Parse a ``docker run`` argument list (already rendered) into a dict of parsed options.

    Returns ``{"image": str, "command": [..], "warnings": [..], <key>: value, ...}`` where the
    keys are those of ``_LONG`` (``environment``/``volumes``/… are lists).
    """
    if not isinstance(words, (list, tuple)) or not all(isinstance(w, str) for w in words):
        raise RunCommandError("run_command must be a list of strings")
    parsed = {"warnings": []}
    position = 0
    while position < len(words):
        word = words[position]
        position += 1
        if word == "--":
            break
        if word.startswith("--"):
            name, has_value, value = word[2:].partition("=")
            if name not in _LONG:
                raise RunCommandError(
                    f"run_command: the docker run option '--{name}' is not supported here; "
                    f"supported options are {supported_options()}"
                )
            if _LONG[name][1] == "flag":
                _store(parsed, name, _flag_value(name, value) if has_value else True)
                continue
            if not has_value:
                if position >= len(words):
                    raise RunCommandError(f"run_command: the option '--{name}' needs a value")
                value = words[position]
                position += 1
            _store(parsed, name, value)
            continue
        if word.startswith("-") and len(word) > 1:
            letters = word[1:]
            index = 0
            while index < len(letters):
                letter = letters[index]
                index += 1
                name = _SHORT.get(letter)
                if name is None:
                    raise RunCommandError(
                        f"run_command: the docker run option '-{letter}' (in '{word}') is not supported here; "
                        f"supported options are {supported_options()}"
                    )
                if _LONG[name][1] == "flag":
                    _store(parsed, name, True)
                    continue
                value = letters[index:]
                if value.startswith("="):
                    value = value[1:]
                if not value:
                    if position >= len(words):
                        raise RunCommandError(f"run_command: the option '-{letter}' needs a value")
                    value = words[position]
                    position += 1
                _store(parsed, name, value)
                break
            continue
        position -= 1  # the first word that is not an option is the image
        break
    rest = list(words[position:])
    if not rest or not rest[0]:
        raise RunCommandError(
            "run_command names no image: end the options with '--' and '{{.Image}}', "
            'as in ["-d", "-i", "-t", "--entrypoint=/bin/sh", "--", "{{.Image}}"]'
        )
    parsed["image"] = rest[0]
    parsed["command"] = rest[1:]
    return parsed


def _flag_value(name, text):
    lowered = text.strip().lower()
    if lowered in _TRUE_WORDS:
        return True
    if lowered in _FALSE_WORDS:
        return False
    raise RunCommandError(f"run_command: '--{name}' takes true or false, not {text!r}")


def _store(parsed, name, value):
    key, kind = _LONG[name]
    if kind == "ignored_value":
        parsed["warnings"].append(
            f"run_command: '--{name} {value}' is ignored: cattle names build containers itself (cattle-<build id>)"
        )
    elif kind == "multi":
        parsed.setdefault(key, []).append(value)
    else:
        parsed[key] = value


def create_arguments(parsed, environ=None):
    """Docker SDK ``containers.create`` keyword arguments from :func:`parse_run_command`'s result.

    ``detach`` is implied (the build container always runs in the background).
    """
    environ = os.environ if environ is None else environ
    kwargs = {"image": parsed["image"]}
    if parsed["command"]:
        kwargs["command"] = list(parsed["command"])
    if "entrypoint" in parsed:
        # docker run --entrypoint takes one word; an empty one resets the image's entrypoint.
        kwargs["entrypoint"] = [parsed["entrypoint"]]
    for key in ("stdin_open", "tty", "privileged", "auto_remove", "init", "read_only"):
        if parsed.get(key):
            kwargs[key] = True
    for key in ("user", "working_dir", "hostname", "network_mode", "platform", "runtime", "mem_limit", "shm_size"):
        if parsed.get(key):
            kwargs[key] = parsed[key]
    for key in ("cap_add", "cap_drop", "dns", "security_opt", "devices"):
        if parsed.get(key):
            kwargs[key] = list(parsed[key])
    environment = []
    for item in parsed.get("environment", []):
        if "=" in item:
            environment.append(item)
        elif item in environ:  # docker run -e NAME passes the caller's value, or nothing
            environment.append(f"{item}={environ[item]}")
    if environment:
        kwargs["environment"] = environment
    if parsed.get("volumes"):
        binds, anonymous = split_volumes(parsed["volumes"])
        if binds:
            kwargs["volumes"] = binds
        if anonymous:
            kwargs["anonymous_volumes"] = anonymous
    if parsed.get("tmpfs"):
        kwargs["tmpfs"] = tmpfs_dict(parsed["tmpfs"])
    if parsed.get("labels"):
        labels = {}
        for item in parsed["labels"]:
            key, _sep, value = item.partition("=")
            labels[key] = value
        kwargs["labels"] = labels
    if parsed.get("extra_hosts"):
        hosts = {}
        for item in parsed["extra_hosts"]:
            host, sep, address = item.partition(":")
            if not sep:
                raise RunCommandError(f"run_command: --add-host expects host:address, not {item!r}")
            hosts[host] = address
        kwargs["extra_hosts"] = hosts
    return kwargs


def split_volumes(specs):
    """``-v`` values: ``host:container[:mode]`` binds, and bare ``/path`` anonymous volumes."""
    binds, anonymous = [], []
    for spec in specs:
        if ":" in spec:
            binds.append(spec)
        else:
            anonymous.append(spec)
    return binds, anonymous


def tmpfs_dict(specs):
    """``--tmpfs /run:size=64m`` → ``{"/run": "size=64m"}`` (the SDK's shape)."""
    mounts = {}
    for spec in specs:
        path, _sep, options = spec.partition(":")
        mounts[path] = options
    return mounts
