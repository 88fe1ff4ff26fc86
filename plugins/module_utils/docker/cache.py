# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The step cache on Docker: layers are images committed after each provisioner.

A layer is tagged ``cattle-cache:<key[:20]>`` (so ``docker image prune`` keeps it) and
labelled ``cattle.cache.key`` (its full key), ``cattle.cache.step`` (``<build>/<index>:<type>``),
``cattle.cache.created`` (epoch seconds), ``cattle.cache.parent`` (the parent key),
``cattle.cache.from`` (the layer or base image the step ran on) and ``cattle.cache.base``
(the base image's id, whose ENTRYPOINT/CMD the final commit restores).

The per-build state (which steps the launch found cached, the key and image the build is
at) lives in ``cache-<build id>.json`` next to the plan file, written by the launch and
advanced by each provisioner step (``cattle.images.provision``).
"""

from __future__ import annotations

import json
import os
import time

from ansible_collections.cattle.images.plugins.module_utils import cache as keys
from ansible_collections.cattle.images.plugins.module_utils.docker import builder
from ansible_collections.cattle.images.plugins.module_utils.docker.client import DockerError, explain, is_not_found


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


def find_layer(client, key):
    """The layer image for ``key``, or None."""
    try:
        images = client.images.list(filters={"label": f"{keys.LABEL_KEY}={key}"})
    except Exception as exc:  # noqa: BLE001
        raise DockerError(explain(exc, "look up the step cache")) from None
    # An untagged layer (pruned while another image still needs its data) is no longer cache.
    tagged = [image for image in images if _cache_tags(image)]
    return tagged[0] if tagged else None


def _cache_tags(image):
    return [tag for tag in image.tags if tag.startswith(keys.REPOSITORY + ":")]


def layer_tag(key):
    return key[:20]


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
    for index, step in enumerate(steps):
        kind = keys.step_kind(step)
        if kind == "barrier":
            break
        key = keys.step_key(parent, step, cwd, build_name)
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
        "cached_steps": [i for i in range(resume) if keys.step_kind(steps[i]) == "image"],
    }


def commit_layer(client, build_id, build_name, key, parent_key, from_image, base_image_id, step_index, step_type):
    """Commit the build container as the layer for ``key``; returns the image id."""
    container = builder.find_container(client, build_id)
    if container is None:
        raise DockerError(f"Cannot commit a cache layer: the build container {builder.container_name(build_id)} is gone")
    labels = {
        keys.LABEL_KEY: key,
        keys.LABEL_STEP: f"{build_name}/{step_index}:{step_type}",
        keys.LABEL_CREATED: str(int(time.time())),
        keys.LABEL_PARENT: parent_key,
        keys.LABEL_FROM: from_image,
        keys.LABEL_BASE: base_image_id,
    }
    try:
        image = container.commit(
            repository=keys.REPOSITORY, tag=layer_tag(key),
            changes=[f"LABEL {name}={json.dumps(value)}" for name, value in labels.items()],
        )
    except Exception as exc:  # noqa: BLE001
        raise DockerError(explain(exc, f"commit a cache layer of {container.name}")) from None
    return image.id


def relaunch(client, config, build_id, build_name, image):
    """Replace the build container by one started from ``image``, keeping its name and temp dir.

    Used when a step the launch found cached turns out to have changed inputs (a local step
    rewrote a file it reads): the build goes back to the last layer still valid.
    """
    container = builder.find_container(client, build_id)
    temp_dirs = builder.build_temp_dirs(build_id)
    temp_dir = temp_dirs[0] if temp_dirs else ""
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
        created.start()
    except Exception as exc:  # noqa: BLE001
        raise DockerError(explain(exc, f"restart the build container from the cache layer {image}")) from None
    builder._wait_running(created, config.get("exec_user", ""))


def list_layers(client):
    """Every cache layer: dicts with key, step, id, size, created (newest first)."""
    try:
        images = client.images.list(filters={"label": keys.LABEL_KEY})
    except Exception as exc:  # noqa: BLE001
        raise DockerError(explain(exc, "list the step cache")) from None
    layers = []
    for image in images:
        if not _cache_tags(image):
            continue
        labels = image.labels or {}
        try:
            created = int(labels.get(keys.LABEL_CREATED, "0"))
        except ValueError:
            created = 0
        layers.append({
            "key": labels.get(keys.LABEL_KEY, ""),
            "step": labels.get(keys.LABEL_STEP, ""),
            "parent": labels.get(keys.LABEL_PARENT, ""),
            "from": labels.get(keys.LABEL_FROM, ""),
            "id": image.id,
            "size": image.attrs.get("Size", 0),
            "created": created,
            "tags": _cache_tags(image),
        })
    layers.sort(key=lambda layer: layer["created"], reverse=True)
    return layers


def prune(client, remove_all=False, older_than=None, now=None):
    """Remove cache layers; returns ``(removed, kept)`` lists of layers.

    ``remove_all``: every layer. ``older_than`` (seconds): layers created before that. Neither:
    superseded layers: an older layer for the same step on the same parent (the step was
    edited since), and every layer built on a superseded one. A layer another image was
    built on is untagged and Docker keeps its data for that image; it no longer counts as cache.
    """
    layers = list_layers(client)
    now = time.time() if now is None else now
    if remove_all:
        doomed = layers
    elif older_than is not None:
        doomed = [layer for layer in layers if layer["created"] < now - older_than]
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
    """The layers of ``layers`` (newest first) that an edit of their step, or of an earlier one, replaced."""
    newest, doomed_ids = {}, set()
    for layer in layers:
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


def provision_step(connect, state_file, build, build_id, config, cwd, index, run):
    """Run step ``index`` of a cached build: reuse its layer, or run it and commit one.

    ``connect()`` gives a Docker client (only called when the daemon is needed: a reused
    step costs no round trip); ``run()`` runs the step and returns its result. Returns the
    result, with ``ui`` lines saying what the cache did. Local steps always run; a barrier
    step ends reuse and layers.
    """
    state = load_state(state_file)
    if state is None:
        return run()
    build_name = build["name"]
    step = build["provisioners"][index]
    kind = keys.step_kind(step)
    if kind == "barrier" or state["broken"]:
        state["broken"] = True
        save_state(state_file, state)
        return run()
    key = keys.step_key(state["current_key"], step, cwd, build_name)  # inputs as the step will read them
    if kind == "local":
        result = run()
        if not result.get("failed"):
            state["current_key"] = key
            save_state(state_file, state)
        return result

    notes = []
    if index < state["resume"]:
        planned = state["planned"][index] if index < len(state["planned"]) else None
        if key == planned and state["layers"][index]:
            state.update(current_key=key, current_image=state["layers"][index])
            save_state(state_file, state)
            return {
                "changed": False,
                "cached": True,
                "msg": f"reused the cache layer {state['layers'][index]}",
                "ui": [["say", f"Using the cached layer {short(state['layers'][index])} for provisioner "
                               f"{index} ({step['type']})"]],
            }
        # A local step changed this step's inputs since the launch: go back to the last valid layer.
        relaunch(connect(), config, build_id, build_name, state["current_image"])
        state["resume"] = index
        save_state(state_file, state)
        notes.append(["say", f"The inputs of provisioner {index} ({step['type']}) changed during the build: "
                             f"restarted the container from {short(state['current_image'])}"])
    result = run()
    if result.get("failed"):
        result["ui"] = notes + list(result.get("ui") or [])
        return result
    layer_id = commit_layer(connect(), build_id, build_name, key, state["current_key"], state["current_image"],
                            state["base_image_id"], index, step["type"])
    state.update(current_key=key, current_image=layer_id)
    save_state(state_file, state)
    result["ui"] = notes + list(result.get("ui") or []) + [
        ["say", f"Committed the cache layer {short(layer_id)} for provisioner {index} ({step['type']})"]]
    result["cache_layer"] = layer_id
    return result
