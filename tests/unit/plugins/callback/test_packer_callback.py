"""The stdout callback turns a build's Ansible events into Packer's lines, in Packer's order."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from ansible_collections.cattle.images.plugins.callback.packer import CallbackModule
from ansible_collections.cattle.images.plugins.plugin_utils.output import PackerUI
from tests.fixtures.plans import build, write_plan


def event(host, action, result, task_vars=None):
    return SimpleNamespace(
        _host=SimpleNamespace(get_name=lambda: host),
        _task=SimpleNamespace(action=action, vars=task_vars or {}, get_name=lambda: action),
        _result=result,
    )


@pytest.fixture
def callback(tmp_path):
    plan = write_plan(tmp_path, build("docker"))
    module = CallbackModule()
    lines = []
    module.ui = PackerUI(write=lines.append, color=False)
    module.get_option = {"intro": False, "color": False}.get
    module.v2_runner_on_ok(
        event("localhost", "cattle.images.plan", {"plan_file": str(plan), "builds": [{"name": "docker"}]}))
    return module, lines


def test_a_failed_build_ends_after_its_cleanup(callback):
    module, lines = callback
    module.v2_runner_on_failed(event("docker", "ansible.builtin.fail", {"msg": "Unable to start the container"}))
    module.v2_runner_on_ok(event("docker", "cattle.images.docker",
                                 {"ui": [["say", "Killing the container: 4d6e"]]}))
    assert not any(line.startswith("Build 'docker'") for line in lines)
    module.v2_runner_on_skipped(event("docker", "ansible.builtin.debug", {"skipped": True},
                                      {"cattle_build_over": True}))
    assert lines[0] == "==> docker: Unable to start the container"  # as Packer says a failed launch's error
    assert lines[1] == "==> docker: Killing the container: 4d6e"
    assert lines[2].startswith("Build 'docker' errored after ") and lines[2].endswith(": Unable to start the container")
    module.v2_playbook_on_stats(None)
    assert sum(line.startswith("Build 'docker'") for line in lines) == 1


def test_a_failed_provisioner_s_error_is_said_only_when_the_build_errors(callback):
    # Packer 1.6.6: "Provisioning step had errors: …", the cleanup's lines, then "Build '…' errored after …: <error>".
    module, lines = callback
    failed_provisioner = {"msg": "One or more items failed", "results": [{"failed": True}]}
    module.v2_runner_on_failed(event("docker", "cattle.images.provision", failed_provisioner))
    module.v2_runner_on_failed(event("docker", "cattle.images.provision", {"msg": "cleanup failed"}),
                               ignore_errors=True)  # the error-cleanup provisioner
    module.v2_runner_on_failed(event("docker", "ansible.builtin.fail", {"msg": "Script exited with 3"}))
    module.v2_runner_on_ok(event("docker", "cattle.images.docker", {"ui": [["say", "Killing the container: 4d6e"]]}))
    module.v2_runner_on_skipped(event("docker", "ansible.builtin.debug", {"skipped": True}, {"cattle_build_over": True}))
    assert lines[0] == "==> docker: Killing the container: 4d6e"
    assert lines[1].startswith("Build 'docker' errored after ") and lines[1].endswith(": Script exited with 3")
    assert not any(line == "==> docker: Script exited with 3" for line in lines)


def test_a_failed_build_whose_cleanup_failed_still_ends(callback):
    module, lines = callback
    module.v2_runner_on_failed(event("docker", "ansible.builtin.fail", {"msg": "boom"}))
    module.v2_playbook_on_stats(None)
    errored = [i for i, line in enumerate(lines) if line.startswith("Build 'docker' errored")]
    assert errored and errored[0] < lines.index("==> Some builds didn't complete successfully and had errors:")


def test_post_processor_lines_and_artifacts(callback):
    module, lines = callback
    module.v2_runner_on_ok(event("docker", "cattle.images.post_processors", {
        "ui": [["say", "Running post-processor: docker-tag"], ["message", "Tagging image: sha256:1", "docker-tag"]],
        "artifacts": [{"string": "Imported Docker image: sha256:1"}],
    }))
    module.v2_playbook_on_stats(None)
    assert lines[:2] == ["==> docker: Running post-processor: docker-tag",
                         "    docker (docker-tag): Tagging image: sha256:1"]
    assert lines[2].startswith("Build 'docker' finished after ")
    assert lines[-1] == "--> docker: Imported Docker image: sha256:1"


def test_live_lines_are_printed_as_they_come_and_not_again_with_the_result(callback):
    module, lines = callback
    module._live_line("docker", "say", "Provisioning with shell script: /tmp/x")
    module._live_line("docker", "message", "first-line")
    module._live_line("docker", "message", "Tagging", "docker-tag")
    assert lines[-3:] == ["==> docker: Provisioning with shell script: /tmp/x", "    docker: first-line",
                          "    docker (docker-tag): Tagging"]
    module.v2_runner_on_ok(event("docker", "cattle.images.provision",
                                 {"ui": [["say", "not live"]], "ui_shown": [["message", "first-line"]]}))
    assert lines[-1] == "==> docker: not live" and lines.count("    docker: first-line") == 1


def test_a_live_line_that_cannot_be_printed_never_raises(callback):
    module, _lines = callback

    def broken(line):
        raise OSError("gone")

    module.ui.write = broken
    warnings = []
    module._display = SimpleNamespace(warning=warnings.append)
    module._live_line("docker", "message", "x")  # Ansible's results thread must survive this
    assert warnings and "gone" in warnings[0]


def test_a_step_that_loses_the_source_names_why_not_the_loop(callback):
    # The build's steps are the items of one task: Ansible's result for the loop says nothing of its own.
    module, lines = callback
    lost = {"unreachable": True, "msg": "Failed to connect to the host via ssh: Connection refused"}
    module.v2_runner_on_unreachable(event("docker", "cattle.images.provision", {
        "results": [{"changed": True}, lost], "unreachable": True, "msg": "All items completed"}))
    assert lines[-1] == "==> docker: Failed to connect to the host via ssh: Connection refused"
    module.v2_runner_on_unreachable(event("docker", "ansible.builtin.ping", {"unreachable": True, "msg": "gone"}))
    assert lines[-1] == "==> docker: gone"


def test_a_plan_handed_over_by_cattle_build_starts_the_builds_at_the_first_play(tmp_path):
    # cattle build passes the plan task's result as the extra var cattle_plan; no plan task runs.
    plan = write_plan(tmp_path, build("docker"))
    module = CallbackModule()
    lines = []
    module.ui = PackerUI(write=lines.append, color=False)
    module.get_option = {"intro": False, "color": False}.get
    extra_vars = {"cattle_plan": {"plan_file": str(plan), "builds": [{"name": "docker", "cache": False}]}}
    play = SimpleNamespace(get_variable_manager=lambda: SimpleNamespace(extra_vars=extra_vars))
    module.v2_playbook_on_play_start(play)
    assert module.build_names == ["docker"] and module._is_build("docker")
    module.v2_playbook_on_play_start(play)  # the next plays find the builds started already
    assert module.build_names == ["docker"]
    module.v2_runner_on_ok(event("docker", "cattle.images.post_processors", {"artifacts": []}))
    assert any(line.startswith("Build 'docker' finished after ") for line in lines)


def test_a_play_without_a_handed_over_plan_starts_nothing(tmp_path):
    module = CallbackModule()
    module.ui = PackerUI(write=[].append, color=False)
    module.get_option = {"intro": False, "color": False}.get
    module.v2_playbook_on_play_start(SimpleNamespace(get_variable_manager=lambda: SimpleNamespace(extra_vars={})))
    assert module.build_names == []
