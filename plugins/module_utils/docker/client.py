# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Connecting to the Docker daemon, and turning Docker's failures into one-paragraph messages.

Everything here raises :class:`DockerError`, whose text is meant for the user as is:
no traceback, no HTTP noise, and a hint at the usual cause.
"""

from __future__ import annotations

import os
import tempfile

from ansible_collections.cattle.images.plugins.module_utils.errors import CattleError

try:
    import docker
    from docker import errors as docker_errors

    HAS_DOCKER_SDK = True
    DOCKER_SDK_IMPORT_ERROR = None
except ImportError as exc:  # the module reports it; the import must not crash AnsiballZ
    HAS_DOCKER_SDK = False
    DOCKER_SDK_IMPORT_ERROR = str(exc)

# Docker answers slowly under load (commits and exports of big images); generous but finite.
DEFAULT_TIMEOUT = 300


class DockerError(CattleError):
    """A Docker operation failed; ``str()`` is a one-paragraph message for the user."""


def daemon_address(environ=None):
    """Where we will look for the daemon (DOCKER_HOST, or the local socket)."""
    environ = os.environ if environ is None else environ
    return environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"


def connection_settings(environ=None):
    """community.docker.docker_api's options for the daemon the builder uses.

    From the variables the docker CLI and the Docker SDK read (DOCKER_HOST, DOCKER_TLS_VERIFY,
    DOCKER_CERT_PATH), which that connection does not read by itself. As docker-py's
    ``from_env``: DOCKER_TLS_VERIFY set and not empty verifies; a cert path alone is TLS without it.
    """
    environ = os.environ if environ is None else environ
    verify = environ.get("DOCKER_TLS_VERIFY", "") != ""
    tls = verify or environ.get("DOCKER_CERT_PATH", "") != ""
    settings = {"docker_host": daemon_address(environ), "tls": tls, "validate_certs": verify}
    if tls:
        certs = environ.get("DOCKER_CERT_PATH") or environ.get("HOME", "") + "/.docker"
        settings.update(ca_path=certs + "/ca.pem", client_cert=certs + "/cert.pem", client_key=certs + "/key.pem")
    return settings


# The API version of each daemon this process (or the process it was forked from) has talked to,
# by connection_settings: Ansible forks a worker per task, and the Docker SDK would otherwise ask
# the daemon (GET /version) on every connection. See plugin_utils/preload.py.
_API_VERSIONS = {}


def connect(timeout=DEFAULT_TIMEOUT):
    """A client for the daemon named by the environment (DOCKER_HOST etc.), checked with a ping
    (or, the first time, by asking for its API version)."""
    if not HAS_DOCKER_SDK:
        raise DockerError(
            "The Docker SDK for Python ('docker' package) is not installed for the Python running "
            f"this task ({DOCKER_SDK_IMPORT_ERROR}); install it with 'pip install docker'."
        )
    settings = connection_settings()
    address = settings["docker_host"]
    daemon = tuple(sorted(settings.items()))
    try:
        known = _API_VERSIONS.get(daemon)
        client = docker.from_env(timeout=timeout, version=known)  # None: the SDK asks the daemon
        if known:
            client.ping()
        else:
            _API_VERSIONS[daemon] = client.api.api_version
    except Exception as exc:  # noqa: BLE001 - every way of not answering means the same to the user
        raise DockerError(
            f"Cannot reach the Docker daemon at {address}: {_first_line(exc)}. Is dockerd running, "
            "and may this user use its socket? Set DOCKER_HOST if the daemon listens elsewhere."
        ) from None
    return client


def learn_api_version(timeout=3):
    """Ask the daemon of this environment for its API version now, so that processes forked from
    this one later need not (see ``_API_VERSIONS``). Best effort, and brief (a daemon that does not
    answer at once is left to the tasks, which wait for it as long as they must and say so)."""
    try:
        connect(timeout=timeout).close()
    except DockerError:
        pass


def explain(exc, action):
    """A one-paragraph message for a Docker SDK exception raised while doing ``action``."""
    if HAS_DOCKER_SDK and isinstance(exc, docker_errors.APIError):
        detail = exc.explanation or str(exc)
        if isinstance(detail, bytes):
            detail = detail.decode("utf-8", errors="replace")
        return f"Docker could not {action}: {_first_line(detail)}"
    if HAS_DOCKER_SDK and isinstance(exc, docker_errors.DockerException):
        return f"Docker could not {action}: {_first_line(exc)}"
    if isinstance(exc, OSError) and not _is_connection_error(exc):
        return f"Could not {action}: {exc}"
    return (
        f"Lost the Docker daemon at {daemon_address()} while trying to {action}: {_first_line(exc)}. "
        "Is dockerd still running?"
    )


def is_not_found(exc):
    return HAS_DOCKER_SDK and isinstance(exc, docker_errors.NotFound)


def _is_connection_error(exc):
    try:
        import requests

        return isinstance(exc, requests.exceptions.RequestException)
    except ImportError:  # pragma: no cover - requests comes with the docker SDK
        return False


def _first_line(value):
    """Docker and requests messages can be long and nested; keep the useful first line."""
    text = str(value).strip()
    # requests wraps urllib3 errors as "('Connection aborted.', FileNotFoundError(2, 'No such file'))".
    for marker in ("FileNotFoundError", "ConnectionRefusedError", "PermissionError"):
        if marker in text:
            return {
                "FileNotFoundError": "the socket does not exist",
                "ConnectionRefusedError": "the connection was refused",
                "PermissionError": "permission denied on the socket",
            }[marker]
    return text.splitlines()[0] if text else type(value).__name__


def write_stream(chunks, path, prefix, action):
    """Write a Docker stream (an export, a saved image) to ``path`` through a temporary file
    beside it, so a half-written tar never stands under the user's name."""
    handle, partial = tempfile.mkstemp(prefix=prefix, dir=os.path.dirname(path) or ".")
    try:
        with os.fdopen(handle, "wb") as out:
            for chunk in chunks:
                out.write(chunk)
        os.chmod(partial, 0o644)
        os.replace(partial, path)
    except Exception as exc:  # noqa: BLE001
        try:
            os.remove(partial)
        except OSError:
            pass
        raise DockerError(explain(exc, action)) from None
