# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Packer's ``checksum`` post-processor: one checksum file per type for the artifact's files.

As in Packer, lines (``<hex>\\t<basename>``) are appended to the checksum file, the input
is always kept, and the output artifact lists the input files plus the checksum files
it created.
"""

from __future__ import annotations

import hashlib
import os

from ansible_collections.cattle.images.plugins.plugin_utils.common import UserError, as_list, unknown_keys
from ansible_collections.cattle.images.plugins.plugin_utils.post_processor import (
    PostProcessError,
    PostProcessorAction,
    new_artifact,
)

KNOWN_KEYS = {"checksum_types", "output", "keep_input_artifact"}
CHECKSUM_TYPES = ("md5", "sha1", "sha224", "sha256", "sha384", "sha512")
DEFAULT_OUTPUT = "packer_{{.BuildName}}_{{.BuilderType}}_{{.ChecksumType}}.checksum"
BUILDER_ID = "packer.post-processor.checksum"


def file_digest(path, checksum_type):
    digest = hashlib.new(checksum_type)
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class ActionModule(PostProcessorAction):
    POST_PROCESSOR_TYPE = "checksum"

    def prepare(self, config, context):
        problems = unknown_keys(config, KNOWN_KEYS)
        types = as_list(config.get("checksum_types"), "checksum_types") or ["md5"]
        problems += [f"Unrecognized checksum type: {kind}" for kind in types if kind not in CHECKSUM_TYPES]
        if problems:
            raise UserError("; ".join(problems))
        return {"checksum_types": types, "output": config.get("output") or DEFAULT_OUTPUT}

    def _output_path(self, config, context, checksum_type):
        data = dict(BuildName=context.build_name, BuilderType=context.build_type, ChecksumType=checksum_type)
        return context.local_path(context.render(config["output"], "output", **data))

    def describe(self, config, context, artifact, ui):
        for kind in config["checksum_types"]:
            ui.say(f"Check mode: would write {kind} checksums of {len(artifact['files'])} file(s) "
                   f"to {self._output_path(config, context, kind)}")

    def post_process(self, config, context, artifact, ui):
        files = list(artifact["files"])
        created = []
        for kind in config["checksum_types"]:
            for path in artifact["files"]:
                checksum_file = self._output_path(config, context, kind)
                if not os.path.exists(checksum_file) and checksum_file not in created:
                    created.append(checksum_file)
                try:
                    os.makedirs(os.path.dirname(checksum_file) or ".", mode=0o755, exist_ok=True)
                except OSError as exc:
                    raise PostProcessError(f"unable to create dir: {exc}") from None
                try:
                    line = f"{file_digest(context.local_path(path), kind)}\t{os.path.basename(path)}\n"
                    with open(checksum_file, "a", encoding="utf-8") as handle:
                        handle.write(line)
                except OSError as exc:
                    raise PostProcessError(f"unable to checksum {path} into {checksum_file}: {exc}") from None
        files += created
        output = new_artifact(context, BUILDER_ID, "", files, "Created artifact from files: " + ", ".join(files))
        return output, True, True
