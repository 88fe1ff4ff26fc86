"""Durations, weak typing, Go formatting, masking and the shell environment."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.cattle.images.plugins.module_utils.template import mask_data
from ansible_collections.cattle.images.plugins.module_utils.ui import Ui
from ansible_collections.cattle.images.plugins.plugin_utils.common import (
    UserError,
    as_bool,
    as_int_list,
    as_list,
    go_duration,
    go_int_list,
    go_quote,
    parse_duration,
)
from ansible_collections.cattle.images.plugins.plugin_utils.context import BuildContext
from ansible_collections.cattle.images.plugins.plugin_utils.shell_env import (
    flatten_env,
    format_env_var,
    packer_env,
    parse_environment_vars,
)


@pytest.mark.parametrize("value, seconds", [
    (None, 0.0), ("", 0.0), (5, 5.0), (1.5, 1.5), ("10", 10.0), ("10s", 10.0), ("5m", 300.0),
    ("1h2m3s", 3723.0), ("1.5s", 1.5), ("500ms", 0.5), ("2m30.5s", 150.5),
])
def test_parse_duration(value, seconds):
    assert parse_duration(value, "timeout") == pytest.approx(seconds)


@pytest.mark.parametrize("value", ["5 minutes", "m", "10x", True, "1s2"])
def test_parse_duration_rejects(value):
    with pytest.raises(UserError, match="^timeout: expected a duration"):
        parse_duration(value, "timeout")


@pytest.mark.parametrize("seconds, text", [
    (0, "0s"), (1, "1s"), (1.5, "1.5s"), (300, "5m0s"), (90, "1m30s"), (3600, "1h0m0s"), (0.5, "500ms"),
    (3723, "1h2m3s"),
])
def test_go_duration(seconds, text):
    assert go_duration(seconds) == text


@given(st.integers(min_value=1, max_value=10**6))
def test_go_duration_round_trips(seconds):
    assert parse_duration(go_duration(seconds), "d") == seconds


def test_go_formatting():
    assert go_quote('say "hi"\n') == '"say \\"hi\\"\\n"'
    assert go_int_list([0, 2]) == "[0 2]"


def test_weak_typing():
    assert as_bool("true", "f") is True and as_bool("0", "f") is False and as_bool(None, "f") is False
    with pytest.raises(UserError, match="^skip_clean: expected a boolean"):
        as_bool("maybe", "skip_clean")
    assert as_list("a,b", "f") == ["a", "b"]
    assert as_list(None, "f") == []
    assert as_int_list("0,3", "f") == [0, 3]
    assert as_int_list([0, "2"], "f") == [0, 2]
    with pytest.raises(UserError):
        as_int_list(["x"], "valid_exit_codes")


def test_mask_result_reaches_every_string():
    result = {"msg": "pw=s3cret", "ui": [["message", "s3cret and more"]], "s3cret": 1, "n": 3, "nested": {"a": ["x s3cret"]}}
    assert mask_data(result, ["s3cret"]) == {
        "msg": "pw=<sensitive>", "ui": [["message", "<sensitive> and more"]], "<sensitive>": 1, "n": 3,
        "nested": {"a": ["x <sensitive>"]},
    }
    assert mask_data(result, []) is result


def test_ui_output_splits_lines():
    ui = Ui()
    ui.output(b"one\r\ntwo\n", "message")
    ui.say("s")
    assert ui.lines == [["message", "one"], ["message", "two"], ["say", "s"]]


def test_flattened_environment_is_packers():
    context = BuildContext(build_name="web", build_type="docker")
    pairs = parse_environment_vars(["ZED=last", "FOO=it's", "EMPTY=", "EQ=a=b"])
    assert flatten_env(pairs, packer_env(context)) == (
        "EMPTY='' EQ='a=b' FOO='it'\"'\"'s' PACKER_BUILDER_TYPE='docker' PACKER_BUILD_NAME='web' ZED='last' "
    )
    assert flatten_env([], packer_env(context), "export %s='%s'\n") == (
        "export PACKER_BUILDER_TYPE='docker'\nexport PACKER_BUILD_NAME='web'\n"
    )


def test_http_and_run_uuid_variables():
    context = BuildContext(build_name="q", build_type="qemu", run_uuid="r", http_ip="10.0.2.2", http_port="8080")
    assert packer_env(context, include_run_uuid=True) == {
        "PACKER_BUILD_NAME": "q", "PACKER_BUILDER_TYPE": "qemu", "PACKER_HTTP_ADDR": "10.0.2.2:8080",
        "PACKER_HTTP_IP": "10.0.2.2", "PACKER_HTTP_PORT": "8080", "PACKER_RUN_UUID": "r",
    }


def test_environment_mistakes():
    with pytest.raises(UserError, match="not in format 'key=value': NOVALUE"):
        parse_environment_vars(["NOVALUE"])
    with pytest.raises(UserError, match="not in format 'key=value': =x"):
        parse_environment_vars(["=x"])
    with pytest.raises(UserError, match="env_var_format"):
        format_env_var("%s", "K", "V")


def test_context_renders_runtime_templates():
    context = BuildContext(build_name="b", build_type="docker", run_uuid="uuid-1", generated={"ID": "c0ffee"})
    assert context.render("{{.Path}} {{ build `ID` }} {{ build `PackerRunUUID` }}", "f", Path="/tmp/x") == (
        "/tmp/x c0ffee uuid-1"
    )
    with pytest.raises(UserError, match="^execute_command: "):
        context.render("{{ nosuchfunction }}", "execute_command")


def test_masked_display_masks_verbose_logs_while_it_is_active(monkeypatch):
    from ansible.utils.display import Display

    from ansible_collections.cattle.images.plugins.plugin_utils.common import masked_display

    display = Display()
    shown = []
    monkeypatch.setattr(display, "verbosity", 4)
    monkeypatch.setattr(display, "_final_q", None)
    monkeypatch.setattr(Display, "_verbose_display", lambda self, msg, host=None, caplevel=2: shown.append(msg))
    monkeypatch.setattr(Display, "_verbose_log", lambda self, msg, host=None, caplevel=2: shown.append(msg))
    secret = "s3cr3t&x"
    with masked_display([secret]):
        display.vvv(f"EXEC docker exec sh -c 'PASSWORD={secret} /tmp/script.sh'")
        display.vvv("token=czNjcjN0Jng=")  # base64 of the secret
    display.vvv(f"after {secret}")
    assert shown[0] == "EXEC docker exec sh -c 'PASSWORD=<sensitive> /tmp/script.sh'"
    assert shown[1] == "token=<sensitive>"
    assert shown[-1] == f"after {secret}"  # restored: masking is scoped to the component's run
    assert "verbose" not in vars(display)
