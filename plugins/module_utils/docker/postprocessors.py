# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The docker-tag, docker-import, docker-save and docker-push post-processors.

Each takes the checked config, the input artifact and a ``Ui``, does its work on the
Docker SDK and returns ``(artifact, keep, force_keep)`` with Packer's values. Mistakes and
Docker failures raise :class:`PostProcessorError` / ``DockerError`` with a message for the user.

A tag that already names another image is moved, as Packer (and ``docker tag``) does — the
no-clobber rule is for files, output directories and AMI names, not tags. So that nothing is
lost, the ID of the image the tag left is printed.
"""

from __future__ import annotations

import os

from ansible_collections.cattle.images.plugins.module_utils.docker import artifacts
from ansible_collections.cattle.images.plugins.module_utils.docker.builder import registry_auth
from ansible_collections.cattle.images.plugins.module_utils.docker.client import (
    DockerError,
    explain,
    is_not_found,
    write_stream,
)
from ansible_collections.cattle.images.plugins.module_utils.errors import CattleError
from ansible_collections.cattle.images.plugins.module_utils.option_values import to_bool


class PostProcessorError(CattleError, ValueError):
    """A configuration or input-artifact mistake; the message is for the user."""


# --- config checks --------------------------------------------------------------------------

KNOWN_OPTIONS = {
    "docker-tag": {"repository", "tags", "tag", "force", "docker_path"},
    "docker-import": {"repository", "tag", "changes", "platform"},
    "docker-save": {"path"},
    "docker-push": {
        "login", "login_username", "login_password", "login_server", "ecr_login",
        "aws_access_key", "aws_secret_key", "aws_token", "aws_profile", "aws_force_use_public_ecr",
    },
}
SECRET_OPTIONS = ("login_password", "aws_secret_key", "aws_token")


def check_config(kind, raw):
    """Checked copy of a post-processor's config (Packer's weak typing accepted)."""
    if not isinstance(raw, dict):
        raise PostProcessorError(f"{kind}: the config must be a mapping, got {type(raw).__name__}")
    unknown = sorted(key for key in raw if key not in KNOWN_OPTIONS[kind] and not key.startswith("packer_")
                     and key not in ("type", "name", "keep_input_artifact", "only", "except"))
    if unknown:
        raise PostProcessorError(f"{kind}: unknown configuration key(s): {', '.join(repr(k) for k in unknown)}")
    config = {}
    for key, value in raw.items():
        if key in ("force", "login", "ecr_login", "aws_force_use_public_ecr"):
            config[key] = _as_bool(kind, key, value)
        elif key in ("tags", "changes"):
            config[key] = _as_list(kind, key, value)
        elif key == "tag" and kind == "docker-tag":
            config[key] = _as_list(kind, key, value)
        else:
            config[key] = "" if value is None else str(value)
    if kind == "docker-tag":
        config["tags"] = [t.strip() for t in config.get("tags", []) + config.pop("tag", []) if t.strip()]
        if not config.get("repository"):
            raise PostProcessorError("docker-tag: 'repository' is required")
    if kind == "docker-import" and not config.get("repository"):
        raise PostProcessorError("docker-import: 'repository' is required")
    if kind == "docker-save" and not config.get("path"):
        raise PostProcessorError("docker-save: 'path' is required")
    if kind == "docker-push" and config.get("ecr_login"):
        raise PostProcessorError("docker-push: ecr_login is not supported; use login, login_server, login_username and login_password")
    return config


def _as_bool(kind, key, value):
    try:
        return to_bool(key, value)
    except ValueError as exc:
        raise PostProcessorError(f"{kind}: {exc}") from None


def _as_list(kind, key, value):
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return value.split(",")
    if isinstance(value, (list, tuple)) and all(isinstance(v, (str, int, float)) for v in value):
        return [str(v) for v in value]
    raise PostProcessorError(f"{kind}: {key}: expected a list of strings or a comma-separated string, got {value!r}")


def _require_input(kind, artifact, accepted, hint):
    if not isinstance(artifact, dict) or not artifact.get("id"):
        raise PostProcessorError(f"{kind}: no input artifact (the builder produced none; discard: true?)")
    builder_id = artifact.get("builder_id")
    if builder_id not in accepted:
        raise PostProcessorError(f"{kind}: unknown artifact type {builder_id!r}: {hint}")


def run(kind, client, config, artifact, ui, force=False, cwd=None, check_mode=False):
    """Post-processor ``kind`` (its Packer type) on ``artifact``: ``(artifact, keep, force_keep)``.

    ``client`` is a Docker client (None in check mode, which only says what would happen),
    ``config`` the result of :func:`check_config`, ``cwd`` where a relative ``path`` resolves.
    """
    if kind == "docker-tag":
        return tag(client, config, artifact, force, ui, check_mode)
    if kind == "docker-import":
        return import_image(client, config, artifact, force, ui, check_mode)
    if kind == "docker-save":
        return save(client, config, artifact, cwd or os.getcwd(), ui, check_mode)
    if kind == "docker-push":
        return push(client, config, artifact, ui, check_mode)
    raise PostProcessorError(f"unknown docker post-processor {kind!r}")


# --- docker-tag -----------------------------------------------------------------------------


def _image_id(client, reference):
    try:
        return client.images.get(reference).id
    except Exception as exc:  # noqa: BLE001
        if is_not_found(exc):
            return None
        raise DockerError(explain(exc, f"inspect the image {reference}")) from None


def moved_tag_line(reference, previous_id, new_id):
    """The line saying a tag left an image (None when it named none, or the same one)."""
    if previous_id is None or previous_id == new_id:
        return None
    return f"Moved {reference} off the image {previous_id}, which it named before"


def tag(client, config, artifact, force, ui, check_mode=False):
    """Packer's docker-tag. ``force`` (the option, or the run's -force) changes nothing: as in
    Packer on Docker >= 1.12, a tag is always moved."""
    kind = "docker-tag"
    _require_input(kind, artifact, artifacts.IMAGE_BUILDER_IDS,
                   "can only tag artifacts of the docker builder (commit: true), docker-import or docker-tag")
    repository = config["repository"]
    references = [f"{repository}:{t}" for t in config["tags"]] or [repository]
    image_id = None if check_mode else _image_id(client, artifact["id"])
    if image_id is None and not check_mode:
        raise PostProcessorError(f"{kind}: the input image {artifact['id']} does not exist any more")
    for reference in references:
        ui.message(f"Tagging image: {artifact['id']}")
        ui.message(f"Repository: {reference}")
        if check_mode:
            continue
        previous = _image_id(client, reference if _has_tag(reference) else reference + ":latest")
        repo, _sep, tag_name = reference.rpartition(":") if _has_tag(reference) else (reference, "", "latest")
        try:
            client.api.tag(image_id, repo, tag_name, force=True)
        except Exception as exc:  # noqa: BLE001
            raise DockerError(explain(exc, f"tag {artifact['id']} as {reference}")) from None
        moved = moved_tag_line(reference, previous, image_id)
        if moved:
            ui.message(moved)
    metadata = _carry_metadata(artifact)
    metadata["docker_tags"] = [r for r in references if _has_tag(r)]
    result = artifacts.image_artifact(artifacts.BUILDER_ID_TAG, references[-1], artifact, metadata)
    return result, True, True


def _has_tag(reference):
    """Whether ``reference`` ends in ``:tag`` (a ``host:port/`` prefix is not a tag)."""
    name = reference.rsplit("/", 1)[-1]
    return ":" in name


def _carry_metadata(artifact):
    metadata = dict(artifact.get("metadata") or {})
    metadata.pop("docker_tags", None)
    return metadata


# --- docker-import --------------------------------------------------------------------------


def import_image(client, config, artifact, force, ui, check_mode=False):
    kind = "docker-import"
    _require_input(
        kind, artifact, (artifacts.BUILDER_ID_EXPORT, artifacts.BUILDER_ID_ARTIFICE),
        "can only import artifacts of the docker builder with export_path (or artifice); with commit: true "
        "the image is already imported",
    )
    files = artifact.get("files") or []
    if not files:
        raise PostProcessorError(f"{kind}: the input artifact has no file to import")
    source = files[0]
    reference = config["repository"] + (f":{config['tag']}" if config.get("tag") else "")
    ui.message(f"Importing image: {artifact['id']}")
    ui.message(f"Repository: {reference}")
    if check_mode:
        return artifacts.image_artifact(artifacts.BUILDER_ID_IMPORT, reference, artifact, {}), False, False
    if not os.path.isfile(source):
        raise PostProcessorError(f"{kind}: the file to import, {source}, does not exist")
    full_reference = reference if _has_tag(reference) else reference + ":latest"
    previous = _image_id(client, full_reference)  # docker import moves the tag, as in Packer
    params = {"fromSrc": "-", "repo": config["repository"], "tag": config.get("tag") or None}
    if config.get("changes"):
        params["changes"] = list(config["changes"])
    if config.get("platform"):
        params["platform"] = config["platform"]
    image_id = _post_import(client, source, params, reference)
    ui.message(f"Imported ID: {image_id}")
    moved = moved_tag_line(full_reference, previous, image_id)
    if moved:
        ui.message(moved)
    result = artifacts.image_artifact(artifacts.BUILDER_ID_IMPORT, reference, artifact, {"ImageSha256": image_id})
    return result, False, False


def _post_import(client, path, params, reference):
    """``docker import`` through the API (the SDK's import_image has no ``platform``)."""
    import json

    api = client.api
    try:
        with open(path, "rb") as tarball:
            response = api._post(api._url("/images/create"), data=tarball, params=params,
                                 headers={"Content-Type": "application/tar"}, timeout=None)
        api._raise_for_status(response)
    except OSError as exc:
        if isinstance(exc, (FileNotFoundError, PermissionError, IsADirectoryError)):
            raise PostProcessorError(f"docker-import: cannot read {path}: {exc.strerror}") from None
        raise DockerError(explain(exc, f"import {path} as {reference}")) from None
    except Exception as exc:  # noqa: BLE001
        raise DockerError(explain(exc, f"import {path} as {reference}")) from None
    image_id = None
    for line in response.text.splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if event.get("error"):
            raise DockerError(f"Docker could not import {path} as {reference}: {event['error']}")
        if str(event.get("status", "")).startswith("sha256:"):
            image_id = event["status"]
    return image_id or _image_id(client, reference)


# --- docker-save ----------------------------------------------------------------------------


def save(client, config, artifact, cwd, ui, check_mode=False):
    kind = "docker-save"
    _require_input(kind, artifact, artifacts.IMAGE_BUILDER_IDS,
                   "can only save images from the docker builder (commit: true), docker-import or docker-tag")
    path = config["path"]
    if not os.path.isabs(path):
        path = os.path.join(cwd or os.getcwd(), path)
    path = os.path.normpath(path)
    directory = os.path.dirname(path)
    ui.message(f"Saving image: {artifact['id']}")
    if check_mode:
        return artifact, True, False
    if os.path.isdir(path):
        raise PostProcessorError(f"{kind}: path {path} is a directory; name the file to write")
    if not os.path.isdir(directory):
        raise PostProcessorError(f"{kind}: Error creating output file: the directory {directory} does not exist")
    write_stream(client.api.get_image(artifact["id"]), path, ".cattle-save-", f"save the image {artifact['id']} to {path}")
    ui.message(f"Saved to: {path}")
    return artifact, True, False


# --- docker-push ----------------------------------------------------------------------------


def push(client, config, artifact, ui, check_mode=False):
    kind = "docker-push"
    _require_input(kind, artifact, artifacts.IMAGE_BUILDER_IDS,
                   "can only push artifacts of docker-import and docker-tag")
    names = []
    for name in [artifact["id"]] + list((artifact.get("metadata") or {}).get("docker_tags") or []):
        if name not in names:
            names.append(name)
    if names[0].startswith("sha256:"):
        raise PostProcessorError(
            f"{kind}: the image {names[0]} has no repository name to push to; put a docker-tag "
            "post-processor before docker-push in the same sequence"
        )
    auth = registry_auth(config)
    if auth is not None:
        ui.message("Logging in...")
        if not check_mode:
            from ansible_collections.cattle.images.plugins.module_utils.docker.builder import login

            try:
                login(client, config)
            except DockerError as exc:
                raise DockerError(f"Error logging in to Docker: {exc}") from None  # Packer's words first
    digest = ""
    for name in names:
        ui.message(f"Pushing: {name}")
        if check_mode:
            continue
        repository, tag_name = name.rsplit(":", 1) if _has_tag(name) else (name, "latest")
        try:
            for event in client.api.push(repository, tag=tag_name, stream=True, decode=True, auth_config=auth):
                if isinstance(event, dict):
                    if event.get("error"):
                        raise DockerError(f"Docker could not push {name}: {event['error']}")
                    digest = (event.get("aux") or {}).get("Digest") or digest
        except DockerError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise DockerError(explain(exc, f"push {name}")) from None
    if auth is not None:
        ui.message("Logging out...")
    metadata = _carry_metadata(artifact)
    metadata["docker_tags"] = list((artifact.get("metadata") or {}).get("docker_tags") or [])
    if digest:
        metadata["Digest"] = digest
    elif not check_mode:
        ui.message("Unable to determine pushed Docker image digest")
    result = artifacts.image_artifact(artifacts.BUILDER_ID_IMPORT, names[0], artifact, metadata)
    return result, True, False
