"""shell-local as provisioner and post-processor, and the common pause/timeout/retry wrapping."""

from __future__ import annotations

import pytest
from provisioner_harness import run_tasks, ui_text, write_plan

RUN_UUID = "11111111-2222-3333-4444-555555555555"


@pytest.fixture(scope="module")
def local_run(tmp_path_factory):
    directory = tmp_path_factory.mktemp("shell_local")
    (directory / "script.sh").write_text('echo "script args: $*"\necho "BAR=$BAR"\n')
    count_up = 'n=$(cat {0} 2>/dev/null || echo 0); n=$((n+1)); echo $n > {0}; echo "attempt $n"; exit $n'
    provisioners = [
        {"type": "shell-local", "config": {                                                               # 0
            "inline": ["env | grep ^PACKER_ | sort", 'echo "FOO=$FOO"'], "environment_vars": ["FOO=it's"]}},
        {"type": "shell-local", "config": {"command": "echo from-command"}},                               # 1
        {"type": "shell-local", "config": {                                                               # 2
            "script": "script.sh", "environment_vars": ["BAR=b a r"],
            "execute_command": ["/bin/sh", "-c", "{{.Vars}} /bin/sh {{.Script}} one two"]}},
        {"type": "shell-local", "config": {"inline": ["echo before", "false", "echo after"]}},             # 3
        {"type": "shell-local", "config": {"inline": ["exit 7"], "valid_exit_codes": [0, 7]}},            # 4
        {"type": "shell-local", "config": {"inline": ["echo never"], "only_on": ["windows"]}},            # 5
        {"type": "shell-local", "config": {"command": "true", "inline": ["true"]}},                       # 6
        {"type": "shell-local", "config": {"inline": [                                                    # 7
            f"echo $$ > {directory}/timed-out.pid", "sleep 8", f"touch {directory}/timed-out-finished"]},
         "timeout": 1.0},
        {"type": "shell-local", "config": {"inline": ["sleep 1.5", "echo done"]},                         # 8
         "pause_before": 1.0, "timeout": 0.5},
        {"type": "shell-local", "config": {"inline": [count_up.format(directory / "count-a")],            # 9
                                           "valid_exit_codes": [0, 3]}, "max_retries": 2},
        {"type": "shell-local", "config": {"inline": [count_up.format(directory / "count-b")]},           # 10
         "max_retries": 1},
        {"type": "shell-local", "config": {"inline": ["echo token=hunter2-token"]}},                      # 11
        {"type": "shell-local", "config": {"inline": [f"touch {directory}/check-mode-ran"]}},             # 12
    ]
    post_processors = [[{"type": "shell-local", "name": "shell-local",
                         "config": {"inline": ['echo "pp for $PACKER_BUILD_NAME"']}, "keep_input_artifact": None}]]
    plan = write_plan(directory, provisioners, post_processors, sensitive=["hunter2-token"], run_uuid=RUN_UUID)
    step = {"plan_file": plan, "build": "docker"}
    tasks = [{"cattle.images.shell_local": dict(step, step=i)} for i in range(12)]
    tasks.append({"cattle.images.shell_local": dict(step, step=12), "check_mode": True})
    artifact = {"id": "sha256:abc", "builder_id": "packer.docker", "builder_type": "docker", "build_name": "docker",
                "files": [], "string": "an image", "metadata": {}}
    tasks.append({"cattle.images.shell_local": dict(step, chain=0, index=0, artifact=artifact)})
    tasks.append({"cattle.images.shell_local": {"config": {"inline": ["echo direct"]}}})
    tasks.append({"cattle.images.shell_local": {"config": {"inline": ["sleep 2"]}, "timeout": "1s",
                                                "max_retries": "1"}})
    results = run_tasks(directory, tasks, plan_file=plan)
    return directory, results, artifact


def test_environment(local_run):
    _directory, results, _artifact = local_run
    lines = ui_text(results[0], "message").splitlines()
    assert "PACKER_BUILD_NAME=docker" in lines
    assert "PACKER_BUILDER_TYPE=docker" in lines
    assert f"PACKER_RUN_UUID={RUN_UUID}" in lines
    assert "FOO=it's" in lines
    assert ui_text(results[0], "say").startswith("Running local shell script: ")


def test_command_script_and_execute_command(local_run):
    _directory, results, _artifact = local_run
    assert ui_text(results[1], "message") == "from-command"
    assert ui_text(results[2], "message").splitlines() == ["script args: one two", "BAR=b a r"]


def test_exit_codes(local_run):
    _directory, results, _artifact = local_run
    assert results[3]["msg"] == "Script exited with non-zero exit status: 1.Allowed exit codes are: [0]"
    assert ui_text(results[3], "message") == "before"
    assert not results[4].get("failed")


def test_only_on_and_mistakes(local_run):
    _directory, results, _artifact = local_run
    assert ui_text(results[5]) == "Skipping shell-local due to runtime OS"
    assert results[6]["failed"] is True
    assert results[6]["msg"].startswith("build 'docker', provisioners[6] (shell-local): You may only specify one of")


def _running(pid):
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_timeout_cancels_the_script(local_run):
    directory, results, _artifact = local_run
    result = results[7]
    assert result["failed"] is True
    assert ["say", "Setting a 1s timeout for the next provisioner..."] in result["ui"]
    assert ["error", "Cancelling provisioner after a timeout..."] in result["ui"]
    assert "timeout" in result["msg"]
    # The script started, was not waited for (its last line never ran), and is gone, not orphaned.
    pid = int((directory / "timed-out.pid").read_text())
    assert not (directory / "timed-out-finished").exists()
    assert not _running(pid)


def test_pause_before_disables_timeout(local_run):
    _directory, results, _artifact = local_run
    result = results[8]
    assert not result.get("failed"), result["msg"]
    assert result["ui"][0] == ["say", "Pausing 1s before the next provisioner..."]
    assert "Setting a" not in ui_text(result)
    assert ui_text(result, "message") == "done"


def test_retries_announce_the_first_error_and_succeed(local_run):
    _directory, results, _artifact = local_run
    result = results[9]
    assert not result.get("failed"), result["msg"]
    first = "Script exited with non-zero exit status: 1.Allowed exit codes are: [0 3]"
    says = [text for kind, text in result["ui"] if kind == "say" and text.startswith("Provisioner failed")]
    assert says == [
        f'Provisioner failed with "{first}", retrying with 2 trie(s) left',
        f'Provisioner failed with "{first}", retrying with 1 trie(s) left',
    ]
    assert ui_text(result, "message").splitlines() == ["attempt 1", "attempt 2", "attempt 3"]


def test_retry_limit_returns_the_first_error(local_run):
    _directory, results, _artifact = local_run
    result = results[10]
    assert result["failed"] is True
    assert result["msg"] == "Script exited with non-zero exit status: 1.Allowed exit codes are: [0]"
    assert ["say", "retry limit reached."] in result["ui"]
    assert ui_text(result, "message").splitlines() == ["attempt 1", "attempt 2"]


def test_masking(local_run):
    _directory, results, _artifact = local_run
    assert ui_text(results[11]) .endswith("token=<sensitive>")
    assert "hunter2-token" not in str(results[11])


def test_check_mode(local_run):
    directory, results, _artifact = local_run
    assert not results[12].get("failed")
    assert "Check mode: would run locally: /bin/sh -c" in ui_text(results[12])
    assert not (directory / "check-mode-ran").exists()


def test_as_post_processor_passes_its_input_through(local_run):
    _directory, results, artifact = local_run
    result = results[13]
    assert not result.get("failed"), result["msg"]
    assert result["artifact"] == artifact
    assert result["keep"] is True and result["force_keep"] is True
    assert ui_text(result, "message") == "pp for docker"


def test_direct_config_and_wrapping_arguments(local_run):
    _directory, results, _artifact = local_run
    assert ui_text(results[14], "message") == "direct"
    retried = results[15]
    assert retried["failed"] is True
    assert sum(1 for line in retried["ui"] if line == ["error", "Cancelling provisioner after a timeout..."]) == 2
    assert ["say", "retry limit reached."] in retried["ui"]
