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


def test_name_is_kept():
    parsed = parse_run_command(["--name", "mine", "img"])
    assert create_arguments(parsed)["name"] == "mine"
    assert parsed["warnings"] == []


@pytest.mark.parametrize(
    "words, message",
    [
        # CLI-only options mean nothing to the API: an error, not silently dropped
        (["--cidfile", "/tmp/id", "img"], "'--cidfile' is not supported"),
        (["-a", "stdout", "img"], "'-a' (in '-a') is not supported"),
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


def test_resource_and_namespace_options():
    result = parse([
        "--cpus=1.5", "--memory", "256m", "--memory-swap=512m", "-c", "512", "--cpuset-cpus", "0",
        "--cgroupns=host", "--pid", "host", "--ipc=private", "--uts", "host", "--userns=host", "--pids-limit", "100",
        "--sysctl", "net.ipv4.ip_forward=1", "--ulimit", "nofile=1024:2048", "--ulimit=core=0",
        "--group-add", "audio", "--dns-search", "example.org", "--dns-option", "ndots:1", "--domainname=example.org",
        "--stop-signal", "SIGRTMIN+3", "--security-opt", "seccomp=unconfined", "--volumes-from", "other",
        "--log-driver", "json-file", "--log-opt", "max-size=1m", "img",
    ])
    assert result["nano_cpus"] == 1_500_000_000
    assert result["mem_limit"] == "256m" and result["memswap_limit"] == "512m"
    assert result["cpu_shares"] == 512 and result["cpuset_cpus"] == "0"
    assert (result["cgroupns"], result["pid_mode"], result["ipc_mode"]) == ("host", "host", "private")
    assert (result["uts_mode"], result["userns_mode"], result["pids_limit"]) == ("host", "host", 100)
    assert result["sysctls"] == {"net.ipv4.ip_forward": "1"}
    assert result["ulimits"] == [{"Name": "nofile", "Soft": 1024, "Hard": 2048}, {"Name": "core", "Soft": 0, "Hard": 0}]
    assert result["group_add"] == ["audio"]
    assert result["dns_search"] == ["example.org"] and result["dns_opt"] == ["ndots:1"]
    assert result["domainname"] == "example.org" and result["stop_signal"] == "SIGRTMIN+3"
    assert result["security_opt"] == ["seccomp=unconfined"] and result["volumes_from"] == ["other"]
    assert result["log_config"] == {"type": "json-file", "config": {"max-size": "1m"}}


def test_published_and_exposed_ports():
    result = parse(["-p", "127.0.0.1:8080:80", "--publish=53:53/udp", "-p", "9000", "--expose", "7000", "-P", "img"])
    assert result["ports"] == {
        "7000/tcp": None,
        "80/tcp": [("127.0.0.1", 8080)],
        "53/udp": [53],
        "9000/tcp": [None],
    }
    assert result["publish_all_ports"] is True


def test_env_file_comes_before_env_options(tmp_path):
    env_file = tmp_path / "vars.env"
    env_file.write_text("# comment\nA=1\n\nFROM_HOST\n")
    result = parse(["--env-file", str(env_file), "-e", "B=2", "img"])
    assert result["environment"] == ["A=1", "FROM_HOST=h", "B=2"]
    with pytest.raises(RunCommandError, match="--env-file"):
        parse(["--env-file", str(tmp_path / "missing.env"), "img"])


@pytest.mark.parametrize(
    "words, message",
    [
        (["--cpus", "lots", "img"], "--cpus takes a positive number"),
        (["--ulimit", "nofile", "img"], "--ulimit expects NAME=SOFT[:HARD]"),
        (["--sysctl", "x", "img"], "--sysctl expects KEY=VALUE"),
        (["-p", "a:b", "img"], "--publish expects"),
        (["--pids-limit", "many", "img"], "--pids-limit takes a whole number"),
    ],
)
def test_bad_option_values_are_named(words, message):
    with pytest.raises(RunCommandError) as caught:
        parse(words)
    assert message in str(caught.value)


def test_mount_option():
    result = parse([
        "--mount", "type=bind,source=/srv,target=/data,readonly", "--mount=type=tmpfs,dst=/run,tmpfs-size=64m",
        "--mount", "target=/cache", "img",
    ])
    assert result["mounts"] == [
        {"Type": "bind", "Target": "/data", "Source": "/srv", "ReadOnly": True},
        {"Type": "tmpfs", "Target": "/run", "TmpfsOptions": {"SizeBytes": 64 * 1024 * 1024}},
        {"Type": "volume", "Target": "/cache"},
    ]


@pytest.mark.parametrize(
    "spec, message",
    [
        ("type=npipe,target=/x", "type=npipe is not supported"),
        ("type=bind,source=/a", "names no target"),
        ("type=bind,target=/a", "needs a source"),
        ("type=volume,target=/a,volume-driver=x", "volume-driver not supported"),
    ],
)
def test_mount_mistakes_are_named(spec, message):
    with pytest.raises(RunCommandError) as caught:
        parse(["--mount", spec, "img"])
    assert message in str(caught.value)
