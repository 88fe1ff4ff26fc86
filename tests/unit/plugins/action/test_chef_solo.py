"""The chef-solo provisioner's generated solo.rb and node.json, uploads, commands and exit codes (fake connection).

The expected texts were checked against Packer 1.6.6 building the same options (its solo.rb
and node.json read back from the container)."""

from __future__ import annotations

import json

import pytest
from fake_guest import FakeConnection, run_provisioner, ui_lines

STAGE = "/tmp/packer-chef-solo"


@pytest.fixture
def project(tmp_path):
    for path in ("cookbooks/web/metadata.rb", "more/db/metadata.rb", "roles/base.json", "bags/users/a.json",
                 "envs/prod.json", "secret"):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("{}\n")
    return tmp_path


def test_solo_rb_node_json_and_command(project):
    connection = FakeConnection()
    config = {"skip_install": True, "cookbook_paths": [str(project / "cookbooks"), str(project / "more")],
              "remote_cookbook_paths": ["/opt/cookbooks"], "roles_path": str(project / "roles"),
              "data_bags_path": str(project / "bags"), "encrypted_data_bag_secret_path": str(project / "secret"),
              "environments_path": str(project / "envs"), "chef_environment": "prod",
              "run_list": ["role[base]", "recipe[web::default]"], "json": {"web": {"greeting": "a <&> b"}, "n": [1, 2]}}
    result = run_provisioner("chef_solo", config, connection)
    assert not result.get("failed"), result
    assert connection.uploads[f"{STAGE}/solo.rb"] == (
        '\nchef_license \t\t""\n'
        f'cookbook_path \t["/opt/cookbooks","{STAGE}/cookbooks-0","{STAGE}/cookbooks-1"]\n'
        f'\nrole_path\t\t"{STAGE}/roles"\n\n'
        f'\ndata_bag_path\t"{STAGE}/data_bags"\n\n'
        f'\nencrypted_data_bag_secret "{STAGE}/encrypted_data_bag_secret"\n\n'
        f'\nenvironment_path "{STAGE}/environments"\nenvironment "prod"\n\n')
    node = connection.uploads[f"{STAGE}/node.json"]
    assert node == ('{\n  "n": [\n    1,\n    2\n  ],\n  "run_list": [\n    "role[base]",\n    "recipe[web::default]"\n  ],\n'
                    '  "web": {\n    "greeting": "a \\u003c\\u0026\\u003e b"\n  }\n}')
    assert json.loads(node)["web"]["greeting"] == "a <&> b"
    assert connection.commands[:2] == [f"sudo mkdir -p '{STAGE}'", f"sudo chmod 0777 '{STAGE}'"]
    assert connection.commands[-1] == f"sudo chef-solo --no-color -c {STAGE}/solo.rb -j {STAGE}/node.json"
    assert f"{STAGE}/roles/base.json" in connection.uploads and f"{STAGE}/data_bags/users/a.json" in connection.uploads
    assert ui_lines(result, "say") == ["Provisioning with chef-solo"]
    assert ui_lines(result, "message")[-3:] == [
        "Creating configuration file 'solo.rb'", "Creating JSON attribute file",
        f"Executing Chef: sudo chef-solo --no-color -c {STAGE}/solo.rb -j {STAGE}/node.json"]


def test_default_install_accepts_the_license_silently(project):
    connection = FakeConnection()
    result = run_provisioner("chef_solo", {"version": "17.1", "prevent_sudo": True}, connection)
    assert not result.get("failed"), result
    assert connection.commands[0] == "curl -L https://omnitruck.chef.io/install.sh | bash -s -- -v 17.1"
    assert connection.uploads[f"{STAGE}/solo.rb"].startswith('\nchef_license \t\t"accept-silent"\ncookbook_path \t[]\n')
    assert connection.uploads[f"{STAGE}/node.json"] == "{}"


def test_custom_install_command_and_failures(project):
    connection = FakeConnection(exit_codes={"install-chef": 3})
    result = run_provisioner("chef_solo", {"install_command": "install-chef {{if .Sudo}}--sudo{{end}}"}, connection)
    assert result["msg"] == "Error installing Chef: Install script exited with non-zero exit status 3"
    assert connection.commands == ["install-chef --sudo"]
    connection = FakeConnection(exit_codes={"chef-solo --no-color": 1})
    result = run_provisioner("chef_solo", {"skip_install": True}, connection)
    assert result["msg"] == "Error executing Chef: Non-zero exit status: 1"


def test_config_template_and_execute_command(project):
    (project / "solo.rb.tpl").write_text('cookbook_path [{{.CookbookPaths}}]\nlicense "{{.ChefLicense}}"\n')
    connection = FakeConnection()
    config = {"skip_install": True, "config_template": str(project / "solo.rb.tpl"), "chef_license": "accept",
              "cookbook_paths": [str(project / "cookbooks")],
              "execute_command": "chef-solo -c {{.ConfigPath}} -j {{.JsonPath}} {{if .Sudo}}--sudo{{end}}"}
    run_provisioner("chef_solo", config, connection)
    assert connection.uploads[f"{STAGE}/solo.rb"] == f'cookbook_path ["{STAGE}/cookbooks-0"]\nlicense "accept"\n'
    assert connection.commands[-1] == f"chef-solo -c {STAGE}/solo.rb -j {STAGE}/node.json --sudo"


def test_mistakes(project):
    result = run_provisioner("chef_solo", {"cookbook_paths": [str(project / "nope")], "roles_path": str(project / "secret"),
                                           "config_template": str(project / "cookbooks")}, FakeConnection())
    assert result["msg"] == (
        "chef-solo provisioner: Config template path must be a file: %!s(<nil>); "
        f"Bad cookbook path '{project}/nope': stat {project}/nope: no such file or directory; "
        f"Bad roles path '{project}/secret': %!s(<nil>)")


def test_sensitive_json_values_are_masked_in_output(project):
    from tests.fixtures import plans

    plan_file = plans.write_plan(project, plans.build("default", "docker", provisioners=[plans.provisioner(
        "chef-solo", {"skip_install": True, "json": {"db": {"password": "pa55-secret-word"}}})]),
        sensitive=["pa55-secret-word"])
    connection = FakeConnection(outputs={"chef-solo": b"node password is pa55-secret-word\n"})
    result = run_provisioner("chef_solo", None, connection, plan_file=plan_file, build="default", step=0)
    assert '"password": "pa55-secret-word"' in connection.uploads[f"{STAGE}/node.json"]
    assert "pa55-secret-word" not in str(result)
    assert "node password is <sensitive>" in ui_lines(result, "message")
