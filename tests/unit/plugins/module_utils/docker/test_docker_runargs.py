"""run_command parsing: docker run's option rules, mapped to Docker SDK create arguments."""

from __future__ import annotations

import pytest

from ansible_collections.cattle.images.plugins.module_utils.docker.runargs import (
    DEFAULT_RUN_COMMAND,
    RunCommandError,
    create_arguments,
    parse_run_command,
    render_image,
)


def parse(words):
    return create_arguments(parse_run_command(words), environ={"FROM_HOST": "h"})


def test_packer_default_run_command():
    words = render_image(DEFAULT_RUN_COMMAND, "local/debian:bookworm")
    assert words[-1] == "local/debian:bookworm"
    assert parse(words) == {
        "image": "local/debian:bookworm",
        "entrypoint": ["/bin/sh"],
        "stdin_open": True,
        "tty": True,
    }


@pytest.mark.parametrize("text", ["{{.Image}}", "{{ .Image }}", "{{  .Image}}"])
def test_image_placeholder_spellings(text):
    assert render_image([text, "x"], "img:1") == ["img:1", "x"]


def test_grouped_short_flags_and_attached_values():
    result = parse(["-dit", "-eA=1", "-e", "B=2", "-uuser:grp", "-w", "/srv", "img", "sleep", "9"])
    assert result["stdin_open"] and result["tty"]
    assert result["environment"] == ["A=1", "B=2"]
    assert result["user"] == "user:grp"
    assert result["working_dir"] == "/srv"
    assert result["image"] == "img"
    assert result["command"] == ["sleep", "9"]


def test_options_stop_at_the_image():
    # Everything after the image is the command, even if it looks like an option.
    result = parse(["-d", "img", "-c", "--privileged"])
    assert result["command"] == ["-c", "--privileged"]
    assert "privileged" not in result


def test_long_options_with_and_without_equals():
    result = parse([
        "--env=X=1", "--volume", "/h:/c:ro", "-v", "/anon", "--privileged", "--cap-add", "SYS_ADMIN",
        "--cap-drop=NET_RAW", "--network", "host", "--hostname=box", "--tmpfs", "/run:size=1m",
        "--device", "/dev/fuse", "--label", "a=b", "-l", "c", "--platform", "linux/amd64", "--runtime=runc",
        "--user", "1000", "--workdir=/w", "--", "img",
    ])
    assert result["environment"] == ["X=1"]
    assert result["volumes"] == ["/h:/c:ro"]
    assert result["anonymous_volumes"] == ["/anon"]
    assert result["privileged"] is True
    assert result["cap_add"] == ["SYS_ADMIN"] and result["cap_drop"] == ["NET_RAW"]
    assert result["network_mode"] == "host" and result["hostname"] == "box"
    assert result["tmpfs"] == {"/run": "size=1m"}
    assert result["devices"] == ["/dev/fuse"]
    assert result["labels"] == {"a": "b", "c": ""}
    assert result["platform"] == "linux/amd64" and result["runtime"] == "runc"
    assert result["user"] == "1000" and result["working_dir"] == "/w"


def test_env_without_value_comes_from_the_callers_environment():
    assert parse(["-e", "FROM_HOST", "-e", "MISSING", "img"])["environment"] == ["FROM_HOST=h"]


def test_empty_entrypoint_resets_it():
    assert parse(["--entrypoint=", "img"])["entrypoint"] == [""]


def test_boolean_flag_with_value():
    assert "privileged" not in parse(["--privileged=false", "img"])
    with pytest.raises(RunCommandError, match="--privileged"):
        parse(["--privileged=maybe", "img"])


def test_name_is_ignored_with_a_warning():
    parsed = parse_run_command(["--name", "mine", "img"])
    assert "name" not in create_arguments(parsed)
    assert "--name mine" in parsed["warnings"][0]


@pytest.mark.parametrize(
    "words, message",
    [
        (["--publish", "80:80", "img"], "'--publish' is not supported"),
        (["-p", "80", "img"], "'-p' (in '-p') is not supported"),
        (["-dx", "img"], "'-x' (in '-dx')"),
        (["-d", "-i"], "names no image"),
        (["-d", "--"], "names no image"),
        (["--entrypoint"], "'--entrypoint' needs a value"),
        (["-e"], "'-e' needs a value"),
        ("-d img", "must be a list of strings"),
    ],
)
def test_mistakes_are_named(words, message):
    with pytest.raises(RunCommandError) as caught:
        parse_run_command(words)
    assert message in str(caught.value)


def test_add_host_needs_an_address():
    with pytest.raises(RunCommandError, match="host:address"):
        parse(["--add-host", "nohost", "img"])
    assert parse(["--add-host", "db:10.0.0.2", "img"])["extra_hosts"] == {"db": "10.0.0.2"}
