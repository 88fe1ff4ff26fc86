# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Packer's environment-variable handling shared by ``shell`` and ``shell-local``."""

from __future__ import annotations

import os

from ansible_collections.cattle.images.plugins.plugin_utils.build_data import http_data, http_environment
from ansible_collections.cattle.images.plugins.plugin_utils.common import UserError, as_list, go_duration

DEFAULT_ENV_VAR_FORMAT = "%s='%s' "


def parse_environment_vars(value, field="environment_vars"):
    """``["K=V", …]`` → ordered pairs; each entry needs a non-empty key and an ``=``."""
    pairs = []
    for entry in as_list(value, field):
        key, sep, val = entry.partition("=")
        if not sep or not key:
            raise UserError(f"{field}: environment variable not in format 'key=value': {entry}")
        pairs.append((key, val))
    return pairs


def user_environment(config):
    """The ``(name, value)`` pairs a shell-type provisioner passes: ``environment_vars``, then ``env``."""
    pairs = parse_environment_vars(config.get("environment_vars"))
    env_map = config.get("env") or {}
    if not isinstance(env_map, dict):
        raise UserError("env: expected a map of variable names to values")
    return pairs + [(str(k), str(v)) for k, v in env_map.items()]


def packer_env(context, include_run_uuid=False):
    """The variables Packer itself sets for a script: build name and type, HTTP server, run UUID."""
    env = {"PACKER_BUILD_NAME": context.build_name, "PACKER_BUILDER_TYPE": context.build_type}
    env.update(http_environment(http_data(context.http_ip, context.http_port)))
    if include_run_uuid and context.run_uuid:
        env["PACKER_RUN_UUID"] = context.run_uuid
    return env


def flatten_env(user_pairs, base_env, env_var_format=DEFAULT_ENV_VAR_FORMAT):
    """Packer's flattened ``.Vars``: user values override the base, keys sorted, quotes escaped.

    A single quote in a value becomes ``'"'"'`` so it survives the default ``%s='%s' `` format.
    """
    env = dict(base_env)
    for key, value in user_pairs:
        env[key] = value.replace("'", "'\"'\"'")
    return "".join(format_env_var(env_var_format, key, env[key]) for key in sorted(env))


def format_env_var(env_var_format, key, value):
    """Go's ``fmt.Sprintf(format, key, value)`` for a format with two ``%s``."""
    parts = env_var_format.split("%s")
    if len(parts) < 3:
        raise UserError(f"env_var_format: expected a format with two %s (key, value), got {env_var_format!r}")
    return (parts[0] + key + parts[1] + value + "%s".join(parts[2:])).replace("%%", "%")


def windows_script_sources(config, context, problems):
    """``(inline lines or None, local script paths)`` of a powershell / windows-shell
    provisioner, with Packer's complaints appended to ``problems``."""
    inline = as_list(config.get("inline"), "inline") if config.get("inline") is not None else None
    if inline == []:
        inline = None
    scripts = as_list(config.get("scripts"), "scripts")
    script = config.get("script") or ""
    if script and scripts:
        problems.append("Only one of script or scripts can be specified.")
    if script:
        scripts = [script]
    if not scripts and inline is None:
        problems.append("Either a script file or inline script must be specified.")
    elif scripts and inline is not None:
        problems.append("Only a script file or an inline script can be specified, not both.")
    scripts = [context.local_path(path) for path in scripts]
    for path in scripts:
        if not os.path.isfile(path):
            problems.append(f"Bad script '{path}': stat {path}: no such file or directory")
    return inline, scripts


def collect(problems, read, default=None):
    """``read()``, or ``default`` with the UserError's text added to ``problems``: Packer
    reports every problem of a provisioner's configuration at once."""
    try:
        return read()
    except UserError as exc:
        problems.append(str(exc))
        return default


def checked_env_var_format(env_var_format, problems):
    """``env_var_format`` after checking it has the two ``%s`` Packer fills with key and value."""
    collect(problems, lambda: format_env_var(env_var_format, "K", "V"))
    return env_var_format


def pause_after(config, ui, cancel):
    """Packer's ``pause_after``: wait (cancellably) once the provisioner's scripts have run."""
    if config["pause_after"] > 0:
        ui.say(f"Pausing {go_duration(config['pause_after'])} after this provisioner...")
        cancel.wait(config["pause_after"])
