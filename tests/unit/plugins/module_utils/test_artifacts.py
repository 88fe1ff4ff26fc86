from __future__ import annotations

from ansible_collections.cattle.images.plugins.module_utils.artifacts import destroy_artifact


def test_file_artifacts_lose_their_files_only(tmp_path):
    keep = tmp_path / "other"
    keep.write_text("x")
    made = tmp_path / "image.tar.gz"
    made.write_text("x")
    destroy_artifact({"builder_id": "packer.post-processor.compress", "files": [str(made)]})
    assert not made.exists() and keep.exists()
    destroy_artifact({"builder_id": "packer.post-processor.compress", "files": [str(made)]})  # gone is fine


def test_qemu_artifacts_take_their_output_directory_with_them(tmp_path):
    output = tmp_path / "output-qemu"
    output.mkdir()
    disk = output / "packer-qemu"
    disk.write_text("disk")
    destroy_artifact({"builder_id": "transcend.qemu", "files": [str(disk)]})
    assert not output.exists()
    assert tmp_path.exists()
