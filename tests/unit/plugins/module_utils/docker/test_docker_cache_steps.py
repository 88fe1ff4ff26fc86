"""provision_step's bookkeeping without a daemon: only a chain of successful steps makes layers."""

from __future__ import annotations

import pytest

from ansible_collections.cattle.images.plugins.module_utils import cache as keys
from ansible_collections.cattle.images.plugins.module_utils.docker import cache
from ansible_collections.cattle.images.plugins.module_utils.ui import Ui

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
    relaunched = []
    growth = {}
    monkeypatch.setattr(cache, "_layer_growth", lambda client, layer, parent: growth.get(layer, 0))
    monkeypatch.setattr(cache, "relaunch", lambda client, config, build_id, build_name, image, start=True:
                        relaunched.append((image, start)))
    state_file = str(tmp_path / "cache-x.json")
    cache.save_state(state_file, {
        "root": "root", "base_image_id": "sha256:base", "planned": [], "layers": [], "resume": 0,
        "start_image": "sha256:base", "current_key": "root", "current_image": "sha256:base", "broken": False,
        "running": None, "uncacheable": None, "cached_steps": [],
    })
    return {"state_file": state_file, "committed": committed, "cwd": str(tmp_path), "relaunched": relaunched,
            "growth": growth}


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


def test_a_large_layer_restarts_the_container_from_it_when_more_runs_in_it(world):
    world["growth"]["sha256:layer0"] = cache.RELAUNCH_BYTES + 1
    world["growth"]["sha256:layer2"] = cache.RELAUNCH_BYTES + 1
    first = step(world, 0, "ok")
    assert world["relaunched"] == [("sha256:layer0", True)]
    assert "Restarted the build container from layer0" in first["ui"][-1][1]
    step(world, 2, "ok")  # the last step: the capture commits from its layer instead
    assert world["relaunched"] == [("sha256:layer0", True)]
    assert cache.load_state(world["state_file"])["container_at"] == "sha256:layer2"


def test_a_small_layer_keeps_the_container(world):
    step(world, 0, "ok")
    assert world["relaunched"] == []
    state = cache.load_state(world["state_file"])
    assert state["container_at"] == "sha256:layer0" and state["container_growth"] == 0


def test_small_layers_that_add_up_restart_the_container(world):
    world["growth"]["sha256:layer0"] = cache.RELAUNCH_BYTES // 2 + 1
    world["growth"]["sha256:layer1"] = cache.RELAUNCH_BYTES // 2 + 1
    step(world, 0, "ok")
    assert world["relaunched"] == []
    step(world, 1, "ok")
    assert world["relaunched"] == [("sha256:layer1", True)]
    assert cache.load_state(world["state_file"])["container_growth"] == 0


def test_a_step_that_ran_in_the_container_leaves_it_matching_no_layer(world):
    step(world, 0, "ok")
    step(world, 1, "failed")
    state = cache.load_state(world["state_file"])
    assert state["container_at"] is None and state["running"] == 1


class FakeContainer:
    def __init__(self, image):
        self.attrs = {"Image": image}


BIG = cache.RELAUNCH_BYTES + 1


@pytest.mark.parametrize("container_image, container_at, running, growth, wanted", [
    ("sha256:base", "sha256:layer2", None, BIG, "sha256:layer2"),   # committed the last step's layer: commit from it
    ("sha256:base", "sha256:layer2", None, 1000, None),             # a small difference: commit it again
    ("sha256:layer2", "sha256:layer2", None, BIG, None),            # already a container of that layer
    ("sha256:base", None, None, BIG, None),                         # something ran after the last layer
    ("sha256:base", "sha256:layer2", 2, BIG, None),                 # a step did not succeed
])
def test_the_capture_commits_from_the_layer_the_container_holds(world, monkeypatch, container_image, container_at,
                                                                running, growth, wanted):
    plan_file = world["state_file"].replace("cache-x.json", "plan.json")
    state = cache.load_state(world["state_file"])
    cache.save_state(world["state_file"], dict(state, container_at=container_at, running=running,
                                               container_growth=growth))
    monkeypatch.setattr(cache.builder, "find_container", lambda client, build_id: FakeContainer(container_image))
    assert cache.settle_for_capture(None, {}, "x", "b", plan_file) == wanted
    assert world["relaunched"] == ([(wanted, False)] if wanted else [])


# Two cached image steps, a local one, a cached image step, an image step the cache misses.
HEADED = {"name": "b", "provisioners": [
    {"type": "shell", "config": {"inline": ["echo 0"]}},
    {"type": "file", "config": {"content": "x", "destination": "/x"}},
    {"type": "shell-local", "config": {"inline": ["touch here"]}},
    {"type": "shell", "config": {"inline": ["echo 3"]}},
    {"type": "shell", "config": {"inline": ["echo 4"]}},
]}


def resolved(world, monkeypatch, **changes):
    """The state resolve() leaves for HEADED with steps 0-3 cached; layers found in the cache are touched."""
    touched = []
    monkeypatch.setattr(cache, "touch_layer", lambda client, key: touched.append(key))
    state = dict(cache.load_state(world["state_file"]), planned=["k0", "k1", "k2", "k3"],
                 layers=["sha256:l0", "sha256:l1", None, "sha256:l3"], resume=4, start_image="sha256:l3",
                 cached_steps=[0, 1, 3])
    state.update(changes)
    cache.save_state(world["state_file"], state)
    return touched


def test_the_launch_takes_the_cached_steps_before_the_first_local_one(world, monkeypatch):
    touched = resolved(world, monkeypatch)
    ui = Ui()
    assert cache.reuse_leading_steps(None, world["state_file"], HEADED, ui) == 2
    assert ui.lines == [["say", "Using the cached layer l0 for provisioner 0 (shell)"],
                        ["say", "Using the cached layer l1 for provisioner 1 (file)"]]
    assert touched == ["k0", "k1"]
    state = cache.load_state(world["state_file"])
    assert (state["current_key"], state["current_image"]) == ("k1", "sha256:l1")
    # Step 3, after the local step, is checked at its own turn as before: its key from k2 (the local step's).
    monkeypatch.setattr(cache.keys, "step_key", lambda parent, step, *args, **kwargs: {"k1": "k2", "k2": "k3"}[parent])
    assert cache.provision_step(lambda: None, world["state_file"], HEADED, "x", {}, world["cwd"], 2,
                                lambda: {"changed": True})["changed"]
    reused = cache.provision_step(lambda: None, world["state_file"], HEADED, "x", {}, world["cwd"], 3, None)
    assert reused["cached"] and touched == ["k0", "k1", "k3"]


@pytest.mark.parametrize("changes, taken", [
    ({"resume": 1}, 1),                                             # step 1 missed: only step 0 is cached
    ({"resume": 0, "planned": [], "layers": [], "cached_steps": []}, 0),  # nothing cached
    ({"broken": True}, 0),
    ({"running": 0}, 0),
])
def test_the_launch_takes_only_what_the_cache_vouches_for(world, monkeypatch, changes, taken):
    touched = resolved(world, monkeypatch, **changes)
    assert cache.reuse_leading_steps(None, world["state_file"], HEADED, Ui()) == taken
    assert touched == ["k0", "k1"][:taken]
