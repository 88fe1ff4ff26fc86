# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The docker builder's steps on the Docker SDK: pull, run, remove (commit / export: ``capture.py``).

Packer's order is kept: temp dir → (login) pull → run → provision → commit/export → kill+rm.
Every container is named ``cattle-<build id>``, labelled with the build's id and name, and
recorded in the ledger before it is created, so an interrupted run can always be swept.
Failures raise :class:`DockerError` with a message for the user; a failed launch removes
whatever it created before raising.
"""

from __future__ import annotations

import os
import shutil
import tempfile

from ansible_collections.cattle.images.plugins.module_utils.cache import parse_layer_comment
from ansible_collections.cattle.images.plugins.module_utils.docker.client import (
    DockerError,
    connect,
    explain,
    is_not_found,
)
from ansible_collections.cattle.images.plugins.module_utils.docker.runargs import (
    RunCommandError,
    create_arguments,
    parse_run_command,
    render_image,
)
from ansible_collections.cattle.images.plugins.module_utils.ui import Ui

LABEL_BUILD_ID = "cattle.build_id"
LABEL_BUILD_NAME = "cattle.build_name"
LEDGER_KIND = "docker_container"
COMMIT_LEDGER_KIND = "docker_commit"  # an image being committed, until the artifact is handed on
TEMP_DIR_PREFIX = "cattle-docker-"


def container_name(build_id):
    return f"cattle-{build_id}"


# --- pull ---------------------------------------------------------------------------------


def registry_auth(config):
    """The auth config for pulls/pushes, or None when ``login`` is off."""
    if not config.get("login"):
        return None
    auth = {"username": config.get("login_username", ""), "password": config.get("login_password", "")}
    if config.get("login_server"):
        auth["serveraddress"] = config["login_server"]
    return auth


def login(client, config):
    """``docker login`` as Packer does before a pull/push; the password never reaches a message."""
    auth = registry_auth(config)
    if auth is None:
        return None
    server = config.get("login_server") or "the default registry"
    try:
        client.login(
            username=auth["username"], password=auth["password"], registry=config.get("login_server") or None, reauth=True
        )
    except Exception as exc:  # noqa: BLE001
        raise DockerError(explain(exc, f"log in to {server} as {auth['username']!r}")) from None
    return auth


def pull(client, image, platform="", auth_config=None):
    """``docker pull image``; a failure is an error (Packer does not fall back to a local copy)."""
    from docker.utils import parse_repository_tag

    repository, tag = parse_repository_tag(image)
    kwargs = {"tag": tag or "latest", "stream": True, "decode": True}
    if platform:
        kwargs["platform"] = platform
    if auth_config:
        kwargs["auth_config"] = auth_config
    try:
        for event in client.api.pull(repository, **kwargs):
            if isinstance(event, dict) and event.get("error"):
                raise DockerError(_pull_failed(image, event["error"]))
    except DockerError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise DockerError(_pull_failed(image, explain(exc, f"pull {image}"))) from None


def _pull_failed(image, detail):
    return (
        f"Could not pull the base image {image!r}: {detail}. If the image exists only locally, "
        'set "pull": false in the builder.'
    )


def base_image(client, image, pulled):
    """The base image's attributes; a clear error when it is missing."""
    try:
        return client.images.get(image).attrs
    except Exception as exc:  # noqa: BLE001
        if is_not_found(exc):
            how = "even after pulling it" if pulled else 'and "pull" is false'
            raise DockerError(
                f"The base image {image!r} does not exist on the Docker daemon {how}: build or load it "
                "first (docker build / docker load / docker import), or check the image name."
            ) from None
        raise DockerError(explain(exc, f"inspect the base image {image!r}")) from None


# --- run ----------------------------------------------------------------------------------


def container_spec(config, build_id, build_name, temp_dir):
    """``containers.create`` arguments for this build: run_command plus the builder's options.

    Packer puts the builder options before run_command (``docker run --device … --cap-add …
    --privileged --tmpfs … -v host:ctr … -v tmp:container_dir <run_command>``); lists add up.
    Returns ``(kwargs, warnings)``; raises :class:`DockerError` for a bad run_command.
    """
    try:
        words = render_image(config["run_command"], config["image"])
        parsed = parse_run_command(words)
        kwargs = create_arguments(parsed)
    except RunCommandError as exc:
        raise DockerError(str(exc)) from None
    volumes = [f"{host}:{container}" for host, container in config["volumes"].items()]
    volumes.append(f"{temp_dir}:{config['container_dir']}")
    kwargs["volumes"] = volumes + kwargs.get("volumes", [])
    for option, key in (("cap_add", "cap_add"), ("cap_drop", "cap_drop"), ("device", "devices")):
        if config[option]:
            kwargs[key] = list(config[option]) + kwargs.get(key, [])
    if config["tmpfs"]:
        from ansible_collections.cattle.images.plugins.module_utils.docker.runargs import tmpfs_dict

        kwargs["tmpfs"] = dict(tmpfs_dict(config["tmpfs"]), **kwargs.get("tmpfs", {}))
    if config["privileged"]:
        kwargs["privileged"] = True
    if config["runtime"]:
        kwargs["runtime"] = config["runtime"]
    labels = dict(kwargs.get("labels", {}))
    # Container labels end up in a committed image: no host paths here.
    labels.update({LABEL_BUILD_ID: build_id, LABEL_BUILD_NAME: build_name})
    kwargs["labels"] = labels
    # run_command's --name is kept (templates reach the container by it); else cattle-<build id>.
    kwargs["name"] = kwargs.get("name") or container_name(build_id)
    kwargs["detach"] = True
    return kwargs, parsed["warnings"]


def run_command_line(config, temp_dir):
    """Packer's "Run command:" text: the builder's options, the volumes, then run_command as rendered.

    Packer runs exactly this ``docker run``; we make the same container through the API.
    """
    words = ["run"]
    for option, flag in (("device", "--device"), ("cap_add", "--cap-add"), ("cap_drop", "--cap-drop")):
        for value in config[option]:
            words += [flag, value]
    if config["privileged"]:
        words.append("--privileged")
    for value in config["tmpfs"]:
        words += ["--tmpfs", value]
    for host, container in list(config["volumes"].items()) + [(temp_dir, config["container_dir"])]:
        words += ["-v", f"{host}:{container}"]
    try:
        words += render_image(config["run_command"], config["image"])
    except RunCommandError as exc:
        raise DockerError(str(exc)) from None
    return "docker " + " ".join(words)


def find_container(client, build_id):
    """This build's container, or None.

    It is named ``cattle-<build id>`` unless run_command gave ``--name``; then it is the
    container labelled with this build's id that mounts this build's temp dir. (The label
    alone is not enough: every image a build commits carries it, and so does every container
    someone runs from such an image.)
    """
    name = container_name(build_id)
    try:
        return client.containers.get(name)
    except Exception as exc:  # noqa: BLE001
        if not is_not_found(exc):
            raise DockerError(explain(exc, f"inspect the container {name}")) from None
    try:
        labelled = client.containers.list(all=True, filters={"label": f"{LABEL_BUILD_ID}={build_id}"})
    except Exception as exc:  # noqa: BLE001
        raise DockerError(explain(exc, f"list the containers of build {build_id}")) from None
    prefix = f"{TEMP_DIR_PREFIX}{build_id}-"
    for container in labelled:
        sources = [mount.get("Source") or "" for mount in container.attrs.get("Mounts") or []]
        if any(os.path.basename(source).startswith(prefix) for source in sources):
            return container
    return None


def launch(client, config, build_id, build_name, ledger=None, start=True, ui=None, create=True):
    """Create and start the build container. Returns the ``source`` dict.

    Idempotent: a running container of this build is returned as is (``changed`` False).
    ``start=False`` only creates it (the step cache has every step: nothing will run in it,
    the capture commits it as created); ``create=False`` makes only the temp dir (the step cache
    has the final image too: the step cache creates a container later if a step's inputs change).
    Packer's lines for these steps are appended to ``ui`` (a :class:`Ui`), in Packer's order:
    temp dir, pull, run.
    """
    ui = Ui() if ui is None else ui
    name = container_name(build_id)
    existing = find_container(client, build_id)
    if existing is not None:
        if existing.labels.get(LABEL_BUILD_ID) != build_id:
            raise DockerError(
                f"A container named {name} already exists and was not made by this build; remove it "
                f"(docker rm -f {name}) or use another build id."
            )
        if existing.status == "running" or (existing.status == "created" and not start):
            return dict(_source(existing, config, mounted_temp_dir(existing)), changed=False, warnings=[])
        # A leftover of an interrupted attempt: start afresh.
        remove(client, build_id)

    ui.say("Creating a temporary directory for sharing data...")
    temp_dir = tempfile.mkdtemp(prefix=f"{TEMP_DIR_PREFIX}{build_id}-")
    try:
        kwargs, warnings = container_spec(config, build_id, build_name, temp_dir)
        run_line = run_command_line(config, temp_dir)
    except DockerError:
        shutil.rmtree(temp_dir, ignore_errors=True)
        raise
    if ledger is not None:
        ledger.record(build=build_name, kind=LEDGER_KIND, name=name, build_id=build_id, temp_dir=temp_dir,
                      container=kwargs["name"], docker_host=os.environ.get("DOCKER_HOST", ""))
    if not create:
        return dict(_source(None, config, temp_dir, name=kwargs["name"]), changed=True, warnings=warnings)
    container = None
    try:
        if config["pull"]:
            ui.say(f"Pulling Docker image: {config['image']}")
            auth = login(client, config)
            pull(client, config["image"], config.get("platform", ""), auth)
        base_image(client, config["image"], config["pull"])
        ui.say("Starting docker container...")
        ui.message(f"Run command: {run_line}")
        container = _create(client, kwargs)
        if start:
            container.start()
            _wait_running(container, config.get("exec_user", ""))
        ui.message(f"Container ID: {container.id}")
        if start and config.get("communicator") != "none":
            # Packer's connect step names the address it will use: the container's on its network.
            container.reload()
            ui.say(f"Using docker communicator to connect: {_container_address(container)}")
    except Exception as exc:
        remove(client, build_id, temp_dir)
        if ledger is not None:
            ledger.release(kind=LEDGER_KIND, name=name)
        if isinstance(exc, DockerError):
            raise
        raise DockerError(explain(exc, f"start the build container {kwargs['name']} from {config['image']!r}")) from None
    return dict(_source(container, config, temp_dir), changed=True, warnings=warnings)


# ``containers.create`` arguments that belong to the container's config; the rest go to its HostConfig.
_CONTAINER_CONFIG_KEYS = ("command", "hostname", "user", "detach", "stdin_open", "tty", "environment", "name",
                          "entrypoint", "working_dir", "domainname", "labels", "stop_signal", "platform")


def _create(client, kwargs):
    """Create the container through the low-level API, as ``docker run`` would.

    The SDK's ``containers.create(volumes=[host:ctr])`` also declares every bind target as a
    volume in the container's config, and ``docker commit`` then bakes ``VOLUME <target>``
    into the image (an anonymous volume on every later ``docker run``). The docker CLI —
    Packer's way — declares only anonymous volumes (``-v /path``); so do we.
    """
    kwargs = dict(kwargs)
    image = kwargs.pop("image")
    create = {key: kwargs.pop(key) for key in _CONTAINER_CONFIG_KEYS if key in kwargs}
    anonymous = kwargs.pop("anonymous_volumes", [])
    if anonymous:
        create["volumes"] = list(anonymous)
    ports = kwargs.pop("ports", None)
    if ports:
        create["ports"] = [_port_key(key) for key in ports]
        bindings = {key: value for key, value in ports.items() if value}
        if bindings:
            kwargs["port_bindings"] = bindings
    binds = kwargs.pop("volumes", [])
    if binds:
        kwargs["binds"] = list(binds)
    if "log_config" in kwargs:
        from docker.types import LogConfig

        kwargs["log_config"] = LogConfig(**kwargs["log_config"])
    if "ulimits" in kwargs:
        from docker.types import Ulimit

        kwargs["ulimits"] = [Ulimit(name=item["Name"], soft=item["Soft"], hard=item["Hard"]) for item in kwargs["ulimits"]]
    host_config = client.api.create_host_config(**kwargs)
    created = client.api.create_container(image, host_config=host_config, **create)
    return client.containers.get(created["Id"])


def _port_key(key):
    port, _slash, protocol = key.partition("/")
    return int(port) if protocol == "tcp" else (int(port), protocol)


def _wait_running(container, exec_user=""):
    """Check that the container stays up and takes commands; a run_command whose process ends at
    once leaves nothing to provision: say so now.

    One exec (what every provisioner does next) is both the communicator's first answer and
    the time the run_command gets to fail, instead of a fixed pause.
    """
    try:
        exec_id = container.client.api.exec_create(container.id, ["true"], user=exec_user or "")
        container.client.api.exec_start(exec_id)
    except Exception:  # noqa: BLE001 - a stopped container refuses execs; its status says why
        pass
    container.reload()
    if container.status == "running":
        return
    state = container.attrs.get("State", {})
    try:
        logs = container.logs(tail=5).decode("utf-8", errors="replace").strip()
    except Exception:  # noqa: BLE001 - logs are a courtesy
        logs = ""
    detail = f" Its last output: {logs!r}." if logs else ""
    raise DockerError(
        f"The build container {container.name} stopped right after it started (status {container.status}, "
        f"exit code {state.get('ExitCode')}); the run_command must keep it running, as the default "
        f"'-d -i -t --entrypoint=/bin/sh' does.{detail}"
    )


def _container_address(container):
    """The container's IP address, as ``docker inspect`` gives it (the default bridge first)."""
    settings = container.attrs.get("NetworkSettings") or {}
    if settings.get("IPAddress"):
        return settings["IPAddress"]
    for network in (settings.get("Networks") or {}).values():
        if (network or {}).get("IPAddress"):
            return network["IPAddress"]
    return ""


def _source(container, config, temp_dir, name=None):
    """What launch hands to provisioning, capture and cleanup (``cattle_source``); ``container`` None
    when none was created (then ``name`` is the one it will have)."""
    attrs = container.attrs if container is not None else {}
    user = config.get("exec_user") or attrs.get("Config", {}).get("User") or ""
    return {
        "container_id": container.id if container is not None else None,
        "container_name": container.name if container is not None else name,
        "image": config["image"],
        "exec_user": config.get("exec_user", ""),
        "container_user": user,
        "temp_dir": temp_dir,
        "container_dir": config["container_dir"],
        "fix_upload_owner": config.get("fix_upload_owner", True),
    }


# --- cleanup ------------------------------------------------------------------------------


def remove(client, build_id, temp_dir=None, ui=None):
    """Kill and remove the build container and its temp dir. Idempotent; returns whether it did anything.

    Without ``temp_dir``, the one the container mounts is removed (the ledger records it for a
    container that was never created).
    """
    changed = False
    container = find_container(client, build_id)
    if container is not None:
        temp_dir = temp_dir or mounted_temp_dir(container)
        if ui is not None:
            ui.say(f"Killing the container: {container.id}")
        try:
            container.remove(force=True, v=True)
            changed = True
        except Exception as exc:  # noqa: BLE001
            if not is_not_found(exc) and find_container(client, build_id) is not None:
                raise DockerError(explain(exc, f"remove the build container {container.name}")) from None
    if is_build_temp_dir(temp_dir) and os.path.isdir(temp_dir):
        shutil.rmtree(temp_dir, ignore_errors=True)
        changed = True
    return changed


def remove_in_background(client, build_id, ledger, temp_dir=None, ui=None):
    """As :func:`remove`, but the kill and removal run on in a child process that releases the
    container's ledger entry when done (``Ledger.release_in_background``); returns at once.

    For the cleanup at the end of a build: the daemon takes ≈0.1 s to kill a container (longer to
    delete a big one), time the post-processors can use. The run's sweep waits for the child.
    """
    container = find_container(client, build_id)
    if container is None:
        changed = remove(client, build_id, temp_dir)  # only the temp dir is left, if that
        ledger.release(kind=LEDGER_KIND, name=container_name(build_id))
        return changed
    temp_dir = temp_dir or mounted_temp_dir(container)
    if ui is not None:
        ui.say(f"Killing the container: {container.id}")
    # A client of its own: the child must not share this one's connection to the daemon.
    ledger.release_in_background(LEDGER_KIND, container_name(build_id),
                                 lambda: remove(connect(), build_id, temp_dir))
    return True


def remove_uncommitted_images(client, build_id):
    """Remove the untagged images committed from this build's container (an interrupted capture).

    Tagged images and step-cache layers are never touched. Returns the ids removed.
    """
    removed = []
    try:
        images = client.images.list(all=True, filters={"label": f"{LABEL_BUILD_ID}={build_id}"})
    except Exception as exc:  # noqa: BLE001
        raise DockerError(explain(exc, f"list the images of build {build_id}")) from None
    for image in images:
        if image.tags or parse_layer_comment(image.attrs.get("Comment")):
            continue
        try:
            client.images.remove(image.id, force=True)
            removed.append(image.id)
        except Exception as exc:  # noqa: BLE001
            if not is_not_found(exc):
                raise DockerError(explain(exc, f"remove the image {image.id} of build {build_id}")) from None
    return removed


def mounted_temp_dir(container):
    """The temp dir :func:`launch` made for this container: the source of its bind mount, "" if none."""
    for mount in container.attrs.get("Mounts") or []:
        source = mount.get("Source") or ""
        if mount.get("Type", "bind") == "bind" and is_build_temp_dir(source):
            return source
    return ""


def is_build_temp_dir(path):
    """Only directories made by :func:`launch` are ever deleted."""
    return bool(path) and os.path.isabs(path) and os.path.basename(os.path.normpath(path)).startswith(TEMP_DIR_PREFIX)
