from __future__ import annotations

from ansible_collections.cattle.images.plugins.plugin_utils.output import PackerUI, human_duration, machine_escape


def collect(**kwargs):
    lines = []
    return PackerUI(write=lines.append, color=False, **kwargs), lines


def test_lines_are_prefixed_like_packer():
    ui, lines = collect()
    ui.emit("docker", "say", "Provisioning with shell script")
    ui.emit("docker", "message", "one\ntwo")
    assert lines == ["==> docker: Provisioning with shell script", "    docker: one", "    docker: two"]


def test_sensitive_values_are_masked_everywhere():
    ui, lines = collect(sensitive=["s3cret", ""])
    ui.emit("b", "message", "the s3cret is out")
    ui.summary(["b"], {"b": "failed with s3cret"}, {}, 1.0)
    assert all("s3cret" not in line for line in lines)
    assert "    b: the <sensitive> is out" in lines


def test_machine_readable_format():
    ui, lines = collect(machine_readable=True)
    ui.emit("nb", "message", "hello, world")
    ui.artifacts("nb", [{"builder_id": "fnoeding.null", "id": "Null", "string": "x", "files": ["/a"]}])
    fields = [line.split(",", 1)[1] for line in lines]
    assert fields[0] == ",ui,message,    nb: hello%!(PACKER_COMMA) world"
    assert fields[1] == "nb,artifact-count,1"
    assert "nb,artifact,0,builder-id,fnoeding.null" in fields
    assert "nb,artifact,0,file,0,/a" in fields
    assert fields[-1] == "nb,artifact,0,end"


def test_durations_read_like_packers():
    assert human_duration(1.502) == "1 second 502 milliseconds"
    assert human_duration(63) == "1 minute 3 seconds"
    assert human_duration(0) == "0 seconds"


def test_machine_escape():
    assert machine_escape("a,b\nc\r") == "a%!(PACKER_COMMA)b\\nc\\r"


def test_summary_lists_errors_then_artifacts():
    ui, lines = collect()
    ui.summary(["a", "b"], {"a": "boom"}, {"b": [{"string": "Imported Docker image: sha256:1"}]}, 2)
    assert lines[1:] == [
        "==> Some builds didn't complete successfully and had errors:",
        "--> a: boom",
        "==> Builds finished. The artifacts of successful builds are:",
        "--> b: Imported Docker image: sha256:1",
    ]


def test_live_view_keeps_status_lines_under_the_output():
    import io

    from ansible_collections.cattle.images.plugins.plugin_utils.output import LiveView

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
