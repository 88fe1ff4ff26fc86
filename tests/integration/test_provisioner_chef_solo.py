"""chef-solo's contract over the docker_api connection, against a STRICT stand-in ``chef-solo``
(tests/fixtures/cm/chef-solo): real Chef cannot be installed here. The stand-in parses the
arguments, solo.rb and node.json as Chef does, refuses what Chef refuses (unknown options, an
unaccepted license, run_list items missing from the cookbooks) and applies file/directory resources.

Packer 1.6.6 run on the same template and stand-in printed the same provisioner lines (the
"Executing Chef" command, the stand-in's output) and wrote the same solo.rb and node.json."""

from __future__ import annotations

import io
import os
import sys
import tarfile
import uuid

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "plugins", "action"))
from provisioner_harness import BASE_IMAGE, in_container, run_tasks, ui_text, write_plan  # noqa: E402

pytestmark = pytest.mark.docker

STANDIN = os.path.join(os.path.dirname(os.path.dirname(__file__)), "fixtures", "cm", "chef-solo")
STAGE = "/tmp/packer-chef-solo"
FILES = {
    "cookbooks/web/metadata.rb": "name 'web'\n",
    "cookbooks/web/recipes/default.rb": (
        'directory "/etc/web" do\n  mode "0755"\nend\n'
        'file "/etc/web/greeting" do\n  content "#{node[\'web\'][\'greeting\']} from chef\\n"\nend\n'),
    "cookbooks/nometa/recipes/default.rb": 'file "/tmp/x" do\nend\n',
    "roles/base.json": '{"name": "base", "default_attributes": {"web": {"greeting": "hi"}}, "run_list": ["recipe[web]"]}\n',
    "envs/prod.json": '{"name": "prod"}\n',
}


def _install_standin(container):
    data = io.BytesIO()
    with tarfile.open(fileobj=data, mode="w") as archive:
        archive.add(STANDIN, arcname="chef-solo")
    container.put_archive("/usr/local/bin", data.getvalue())


@pytest.fixture(scope="module")
def chef_container():
    import docker

    client = docker.from_env()
    created = client.containers.run(BASE_IMAGE, ["sleep", "infinity"], detach=True,
                                    name=f"cattle-test-chef-solo-{uuid.uuid4().hex[:8]}", labels={"cattle.test": "1"})
    try:
        _install_standin(created)
        yield created
    finally:
        created.remove(force=True)
        client.close()


def chef(**config):
    defaults = {"skip_install": True, "prevent_sudo": True, "cookbook_paths": ["cookbooks"]}
    return {"type": "chef-solo", "config": dict(defaults, **config)}


@pytest.fixture(scope="module")
def results(chef_container, tmp_path_factory):
    directory = tmp_path_factory.mktemp("chef")
    for name, text in FILES.items():
        (directory / name).parent.mkdir(parents=True, exist_ok=True)
        (directory / name).write_text(text)
    provisioners = [
        # 0: a role with attributes, an environment, JSON attributes overriding the role's
        chef(chef_license="accept-no-persist", roles_path="roles", environments_path="envs", chef_environment="prod",
             run_list=["role[base]"], json={"web": {"greeting": "hello <&>"}}),
        # 1: no accepted license: Chef's exit code 172
        chef(run_list=["recipe[web]"]),
        # 2: a run_list item no cookbook provides
        chef(chef_license="accept", run_list=["recipe[missing]"]),
        # 3: a cookbook without metadata
        chef(chef_license="accept", run_list=["nometa"]),
        # 4: an option chef-solo does not know (execute_command is the user's)
        chef(chef_license="accept", execute_command="chef-solo --bogus -c {{.ConfigPath}} -j {{.JsonPath}}"),
        # 5: install_command runs first (with its template data), then chef-solo
        chef(skip_install=False, chef_license="accept", install_command="echo installing {{.Version}} > /tmp/installed",
             version="18.2"),
        # 6: sudo by default: the base image has none, so the staging directory cannot be made
        {"type": "chef-solo", "config": {"skip_install": True}},
    ]
    plan = write_plan(directory, provisioners)
    tasks = [{"cattle.images.chef_solo": {"plan_file": plan, "build": "docker", "step": i}} for i in range(7)]
    return run_tasks(directory, tasks, container_name=chef_container.name, plan_file=plan)


def test_role_environment_and_json_applied(results, chef_container):
    assert not results[0].get("failed"), results[0]
    assert in_container(chef_container, "cat /etc/web/greeting") == (0, "hello <&> from chef\n")
    assert in_container(chef_container, "stat -c %a /etc/web")[1].strip() == "755"
    messages = ui_text(results[0], "message").splitlines()
    assert messages == [
        f"Creating directory: {STAGE}", f"Creating directory: {STAGE}/cookbooks-0", f"Creating directory: {STAGE}/roles",
        f"Creating directory: {STAGE}/environments", "Creating configuration file 'solo.rb'",
        "Creating JSON attribute file", f"Executing Chef: chef-solo --no-color -c {STAGE}/solo.rb -j {STAGE}/node.json",
        "Starting Chef Infra Client, version 18.0.0 (cattle stand-in)", "Running with run_list [role[base]]",
        "Converging 2 resources", "  * directory[/etc/web] action create", "  * file[/etc/web/greeting] action create",
        "Chef Infra Client finished, 2/2 resources updated"]


@pytest.mark.parametrize(("index", "code", "said"), [
    (1, 172, "cannot execute without accepting the license"),
    (2, 1, "Cookbook missing not found"),
    (3, 1, "No metadata.rb or metadata.json found for cookbook nometa"),
    (4, 2, "invalid option: --bogus"),
])
def test_chef_refusals_fail_the_build_with_chefs_exit_code(results, index, code, said):
    assert results[index]["failed"] is True
    assert results[index]["msg"] == f"Error executing Chef: Non-zero exit status: {code}"
    assert said in ui_text(results[index], "error")


def test_install_command_runs_first(results, chef_container):
    assert not results[5].get("failed"), results[5]
    assert in_container(chef_container, "cat /tmp/installed") == (0, "installing 18.2\n")
    assert ui_text(results[5], "message").splitlines()[0] == "Installing Chef..."


def test_sudo_is_used_unless_prevented(results):
    assert results[6]["failed"] is True
    assert results[6]["msg"].startswith("Error creating staging directory: Non-zero exit status.")


def test_over_ssh_as_an_unprivileged_user(sshd_target, tmp_path):
    """The same contract over Ansible's ssh connection: the user is not root, the stand-in is uploaded first."""
    from tests.fixtures import plans
    from tests.fixtures.playbook import run_on_build_host

    for name, text in FILES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text.replace("/etc/web", "/tmp/web"))
    (tmp_path / "home" / ".ssh").mkdir(parents=True)
    comm_config = {"communicator": "ssh", "ssh_username": sshd_target.username, "ssh_port": sshd_target.port,
                   "ssh_password": sshd_target.password, "ssh_timeout": "30s"}
    tasks = [
        {"name": "connect", "ansible.builtin.import_role": {"name": "cattle.images.communicator", "tasks_from": "connect"},
         "vars": {"cattle_comm_config": "{{ comm_config }}", "cattle_comm_host": "127.0.0.1",
                  "cattle_comm_retry_interval": 1}},
        {"name": "stand-in", "cattle.images.file": {"config": {"source": STANDIN, "destination": "/tmp/chef-solo"}}},
        # Through a plan, as builds do: Ansible must not template the Go template in execute_command.
        {"name": "chef", "cattle.images.chef_solo": {"plan_file": "{{ cattle_build.plan_file }}", "build": "vm", "step": 0}},
    ]
    plan_file = plans.write_plan(tmp_path, plans.build("vm", "null", provisioners=[plans.provisioner("chef-solo", {
        "skip_install": True, "prevent_sudo": True, "chef_license": "accept", "cookbook_paths": ["cookbooks"],
        "roles_path": "roles", "run_list": ["role[base]"], "staging_directory": "/tmp/chef-staging",
        "execute_command": "/tmp/chef-solo --no-color -c {{.ConfigPath}} -j {{.JsonPath}}"})]))
    build = {"name": "vm", "type": "null", "id": "ssh0002", "run_uuid": "11111111-2222-3333-4444-555555555555",
             "force": False, "on_error": "cleanup", "debug": False, "plan_file": plan_file}
    environ = {key: value for key, value in os.environ.items() if key != "ANSIBLE_HOST_KEY_CHECKING"}
    results, completed = run_on_build_host(tmp_path, build, tasks, {"comm_config": comm_config},
                                           home=tmp_path / "home", environ=environ)
    assert not results["chef"].get("failed"), (results["chef"].get("msg"), results["stand-in"], completed.stdout[-3000:])
    assert "Chef Infra Client finished, 2/2 resources updated" in ui_text(results["chef"])
    assert sshd_target.exec("cat /tmp/web/greeting", user=sshd_target.username) == (0, "hi from chef\n")
    assert sshd_target.exec("stat -c %U /tmp/chef-staging/solo.rb")[1].strip() == sshd_target.username
