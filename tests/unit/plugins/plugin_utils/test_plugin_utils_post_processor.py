"""The one post-processor path (PostProcessorAction): plan lookup, check mode, errors, masking."""

from __future__ import annotations

import json
from unittest import mock

from ansible_collections.cattle.images.plugins.module_utils.docker.artifacts import commit_artifact
from ansible_collections.cattle.images.plugins.module_utils.errors import CattleError
from ansible_collections.cattle.images.plugins.plugin_utils.post_processor import PostProcessorAction
from tests.fixtures.actions import run_post_processor
from tests.fixtures.plans import build, post_processor, write_plan


class Broken(CattleError):
    pass


class Probe(PostProcessorAction):
    POST_PROCESSOR_TYPE = "probe"
    SECRET_OPTIONS = ("token",)

    def describe(self, config, context, artifact, ui):
        ui.say(f"would probe with {config['token']}")
        return dict(artifact, id="would-be"), False, True

    def post_process(self, config, context, artifact, ui):
        raise Broken(f"the probe failed with token {config['token']} in {context.build_name}")


def run_probe(args, check_mode=False, task_vars=None):
    task = mock.MagicMock(args=args, async_val=0, check_mode=check_mode)
    action = Probe(task, mock.MagicMock(), mock.MagicMock(check_mode=check_mode), None, None, None)
    return action.run(task_vars=task_vars or {})


def test_a_cattle_error_is_the_message_and_secret_options_are_masked(tmp_path):
    plan_file = write_plan(tmp_path, build("web", "null", post_processors=[[post_processor("probe", {"token": "t0ken"})]]),
                           sensitive=["web"])
    result = run_probe({"plan_file": plan_file, "build": "web", "chain": 0, "index": 0, "artifact": {"id": "a"}})
    assert result["failed"] and result["msg"] == "the probe failed with token <sensitive> in <sensitive>"
    assert "t0ken" not in json.dumps(result)


def test_check_mode_returns_what_describe_says_would_come_out():
    result = run_probe({"config": {"token": "t0ken"}, "artifact": {"id": "a"}}, check_mode=True)
    assert not result.get("failed") and result["changed"] is True
    assert result["artifact"]["id"] == "would-be" and result["keep"] is False and result["force_keep"] is True
    assert result["ui"] == [["say", "would probe with <sensitive>"]]


def test_a_wrong_plan_reference_is_a_failed_result(tmp_path):
    plan_file = write_plan(tmp_path, build("web", "null", post_processors=[[post_processor("probe")]]))
    result = run_probe({"plan_file": plan_file, "build": "web", "chain": 0, "index": 4, "artifact": {"id": "a"}})
    assert result["failed"] and result["msg"] == "post-processor chain 0 of build 'web' has 1 step(s); index 4 does not exist"


def test_docker_post_processors_take_the_same_path_without_a_daemon_in_check_mode(tmp_path):
    plan_file = write_plan(tmp_path, build("web", "docker", post_processors=[[
        post_processor("docker-tag", {"repository": "local/app", "tags": "v1,v2"}),
        post_processor("docker-push", {"login": True, "login_server": "r:5000", "login_username": "u",
                                       "login_password": "pw-secret"}),
    ]]))
    image = commit_artifact("sha256:" + "1" * 64, "web")
    args = {"plan_file": plan_file, "build": "web", "chain": 0, "artifact": image}
    tagged = run_post_processor("docker-tag", dict(args, index=0), check_mode=True)
    assert tagged["changed"] is True and tagged["artifact"]["id"] == "local/app:v2"
    assert ["message", "Repository: local/app:v1"] in tagged["ui"]
    pushed = run_post_processor("docker-push", dict(args, index=1, artifact=tagged["artifact"]), check_mode=True)
    assert not pushed.get("failed"), pushed
    assert ["message", "Pushing: local/app:v2"] in pushed["ui"] and "pw-secret" not in json.dumps(pushed)
    wrong = run_post_processor("docker-tag", {"config": {"tags": ["v1"]}, "artifact": image}, check_mode=True)
    assert wrong["failed"] and wrong["msg"] == "docker-tag: 'repository' is required"
