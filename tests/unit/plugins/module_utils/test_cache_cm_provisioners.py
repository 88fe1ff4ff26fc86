"""The step cache keys the config-management provisioners on the local trees they upload."""

from __future__ import annotations

import pytest

from ansible_collections.cattle.images.plugins.module_utils import cache


@pytest.mark.parametrize(("kind", "config", "changed"), [
    ("ansible-local", {"playbook_file": "site.yml", "role_paths": ["roles/web"]}, "roles/web/tasks/main.yml"),
    ("puppet-masterless", {"manifest_file": "site.pp", "module_paths": ["modules"]}, "modules/m/init.pp"),
    ("chef-solo", {"cookbook_paths": ["cookbooks"], "roles_path": "roles"}, "roles/base.json"),
    ("salt-masterless", {"local_state_tree": "salt", "grains_file": "grains"}, "salt/web.sls"),
])
def test_a_changed_uploaded_file_changes_the_key(tmp_path, kind, config, changed):
    for path in ("site.yml", "roles/web/tasks/main.yml", "site.pp", "modules/m/init.pp", "cookbooks/c/metadata.rb",
                 "roles/base.json", "salt/web.sls", "grains"):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("one\n")
    step = {"type": kind, "config": config}
    before = cache.step_key("parent", step, str(tmp_path), "docker")
    assert cache.step_key("parent", step, str(tmp_path), "docker") == before
    (tmp_path / changed).write_text("two\n")
    assert cache.step_key("parent", step, str(tmp_path), "docker") != before
