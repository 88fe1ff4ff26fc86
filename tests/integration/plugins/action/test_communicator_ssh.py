"""The SSH communicator against a real sshd (tests/fixtures/sshd.py), driven by ansible-playbook.

Each playbook starts the build host on the local connection, as the fan-out play does, and
then does what a builder's launch.yml does: communicator facts → set_fact → wait; then the
shell and file provisioners run over the SSH connection.
"""

from __future__ import annotations

import os

import pytest

from ansible_collections.cattle.images.plugins.module_utils.ledger import Ledger
from tests.fixtures.playbook import run_on_build_host
from tests.fixtures.ports import free_port

pytestmark = pytest.mark.docker

BUILD = {"name": "vm", "type": "null", "id": "ssh0001", "run_uuid": "11111111-2222-3333-4444-555555555555",
         "force": False, "on_error": "cleanup", "debug": False}

# What a builder's launch.yml does once it knows where the machine is (roles/communicator).
CONNECT_TASKS = [
    {"name": "connect", "ansible.builtin.import_role": {"name": "cattle.images.communicator", "tasks_from": "connect"},
     "vars": {"cattle_comm_config": "{{ comm_config }}", "cattle_comm_host": "127.0.0.1",
              "cattle_comm_retry_interval": 1}},
]
FACTS = "Work out the communicator's connection"
WAIT = "Wait for the communicator"


@pytest.fixture(autouse=True)
def swept_ledger(tmp_path):
    """After each test, what a build's cleanup does with its ledger: the tasks here call the
    communicator directly, and its short SSH control-socket directories lie outside ``tmp_path``."""
    yield
    ledger_path = tmp_path / "ledger.jsonl"
    if ledger_path.exists():
        ledger = Ledger(str(ledger_path))
        recorded = [entry["name"] for entry in ledger.entries()]
        assert ledger.sweep() == []
        assert [name for name in recorded if os.path.exists(name)] == []


def run_playbook(directory, comm_config, tasks, plan_file=None, home=None, check=False):
    """Every task's result (all with ignore_errors) and the completed process."""
    environ = {key: value for key, value in os.environ.items()
               if key != "ANSIBLE_HOST_KEY_CHECKING"}  # our facts must do without it
    return run_on_build_host(directory, dict(BUILD, plan_file=plan_file), tasks, {"comm_config": comm_config},
                             home=home, options=["--check"] if check else [], environ=environ)


def ui_text(result):
    return "\n".join(text for _kind, text in result.get("ui", []))


def base_config(target, **extra):
    return dict({"communicator": "ssh", "ssh_username": target.username, "ssh_port": target.port,
                 "ssh_timeout": "30s"}, **extra)


def test_password_auth_runs_shell_and_file_provisioners(sshd_target, tmp_path):
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    upload = tmp_path / "hello.txt"
    upload.write_text("hello over ssh\n")
    config = base_config(sshd_target, ssh_password=sshd_target.password)
    tasks = CONNECT_TASKS + [
        {"name": "shell", "cattle.images.shell": {"config": {"inline": ["id -un", "echo shell-ok > /tmp/shell-ok"]}}},
        {"name": "file", "cattle.images.file": {"config": {"source": str(upload), "destination": "/tmp/hello.txt"}}},
        {"name": "failing", "cattle.images.shell": {"config": {"inline": ["exit 7"]}}},
    ]
    results, completed = run_playbook(tmp_path, config, tasks, home=home)
    facts = results[FACTS]
    assert not facts.get("failed"), facts
    assert "censored" in facts  # the facts hold the password: hidden from every display
    assert results[WAIT].get("failed") is not True, results[WAIT]
    assert "Waiting for SSH to become available..." in ui_text(results[WAIT])
    assert "Connected to SSH!" in ui_text(results[WAIT])
    assert not results["shell"].get("failed"), results["shell"]
    assert sshd_target.username in ui_text(results["shell"])
    assert sshd_target.exec("cat /tmp/shell-ok")[1].strip() == "shell-ok"
    assert not results["file"].get("failed"), results["file"]
    assert sshd_target.exec("cat /tmp/hello.txt")[1] == "hello over ssh\n"
    assert results["failing"]["failed"] is True
    assert "non-zero exit status: 7" in results["failing"]["msg"]
    # The password never shows, and no host key was written anywhere in HOME.
    assert sshd_target.password not in completed.stdout + completed.stderr
    assert not (home / ".ssh" / "known_hosts").exists()
    assert os.listdir(home / ".ssh") == []


def test_key_auth(sshd_target, tmp_path):
    config = base_config(sshd_target, ssh_private_key_file=sshd_target.private_key_file)
    tasks = CONNECT_TASKS + [{"name": "shell", "cattle.images.shell": {"config": {"inline": ["echo key-$((6*7))"]}}}]
    results, _completed = run_playbook(tmp_path, config, tasks)
    assert not results[WAIT].get("failed"), results[WAIT]
    assert "key-42" in ui_text(results["shell"])


def test_temporary_key_pair_injected_through_authorized_keys(sshd_target, tmp_path):
    """No credentials: state=key makes a pair; the 'builder' installs it; facts use it; cleanup removes it."""
    config = base_config(sshd_target, temporary_key_pair_type="ed25519", ssh_clear_authorized_keys=True)
    key_results, _completed = run_playbook(tmp_path, config, [
        {"name": "key", "ansible.builtin.import_role": {"name": "cattle.images.communicator", "tasks_from": "key"},
         "vars": {"cattle_comm_config": "{{ comm_config }}"}},
        {"name": "show", "ansible.builtin.debug": {"var": "cattle_generated"}},
    ])
    key = key_results["Make the temporary SSH key pair"]
    assert not key.get("failed"), key
    assert key["ssh_public_key"].startswith("ssh-ed25519 ")
    assert key["generated"] == {"SSHPublicKey": key["ssh_public_key"]}
    assert key_results["show"]["cattle_generated"] == {"SSHPublicKey": key["ssh_public_key"]}
    private_key = key["ssh_private_key_file"]
    assert oct(os.stat(private_key).st_mode & 0o777) == "0o600"
    assert oct(os.stat(os.path.dirname(private_key)).st_mode & 0o777) == "0o700"
    ledger = (tmp_path / "ledger.jsonl").read_text()
    assert '"kind": "ssh_key_dir"' in ledger and os.path.dirname(private_key) in ledger
    # The builder's part: put the public key on the machine.
    code, output = sshd_target.exec(
        f"echo '{key['ssh_public_key']}' >> ~{sshd_target.username}/.ssh/authorized_keys")
    assert code == 0, output

    results, _completed = run_playbook(tmp_path, config, [
        {"name": "again", "cattle.images.communicator": {"state": "key", "config": "{{ comm_config }}"},
         "delegate_to": "localhost"},
        *CONNECT_TASKS,
        {"name": "shell", "cattle.images.shell": {"config": {"inline": ["echo temp-key-ok"]}}},
        {"name": "clear", "cattle.images.communicator": {"state": "authorized_keys_cleared",
                                                         "config": "{{ comm_config }}"}},
        {"name": "absent", "cattle.images.communicator": {"state": "absent", "config": "{{ comm_config }}"},
         "delegate_to": "localhost"},
    ])
    assert results["again"]["ssh_public_key"] == key["ssh_public_key"]  # one key per build
    assert not results[WAIT].get("failed"), results[WAIT]
    assert "temp-key-ok" in ui_text(results["shell"])
    assert not results["clear"].get("failed"), results["clear"]
    assert key["ssh_public_key"].split()[1] not in sshd_target.authorized_keys_text()
    assert sshd_target.public_key.split()[1] in sshd_target.authorized_keys_text()  # other keys stay
    assert not os.path.exists(os.path.dirname(private_key))
    assert '"op": "release"' in (tmp_path / "ledger.jsonl").read_text()


def test_wrong_password_fails_after_handshake_attempts(sshd_target, tmp_path):
    config = base_config(sshd_target, ssh_password="not-the-password", ssh_handshake_attempts=2)
    results, completed = run_playbook(tmp_path, config, CONNECT_TASKS)
    wait = results[WAIT]
    assert wait["failed"] is True
    assert wait["msg"].startswith("Error waiting for SSH: Packer experienced an authentication error")
    assert wait["attempts"] == 2
    assert "not-the-password" not in completed.stdout + completed.stderr


def test_timeout_when_nothing_listens(tmp_path):
    config = {"ssh_username": "packer", "ssh_password": "x", "ssh_port": free_port(), "ssh_timeout": "3s"}
    results, _completed = run_playbook(tmp_path, config, CONNECT_TASKS)
    wait = results[WAIT]
    assert wait["failed"] is True
    assert wait["msg"] == "Timeout waiting for SSH."
    assert wait["attempts"] >= 2


def test_communicator_none_and_missing_username(tmp_path):
    results, _completed = run_playbook(tmp_path, {"communicator": "none"}, [
        {"name": "facts", "cattle.images.communicator": {"state": "facts", "config": "{{ comm_config }}"},
         "delegate_to": "localhost"},
        {"name": "wait", "cattle.images.communicator": {"state": "connected", "config": "{{ comm_config }}"}},
        {"name": "nouser", "cattle.images.communicator": {"state": "facts", "config": {"ssh_host": "h"}},
         "delegate_to": "localhost"},
        {"name": "badtype", "cattle.images.communicator": {"state": "facts", "config": {"communicator": "telnet"}},
         "delegate_to": "localhost"},
    ])
    assert results["facts"]["facts"] == {"cattle_communicator": "none"}
    assert not results["wait"].get("failed")
    assert results["nouser"]["failed"] is True and "ssh_username" in results["nouser"]["msg"]
    assert results["badtype"]["msg"] == "communicator: Communicator type telnet is invalid"


def test_check_mode_creates_nothing(tmp_path):
    config = {"ssh_username": "packer", "ssh_port": 2222}
    results, _completed = run_playbook(tmp_path, config, [
        {"name": "key", "cattle.images.communicator": {"state": "key", "config": "{{ comm_config }}"},
         "delegate_to": "localhost"},
        {"name": "facts", "cattle.images.communicator": {"state": "facts", "config": "{{ comm_config }}",
                                                         "host": "10.0.0.1"}, "delegate_to": "localhost"},
        {"name": "wait", "cattle.images.communicator": {"state": "connected", "config": "{{ comm_config }}"}},
    ], check=True)
    assert not results["key"].get("failed") and results["key"]["ssh_public_key"] == ""
    facts = results["facts"]["facts"]
    assert facts["ansible_host"] == "10.0.0.1" and facts["ansible_port"] == 2222
    assert facts["ansible_ssh_private_key_file"].endswith("/communicator-ssh0001/id_rsa")
    assert "Check mode: would wait for SSH" in ui_text(results["wait"])
    assert not (tmp_path / "communicator-ssh0001").exists() and not (tmp_path / "ledger.jsonl").exists()
