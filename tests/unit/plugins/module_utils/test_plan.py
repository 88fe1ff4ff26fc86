"""The plan file: one loader (read once per version of the file), typed accessors, the writer."""

from __future__ import annotations

import json
import os
import stat

import pytest

from ansible_collections.cattle.images.plugins.module_utils import plan as plan_module
from ansible_collections.cattle.images.plugins.module_utils.errors import CattleError
from ansible_collections.cattle.images.plugins.module_utils.plan import (
    PlanError,
    load_plan,
    read_plan_build,
    read_plan_config,
    write_plan,
)
from tests.fixtures.plans import build, plan, post_processor, provisioner


@pytest.fixture
def plan_file(tmp_path):
    return write_plan(plan(
        build("one", "docker", config={"image": "x"},
              provisioners=[provisioner("shell", {"inline": ["a"]})],
              error_cleanup_provisioner=provisioner("shell-local", {"command": "x"}),
              post_processors=[[post_processor("manifest"), post_processor("checksum")]]),
        build("two", "null"),
        cwd="/w", template_dir="/t", sensitive=["s3cret", ""], run_uuid="u",
    ), str(tmp_path))


def test_load_and_find(plan_file):
    loaded = load_plan(plan_file)
    assert (loaded.cwd, loaded.template_dir, loaded.run_uuid) == ("/w", "/t", "u")
    assert loaded.sensitive_values == ["s3cret"]
    assert loaded.run_dir == os.path.dirname(plan_file)
    assert [b.name for b in loaded.builds] == ["one", "two"]
    assert loaded.build("two").type == "null"
    one = loaded.build("one")
    assert one.config == {"image": "x"}
    assert one.provisioner(0)["type"] == "shell"
    assert one.provisioner("0")["type"] == "shell"
    assert one.provisioner("error-cleanup")["type"] == "shell-local"
    assert one.post_processor(0, 1)["type"] == "checksum"
    assert loaded.build("two").error_cleanup_provisioner is None


@pytest.mark.parametrize("call, message", [
    (lambda p: p.build("three"), "build 'three' is not in the plan (builds: 'one', 'two')"),
    (lambda p: p.build("one").provisioner(1), "build 'one' has 1 provisioner(s); step 1 does not exist"),
    (lambda p: p.build("one").provisioner("first"), "step must be an integer index, not 'first'"),
    (lambda p: p.build("two").provisioner("error-cleanup"), "build 'two' has no error-cleanup-provisioner"),
    (lambda p: p.build("one").post_processor(1, 0), "build 'one' has 1 post-processor chain(s); chain 1 does not exist"),
    (lambda p: p.build("one").post_processor(0, 2),
     "post-processor chain 0 of build 'one' has 2 step(s); index 2 does not exist"),
])
def test_wrong_references_are_explained(plan_file, call, message):
    with pytest.raises(PlanError) as caught:
        call(load_plan(plan_file))
    assert str(caught.value) == message


def test_unreadable_plans(tmp_path):
    with pytest.raises(PlanError, match="does not exist"):
        load_plan(str(tmp_path / "nope.json"))
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(PlanError, match="cannot be read as JSON"):
        load_plan(str(tmp_path / "bad.json"))
    (tmp_path / "list.json").write_text("[]")
    with pytest.raises(PlanError, match="is not a plan"):
        load_plan(str(tmp_path / "list.json"))
    assert issubclass(PlanError, CattleError)


def test_a_plan_is_read_once_per_version_of_the_file(plan_file, monkeypatch):
    first = load_plan(plan_file)
    reads = []
    real_load = json.load
    monkeypatch.setattr(plan_module.json, "load", lambda handle: reads.append(handle.name) or real_load(handle))
    assert load_plan(plan_file) is first and reads == []
    # Rewritten (another size, another mtime): read again.
    document = dict(first.raw, run_uuid="v2-" + first.run_uuid)
    with open(plan_file, "w", encoding="utf-8") as handle:
        json.dump(document, handle)
    again = load_plan(plan_file)
    assert again is not first and again.run_uuid == "v2-u" and reads == [plan_file]


def test_write_plan_is_private_and_replaces_what_was_loaded(tmp_path):
    path = write_plan(plan(build("a", "null"), run_uuid="first"), str(tmp_path))
    assert path == str(tmp_path / "plan.json")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_plan(path).run_uuid == "first"
    write_plan(plan(build("a", "null"), run_uuid="other"), str(tmp_path))
    assert load_plan(path).run_uuid == "other"


# --- the builder modules' view (read_plan_build / read_plan_config) -------------------------


@pytest.fixture
def module_plan(tmp_path):
    return write_plan(plan(build("a", "virtualbox-ovf"), build("d", "docker", config={"image": "i"}), cwd="/w"),
                      str(tmp_path))


def test_one_type(module_plan):
    found, whole = read_plan_build(module_plan, "a", "virtualbox-ovf")
    assert found["name"] == "a" and whole["cwd"] == "/w"
    with pytest.raises(PlanError, match=r"'a' in .* is a 'virtualbox-ovf' build, not virtualbox-iso$"):
        read_plan_build(module_plan, "a", "virtualbox-iso")


def test_any_of_several_types(module_plan):
    found, _plan = read_plan_build(module_plan, "a", ("virtualbox-iso", "virtualbox-ovf"))
    assert found["type"] == "virtualbox-ovf"
    with pytest.raises(PlanError, match=r"is a 'docker' build, not virtualbox-iso or virtualbox-ovf$"):
        read_plan_build(module_plan, "d", ("virtualbox-iso", "virtualbox-ovf"))


def test_missing_build_and_unreadable_plan(module_plan, tmp_path):
    with pytest.raises(PlanError, match="'x' is not in the plan"):
        read_plan_build(module_plan, "x", "docker")
    with pytest.raises(PlanError, match="cannot be read"):
        read_plan_build(str(tmp_path / "nothing.json"), "a", "docker")


def test_read_plan_config_hands_out_copies(module_plan):
    config, cwd, sensitive = read_plan_config(module_plan, "d", "docker")
    assert (config, cwd, sensitive) == ({"image": "i"}, "/w", [])
    config["image"] = "changed"
    assert read_plan_config(module_plan, "d", "docker")[0] == {"image": "i"}
    assert load_plan(module_plan).build("d").config == {"image": "i"}
