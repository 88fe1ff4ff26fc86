"""The shell provisioner over a real community.docker.docker_api connection."""

from __future__ import annotations

import pytest
from provisioner_harness import in_container, run_tasks, ui_text, write_plan

pytestmark = pytest.mark.docker


def shell_step(plan, step, **task):
    return dict({"cattle.images.shell": {"plan_file": plan, "build": "docker", "step": step}}, **task)


@pytest.fixture(scope="module")
def shell_results(container, tmp_path_factory):
    directory = tmp_path_factory.mktemp("shell")
    (directory / "scripts").mkdir()
    (directory / "scripts" / "first.sh").write_text("#!/bin/sh\necho from-first\n")
    # CRLF endings must not break the script (Packer converts them unless `binary`).
    (directory / "scripts" / "second.sh").write_bytes(b"#!/bin/sh\r\necho from-second\r\n")
    provisioners = [
        # 0: the first failing line fails the whole script
        {"type": "shell", "config": {"inline": ["echo one", "false", "touch /tmp/not-reached"]}},
        # 1: an allowed non-zero exit code
        {"type": "shell", "config": {"inline": ["exit 3"], "valid_exit_codes": [0, 3]}},
        # 2: a refused one
        {"type": "shell", "config": {"inline": ["exit 4"]}},
        # 3: environment: quotes survive, Packer's own variables are there
        {"type": "shell", "config": {
            "inline": ['echo "FOO=$FOO"', 'echo "BN=$PACKER_BUILD_NAME BT=$PACKER_BUILDER_TYPE"', "echo \"Z=$ZED\""],
            "environment_vars": ["FOO=it's \"quoted\"", "ZED=a=b"]}},
        # 4: execute_command rendered with .Path and .Vars, custom remote path kept by skip_clean
        {"type": "shell", "config": {
            "inline": ["echo ran-custom"], "environment_vars": ["X=1"],
            "execute_command": "echo PATH_IS {{.Path}} VARS_ARE {{.Vars}}; {{.Vars}} /bin/sh {{.Path}}",
            "remote_path": "/tmp/custom-script.sh", "skip_clean": True}},
        # 5: script files, relative to the run's working directory
        {"type": "shell", "config": {"scripts": ["scripts/first.sh", "scripts/second.sh"],
                                     "remote_path": "/tmp/cleaned.sh"}},
        # 6: a single script
        {"type": "shell", "config": {"script": "scripts/first.sh"}},
        # 7: a user mistake
        {"type": "shell", "config": {"inline": ["true"], "script": "scripts/first.sh"}},
        # 8: a sensitive value printed by the script
        {"type": "shell", "config": {"inline": ["echo the password is s3cr3t-value"]}},
        # 9: check mode does nothing
        {"type": "shell", "config": {"inline": ["touch /tmp/check-mode-ran"]}},
        # 10: a custom shebang and stderr
        {"type": "shell", "config": {"inline": ["echo to-stderr >&2", "false", "echo still-running"],
                                     "inline_shebang": "/bin/sh"}},
        # 11: a timeout over the docker connection; 12: pause_after and runtime data in inline lines
        {"type": "shell", "config": {"inline": ["sleep 3"]}, "timeout": 1.0},
        {"type": "shell", "config": {"inline": ["echo run={{ build `PackerRunUUID` }}"], "pause_after": "200ms"}},
    ]
    plan = write_plan(directory, provisioners, sensitive=["s3cr3t-value"])
    tasks = [shell_step(plan, i) for i in range(9)] + [shell_step(plan, 9, check_mode=True)]
    tasks += [shell_step(plan, 10), shell_step(plan, 11), shell_step(plan, 12)]
    return run_tasks(directory, tasks, container_name=container.name, plan_file=plan)


def test_inline_stops_at_the_first_failing_line(shell_results, container):
    result = shell_results[0]
    assert result["failed"] is True
    assert result["msg"] == "Script exited with non-zero exit status: 1.Allowed exit codes are: [0]"
    assert "one" in ui_text(result, "message").splitlines()
    assert ui_text(result, "say").startswith("Provisioning with shell script: ")
    assert in_container(container, "test -e /tmp/not-reached")[0] != 0


def test_valid_exit_codes(shell_results):
    assert not shell_results[1].get("failed")
    assert shell_results[2]["failed"] is True
    assert shell_results[2]["msg"] == "Script exited with non-zero exit status: 4.Allowed exit codes are: [0]"


def test_environment_vars_reach_the_script_with_quotes(shell_results):
    lines = ui_text(shell_results[3], "message").splitlines()
    assert "FOO=it's \"quoted\"" in lines
    assert "BN=docker BT=docker" in lines
    assert "Z=a=b" in lines


def test_execute_command_is_rendered(shell_results, container):
    lines = ui_text(shell_results[4], "message").splitlines()
    assert lines[0] == "PATH_IS /tmp/custom-script.sh VARS_ARE PACKER_BUILDER_TYPE=docker PACKER_BUILD_NAME=docker X=1"
    assert "ran-custom" in lines
    # skip_clean leaves the uploaded script in place
    assert in_container(container, "test -x /tmp/custom-script.sh")[0] == 0


def test_scripts_run_in_order_and_are_removed(shell_results, container):
    result = shell_results[5]
    assert not result.get("failed"), result["msg"]
    assert ui_text(result, "message").splitlines() == ["from-first", "from-second"]
    says = ui_text(result, "say").splitlines()
    # Packer names each script as the template wrote it.
    assert says[:2] == ["Provisioning with shell script: scripts/first.sh",
                        "Provisioning with shell script: scripts/second.sh"]
    assert in_container(container, "test -e /tmp/cleaned.sh")[0] != 0
    assert ui_text(shell_results[6], "message") == "from-first"


def test_user_mistake_is_one_clear_message(shell_results):
    result = shell_results[7]
    assert result["failed"] is True
    assert result["msg"] == (
        "build 'docker', provisioners[7] (shell): Only one of inline, script, or scripts can be specified."
    )
    assert "Traceback" not in str(result)


def test_sensitive_values_are_masked(shell_results):
    assert "the password is <sensitive>" in ui_text(shell_results[8])
    assert "s3cr3t-value" not in str(shell_results[8])


def test_check_mode_runs_nothing(shell_results, container):
    result = shell_results[9]
    assert not result.get("failed")
    assert "Check mode: would upload" in ui_text(result, "say")
    assert in_container(container, "test -e /tmp/check-mode-ran")[0] != 0


def test_custom_shebang_without_errexit_and_stderr(shell_results):
    result = shell_results[10]
    assert not result.get("failed")
    assert ui_text(result, "error") == "to-stderr"
    assert ui_text(result, "message") == "still-running"


def test_timeout_over_the_connection(shell_results):
    result = shell_results[11]
    assert result["failed"] is True
    assert ["error", "Cancelling provisioner after a timeout..."] in result["ui"]
    assert result["msg"].startswith("the provisioner did not finish within its 1s timeout")


def test_pause_after_and_runtime_data(shell_results):
    result = shell_results[12]
    assert not result.get("failed"), result["msg"]
    assert ui_text(result, "message") == "run=11111111-2222-3333-4444-555555555555"
    assert result["ui"][-1] == ["say", "Pausing 200ms after this provisioner..."]
