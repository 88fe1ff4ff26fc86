"""iso_url / iso_checksum: local files, file:// URLs, http downloads into a cache, checksum forms."""

from __future__ import annotations

import hashlib
import http.server
import threading

import pytest

from ansible_collections.cattle.images.plugins.module_utils import iso

DATA = b"not really an ISO\n" * 100


@pytest.fixture
def image(tmp_path):
    path = tmp_path / "disk.img"
    path.write_bytes(DATA)
    return path


@pytest.fixture
def http_root(tmp_path):
    root = tmp_path / "www"
    root.mkdir()
    (root / "remote.iso").write_bytes(DATA)

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(root), **kwargs)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", root
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("kind", iso.HASHES)
def test_typed_and_bare_checksums(image, kind):
    digest = hashlib.new(kind, DATA).hexdigest()
    for spec in (f"{kind}:{digest}", digest, f"{kind.upper()}:{digest.upper()}"):
        result = iso.fetch(str(image), spec)
        assert result["path"] == str(image) and result["checksum_type"] == kind and not result["downloaded"]


def test_mismatch_is_a_clear_error(image):
    with pytest.raises(iso.ISOError, match="sha256 checksum mismatch: expected 0+, got"):
        iso.fetch(str(image), "sha256:" + "0" * 64)


@pytest.mark.parametrize("spec, message", [
    ("sha3:abcd", "unknown checksum type 'sha3'"),
    ("abc", "a bare checksum must be 32"),
    ("md5:xyz", "must be hexadecimal"),
    ("md5:" + "a" * 40, "a md5 checksum has 32 hex digits, not 40"),
    ("", "iso_checksum is required"),
])
def test_bad_checksums(spec, message):
    with pytest.raises(iso.ISOError, match=message):
        iso.parse_checksum(spec)


def test_none_warns(image):
    result = iso.fetch(str(image), "none")
    assert result["checksum_type"] == "none" and "checksum is highly recommended" in result["warnings"][0]


def test_relative_paths_and_file_urls(image, tmp_path):
    digest = hashlib.sha256(DATA).hexdigest()
    assert iso.fetch("disk.img", digest, cwd=str(tmp_path))["path"] == str(image)
    assert iso.fetch(f"file://{image}", digest)["path"] == str(image)


def test_checksum_file_in_gnu_and_bsd_formats(image, tmp_path):
    sha1 = hashlib.sha1(DATA).hexdigest()
    (tmp_path / "SHA1SUMS").write_text(f"{'0' * 40}  other.img\n{sha1} *disk.img\n")
    assert iso.fetch(str(image), f"file:{tmp_path / 'SHA1SUMS'}")["checksum_type"] == "sha1"
    sha512 = hashlib.sha512(DATA).hexdigest()
    (tmp_path / "BSD").write_text(f"SHA512 (disk.img) = {sha512}\n")
    assert iso.fetch(str(image), f"file:{tmp_path / 'BSD'}")["checksum_type"] == "sha512"
    (tmp_path / "EMPTY").write_text("# nothing\n")
    with pytest.raises(iso.ISOError, match="no checksum for 'disk.img'"):
        iso.fetch(str(image), f"file:{tmp_path / 'EMPTY'}")


def test_download_is_cached_and_verified(http_root, tmp_path):
    base, root = http_root
    cache = tmp_path / "cache"
    digest = hashlib.md5(DATA).hexdigest()  # noqa: S324 - the format under test
    first = iso.fetch(f"{base}/remote.iso", f"md5:{digest}", cache_dir=str(cache))
    assert first["downloaded"] and first["path"].startswith(str(cache)) and first["path"].endswith(".iso")
    (root / "remote.iso").unlink()  # the second fetch must come from the cache
    second = iso.fetch(f"{base}/remote.iso", f"md5:{digest}", cache_dir=str(cache))
    assert second["path"] == first["path"] and not second["downloaded"]


def test_first_working_url_wins_and_failures_are_listed(http_root, tmp_path):
    base, _root = http_root
    digest = hashlib.sha256(DATA).hexdigest()
    result = iso.fetch([str(tmp_path / "missing.iso"), f"{base}/remote.iso"], digest, cache_dir=str(tmp_path / "c"))
    assert result["source"] == f"{base}/remote.iso"
    with pytest.raises(iso.ISOError) as caught:
        iso.fetch([str(tmp_path / "missing.iso"), f"{base}/nope.iso"], digest, cache_dir=str(tmp_path / "c"))
    assert "no such file" in str(caught.value) and "download failed" in str(caught.value)
    assert not [p for p in (tmp_path / "c").iterdir() if p.name.startswith(".cattle-download-")]


def test_a_bad_download_is_not_kept(http_root, tmp_path):
    base, _root = http_root
    cache = tmp_path / "cache"
    with pytest.raises(iso.ISOError, match="mismatch"):
        iso.fetch(f"{base}/remote.iso", "sha256:" + "1" * 64, cache_dir=str(cache))
    assert list(cache.iterdir()) == []


def test_no_url():
    with pytest.raises(iso.ISOError, match="One of iso_url or iso_urls must be specified"):
        iso.fetch([], "none")
