"""cattle.images.qemu as Ansible runs it: one playbook on localhost walking a VM through
started / stopped / captured / absent, plus the errors users see and a ledger sweep."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import pytest
import yaml

from ansible_collections.cattle.images.plugins.module_utils import process
from ansible_collections.cattle.images.plugins.module_utils.ledger import Ledger
from ansible_collections.cattle.images.plugins.module_utils.qemu import builder
from tests.fixtures import qemu_image

VENV_BIN = os.path.dirname(sys.executable)
SECRET = "pa55-" + uuid.uuid4().hex[:8]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def disk():
    reason = qemu_image.qemu_available()
    if reason:
        pytest.skip(reason)
    return qemu_image.ensure_qemu_image()


def run_playbook(tmp_path, tasks):
    playbook = tmp_path / "play.yml"
    playbook.write_text(yaml.safe_dump([{
        "hosts": "localhost", "gather_facts": False, "connection": "local",
        "vars": {"ansible_python_interpreter": "{{ ansible_playbook_python }}"},
        "tasks": tasks,
    }]))
    env = dict(os.environ, ANSIBLE_STDOUT_CALLBACK="json", ANSIBLE_NOCOLOR="1", ANSIBLE_LOCALHOST_WARNING="0")
    proc = subprocess.run([os.path.join(VENV_BIN, "ansible-playbook"), "-i", "localhost,", str(playbook)],
                          capture_output=True, text=True, env=env, cwd=str(tmp_path), timeout=240, check=False)
    report = json.loads(proc.stdout)
    results = {}
    for task in report["plays"][0]["tasks"]:
        results[task["task"]["name"]] = task["hosts"]["localhost"]
    return results, proc.stdout + proc.stderr


def qemu_task(name, state, build_id, build, plan_file, **extra):
    args = {"state": state, "build_id": build_id, "build_name": build, "plan_file": plan_file, **extra}
    if state == "absent":
        args.pop("plan_file")
    return {"name": name, "cattle.images.qemu": args, "ignore_errors": True}


@pytest.fixture(scope="module")
def outcome(disk, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("qemu-module")
    build_id = "t" + uuid.uuid4().hex[:10]
    common = {"iso_url": disk, "iso_checksum": "none", "disk_image": True, "use_backing_file": True,
              "accelerator": "tcg", "headless": True, "communicator": "none", "boot_wait": "1s",
              "disk_size": "1024M"}
    plan = {"cwd": str(tmp_path), "sensitive_values": [SECRET], "builds": [
        {"name": "vm", "type": "qemu", "config": dict(common, http_content={"seed": SECRET},
                                                      boot_command=["<esc>" + SECRET + "<enter>"])},
        {"name": "clash", "type": "qemu", "config": dict(common, output_directory="output-vm")},
        {"name": "bad", "type": "qemu", "config": {"iso_url": "", "format": "vmdk", "colour": 1,
                                                   "ssh_password": SECRET}},
    ]}
    plan_file = str(tmp_path / "plan.json")
    (tmp_path / "plan.json").write_text(json.dumps(plan))
    ledger = str(tmp_path / "ledger.jsonl")
    tasks = [
        qemu_task("bad config", "started", build_id, "bad", plan_file),
        dict(qemu_task("check", "started", build_id, "vm", plan_file), check_mode=True),
        qemu_task("start", "started", build_id, "vm", plan_file, ledger=ledger),
        {"name": "running", "ansible.builtin.command": f"pgrep -f {builder.qemu_marker(build_id)}",
         "ignore_errors": True},
        qemu_task("clash", "started", "other" + build_id, "clash", plan_file),
        qemu_task("halt", "stopped", build_id, "vm", plan_file),
        qemu_task("capture", "captured", build_id, "vm", plan_file, accelerator="tcg"),
        qemu_task("absent", "absent", build_id, "vm", plan_file, ledger=ledger,
                  output_directory=str(tmp_path / "output-vm")),
        qemu_task("absent again", "absent", build_id, "vm", plan_file, ledger=ledger),
    ]
    results, text = run_playbook(tmp_path, tasks)
    return {"results": results, "text": text, "tmp_path": tmp_path, "ledger": ledger, "build_id": build_id}


def test_a_bad_config_is_one_clear_paragraph(outcome):
    bad = outcome["results"]["bad config"]
    assert bad["failed"]
    for expected in ("builds[bad]", "format 'vmdk'", "unknown configuration key: 'colour'",
                     "One of iso_url or iso_urls must be specified"):
        assert expected in bad["msg"]
    assert "Traceback" not in str(bad)


def test_check_mode_starts_nothing(outcome):
    check = outcome["results"]["check"]
    assert not check.get("failed") and check["changed"] and check["source"] is None


def test_started_runs_qemu_with_the_typed_secret_masked(outcome):
    start = outcome["results"]["start"]
    assert not start.get("failed"), start
    source = start["source"]
    assert source["accelerator"] == "tcg" and source["port"] == 0 and source["http_port"]
    assert source["disk"] == str(outcome["tmp_path"] / "output-vm" / "packer-vm")
    assert not outcome["results"]["running"].get("failed")  # pgrep found it
    assert SECRET not in outcome["text"]


def test_an_existing_output_directory_is_refused(outcome):
    clash = outcome["results"]["clash"]
    assert clash["failed"] and "Output directory exists" in clash["msg"] and "-force" in clash["msg"]


def test_halt_capture_and_absent(outcome):
    halt = outcome["results"]["halt"]
    assert not halt.get("failed") and halt["changed"]
    capture = outcome["results"]["capture"]
    assert not capture.get("failed"), capture["msg"]
    artifact = capture["artifact"]
    assert artifact["builder_id"] == "transcend.qemu" and artifact["id"] == "VM"  # Packer's qemu artifact id
    assert artifact["files"] == ["output-vm/packer-vm"]  # as the template wrote output_directory, as in Packer
    assert artifact["string"] == "VM files in directory: output-vm"
    assert artifact["metadata"]["domainType"] == "tcg" and artifact["metadata"]["diskType"] == "qcow2"
    assert outcome["results"]["absent"]["changed"] is True  # the work dir and the HTTP server
    assert outcome["results"]["absent again"]["changed"] is False
    assert (outcome["tmp_path"] / "output-vm" / "packer-vm").is_file()  # kept: keep_output defaults to true
    assert process.find(builder.qemu_marker(outcome["build_id"])) == []
    assert Ledger(outcome["ledger"]).entries() == []
    assert not os.path.exists(builder.work_dir(outcome["build_id"]))


def test_a_ledger_sweep_stops_the_vm_and_the_http_server_and_drops_the_output(disk, tmp_path):
    build_id = "s" + uuid.uuid4().hex[:10]
    plan = {"cwd": str(tmp_path), "sensitive_values": [], "builds": [
        {"name": "swept", "type": "qemu", "config": {
            "iso_url": disk, "iso_checksum": "none", "disk_image": True, "use_backing_file": True,
            "accelerator": "tcg", "headless": True, "communicator": "none", "boot_wait": "0s",
            "http_content": {"a": "b"}}},
    ]}
    (tmp_path / "plan.json").write_text(json.dumps(plan))
    ledger_path = str(tmp_path / "ledger.jsonl")
    results, text = run_playbook(tmp_path, [
        qemu_task("start", "started", build_id, "swept", str(tmp_path / "plan.json"), ledger=ledger_path)])
    assert not results["start"].get("failed"), text
    ledger = Ledger(ledger_path)
    kinds = sorted(entry["kind"] for entry in ledger.entries())
    assert kinds == ["process", "process", "qemu_output_directory"]
    assert process.find(builder.qemu_marker(build_id))
    assert ledger.sweep() == []
    assert process.find(builder.qemu_marker(build_id)) == []
    assert process.find(builder.work_dir(build_id)) == []  # the HTTP server too
    assert not (tmp_path / "output-swept").exists()
    assert not os.path.exists(builder.work_dir(build_id))


def test_later_states_read_the_launch_from_the_builds_state_file(disk, tmp_path):
    # No accelerator, no output_directory given: capture and cleanup read what the launch returned.
    build_id = "f" + uuid.uuid4().hex[:10]
    plan = {"cwd": str(tmp_path), "sensitive_values": [], "builds": [
        {"name": "stated", "type": "qemu", "config": {
            "iso_url": disk, "iso_checksum": "none", "disk_image": True, "use_backing_file": True,
            "accelerator": "tcg", "headless": True, "communicator": "none", "boot_wait": "0s",
            "skip_compaction": True}},
    ]}
    plan_file = str(tmp_path / "plan.json")
    (tmp_path / "plan.json").write_text(json.dumps(plan))
    ledger_path = str(tmp_path / "ledger.jsonl")
    results, text = run_playbook(tmp_path, [
        qemu_task("start", "started", build_id, "stated", plan_file, ledger=ledger_path),
        qemu_task("halt", "stopped", build_id, "stated", plan_file),
        qemu_task("capture", "captured", build_id, "stated", plan_file),
        qemu_task("absent", "absent", build_id, "stated", plan_file, ledger=ledger_path, keep_output=False),
    ])
    for name in ("start", "halt", "capture", "absent"):
        assert not results[name].get("failed"), text
    assert results["capture"]["artifact"]["metadata"]["domainType"] == "tcg"
    assert not (tmp_path / "output-stated").exists()  # the launch's output directory, from the state file
    assert not (tmp_path / f"build-{build_id}.json").exists()  # cleanup is the state file's end too
    assert Ledger(ledger_path).entries() == []
