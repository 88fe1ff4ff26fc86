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
    monkeypatch.setattr(cache, "relaunch", lambda client, config, build_id, build_name, image, start=True, temp_dir="":
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


COMMIT = {"commit": True, "changes": ["ENV A=1"], "author": "", "message": ""}


class FakeImage:
    def __init__(self, image_id, attrs=None):
        self.id = image_id
        self.attrs = attrs or {}


def test_the_final_key_covers_the_layers_and_what_the_commit_adds():
    state = {"current_key": "k3", "current_image": "sha256:l3"}
    key = cache.final_key(state, COMMIT, "b")
    assert cache.final_key(dict(state), dict(COMMIT), "b") == key
    for other in (cache.final_key(dict(state, current_key="k3b"), COMMIT, "b"),
                  cache.final_key(dict(state, current_image="sha256:other"), COMMIT, "b"),
                  cache.final_key(state, dict(COMMIT, changes=["ENV A=2"]), "b"),
                  cache.final_key(state, dict(COMMIT, author="me"), "b"),
                  cache.final_key(state, dict(COMMIT, message="why"), "b"),
                  cache.final_key(state, COMMIT, "other-build")):
        assert other != key


@pytest.mark.parametrize("changes, reused", [
    ({}, True),
    ({"container": False, "container_at": None}, True),   # the launch made no container; nothing ran in one
    ({"container_at": None}, False),                      # something ran in the container after the last layer
    ({"broken": True}, False),
    ({"running": 3}, False),
])
def test_the_capture_takes_the_final_image_only_for_its_state(world, monkeypatch, changes, reused):
    state = dict(cache.load_state(world["state_file"]), current_key="k3", current_image="sha256:l3",
                 container_at="sha256:l3")
    state.update(changes)
    cache.save_state(world["state_file"], state)
    plan_file = world["state_file"].replace("cache-x.json", "plan.json")
    key = cache.final_key(state, COMMIT, "b")
    tagged = []
    monkeypatch.setattr(cache, "find_final", lambda client, wanted: FakeImage("sha256:final") if wanted == key else None)
    monkeypatch.setattr(cache, "keep_final", lambda client, image_id, wanted: tagged.append((image_id, wanted)))
    ui = Ui()
    assert cache.reuse_final(None, plan_file, "x", "b", COMMIT, ui) == ("sha256:final" if reused else None)
    assert tagged == ([("sha256:final", key)] if reused else [])
    assert (ui.lines[-1:] == [["message", "Image ID: sha256:final"]]) is reused
    # Not for an export, nor for a build without the step cache (no state file).
    assert cache.reuse_final(None, plan_file, "x", "b", dict(COMMIT, commit=False), Ui()) is None
    assert cache.reuse_final(None, plan_file, "y", "b", COMMIT, Ui()) is None


def test_the_launch_predicts_the_final_key_the_capture_computes(world, monkeypatch):
    state = dict(cache.load_state(world["state_file"]), planned=["k0", "k1"], layers=["sha256:l0", None],
                 start_image="sha256:l0", resume=2)
    looked_up = []
    monkeypatch.setattr(cache, "find_final", lambda client, key: looked_up.append(key) or FakeImage("sha256:f"))
    build = {"name": "b", "provisioners": HEADED["provisioners"][:1] + HEADED["provisioners"][2:3]}
    assert cache.final_image_at_launch(None, state, build, COMMIT).id == "sha256:f"
    assert looked_up == [cache.final_key({"current_key": "k1", "current_image": "sha256:l0"}, COMMIT, "b")]
    # An error-cleanup provisioner runs in the container after a failure: then the launch makes one.
    assert cache.final_image_at_launch(None, state, dict(build, error_cleanup_provisioner={"type": "shell"}),
                                       COMMIT) is None
    assert cache.final_image_at_launch(None, state, build, dict(COMMIT, commit=False)) is None
    # A local step naming the build's ID (the container's) may use the container: it gets one.
    for reference in ("docker cp {{build `ID`}}:/etc/os-release .", "docker cp ${build.ID}:/etc/os-release ."):
        local = {"type": "shell-local", "config": {"inline": [reference]}}
        assert cache.final_image_at_launch(None, state, dict(build, provisioners=[build["provisioners"][0], local]),
                                           COMMIT) is None


def test_a_step_that_must_run_creates_the_container_the_launch_did_not(world):
    state = cache.load_state(world["state_file"])
    cache.save_state(world["state_file"], dict(state, container=False, temp_dir="/tmp/cattle-docker-x-1",
                                               container_at=None))
    ran = []
    cache.provision_step(lambda: None, world["state_file"], BUILD, "x", {}, world["cwd"], 0,
                         lambda: ran.append(list(world["relaunched"])) or {"changed": True})
    assert ran == [[("sha256:base", True)]]  # created and started on the current image before the step ran
    assert cache.load_state(world["state_file"])["container"] is True


def test_a_final_image_is_listed_as_its_build_s_image_step(monkeypatch):
    image = FakeImage("sha256:final", {
        "Config": {"Labels": {"cattle.build_name": "b"}}, "Parent": "sha256:l3", "Size": 7,
        "Created": "2026-12-04T04:18:44.872481083Z", "Metadata": {"LastTagTime": "2026-12-04T05:00:00Z"},
    })
    image.tags = ["cattle-cache:image-" + "f" * 64, "local/out:v1"]

    class Images:
        def list(self, name):
            return [image]

    class Client:
        images = Images()

    [entry] = cache.list_layers(Client())
    assert entry["key"] == "f" * 64 and entry["step"] == "b/image"
    assert (entry["parent"], entry["from"]) == ("sha256:l3", "sha256:l3")
    assert entry["tags"] == ["cattle-cache:image-" + "f" * 64]  # prune leaves the user's own tags alone
    assert entry["used"] > entry["created"] > 0
