from __future__ import annotations

import pytest

from ansible_collections.cattle.images.plugins.action.post_processors import keep_input


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


def test_post_processor_lines_are_announced_and_carry_their_type(tmp_path, monkeypatch):
    import json
    from unittest import mock

    from ansible.plugins.action import ActionBase

    from ansible_collections.cattle.images.plugins.action import post_processors

    plan_file = tmp_path / "plan.json"
    plan_file.write_text(json.dumps({"builds": [{"name": "docker", "post_processors": [[
        {"type": "docker-tag", "name": "docker-tag"},
        {"type": "manifest", "name": "record"},
    ]]}]}))
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
