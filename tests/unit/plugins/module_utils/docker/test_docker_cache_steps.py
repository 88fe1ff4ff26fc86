"""provision_step's bookkeeping without a daemon: only a chain of successful steps makes layers."""

from __future__ import annotations

import pytest

from ansible_collections.cattle.images.plugins.module_utils import cache as keys
from ansible_collections.cattle.images.plugins.module_utils.docker import cache

BUILD = {"name": "b", "provisioners": [
    {"type": "shell", "config": {"inline": ["echo 0"]}},
    {"type": "shell", "config": {"inline": ["exit 1"]}},
    {"type": "shell", "config": {"inline": ["echo 2"]}},
]}


@pytest.fixture
def world(tmp_path, monkeypatch):
    committed = []
    monkeypatch.setattr(cache, "mount_sources", lambda config: [])
    monkeypatch.setattr(cache, "commit_layer", lambda client, build_id, build_name, key, parent, *rest:
                        committed.append((rest[2], key, parent)) or f"sha256:layer{rest[2]}")
    state_file = str(tmp_path / "cache-x.json")
    cache.save_state(state_file, {
        "root": "root", "base_image_id": "sha256:base", "planned": [], "layers": [], "resume": 0,
        "start_image": "sha256:base", "current_key": "root", "current_image": "sha256:base", "broken": False,
        "running": None, "uncacheable": None, "cached_steps": [],
    })
    return {"state_file": state_file, "committed": committed, "cwd": str(tmp_path)}


def step(world, index, outcome):
    def run():
        if outcome == "raise":
            raise KeyboardInterrupt
        return {"failed": outcome == "failed", "changed": True}
    return cache.provision_step(lambda: None, world["state_file"], BUILD, "x", {}, world["cwd"], index, run)


def test_successful_steps_each_commit_a_layer_on_the_last(world):
    step(world, 0, "ok")
    step(world, 2, "ok")
    key0 = keys.step_key("root", BUILD["provisioners"][0], world["cwd"], "b")
    assert [(index, parent) for index, _key, parent in world["committed"]] == [(0, "root"), (2, key0)]


@pytest.mark.parametrize("outcome", ["failed", "raise"])
def test_after_a_step_that_did_not_succeed_nothing_is_committed(world, outcome):
    step(world, 0, "ok")
    if outcome == "raise":
        with pytest.raises(KeyboardInterrupt):
            step(world, 1, outcome)
    else:
        assert step(world, 1, outcome)["failed"]
    result = step(world, 2, "ok")  # Ansible's loop runs it anyway
    assert [index for index, _key, _parent in world["committed"]] == [0]
    assert any("not cached" in line[1] and "provisioner 1 did not succeed" in line[1] for line in result["ui"])
    assert cache.load_state(world["state_file"])["broken"]


def test_a_step_no_key_covers_runs_uncached_and_says_why(world, monkeypatch):
    def refuse(*args, **kwargs):
        raise keys.NotCacheable("site.yml:3: lookup 'env' reads the controller")
    monkeypatch.setattr(cache.keys, "step_key", refuse)
    result = step(world, 0, "ok")
    assert world["committed"] == []
    assert result["ui"][0][1].startswith("Step cache: not cached: provisioner 0 (shell)")
    assert result["ui"][0][1].endswith("lookup 'env' reads the controller")
