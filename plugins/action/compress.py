# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Packer's ``compress`` post-processor: archive and/or compress the artifact's files.

The format comes from the output name's extensions, read as Packer reads them: the last
one picks ``tar``/``zip`` (archive) or ``gz``/``xz``/``lz4``/``bgzf`` (compression), a
``tar`` just before a compression extension adds a tarball, and anything else (including
no extension, as in the default name) is a gzipped tarball. The input is not kept.
"""

from __future__ import annotations

import gzip
import lzma
import os
import re
import shutil
import tarfile
import zipfile

from ansible_collections.cattle.images.plugins.plugin_utils.common import UserError, as_int, unknown_keys
from ansible_collections.cattle.images.plugins.plugin_utils.post_processor import (
    PostProcessError,
    PostProcessorAction,
    new_artifact,
)

KNOWN_KEYS = {"output", "format", "compression_level", "keep_input_artifact"}
DEFAULT_OUTPUT = "packer_{{.BuildName}}_{{.BuilderType}}"
BUILDER_ID = "packer.post-processor.compress"
DEFAULT_LEVEL = 6
_EXTENSION = re.compile(r"\.([a-z0-9]+)")
_ALGORITHMS = {"gz": "pgzip", "lz4": "lz4", "bgzf": "bgzf", "xz": "xz"}


def detect_format(path, explicit_format=""):
    """``(archive, algorithm)`` from the file name, each ``""`` when absent."""
    name = f"{path}.{explicit_format}" if explicit_format else path
    extensions = _EXTENSION.findall(name)
    if not extensions:
        return "tar", "pgzip"
    last = extensions[-1]
    archive = "tar" if len(extensions) > 1 and extensions[-2] == "tar" else ""
    if last in ("zip", "tar"):
        return last, ""
    if last in _ALGORITHMS:
        return archive, _ALGORITHMS[last]
    return "tar", "pgzip"


def _open_compressor(handle, algorithm, level):
    if algorithm in ("pgzip", "bgzf"):
        # bgzf is a series of gzip members: plain gzip is what readers of it also accept.
        return gzip.GzipFile(fileobj=handle, mode="wb", compresslevel=level)
    if algorithm == "xz":
        return lzma.LZMAFile(handle, mode="wb")
    if algorithm == "lz4":
        try:
            import lz4.frame
        except ImportError:
            raise PostProcessError(
                "lz4 compression needs the Python package 'lz4', which is not installed on the controller; "
                "install it (pip install lz4) or choose another output extension (.gz, .xz, .zip, .tar)"
            ) from None
        return lz4.frame.LZ4FrameFile(handle, mode="wb", compression_level=level)
    return None


class ActionModule(PostProcessorAction):
    POST_PROCESSOR_TYPE = "compress"

    def prepare(self, config, context):
        problems = unknown_keys(config, KNOWN_KEYS)
        if problems:
            raise UserError("; ".join(problems))
        level = as_int(config.get("compression_level", DEFAULT_LEVEL) or 0, "compression_level")
        # Packer: above the maximum means the maximum; 0 and -1 mean the default.
        level = 9 if level > 9 else (DEFAULT_LEVEL if level in (0, -1) else level)
        if level < -1:
            raise UserError(f"compression_level: expected -1 to 9, got {level}")
        return {
            "output": config.get("output") or DEFAULT_OUTPUT,
            "format": str(config.get("format") or ""),
            "compression_level": level,
        }

    def _target(self, config, context):
        data = dict(BuildName=context.build_name, BuilderType=context.build_type)
        return context.local_path(context.render(config["output"], "output", **data))

    def describe(self, config, context, artifact, ui):
        ui.say(f"Check mode: would archive {len(artifact['files'])} file(s) into {self._target(config, context)}")

    def post_process(self, config, context, artifact, ui):
        target = self._target(config, context)
        archive, algorithm = detect_format(config["output"], config["format"])
        files = artifact["files"]
        keep = False
        if not archive and len(files) != 1:
            raise PostProcessError(
                f"Can only have 1 input file when not using tar/zip. Found {len(files)} files: [{' '.join(files)}]"
            )
        try:
            os.makedirs(os.path.dirname(target) or ".", mode=0o755, exist_ok=True)
        except OSError as exc:
            raise PostProcessError(f"Unable to create dir for archive {target}: {exc}") from None
        try:
            self._write(target, archive, algorithm, config["compression_level"], files, ui, context.local_path)
        except PostProcessError:
            _remove_quietly(target)
            raise
        except OSError as exc:
            _remove_quietly(target)
            raise PostProcessError(f"Unable to create archive {target}: {exc}") from None
        ui.say(f"Archive {target} completed")
        output = new_artifact(context, BUILDER_ID, target, [target], f"compressed artifacts in: {target}")
        return output, keep, False

    @staticmethod
    def _write(target, archive, algorithm, level, files, ui, local_path):
        """``files`` as the artifact names them; ``local_path`` opens a relative one under the run's cwd."""
        compression = algorithm or "no compression"
        with open(target, "wb") as raw:
            compressor = _open_compressor(raw, algorithm, level)
            stream = compressor or raw
            try:
                if algorithm == "xz":
                    ui.say(f"Using xz compression with 1 core for {target}")
                elif algorithm:
                    ui.say(f"Using {algorithm} compression with {os.cpu_count() or 1} cores for {target}")
                if archive == "tar":
                    ui.say(f"Tarring {target} with {compression}")
                    with tarfile.open(fileobj=stream, mode="w|") as tar:
                        for path in files:
                            tar.add(local_path(path), arcname=os.path.basename(path), recursive=False)
                elif archive == "zip":
                    ui.say(f"Zipping {target}")
                    with zipfile.ZipFile(stream, mode="w", compression=zipfile.ZIP_DEFLATED,
                                         compresslevel=level) as bundle:
                        for path in files:
                            bundle.write(local_path(path), arcname=os.path.basename(path))
                else:
                    ui.say(f"Archiving {files[0]} with {compression}")
                    with open(local_path(files[0]), "rb") as source:
                        shutil.copyfileobj(source, stream, 1 << 20)
            finally:
                if compressor is not None:
                    compressor.close()


def _remove_quietly(path):
    try:
        os.unlink(path)
    except OSError:
        pass
