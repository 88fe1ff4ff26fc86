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

from ansible_collections.cattle.images.plugins.module_utils.errors import CattleError
from ansible_collections.cattle.images.plugins.module_utils.option_values import to_bool, to_int

DEFAULT_RUN_COMMAND = ["-d", "-i", "-t", "--entrypoint=/bin/sh", "--", "{{.Image}}"]


class RunCommandError(CattleError, ValueError):
    """``run_command`` cannot be understood; the message names the option."""


# option name -> (key in the parsed result, kind). kinds: flag (boolean), value (last wins),
# multi (repeatable, list). Options that only steer the docker CLI (--attach, --cidfile, --sig-proxy …)
# have no meaning on the API and are rejected like unknown ones.
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
    "mount": ("mounts", "multi"),
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
    "memory-swap": ("memswap_limit", "value"),
    "memory-reservation": ("mem_reservation", "value"),
    "shm-size": ("shm_size", "value"),
    "name": ("name", "value"),
    "cpus": ("nano_cpus", "value"),
    "cpu-shares": ("cpu_shares", "value"),
    "cpuset-cpus": ("cpuset_cpus", "value"),
    "cgroupns": ("cgroupns", "value"),
    "pid": ("pid_mode", "value"),
    "ipc": ("ipc_mode", "value"),
    "uts": ("uts_mode", "value"),
    "userns": ("userns_mode", "value"),
    "pids-limit": ("pids_limit", "value"),
    "domainname": ("domainname", "value"),
    "stop-signal": ("stop_signal", "value"),
    "sysctl": ("sysctls", "multi"),
    "ulimit": ("ulimits", "multi"),
    "group-add": ("group_add", "multi"),
    "dns-search": ("dns_search", "multi"),
    "dns-option": ("dns_opt", "multi"),
    "env-file": ("env_files", "multi"),
    "publish": ("ports", "multi"),
    "publish-all": ("publish_all_ports", "flag"),
    "expose": ("expose", "multi"),
    "volumes-from": ("volumes_from", "multi"),
    "log-driver": ("log_driver", "value"),
    "log-opt": ("log_opts", "multi"),
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
    "c": "cpu-shares",
    "p": "publish",
    "P": "publish-all",
}
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
    try:
        if not text.strip():
            raise ValueError(name)  # docker refuses `--flag=` with nothing after it
        return to_bool(name, text)
    except ValueError:
        raise RunCommandError(f"run_command: '--{name}' takes true or false, not {text!r}") from None


def _store(parsed, name, value):
    key, kind = _LONG[name]
    if kind == "multi":
        parsed.setdefault(key, []).append(value)
    else:
        parsed[key] = value


def create_arguments(parsed, environ=None, read_file=None):
    """Docker SDK ``containers.create`` keyword arguments from :func:`parse_run_command`'s result.

    ``detach`` is implied (the build container always runs in the background). ``read_file``
    reads an ``--env-file`` (tests pass their own).
    """
    environ = os.environ if environ is None else environ
    kwargs = {"image": parsed["image"]}
    if parsed["command"]:
        kwargs["command"] = list(parsed["command"])
    if "entrypoint" in parsed:
        # docker run --entrypoint takes one word; an empty one resets the image's entrypoint.
        kwargs["entrypoint"] = [parsed["entrypoint"]]
    for key in ("stdin_open", "tty", "privileged", "auto_remove", "init", "read_only", "publish_all_ports"):
        if parsed.get(key):
            kwargs[key] = True
    for key in ("name", "user", "working_dir", "hostname", "network_mode", "platform", "runtime", "mem_limit",
                "memswap_limit", "mem_reservation", "shm_size", "cpuset_cpus", "cgroupns", "pid_mode", "ipc_mode",
                "uts_mode", "userns_mode", "domainname", "stop_signal"):
        if parsed.get(key):
            kwargs[key] = parsed[key]
    for key in ("cap_add", "cap_drop", "dns", "dns_search", "dns_opt", "security_opt", "devices", "group_add",
                "volumes_from"):
        if parsed.get(key):
            kwargs[key] = list(parsed[key])
    for key, option in (("cpu_shares", "cpu-shares"), ("pids_limit", "pids-limit")):
        if parsed.get(key):
            kwargs[key] = _integer(option, parsed[key])
    if parsed.get("nano_cpus"):
        kwargs["nano_cpus"] = _nano_cpus(parsed["nano_cpus"])
    environment = []
    for path in parsed.get("env_files", []):
        environment.extend(_env_file_lines(path, read_file))
    environment.extend(parsed.get("environment", []))
    environment = _resolve_environment(environment, environ)
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
    if parsed.get("mounts"):
        kwargs["mounts"] = [mount_spec(item) for item in parsed["mounts"]]
    if parsed.get("labels"):
        kwargs["labels"] = _pairs(parsed["labels"], "=")
    if parsed.get("sysctls"):
        kwargs["sysctls"] = _pairs(parsed["sysctls"], "=", option="--sysctl", required=True)
    if parsed.get("extra_hosts"):
        kwargs["extra_hosts"] = _pairs(
            parsed["extra_hosts"], ":", option="--add-host", required=True, shape="host:address")
    if parsed.get("ulimits"):
        kwargs["ulimits"] = [_ulimit(item) for item in parsed["ulimits"]]
    if parsed.get("ports") or parsed.get("expose"):
        kwargs["ports"] = _ports(parsed.get("ports", []), parsed.get("expose", []))
    if parsed.get("log_driver") or parsed.get("log_opts"):
        kwargs["log_config"] = {
            "type": parsed.get("log_driver", ""),
            "config": _pairs(parsed.get("log_opts", []), "=", option="--log-opt", required=True),
        }
    return kwargs


def _integer(option, text):
    try:
        return to_int(option, text)
    except ValueError:
        raise RunCommandError(f"run_command: --{option} takes a whole number, not {text!r}") from None


def _nano_cpus(text):
    try:
        cpus = float(text)
    except ValueError:
        cpus = -1
    if cpus <= 0:
        raise RunCommandError(f"run_command: --cpus takes a positive number, not {text!r}")
    return int(round(cpus * 1e9))


def _pairs(items, separator, option=None, required=False, shape="KEY=VALUE"):
    """``k=v`` (or ``host:address``) items as a dict; a missing separator is an error when required."""
    pairs = {}
    for item in items:
        key, sep, value = item.partition(separator)
        if required and not sep:
            raise RunCommandError(f"run_command: {option} expects {shape}, not {item!r}")
        pairs[key] = value
    return pairs


def _resolve_environment(items, environ):
    """``NAME=value`` as is; a bare ``NAME`` takes the caller's value, or is left out (as docker run does)."""
    resolved = []
    for item in items:
        if "=" in item:
            resolved.append(item)
        elif item in environ:
            resolved.append(f"{item}={environ[item]}")
    return resolved


def _env_file_lines(path, read_file=None):
    """The variables of an ``--env-file``: one per line, ``#`` comments and blank lines skipped."""
    try:
        text = read_file(path) if read_file else open(path, encoding="utf-8").read()
    except OSError as exc:
        raise RunCommandError(f"run_command: --env-file {path}: {exc.strerror or exc}") from None
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def _ulimit(spec):
    """``--ulimit nofile=1024:2048`` → the API's ``{"Name", "Soft", "Hard"}``."""
    name, sep, limits = spec.partition("=")
    soft, _colon, hard = limits.partition(":")
    try:
        soft_value = int(soft)
        hard_value = int(hard) if hard else soft_value
    except ValueError:
        soft_value = None
    if not sep or not name or soft_value is None:
        raise RunCommandError(f"run_command: --ulimit expects NAME=SOFT[:HARD], not {spec!r}")
    return {"Name": name, "Soft": soft_value, "Hard": hard_value}


def _ports(publish, expose):
    """``-p [ip:][host:]container[/proto]`` and ``--expose port[/proto]`` → ``{"80/tcp": [(ip, host)] or None}``."""
    ports = {}
    for spec in expose:
        port, _slash, protocol = spec.partition("/")
        ports.setdefault(f"{port}/{protocol or 'tcp'}", None)
    for spec in publish:
        address, _slash, protocol = spec.partition("/")
        parts = address.rsplit(":", 2)
        if len(parts) == 1:
            ip, host, container = "", "", parts[0]
        elif len(parts) == 2:
            ip, (host, container) = "", parts
        else:
            ip, host, container = parts
        if not container.isdigit() or (host and not host.isdigit()):
            raise RunCommandError(f"run_command: --publish expects [IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL], not {spec!r}")
        key = f"{container}/{protocol or 'tcp'}"
        binding = (ip.strip("[]"), int(host) if host else None) if ip else (int(host) if host else None)
        if ports.get(key) is None:
            ports[key] = []
        ports[key].append(binding)
    return ports


def mount_spec(text):
    """``--mount type=bind,source=/a,target=/b,readonly`` → the API's mount (``HostConfig.Mounts``)."""
    fields = {}
    for part in text.split(","):
        key, sep, value = part.partition("=")
        key = key.strip().lower()
        if key in ("readonly", "ro") and not sep:
            value = "true"
        fields[key] = value
    kind = fields.pop("type", "volume")
    if kind not in ("bind", "volume", "tmpfs"):
        raise RunCommandError(f"run_command: --mount type={kind} is not supported here (bind, volume or tmpfs)")
    mount = {"Type": kind}
    target = fields.pop("target", None) or fields.pop("destination", None) or fields.pop("dst", None)
    if not target:
        raise RunCommandError(f"run_command: --mount {text!r} names no target")
    mount["Target"] = target
    source = fields.pop("source", None) or fields.pop("src", None)
    if source:
        mount["Source"] = source
    elif kind == "bind":
        raise RunCommandError(f"run_command: --mount {text!r}: a bind mount needs a source")
    for key in ("readonly", "ro"):
        if key in fields:
            mount["ReadOnly"] = _flag_value(key, fields.pop(key))
    if "bind-propagation" in fields:
        mount["BindOptions"] = {"Propagation": fields.pop("bind-propagation")}
    tmpfs = {}
    if "tmpfs-size" in fields:
        from docker.utils import parse_bytes

        try:
            tmpfs["SizeBytes"] = parse_bytes(fields.pop("tmpfs-size"))
        except Exception:  # noqa: BLE001 - the SDK's own error names no option
            raise RunCommandError(f"run_command: --mount {text!r}: tmpfs-size is not a size") from None
    if "tmpfs-mode" in fields:
        try:
            tmpfs["Mode"] = int(fields.pop("tmpfs-mode"), 8)
        except ValueError:
            raise RunCommandError(f"run_command: --mount {text!r}: tmpfs-mode is not an octal mode") from None
    if tmpfs:
        mount["TmpfsOptions"] = tmpfs
    if fields:
        raise RunCommandError(
            f"run_command: --mount {text!r}: {', '.join(sorted(fields))} not supported here "
            "(type, source, target, readonly, bind-propagation, tmpfs-size, tmpfs-mode)"
        )
    return mount


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
