"""The file builder's write: Packer's semantics (overwrite, modes, messages) and honest check mode."""

from __future__ import annotations

import os
import stat

import pytest

from ansible_collections.cattle.images.plugins.module_utils.file_builder import file_artifact, write_target


def test_content_makes_directories_and_a_private_file(tmp_path):
    changed, target, ui = write_target({"content": "hi\n", "target": "a/b/t.txt"}, str(tmp_path), False)
    assert (changed, target, ui) == (True, str(tmp_path / "a/b/t.txt"), [])
    assert (tmp_path / "a/b/t.txt").read_text() == "hi\n"
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600


def test_copy_says_what_it_copied_with_the_names_as_written(tmp_path):
    (tmp_path / "src.bin").write_bytes(b"\x00\x01\x02")
    changed, target, ui = write_target({"source": "src.bin", "target": "copy.bin"}, str(tmp_path), False)
    assert changed
    assert ui == [["say", "Copying src.bin to copy.bin"], ["say", "Copied 3 bytes"]]
    assert (tmp_path / "copy.bin").read_bytes() == b"\x00\x01\x02"


def test_existing_target_is_overwritten_and_keeps_its_mode(tmp_path):
    existing = tmp_path / "t.txt"
    existing.write_text("something much longer\n")
    existing.chmod(0o644)
    changed = write_target({"content": "new", "target": "t.txt"}, str(tmp_path), False)[0]
    assert changed
    assert existing.read_text() == "new"
    assert stat.S_IMODE(existing.stat().st_mode) == 0o644


def test_same_content_is_not_a_change(tmp_path):
    (tmp_path / "t.txt").write_text("same")
    changed = write_target({"content": "same", "target": "t.txt"}, str(tmp_path), False)[0]
    assert not changed


def test_check_mode_writes_nothing_but_reports_the_change(tmp_path):
    changed = write_target({"content": "x", "target": "d/t.txt"}, str(tmp_path), True)[0]
    assert changed
    assert not (tmp_path / "d").exists()


def test_missing_source_is_an_error_naming_it(tmp_path):
    with pytest.raises(OSError, match="open nope.txt: no such file or directory"):
        write_target({"source": "nope.txt", "target": "t.txt"}, str(tmp_path), False)
    assert not (tmp_path / "t.txt").exists()


def test_artifact_is_packers_file_artifact():
    artifact = file_artifact("/abs/out/t.txt", "out/t.txt", "b")
    assert artifact["id"] == "File"
    assert artifact["builder_id"] == "packer.file"
    assert artifact["files"] == ["/abs/out/t.txt"]
    assert artifact["string"] == "Stored file: out/t.txt"


def test_target_path_is_normalised_but_shown_as_written(tmp_path):
    target = write_target({"content": "x", "target": "./d/../t.txt"}, str(tmp_path), False)[1]
    assert target == str(tmp_path / "t.txt")
    assert file_artifact(target, "./d/../t.txt", "b")["string"] == "Stored file: ./d/../t.txt"


def test_copy_of_identical_content_is_not_a_change_and_check_mode_still_says_the_size(tmp_path):
    (tmp_path / "src").write_bytes(b"abc")
    (tmp_path / "dst").write_bytes(b"abc")
    changed, _target, ui = write_target({"source": "src", "target": "dst"}, str(tmp_path), True)
    assert not changed
    assert ui[-1] == ["say", "Copied 3 bytes"]
