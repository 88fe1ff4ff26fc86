from __future__ import annotations

import io

import pytest

from ansible_collections.cattle.images.plugins.plugin_utils.output import (
    LiveView,
    PackerUI,
    human_duration,
    machine_escape,
    settled_line,
)

NOW = 1796237919  # a fixed clock: machine-readable lines start with it


def collect(**kwargs):
    lines = []
    kwargs.setdefault("color", False)
    return PackerUI(write=lines.append, clock=lambda: NOW, **kwargs), lines


def test_lines_are_prefixed_like_packer():
    ui, lines = collect()
    ui.emit("docker", "say", "Provisioning with shell script")
    ui.emit("docker", "message", "one\ntwo")
    ui.emit("docker", "error", "it broke")
    assert lines == [
        "==> docker: Provisioning with shell script",
        "    docker: one",
        "    docker: two",
        "==> docker: it broke",
    ]


def test_post_processor_lines_name_the_post_processor():
    ui, lines = collect()
    ui.emit("docker", "say", "Running post-processor: docker-tag")
    ui.emit("docker", "message", "Tagging image: sha256:1", "docker-tag")
    ui.emit("docker", "say", "Deprecation warning", "docker-tag")
    assert lines == [
        "==> docker: Running post-processor: docker-tag",
        "    docker (docker-tag): Tagging image: sha256:1",
        "==> docker (docker-tag): Deprecation warning",
    ]


def test_colours_follow_packer_bold_for_steps_plain_for_output_red_for_errors():
    ui, lines = collect(color=True)
    ui.set_builds(["first", "second"])
    ui.emit("second", "say", "step")
    ui.emit("second", "message", "out")
    ui.emit("first", "say", "step")
    ui.emit("first", "error", "bad")
    assert lines == [
        "\x1b[1;36m==> second: step\x1b[0m",  # cyan: the second build of the template
        "\x1b[0;36m    second: out\x1b[0m",
        "\x1b[1;32m==> first: step\x1b[0m",
        "\x1b[1;31m==> first: bad\x1b[0m",
    ]


def test_colour_intro_names_each_build_then_a_blank_line():
    ui, lines = collect(color=True)
    ui.color_intro(["docker", "qemu"])
    assert lines == [
        "\x1b[1;32mdocker: output will be in this color.\x1b[0m",
        "\x1b[1;36mqemu: output will be in this color.\x1b[0m",
        "",
    ]


def test_colour_intro_is_not_machine_readable():
    ui, lines = collect(machine_readable=True)
    ui.color_intro(["docker"])
    assert lines == []


@pytest.mark.parametrize("text, shown", [
    ("plain", "plain"),
    ("windows line\r", "windows line"),
    (" 10%\r 50%\r100%", "100%"),
    ("long progress\rshort", "shortprogress"),  # what a terminal shows: only the start is overwritten
    ("\x1b[Kerased", "erased"),
])
def test_settled_line_is_what_a_terminal_finally_shows(text, shown):
    assert settled_line(text) == shown


def test_no_line_carries_a_carriage_return():
    ui, lines = collect()
    ui.emit("docker", "message", "Downloading 10%\rDownloading 100%\r\nDone\r")
    ui.build_finished("docker", 1)
    assert lines[:2] == ["    docker: Downloading 100%", "    docker: Done"]
    assert not any("\r" in line for line in lines)


def test_timestamps_prefix_only_a_build_s_lines():
    ui, lines = collect(timestamp=True)
    ui.emit("docker", "say", "step")
    ui.build_finished("docker", 1)
    ui.summary(["docker"], {}, {}, 1)
    stamp = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d): "
    import re
    assert re.fullmatch(stamp + "==> docker: step", lines[0])
    assert re.fullmatch(stamp + "Build 'docker' finished after 1 second.", lines[1])
    assert lines[2:] == ["", "==> Wait completed after 1 second", "", "==> Builds finished but no artifacts were created."]


def test_sensitive_values_are_masked_everywhere():
    ui, lines = collect(sensitive=["s3cret", ""])
    ui.emit("b", "message", "the s3cret is out")
    ui.summary(["b"], {"b": "failed with s3cret"}, {}, 1.0)
    assert all("s3cret" not in line for line in lines)
    assert "    b: the <sensitive> is out" in lines


def test_machine_readable_lines_are_packers():
    ui, lines = collect(machine_readable=True)
    ui.emit("docker", "say", "Starting docker container...")
    ui.emit("docker", "message", "hello, world")
    ui.emit("docker", "message", "two\nlines")  # one Message in Packer: one line, newline escaped
    ui.emit("docker", "message", "Tagging image: sha256:1", "docker-tag")
    ui.build_finished("docker", 1.318)
    assert lines == [
        f"{NOW},,ui,say,==> docker: Starting docker container...",
        f"{NOW},,ui,message,    docker: hello%!(PACKER_COMMA) world",
        f"{NOW},,ui,message,    docker: two\\n    docker: lines",
        f"{NOW},,ui,message,    docker (docker-tag): Tagging image: sha256:1",
        f"{NOW},,ui,say,Build 'docker' finished after 1 second 318 milliseconds.",
    ]


def test_machine_readable_summary_matches_packer_1_6_6():
    # Lines captured from `packer build -machine-readable` (1.6.6) of a docker build with a docker-tag.
    ui, lines = collect(machine_readable=True)
    artifacts = [
        {"builder_id": "packer.post-processor.docker-import", "id": "sha256:cb07",
         "string": "Imported Docker image: sha256:cb07", "files": []},
        {"builder_id": "packer.post-processor.docker-tag", "id": "output-cmp/test:v1",
         "string": "Imported Docker image: output-cmp/test:v1 with tags output-cmp/test:v1"},
    ]
    ui.summary(["docker"], {}, {"docker": artifacts}, 1.318)
    assert lines == [
        f"{NOW},,ui,say,\\n==> Wait completed after 1 second 318 milliseconds",
        f"{NOW},,ui,say,\\n==> Builds finished. The artifacts of successful builds are:",
        f"{NOW},docker,artifact-count,2",
        f"{NOW},docker,artifact,0,builder-id,packer.post-processor.docker-import",
        f"{NOW},docker,artifact,0,id,sha256:cb07",
        f"{NOW},docker,artifact,0,string,Imported Docker image: sha256:cb07",
        f"{NOW},docker,artifact,0,files-count,0",
        f"{NOW},docker,artifact,0,end",
        f"{NOW},,ui,say,--> docker: Imported Docker image: sha256:cb07",
        f"{NOW},docker,artifact,1,builder-id,packer.post-processor.docker-tag",
        f"{NOW},docker,artifact,1,id,output-cmp/test:v1",
        f"{NOW},docker,artifact,1,string,Imported Docker image: output-cmp/test:v1 with tags output-cmp/test:v1",
        f"{NOW},docker,artifact,1,files-count,0",
        f"{NOW},docker,artifact,1,end",
        f"{NOW},,ui,say,--> docker: Imported Docker image: output-cmp/test:v1 with tags output-cmp/test:v1",
    ]


def test_machine_readable_errors_match_packer_1_6_6():
    ui, lines = collect(machine_readable=True)
    error = "Script exited with non-zero exit status: 3.Allowed exit codes are: [0]"
    ui.build_errored("docker", 1.585, error)
    ui.summary(["docker"], {"docker": error}, {}, 1.586)
    assert lines == [
        f"{NOW},,ui,error,Build 'docker' errored after 1 second 585 milliseconds: {error}",
        f"{NOW},,ui,say,\\n==> Wait completed after 1 second 586 milliseconds",
        f"{NOW},,error-count,1",
        f"{NOW},,ui,error,\\n==> Some builds didn't complete successfully and had errors:",
        f"{NOW},docker,error,{error}",
        f"{NOW},,ui,error,--> docker: {error}",
        f"{NOW},,ui,say,\\n==> Builds finished but no artifacts were created.",
    ]


def test_files_of_an_artifact_are_listed():
    ui, lines = collect(machine_readable=True)
    ui.summary(["nb"], {}, {"nb": [{"builder_id": "b", "id": "i", "string": "s", "files": ["/a", "/b,c"]}]}, 1)
    assert f"{NOW},nb,artifact,0,files-count,2" in lines
    assert f"{NOW},nb,artifact,0,file,0,/a" in lines
    assert f"{NOW},nb,artifact,0,file,1,/b%!(PACKER_COMMA)c" in lines


def test_durations_read_like_packers():
    assert human_duration(1.502) == "1 second 502 milliseconds"
    assert human_duration(63) == "1 minute 3 seconds"
    assert human_duration(0) == "0 seconds"
    assert human_duration(0.072245) == "72 milliseconds 245 microseconds"  # from packer 1.6.6
    assert human_duration(3605) == "1 hour 5 seconds"  # zero units are skipped, not counted
    assert human_duration(9 * 86400 + 2) == "1 week 2 days"


def test_machine_escape():
    assert machine_escape("a,b\nc\r") == "a%!(PACKER_COMMA)b\\nc\\r"


def test_summary_lists_errors_then_artifacts_with_packers_blank_lines():
    ui, lines = collect()
    ui.summary(["a", "b"], {"a": "boom"}, {"b": [{"string": "Imported Docker image: sha256:1"}]}, 2)
    assert lines == [
        "",
        "==> Wait completed after 2 seconds",
        "",
        "==> Some builds didn't complete successfully and had errors:",
        "--> a: boom",
        "",
        "==> Builds finished. The artifacts of successful builds are:",
        "--> b: Imported Docker image: sha256:1",
    ]


def test_human_output_has_no_machine_lines():
    ui, lines = collect()
    ui.summary(["a"], {"a": "boom"}, {}, 2)
    assert not any(line[:1].isdigit() for line in lines)


def test_live_view_keeps_status_lines_under_the_output():
    stream = io.StringIO()
    now = [100.0]
    live = LiveView(stream, clock=lambda: now[0])
    try:
        live.step("a", "Provision")
        now[0] = 103.0
        live.write("==> a: hello")
        text = stream.getvalue()
        assert "[a] Provision (0s" in text
        # the status is erased (cursor up + clear) before the line and drawn again after it
        assert text.index("\x1b[1A\x1b[J==> a: hello\n") < text.rindex("[a] Provision (3s, build 3s)")
        live.done("a")
        assert stream.getvalue().endswith("\x1b[1A\x1b[J")
    finally:
        live.close()
