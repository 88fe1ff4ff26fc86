# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The step cache on Docker: layers are images committed after each provisioner that succeeded.

A layer is tagged ``cattle-cache:<key>`` (its full key; the tag keeps ``docker image prune``
off it). Its metadata (key, ``<build>/<index>:<type>`` step, created, parent key, the image
the step ran on, the base image whose ENTRYPOINT/CMD the final commit restores) is the
layer image's commit comment (``module_utils/cache.py``), never labels: labels would pass
to every image committed from a container started on the layer. Reusing a layer re-tags
it, which Docker records as the image's ``LastTagTime``: ``prune`` keeps what was used last.

The per-build state (which steps the launch found cached, the key and image the build is
at, the step running now) lives in ``cache-<build id>.json`` next to the plan file (in the
run directory), written by the launch and advanced by each provisioner step
(``cattle.images.provision``). A step that fails, raises or is interrupted leaves
``running`` set: no later step commits or reuses a layer in that build.

The image a build commits at the end is kept too, tagged ``cattle-cache:image-<key>`` (its
comment is the template's commit message, so the tag says what it is): a later build whose
steps all came from the cache and whose commit settings are the same takes that image instead
of committing again, and then needs no container at all (:func:`final_image_at_launch`).
"""

from __future__ import annotations

import calendar
import json
import os
import re
import time

from ansible_collections.cattle.images.plugins.module_utils import cache as keys
from ansible_collections.cattle.images.plugins.module_utils.docker import builder
from ansible_collections.cattle.images.plugins.module_utils.docker.client import (
    DockerError,
    connect,
    explain,
    is_not_found,
)
from ansible_collections.cattle.images.plugins.module_utils.docker.config import ConfigError, normalize
from ansible_collections.cattle.images.plugins.module_utils.plan import load_plan


def state_path(plan_file, build_id):
    return os.path.join(os.path.dirname(os.path.abspath(plan_file)), f"cache-{build_id}.json")


def load_state(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError:
        return None


def save_state(path, state):
    partial = path + ".partial"
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(state, handle)
    os.replace(partial, path)


# The placeholder temp dir given to container_spec when only the bind mounts are wanted.
_KEY_TEMP_DIR = "/nonexistent/cattle-cache-key-temp-dir"


def mount_sources(config):
    """The host paths bind-mounted into the build container (``volumes``, ``-v`` of run_command).

    Every step can read them, so their content is in every key. Raises NotCacheable for a
    named Docker volume, whose content the controller cannot hash.
    """
    kwargs, _warnings = builder.container_spec(config, "cache-key", "cache-key", _KEY_TEMP_DIR)
    sources = []
    for spec in kwargs.get("volumes") or []:
        host = str(spec).split(":", 1)[0]
        if host == _KEY_TEMP_DIR:
            continue
        if not host.startswith("/"):
            raise keys.NotCacheable(f"the named Docker volume {host!r} is mounted; its content cannot be hashed")
        sources.append(host)
    return sources


def layer_reference(key):
    return f"{keys.REPOSITORY}:{layer_tag(key)}"


def layer_tag(key):
    return key


def find_layer(client, key):
    """The layer image for ``key`` (its tag and its comment agree), or None."""
    try:
        image = client.images.get(layer_reference(key))
    except Exception as exc:  # noqa: BLE001
        if is_not_found(exc):
            return None
        raise DockerError(explain(exc, "look up the step cache")) from None
    metadata = keys.parse_layer_comment(image.attrs.get("Comment"))
    return image if metadata and metadata["key"] == key else None


def touch_layer(client, key):
    """Re-tag a reused layer: Docker's LastTagTime then says when it was last used (for prune)."""
    try:
        client.api.tag(layer_reference(key), keys.REPOSITORY, layer_tag(key), force=True)
    except Exception as exc:  # noqa: BLE001
        raise DockerError(explain(exc, f"mark the cache layer {layer_reference(key)} as used")) from None


FINAL_TAG_PREFIX = "image-"


def final_key(state, config, build_name):
    """The key of the image a build commits from the state it has reached: the layer the container
    holds (and the chain of keys that made it) and what the commit adds to it."""
    return keys.digest({
        "v": keys.KEY_VERSION, "final": state["current_key"], "layer": state["current_image"], "build": build_name,
        "changes": list(config.get("changes") or []), "author": config.get("author") or "",
        "message": config.get("message") or "",
    })


def final_reference(key):
    return f"{keys.REPOSITORY}:{FINAL_TAG_PREFIX}{key}"


def find_final(client, key):
    """The image a build committed for ``key``, or None."""
    try:
        return client.images.get(final_reference(key))
    except Exception as exc:  # noqa: BLE001
        if is_not_found(exc):
            return None
        raise DockerError(explain(exc, "look up the step cache")) from None


def keep_final(client, image_id, key):
    """Tag ``image_id`` as the final image for ``key`` (again, when reused: LastTagTime is its last use)."""
    try:
        client.api.tag(image_id, keys.REPOSITORY, FINAL_TAG_PREFIX + key, force=True)
    except Exception as exc:  # noqa: BLE001
        raise DockerError(explain(exc, f"tag the image {short(image_id)} in the step cache")) from None


def _holds_current_layer(state):
    """Whether the build's container holds exactly ``current_image`` (or there is none yet): then the
    final image depends only on that layer and the commit settings."""
    if state is None or state["broken"] or state.get("running") is not None:
        return False
    return not state.get("container", True) or state.get("container_at") == state["current_image"]


# {{ build `ID` }} in a JSON template, build.ID in HCL2: a step that may use the container itself.
_BUILD_ID_REFERENCE = re.compile(r"build\s*`ID`|\bbuild\.ID\b")


def final_image_at_launch(client, state, build, config):
    """At the launch of a build whose every step is cached: the final image it will take if nothing
    changes during the build, or None.

    Not when something wants the container for its own sake: an error-cleanup provisioner runs in
    it after a failure, and a local step naming the build's ``ID`` (the container's) may reach it.
    The key is the one :func:`final_key` computes at the capture once every step was checked at its
    turn; if a local step changes something on the way, the capture misses and commits as usual.
    """
    if not config.get("commit") or build.get("error_cleanup_provisioner"):
        return None
    if any(_BUILD_ID_REFERENCE.search(json.dumps(step)) for step in build.get("provisioners") or []):
        return None
    predicted = dict(state, current_key=state["planned"][-1] if state["planned"] else state["root"],
                     current_image=state["start_image"])
    return find_final(client, final_key(predicted, config, build["name"]))


def reuse_final(client, plan_file, build_id, build_name, config, ui):
    """At the capture: take the final image a previous build committed from the same state, if any.
    Returns its id or None."""
    state = load_state(state_path(plan_file, build_id)) if plan_file else None
    if not config.get("commit") or not _holds_current_layer(state):
        return None
    key = final_key(state, config, build_name)
    image = find_final(client, key)
    if image is None:
        return None
    keep_final(client, image.id, key)
    ui.say(f"Using the cached image {short(image.id)}: the same layers and commit settings as when it was committed")
    ui.message(f"Image ID: {image.id}")
    return image.id


def remember_final(client, plan_file, build_id, build_name, config, image_id):
    """After the capture committed ``image_id``: keep it for the next build that reaches the same state."""
    state = load_state(state_path(plan_file, build_id)) if plan_file else None
    if config.get("commit") and _holds_current_layer(state):
        keep_final(client, image_id, final_key(state, config, build_name))


def _cache_tags(image):
    return [tag for tag in image.tags if tag.startswith(keys.REPOSITORY + ":")]


def _epoch(timestamp):
    """Seconds since the epoch of Docker's RFC 3339 time, or 0 (Docker's zero time, or unknown)."""
    match = re.match(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)", str(timestamp or ""))
    if not match or match.group(1) == "0001":
        return 0
    return calendar.timegm(tuple(map(int, match.groups())) + (0, 0, 0))


def resolve(client, build, build_name, config, cwd):
    """Walk the build's steps and find the longest cached prefix. Returns the new state.

    ``planned[i]`` is step i's key as computed now (the walk stops at the first miss),
    ``layers[i]`` its layer's id, ``resume`` the first image step that must run and
    ``start_image`` the layer the container starts from. ``current_key``/``current_image``
    follow the steps as they are verified or run, from the root: a cached step is checked
    again when its turn comes, since a local step before it may have changed its inputs.
    """
    base_id = builder.base_image(client, config["image"], pulled=config["pull"])["Id"]
    root = keys.root_key(base_id, config)
    planned, layers = [], []
    parent, image, resume = root, base_id, 0
    steps = build.get("provisioners") or []
    uncacheable = None
    try:
        mounts = mount_sources(config)
    except keys.NotCacheable as exc:
        mounts, uncacheable, steps = [], str(exc), []
    for index, step in enumerate(steps):
        kind = keys.step_kind(step)
        if kind == "barrier":
            break
        try:
            key = keys.step_key(parent, step, cwd, build_name, mounts=mounts)
        except keys.NotCacheable as exc:
            uncacheable = f"provisioner {index} ({step['type']}): {exc}"
            break
        planned.append(key)
        if kind == "local":
            layers.append(None)
            parent = key
            continue
        layer = find_layer(client, key)
        if layer is None:
            break
        layers.append(layer.id)
        parent, image, resume = key, layer.id, index + 1
    return {
        "root": root, "base_image_id": base_id, "planned": planned, "layers": layers, "resume": resume,
        "start_image": image, "current_key": root, "current_image": base_id, "broken": False,
        "running": None, "uncacheable": uncacheable, "container_at": image, "container_growth": 0,
        "cached_steps": [i for i in range(resume) if keys.step_kind(steps[i]) == "image"],
    }


def reuse_leading_steps(client, state_file, build, ui):
    """At the launch of a ``-cache`` build: reuse the layers of the provisioners at the head of the build
    that are cached, up to the first step that is not (a local step, a barrier, a miss).

    Nothing runs before those steps, so the keys :func:`resolve` has just computed still hold; a
    cached step after a local one is checked again at its own turn instead. Each step is taken as
    :func:`provision_step` takes a cached one: its layer touched, the state advanced, the same line
    said on ``ui``. Returns how many steps it took.
    """
    state = load_state(state_file)
    if state is None or state["broken"] or state.get("running") is not None:
        return 0
    done = 0
    for index, step in enumerate(build.get("provisioners") or []):
        if index >= state["resume"] or keys.step_kind(step) != "image" or not state["layers"][index]:
            break
        ui.say(_reuse_layer(client, state, index, step))
        done += 1
    if done:
        save_state(state_file, state)
    return done


def _reuse_layer(client, state, index, step):
    """Take step ``index``'s cached layer: touch it and advance ``state`` to it; the line that says so."""
    touch_layer(client, state["planned"][index])
    state.update(current_key=state["planned"][index], current_image=state["layers"][index])
    return f"Using the cached layer {short(state['layers'][index])} for provisioner {index} ({step['type']})"


def commit_layer(client, build_id, build_name, key, parent_key, from_image, base_image_id, step_index, step_type):
    """Commit the build container as the layer for ``key``; returns the image id."""
    container = builder.find_container(client, build_id)
    if container is None:
        raise DockerError(f"Cannot commit a cache layer: the build container {builder.container_name(build_id)} is gone")
    metadata = {
        "key": key,
        "step": f"{build_name}/{step_index}:{step_type}",
        "created": int(time.time()),
        "parent": parent_key,
        "from": from_image,
        "base": base_image_id,
    }
    try:
        image = container.commit(repository=keys.REPOSITORY, tag=layer_tag(key), message=keys.layer_comment(metadata))
    except Exception as exc:  # noqa: BLE001
        raise DockerError(explain(exc, f"commit a cache layer of {container.name}")) from None
    return image.id


def relaunch(client, config, build_id, build_name, image, start=True, temp_dir=""):
    """Replace the build container by one started from ``image``, keeping its name and temp dir.

    Used when a step the launch found cached turns out to have changed inputs (a local step
    rewrote a file it reads): the build goes back to the last layer still valid; after a large
    layer (:data:`RELAUNCH_BYTES`); and, not started, before the final commit (:func:`settle_for_capture`).
    """
    container = builder.find_container(client, build_id)
    # The launch's temp dir: the container mounts it, or the state has it when the launch made no container.
    temp_dir = (builder.mounted_temp_dir(container) if container is not None else "") or temp_dir
    if container is not None:
        try:
            container.remove(force=True, v=True)
        except Exception as exc:  # noqa: BLE001
            if not is_not_found(exc):
                raise DockerError(explain(exc, f"remove the build container {container.name}")) from None
    started = dict(config, image=image, pull=False)
    kwargs, _warnings = builder.container_spec(started, build_id, build_name, temp_dir)
    try:
        created = builder._create(client, kwargs)
        if start:
            created.start()
    except Exception as exc:  # noqa: BLE001
        raise DockerError(explain(exc, f"restart the build container from the cache layer {image}")) from None
    if start:
        builder._wait_running(created, config.get("exec_user", ""))


# A commit writes the container's whole difference from the image it started from, so every layer
# after a large step would hold that step's files again (and the final commit too): past this
# size the container restarts from the layer just committed, which costs about one start.
RELAUNCH_BYTES = 8 * 1024 * 1024


def _ensure_container(client, state, config, build_id, build_name, start=True):
    """Create the build container on ``current_image`` when the launch made none (``container`` False)."""
    if state.get("container", True):
        return
    relaunch(client, config, build_id, build_name, state["current_image"], start=start, temp_dir=state.get("temp_dir", ""))
    state.update(container=True, container_at=state["current_image"], container_growth=0)


def _layer_growth(client, layer_id, from_image):
    """How many bytes the layer ``layer_id`` added to ``from_image`` (0 when Docker does not say)."""
    try:
        return int(client.images.get(layer_id).attrs.get("Size") or 0) - int(client.images.get(from_image).attrs.get("Size") or 0)
    except Exception as exc:  # noqa: BLE001
        raise DockerError(explain(exc, f"read the size of the cache layer {short(layer_id)}")) from None


def settle_for_capture(client, config, build_id, build_name, plan_file):
    """Before the final commit of a ``-cache`` build: when the container holds exactly a layer
    (nothing ran in it since that layer was committed) and more than :data:`RELAUNCH_BYTES` beyond
    the image it started from, replace it by a container created (not started) from the layer, so
    the commit writes no file again. Returns the layer's id or None."""
    state = load_state(state_path(plan_file, build_id)) if plan_file else None
    if state is not None and not state.get("container", True):
        # The launch made none (the final image was cached), yet the capture commits after all.
        _ensure_container(client, state, config, build_id, build_name, start=False)
        save_state(state_path(plan_file, build_id), state)
        return state["current_image"]
    image = (state or {}).get("container_at")
    # A small difference costs less to commit again than a container to remove and create.
    if not image or state.get("running") is not None or state.get("container_growth", 0) <= RELAUNCH_BYTES:
        return None
    container = builder.find_container(client, build_id)
    if container is None or container.attrs.get("Image") == image:
        return None
    relaunch(client, config, build_id, build_name, image, start=False)
    return image


def list_layers(client):
    """Every cache layer: dicts with key, step, id, size, created, used (last used first).

    Images of the cache's repository without a layer comment (left by an older version of
    this code, or tagged there by hand) are listed with an empty key so ``prune`` removes them.
    """
    try:
        images = client.images.list(name=keys.REPOSITORY)
    except Exception as exc:  # noqa: BLE001
        raise DockerError(explain(exc, "list the step cache")) from None
    layers = []
    for image in images:
        tags = _cache_tags(image)
        if not tags:
            continue
        final_tags = [tag for tag in tags if tag.startswith(f"{keys.REPOSITORY}:{FINAL_TAG_PREFIX}")]
        if final_tags:
            layers.append(_final_entry(image, final_tags))
            continue
        metadata = keys.parse_layer_comment(image.attrs.get("Comment")) or {}
        try:
            created = int(metadata.get("created") or 0)
        except (TypeError, ValueError):
            created = 0
        used = max(created, _epoch((image.attrs.get("Metadata") or {}).get("LastTagTime")))
        layers.append({
            "key": str(metadata.get("key") or ""),
            "step": str(metadata.get("step") or ""),
            "parent": str(metadata.get("parent") or ""),
            "from": str(metadata.get("from") or ""),
            "id": image.id,
            "size": image.attrs.get("Size", 0),
            "created": created,
            "used": used,
            "tags": tags,
        })
    layers.sort(key=lambda layer: (layer["used"], layer["created"]), reverse=True)
    return layers


def _final_entry(image, final_tags):
    """A final image as :func:`list_layers` lists it: its step is ``<build>/image``, its parent the
    layer it was committed on (Docker's ``Parent``), so a newer final image on that layer, or that
    layer's removal, supersedes it."""
    labels = (image.attrs.get("Config") or {}).get("Labels") or {}
    created = _epoch(image.attrs.get("Created"))
    parent = str(image.attrs.get("Parent") or "")
    return {
        "key": final_tags[0].split(":", 1)[1][len(FINAL_TAG_PREFIX):],
        "step": f"{labels.get(builder.LABEL_BUILD_NAME, '')}/image",
        # Without a Parent (Docker's containerd image store) no two final images share a slot.
        "parent": parent or image.id,
        "from": parent,
        "id": image.id,
        "size": image.attrs.get("Size", 0),
        "created": created,
        "used": max(created, _epoch((image.attrs.get("Metadata") or {}).get("LastTagTime"))),
        "tags": final_tags,
    }


def prune(client, remove_all=False, older_than=None, now=None):
    """Remove cache layers; returns ``(removed, kept)`` lists of layers.

    ``remove_all``: every layer. ``older_than`` (seconds): layers last used before that. Neither:
    superseded layers: a layer for the same step on the same parent as one used more recently
    (the step was edited since, or the build went back to another variant), every layer built
    on a superseded one, and images in the cache's repository that are no layer. A layer
    another image was built on is untagged and Docker keeps its data for that image; it no
    longer counts as cache.
    """
    layers = list_layers(client)
    now = time.time() if now is None else now
    if remove_all:
        doomed = layers
    elif older_than is not None:
        doomed = [layer for layer in layers if layer["used"] < now - older_than]
    else:
        doomed = superseded(layers)
    removed, kept = [], []
    for layer in doomed:  # newest first: children before their parents
        try:
            for reference in layer["tags"]:
                client.images.remove(reference)
        except Exception as exc:  # noqa: BLE001
            if not is_not_found(exc):
                kept.append(dict(layer, error=explain(exc, f"remove the cache layer {layer['id']}")))
                continue
        removed.append(layer)
    return removed, kept


def superseded(layers):
    """The layers of ``layers`` (last used first) that an edit of their step, or of an earlier one, replaced."""
    newest, doomed_ids = {}, {layer["id"] for layer in layers if not layer["key"]}
    for layer in layers:
        if not layer["key"]:
            continue
        slot = (layer["parent"], layer["step"].split(":", 1)[0])
        if newest.setdefault(slot, layer["id"]) != layer["id"]:
            doomed_ids.add(layer["id"])
    grew = True
    while grew:  # what was built on a superseded layer goes too
        grew = False
        for layer in layers:
            if layer["id"] not in doomed_ids and layer["from"] in doomed_ids:
                doomed_ids.add(layer["id"])
                grew = True
    return [layer for layer in layers if layer["id"] in doomed_ids]


def short(image_id):
    return image_id.split(":", 1)[-1][:12]


def run_step(plan_file, build_name, build_id, index, run):
    """Provisioner ``index`` of a build run with ``-cache``: the one call the provisioner path makes.

    ``run()`` runs the step and returns its result; the result comes back with the cache's
    notes, or failed with the cache's own error (the Docker daemon, the builder config, a key).
    """
    plan = load_plan(plan_file)
    build = plan.build(build_name)
    cwd = plan.raw.get("cwd")
    try:
        config = normalize(build.config, cwd=cwd)
        return provision_step(connect, state_path(plan_file, build_id), build.raw, build_id, config, cwd, index, run)
    except (DockerError, ConfigError, keys.CacheKeyError) as exc:
        return {"failed": True, "changed": False, "msg": f"step cache: {exc}"}


def provision_step(connect, state_file, build, build_id, config, cwd, index, run):
    """Run step ``index`` of a cached build: reuse its layer, or run it and commit one.

    ``connect()`` gives a Docker client; ``run()`` runs the step and returns its result.
    Returns the result, with ``ui`` lines saying what the cache did. Local steps always run.
    From the first step that is not cached (a download from the container, inputs no key
    covers) or that did not succeed (failed, raised, interrupted: ``running`` stays set),
    every step runs uncached and commits nothing: a layer exists only for a chain of steps
    that all succeeded.
    """
    state = load_state(state_file)
    if state is None:
        return run()
    step = build["provisioners"][index]
    kind = keys.step_kind(step)
    notes = []
    key = None
    if not state["broken"]:
        reason = None
        if state.get("running") is not None:
            reason = f"provisioner {state['running']} did not succeed"
        elif kind == "barrier":
            reason = keys.BARRIER_REASONS.get(step["type"], keys.DOWNLOAD_REASON)
        else:
            try:
                mounts = mount_sources(config)
                key = keys.step_key(state["current_key"], step, cwd, build["name"], mounts=mounts)
            except keys.NotCacheable as exc:
                reason = str(exc)
        if reason is not None:
            state["broken"] = True
            notes.append(["say", f"Step cache: not cached: provisioner {index} ({step['type']}) and every later "
                                 f"one run without the cache: {reason}"])
    if state["broken"]:
        if kind != "local":
            _ensure_container(connect(), state, config, build_id, build["name"])
        state["container_at"] = None
        save_state(state_file, state)
        result = run()
        result["ui"] = notes + list(result.get("ui") or [])
        return result

    if kind == "image" and index < state["resume"]:
        planned = state["planned"][index] if index < len(state["planned"]) else None
        if key == planned and state["layers"][index]:
            line = _reuse_layer(connect(), state, index, step)
            save_state(state_file, state)
            return {"changed": False, "cached": True, "msg": f"reused the cache layer {state['layers'][index]}",
                    "ui": [["say", line]]}
        # A local step changed this step's inputs since the launch: go back to the last valid layer.
        relaunch(connect(), config, build_id, build["name"], state["current_image"], temp_dir=state.get("temp_dir", ""))
        state.update(resume=index, container=True, container_at=state["current_image"], container_growth=0)
        notes.append(["say", f"The inputs of provisioner {index} ({step['type']}) changed during the build: "
                             f"restarted the container from {short(state['current_image'])}"])

    state["running"] = index  # cleared only once the step succeeded (and its layer is committed)
    if kind != "local":  # what runs in the container changes it
        _ensure_container(connect(), state, config, build_id, build["name"])
        state["container_at"] = None
    save_state(state_file, state)
    result = run()
    if result.get("failed"):  # ``running`` stays set: the next step reports it and goes uncached
        result["ui"] = notes + list(result.get("ui") or [])
        return result
    if kind == "local":
        state.update(current_key=key, running=None)
        save_state(state_file, state)
        result["ui"] = notes + list(result.get("ui") or [])
        return result
    client = connect()
    layer_id = commit_layer(client, build_id, build["name"], key, state["current_key"], state["current_image"],
                            state["base_image_id"], index, step["type"])
    after = [["say", f"Committed the cache layer {short(layer_id)} for provisioner {index} ({step['type']})"]]
    # What the container holds beyond the image it started from: what its next commit writes again.
    growth = state.get("container_growth", 0) + _layer_growth(client, layer_id, state["current_image"])
    runs_in_container_later = any(keys.step_kind(later) != "local" for later in build["provisioners"][index + 1:])
    if runs_in_container_later and growth > RELAUNCH_BYTES:
        relaunch(client, config, build_id, build["name"], layer_id)
        after.append(["say", f"Restarted the build container from {short(layer_id)}: later layers hold only their own changes"])
        growth = 0
    state.update(current_key=key, current_image=layer_id, running=None, container_at=layer_id, container_growth=growth)
    save_state(state_file, state)
    result["ui"] = notes + list(result.get("ui") or []) + after
    result["cache_layer"] = layer_id
    return result
