# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Packer's ``iso_url`` / ``iso_urls`` + ``iso_checksum``: fetch a file once, verify it, cache it.

Checksums: ``md5:…``, ``sha1:…``, ``sha256:…``, ``sha512:…``, a bare hex digest (the type is
told by its length), ``file:<url or path>`` (a checksum file in the ``sha256sum`` or BSD
format, looked up by the source's file name) or ``none`` (no check; Packer warns).

Sources: local paths (relative to ``cwd``), ``file://`` URLs, and ``http(s)://`` URLs. Local
files are used in place once verified (Packer copies them into ``packer_cache``; nothing is
gained by a copy). Downloads go to ``<cache_dir>/<sha1 of the url list and checksum>.<ext>``
and are reused while they still match the checksum. Pure Python, no Ansible import.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import urllib.error
import urllib.parse
import urllib.request

from ansible_collections.cattle.images.plugins.module_utils.errors import CattleError

HASHES = ("md5", "sha1", "sha256", "sha512")
_LENGTHS = {32: "md5", 40: "sha1", 64: "sha256", 128: "sha512"}
_HEX = re.compile(r"[0-9a-fA-F]+")
_CHUNK = 1 << 20


class ISOError(CattleError):
    """A problem with iso_url / iso_checksum, worded for the user."""


def default_cache_dir():
    """Packer's ``PACKER_CACHE_DIR`` if set, else ``./packer_cache`` as Packer does."""
    return os.environ.get("PACKER_CACHE_DIR") or os.path.join(os.getcwd(), "packer_cache")


def parse_checksum(spec, source_name="", cwd=None, timeout=30):
    """``(hash type, hex digest)`` for an ``iso_checksum`` value; ``("none", "")`` for none."""
    spec = (spec or "").strip()
    if not spec:
        raise ISOError('iso_checksum is required: give "<type>:<hex>", a bare hex digest, "file:<url>" or "none"')
    if spec.lower() == "none":
        return "none", ""
    kind, _colon, value = spec.partition(":")
    kind = kind.lower()
    if not value:
        kind, value = "", spec
    if kind == "file":
        return _checksum_from_file(value, source_name, cwd, timeout)
    if kind and kind not in HASHES:
        raise ISOError(
            f"iso_checksum {spec!r}: unknown checksum type {kind!r}; expected one of {', '.join(HASHES)}, "
            '"file:<url>" or "none"'
        )
    if not _HEX.fullmatch(value):
        raise ISOError(f"iso_checksum {spec!r}: the checksum must be hexadecimal")
    if not kind:
        kind = _LENGTHS.get(len(value))
        if kind is None:
            raise ISOError(
                f"iso_checksum {spec!r}: a bare checksum must be 32 (md5), 40 (sha1), 64 (sha256) or "
                '128 (sha512) hex digits; or prefix it with its type, e.g. "sha256:…"'
            )
    expected_length = next(length for length, name in _LENGTHS.items() if name == kind)
    if len(value) != expected_length:
        raise ISOError(f"iso_checksum {spec!r}: a {kind} checksum has {expected_length} hex digits, not {len(value)}")
    return kind, value.lower()


def _checksum_from_file(location, source_name, cwd, timeout):
    """Find the source's digest in a checksum file (``<hex>  name`` or ``SHA256 (name) = <hex>``)."""
    try:
        text = _read_small(location, cwd, timeout)
    except ISOError as exc:
        raise ISOError(f"iso_checksum file:{location}: {exc}") from None
    wanted = os.path.basename(source_name)
    bsd = re.compile(r"^(MD5|SHA1|SHA256|SHA512)\s*\((.+)\)\s*=\s*([0-9a-fA-F]+)\s*$", re.IGNORECASE)
    candidates = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = bsd.match(line)
        if match:
            candidates.append((match.group(2), match.group(3)))
            continue
        parts = line.split(None, 1)
        if _HEX.fullmatch(parts[0]):
            name = parts[1].lstrip("*").strip() if len(parts) > 1 else ""
            candidates.append((name, parts[0]))
    for name, digest in candidates:
        if os.path.basename(name.lstrip("./")) == wanted or (not name and len(candidates) == 1):
            kind = _LENGTHS.get(len(digest))
            if kind:
                return kind, digest.lower()
    raise ISOError(f"iso_checksum file:{location}: no checksum for {wanted!r} in the checksum file")


def _read_small(location, cwd, timeout):
    path = local_path(location, cwd)
    try:
        if path is not None:
            with open(path, encoding="utf-8", errors="replace") as handle:
                return handle.read(1 << 22)
        with urllib.request.urlopen(location, timeout=timeout) as response:  # noqa: S310 - http(s) only, checked
            return response.read(1 << 22).decode("utf-8", errors="replace")
    except (OSError, urllib.error.URLError, ValueError) as exc:
        raise ISOError(f"cannot read it: {exc}") from None


def local_path(location, cwd=None):
    """The file a local location names (plain path or ``file://`` URL), or None for a remote URL."""
    parsed = urllib.parse.urlparse(location)
    if parsed.scheme == "file":
        path = urllib.parse.unquote(parsed.netloc + parsed.path) if parsed.netloc not in ("", "localhost") \
            else urllib.parse.unquote(parsed.path)
    elif parsed.scheme in ("http", "https", "ftp"):
        return None
    elif parsed.scheme and len(parsed.scheme) > 1:
        raise ISOError(f"{location!r}: unsupported URL scheme {parsed.scheme!r}; use a path, file://, http:// or https://")
    else:
        path = location
    path = os.path.expanduser(path)
    if not os.path.isabs(path):
        path = os.path.join(cwd or os.getcwd(), path)
    return os.path.normpath(path)


def file_digest(path, kind):
    digest = hashlib.new(kind)
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _verify(path, kind, expected, source):
    if kind == "none":
        return
    actual = file_digest(path, kind)
    if actual != expected:
        raise ISOError(f"{source}: {kind} checksum mismatch: expected {expected}, got {actual}")


def cache_name(urls, checksum, extension=""):
    """Packer-like cache key: sha1 of the checksum and the URLs."""
    key = hashlib.sha1((checksum + "".join(urls)).encode("utf-8")).hexdigest()
    return key + (f".{extension.lstrip('.')}" if extension else "")


def fetch(urls, checksum, cache_dir=None, cwd=None, target_path="", target_extension="iso", timeout=60,
          skip_cache=False):
    """The verified local file for the first source of ``urls`` that works.

    Returns ``{"path", "source", "checksum_type", "downloaded", "warnings"}``. Raises
    :class:`ISOError` naming every source that failed and why.
    """
    if isinstance(urls, str):
        urls = [urls]
    urls = [url for url in urls if url]
    if not urls:
        raise ISOError("One of iso_url or iso_urls must be specified")
    warnings = []
    failures = []
    for url in urls:
        try:
            kind, expected = parse_checksum(checksum, source_name=urllib.parse.urlparse(url).path or url, cwd=cwd,
                                            timeout=timeout)
            if kind == "none":
                warnings.append("A checksum of 'none' was specified. Since ISO files are so big, a checksum "
                                "is highly recommended.")
            path = local_path(url, cwd)
            if path is not None:
                if not os.path.isfile(path):
                    raise ISOError(f"{url}: no such file {path}")
                _verify(path, kind, expected, url)
                return {"path": path, "source": url, "checksum_type": kind, "downloaded": False,
                        "warnings": warnings}
            return dict(_download(url, kind, expected, cache_dir, urls, checksum, target_path, target_extension,
                                  timeout, skip_cache), warnings=warnings)
        except ISOError as exc:
            failures.append(str(exc))
    raise ISOError("could not get the ISO from any of its URLs: " + "; ".join(failures))


def _download(url, kind, expected, cache_dir, urls, checksum, target_path, target_extension, timeout, skip_cache):
    if target_path:
        destination = target_path
    else:
        destination = os.path.join(cache_dir or default_cache_dir(), cache_name(urls, checksum, target_extension))
    if os.path.isfile(destination) and not skip_cache and kind != "none":
        try:
            _verify(destination, kind, expected, destination)
            return {"path": destination, "source": url, "checksum_type": kind, "downloaded": False}
        except ISOError:
            pass  # a stale or torn cache entry: fetch it again
    directory = os.path.dirname(destination) or "."
    os.makedirs(directory, exist_ok=True)
    handle, partial = tempfile.mkstemp(prefix=".cattle-download-", dir=directory)
    try:
        with os.fdopen(handle, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310
            shutil.copyfileobj(response, out, _CHUNK)
        _verify(partial, kind, expected, url)
        os.replace(partial, destination)
    except (OSError, urllib.error.URLError, ValueError) as exc:
        _remove(partial)
        raise ISOError(f"{url}: download failed: {exc}") from None
    except ISOError:
        _remove(partial)
        raise
    return {"path": destination, "source": url, "checksum_type": kind, "downloaded": True}


def _remove(path):
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
