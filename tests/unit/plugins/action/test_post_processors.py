from __future__ import annotations

import pytest

from ansible_collections.cattle.images.plugins.action.post_processors import keep_input, running_line
from tests.fixtures.plans import build, post_processor, write_plan


@pytest.mark.parametrize(
    "user, default, force, expected",
    [
        (None, False, False, False),  # the post-processor's own default
        (None, True, False, True),
        (True, False, False, True),  # the user's choice wins...
        (False, True, False, False),
        (False, True, True, True),  # ...unless the post-processor forces keeping its input
        (True, True, True, True),
    ],
)
def test_keep_input_follows_packer(user, default, force, expected):
    assert keep_input({"keep_input_artifact": user}, default, force) is expected


def run_chains(tmp_path, monkeypatch, chains, fails):
    """Run the post_processors action on a plan with ``chains``; the post-processors named in ``fails`` fail."""
    from unittest import mock

    from ansible_collections.cattle.images.plugins.action import post_processors

    plan_file = write_plan(tmp_path, build("b", "null", post_processors=chains))
    ran = []

    def fake_run_component(action, packer_type, args, task_vars):
        name = chains[args["chain"]][args["index"]]["name"]
        ran.append(name)
        if name in fails:
            return {"failed": True, "msg": f"{name} broke", "ui": [["error", f"{name} broke"]]}
        return {"changed": True, "artifact": {"id": name}, "keep": True, "ui": [["say", f"{name} ran"]]}

    monkeypatch.setattr(post_processors, "run_component", fake_run_component)
    task = mock.MagicMock()
    task.args = {"plan_file": str(plan_file), "build": "b", "artifact": {"id": "builder"}}
    task.async_val = 0
    play_context = mock.MagicMock(check_mode=False)
    action = post_processors.ActionModule(task, mock.MagicMock(), play_context, None, None, None)
    return action.run(task_vars={}), ran


def pp(name):
    return post_processor("shell-local", name=name)


def test_failing_post_processor_stops_its_chain_and_the_next_chain_runs(tmp_path, monkeypatch):
    result, ran = run_chains(tmp_path, monkeypatch, [[pp("a1"), pp("a2")], [pp("b1")]], fails={"a1"})
    assert ran == ["a1", "b1"]  # a2 never ran; the second chain still did (Packer 1.6.6)
    assert result["failed"] is True
    assert result["msg"] == "1 error(s) occurred:\n\n* Post-processor failed: a1 broke"
    assert result["ui"] == [
        ["say", "Running post-processor: a1 (type shell-local)"], ["error", "a1 broke", "shell-local"],
        ["say", "Running post-processor: b1 (type shell-local)"], ["say", "b1 ran", "shell-local"],
    ]


def test_every_failed_chain_is_listed(tmp_path, monkeypatch):
    result, ran = run_chains(tmp_path, monkeypatch, [[pp("a1")], [pp("b1"), pp("b2")]], fails={"a1", "b2"})
    assert ran == ["a1", "b1", "b2"]
    assert result["msg"] == ("2 error(s) occurred:\n\n* Post-processor failed: a1 broke\n"
                             "* Post-processor failed: b2 broke")


def test_running_line_names_the_type_only_when_it_differs():
    assert running_line({"type": "manifest"}) == "Running post-processor: manifest"
    assert running_line({"type": "manifest", "name": "manifest"}) == "Running post-processor: manifest"
    assert running_line({"type": "manifest", "name": "m"}) == "Running post-processor: m (type manifest)"


def test_post_processor_lines_are_announced_and_carry_their_type(tmp_path, monkeypatch):
    from unittest import mock

    from ansible.plugins.action import ActionBase

    from ansible_collections.cattle.images.plugins.action import post_processors

    plan_file = write_plan(tmp_path, build("docker", post_processors=[[
        post_processor("docker-tag"),
        post_processor("manifest", name="record"),
    ]]))
    outcomes = {
        "docker-tag": {"ui": [["message", "Tagging image: sha256:1"]], "artifact": {"id": "repo:v1"}},
        "manifest": {"ui": [["say", "Writing manifest"]], "artifact": {"id": "repo:v1"}, "keep": True},
    }
    monkeypatch.setattr(post_processors, "run_component", lambda action, kind, args, task_vars: outcomes[kind])
    monkeypatch.setattr(post_processors, "destroy_artifact", lambda artifact: None)
    action = post_processors.ActionModule.__new__(post_processors.ActionModule)
    action._task = mock.Mock(args={"plan_file": str(plan_file), "build": "docker", "artifact": {"id": "sha256:1"}})
    action._play_context = mock.Mock(check_mode=False)
    with mock.patch.object(ActionBase, "run", return_value={}):
        result = action.run(task_vars={})
    assert result["ui"] == [
        ["say", "Running post-processor: docker-tag"],
        ["message", "Tagging image: sha256:1", "docker-tag"],
        ["say", "Running post-processor: record (type manifest)"],
        ["say", "Writing manifest", "manifest"],
    ]
