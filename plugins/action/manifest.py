# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Packer's ``manifest`` post-processor: append the build's artifact to a JSON file.

Same file format as Packer (``builds`` list + ``last_run_uuid``). Parallel builds write
the same file, so the read-modify-write happens under an exclusive ``flock`` on it.
With ``-force``, a file written by another run is started afresh.
"""

from __future__ import annotations

import fcntl
import json
import os
import time

from ansible_collections.cattle.images.plugins.plugin_utils.common import UserError, as_bool, unknown_keys
from ansible_collections.cattle.images.plugins.plugin_utils.post_processor import PostProcessError, PostProcessorAction

KNOWN_KEYS = {"output", "filename", "strip_path", "strip_time", "custom_data", "keep_input_artifact"}


def go_json(value):
    """``json.MarshalIndent(value, "", "  ")`` as Go writes it (HTML characters escaped)."""
    text = json.dumps(value, indent=2, ensure_ascii=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


class ActionModule(PostProcessorAction):
    POST_PROCESSOR_TYPE = "manifest"

    def run(self, tmp=None, task_vars=None):
        # The testinfra provisioner's runs of this build (host fact ``cattle_tests``), for the entry's ``tests``.
        self._tests = ((task_vars or {}).get("ansible_facts") or {}).get("cattle_tests") or []
        return super().run(tmp, task_vars)

    def prepare(self, config, context):
        problems = unknown_keys(config, KNOWN_KEYS)
        if "filename" in config:
            problems.append("Deprecated configuration key: 'filename'. Please call `packer fix` against your "
                            "template to update your template to be compatible with the current version of Packer.")
        custom_data = config.get("custom_data") or {}
        if not isinstance(custom_data, dict):
            problems.append(f"custom_data: expected a map of strings, got {custom_data!r}")
        if problems:
            raise UserError("; ".join(problems))
        return {
            "output": context.local_path(config.get("output") or "packer-manifest.json"),
            "strip_path": as_bool(config.get("strip_path", False), "strip_path"),
            "strip_time": as_bool(config.get("strip_time", False), "strip_time"),
            "custom_data": {str(k): context.render(str(v), f"custom_data.{k}") for k, v in custom_data.items()}
            if "custom_data" in config and config["custom_data"] is not None else None,
        }

    def describe(self, config, context, artifact, ui):
        ui.say(f"Check mode: would add the artifact {artifact['id']!r} to {config['output']}")

    def post_process(self, config, context, artifact, ui):
        files = []
        for name in artifact["files"]:
            # The name as the artifact gives it (Packer's: relative to the cwd, as written); sized where it is.
            local = context.local_path(name)
            # Packer stats the name itself: "" (a discarded container) is no file, size 0.
            size = os.path.getsize(local) if name and os.path.exists(local) else 0
            files.append({"name": os.path.basename(name) if config["strip_path"] else name, "size": size})
        entry = {
            "name": context.build_name,
            "builder_type": context.build_type,
            "build_time": 0 if config["strip_time"] else int(time.time()),
            "files": files or None,
            "artifact_id": artifact["id"],
            "packer_run_uuid": context.run_uuid,
            "custom_data": config["custom_data"],
        }
        if getattr(self, "_tests", None):
            entry["tests"] = self._tests  # cattle's own field: which tests ran against the image, and how they ended
        output = config["output"]
        if os.path.dirname(output):
            os.makedirs(os.path.dirname(output), exist_ok=True)
        try:
            fd = os.open(output, os.O_RDWR | os.O_CREAT, 0o664)
        except OSError as exc:
            raise PostProcessError(f"Unable to open {output} for reading: {exc}") from None
        with os.fdopen(fd, "r+", encoding="utf-8") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                contents = handle.read()
                manifest = {"builds": [], "last_run_uuid": ""}
                if contents.strip():
                    try:
                        manifest = json.loads(contents)
                    except ValueError as exc:
                        raise PostProcessError(f"Unable to parse content from {output}: {exc}") from None
                    if not isinstance(manifest, dict):
                        raise PostProcessError(f"Unable to parse content from {output}: not a JSON object")
                if context.force and manifest.get("last_run_uuid") != context.run_uuid:
                    manifest = {"builds": [], "last_run_uuid": ""}
                builds = manifest.get("builds") or []
                builds.append(entry)
                manifest = {"builds": builds, "last_run_uuid": context.run_uuid}
                handle.seek(0)
                handle.truncate()
                handle.write(go_json(manifest))
                handle.flush()
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        # Packer's manifest passes its input through and always keeps it.
        return artifact, True, True
