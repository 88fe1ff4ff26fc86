"""The harness's own comparison logic, on made-up runs (no Docker, no Packer)."""

from __future__ import annotations

import io
import tarfile

from tests.compat import deliberate, differential


def run(tool="packer", exit_code=0, lines=(), artifacts=(), images=(), tars=None, files=(), leaks=()):
    return differential.Run(tool, exit_code, list(lines), list(artifacts), list(images), tars or {}, None,
                            list(files), list(leaks))


def test_machine_readable_lines_are_unescaped_and_artifacts_collected():
    text = "\n".join([
        "1,,ui,say,==> docker: a%!(PACKER_COMMA) b",
        "1,docker,artifact-count,1",
        "1,docker,artifact,0,builder-id,packer.docker",
        "1,docker,artifact,0,id,sha256:" + "a" * 64,
        "1,docker,artifact,0,string,Imported Docker image: x",
        "1,docker,artifact,0,file,0,/tmp/x/image.tar",
        "not a machine line",
    ])
    lines = differential.parse_machine_readable(text)
    assert lines[0] == ("", "ui", ["say", "==> docker: a, b"])
    (art,) = differential.parse_artifacts(lines)
    assert art["builder_id"] == "packer.docker" and art["files"] == ["/tmp/x/image.tar"]


def test_normalise_hides_ids_and_durations_only():
    line = "Build 'docker' finished after 7 seconds 548 milliseconds. Image ID: sha256:" + "b" * 64
    assert differential.normalise(line) == "Build 'docker' finished after <time>. Image ID: <image-id>"
    assert differential.normalise("==> docker: Uploading a => /b") == "==> docker: Uploading a => /b"


def test_exit_status_and_step_lines_are_compared(tmp_path, monkeypatch):
    monkeypatch.setattr(differential, "CORPUS", str(tmp_path))
    e = differential.Entry("t", "s", "template.json", ".", "")
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "template.json").write_text('{"builders": [{"type": "docker"}]}')
    monkeypatch.setattr(differential, "image_config", lambda ref: {"Cmd": ["/bin/bash"], "Entrypoint": None})
    packer = run(lines=[("", "ui", ["say", "==> docker: Starting docker container..."])])
    cattle = run("cattle", exit_code=1, lines=[("", "ui", ["error", "Build 'docker' errored after 1 second: boom"])])
    aspects = {d.aspect for d in differential.compare(e, packer, cattle).differences}
    assert aspects == {"exit", "steps", "error"}


def test_each_tools_work_directory_is_hidden_but_nothing_else():
    assert differential.normalise("Uploading /w/cattle/x => /y", work="/w/cattle") == "Uploading <work>/x => /y"
    assert differential.normalise("Uploading x => /y", work="/w/packer") == "Uploading x => /y"


def test_cmd_is_checked_against_the_base_image_unless_changes_set_it():
    base = {"Cmd": ["/bin/bash"], "Entrypoint": None}
    packer_cfg = dict.fromkeys(differential.CONFIG_FIELDS, None) | {"Cmd": ["/bin/sh"], "Author": ""}
    kept = packer_cfg | {"Cmd": ["/bin/bash"]}
    assert differential.compare_configs("i", packer_cfg, kept, '{"builders": [{}]}', base) == []
    lost = differential.compare_configs("i", packer_cfg, packer_cfg, '{"builders": [{}]}', base)
    assert [d.aspect for d in lost] == ["config"]
    with_changes = '{"builders": [{"changes": ["CMD [\\"x\\"]"]}]}'
    assert differential.compare_configs("i", packer_cfg, kept, with_changes, base) != []
    # an imported export carries no config from either tool: compared as is
    assert differential.compare_configs("i", packer_cfg, packer_cfg, '{"builders": [{}]}', base, imported=True) == []


def test_listings_ignore_docker_managed_paths_but_not_others():
    p = {"etc/hostname": ("f", 0, 0, "0o644", 13, ""), "srv/a": ("f", 0, 0, "0o644", 3, "")}
    c = {"etc/hostname": ("f", 0, 0, "0o644", 12, ""), "srv/a": ("f", 42, 0, "0o644", 3, "")}
    diffs = differential.compare_listings("x", p, c)
    assert len(diffs) == 1 and "srv/a" in diffs[0].detail
    assert "etc/hostname" in deliberate.IGNORED_PATHS
    assert differential._ignored("etc/ssl/certs/d1dfb0ce.0") and not differential._ignored("etc/ssl/certs/x.pem")


def test_tar_listing_reads_owner_mode_size():
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        info = tarfile.TarInfo("./srv/x")
        info.size, info.uid, info.mode = 2, 42, 0o600
        tar.addfile(info, io.BytesIO(b"hi"))
    buf.seek(0)
    assert differential.tar_listing(buf) == {"srv/x": ("f", 42, 0, "0o600", 2, "")}


def test_every_deliberate_difference_has_a_reason():
    tables = [deliberate.KEPT_FROM_BASE_IMAGE, deliberate.IGNORED_PATHS, deliberate.IGNORED_PATH_PATTERNS,
              deliberate.SIZE_IGNORED_PREFIXES,
              deliberate.MANIFEST_VOLATILE_KEYS]
    for table in tables:
        assert all(isinstance(reason, str) and len(reason) > 10 for reason in table.values())
    assert all(len(rule) == 3 and rule[2] for rule in deliberate.STEP_LINE_NORMALISATIONS)


def test_only_an_exporting_template_yields_config_less_images():
    assert differential._exports('{"builders": [{"type": "docker", "export_path": "x.tar"}]}')
    assert not differential._exports('{"builders": [{"type": "docker", "commit": true}]}')
    assert not differential._exports('not json')
