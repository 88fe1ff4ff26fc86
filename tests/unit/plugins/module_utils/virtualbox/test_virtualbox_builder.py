"""The builder step by step against a fake VBoxManage that models the machines (see conftest.py).

Tests check what the builder leaves behind: the VM's settings, media, NAT rules, keys typed,
what was exported and what was removed, not the order of the commands that got there. Whether
VirtualBox's grammar accepts those commands is the integration tests' business (the stand-in).
"""

from __future__ import annotations

import json
import os
import tempfile

import pytest

from ansible_collections.cattle.images.plugins.module_utils.ledger import Ledger
from ansible_collections.cattle.images.plugins.module_utils.virtualbox import builder
from ansible_collections.cattle.images.plugins.module_utils.virtualbox import driver as vbox
from ansible_collections.cattle.images.plugins.module_utils.virtualbox.config import normalize
from tests.fixtures.ports import free_port

NO_WAIT = {"sleep": lambda _seconds: None}


@pytest.fixture(autouse=True)
def private_tmp(tmp_path, monkeypatch):
    # The builder's private directory lives under the temp dir: keep it inside the test's.
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))


@pytest.fixture
def iso_file(tmp_path):
    path = tmp_path / "debian.iso"
    path.write_bytes(b"an installer")
    return str(path)


def iso_config(tmp_path, iso_file, **options):
    raw = {"iso_url": iso_file, "iso_checksum": "none", "ssh_username": "root", "guest_additions_mode": "disable",
           "headless": True, "boot_wait": "0s", "shutdown_timeout": "5s", "post_shutdown_delay": "0s", **options}
    return normalize(raw, "virtualbox-iso", build_name="deb", cwd=str(tmp_path), environ={})


def test_an_iso_build_step_by_step(tmp_path, iso_file, fake_vboxmanage):
    ssh_port, vrdp_port = free_port(), free_port()
    ledger = Ledger(str(tmp_path / "ledger.jsonl"))
    config = iso_config(tmp_path, iso_file, boot_command=["<enter>Hi<wait1s>{{ .Name }}"], host_port_min=ssh_port,
                        host_port_max=ssh_port, vrdp_port_min=vrdp_port, vrdp_port_max=vrdp_port,
                        vboxmanage=[["modifyvm", "{{.Name}}", "--memory", "1024"]],
                        vboxmanage_post=[["modifyvm", "{{ .Name }}", "--description", "port {{ .HTTPPort }}"]])
    driver = vbox.Driver(fake_vboxmanage.path)
    ui = builder.Ui()
    source = builder.launch(config, "b1", "deb", ledger=ledger, ui=ui, driver=driver, environ={}, **NO_WAIT)

    out = str(tmp_path / "output-deb")
    disk = f"{out}/packer-deb.vdi"
    vm = fake_vboxmanage.machine("packer-deb")
    assert fake_vboxmanage.registered() == {"packer-deb": "running"}
    assert vm["media"] == {"IDE Controller-0-0": disk, "IDE Controller-0-1": iso_file} and os.path.isfile(disk)
    assert vm["natpf"] == {"packercomm": f"tcp,127.0.0.1,{ssh_port},,22"}
    assert vm["settings"]["--memory"] == "1024"  # the user's vboxmanage row, applied after the builder's own
    assert vm["settings"]["--vrde"] == "on" and vm["settings"]["--vrde-port"] == str(vrdp_port)
    assert vm["settings"]["--vrde-address"] == "127.0.0.1"
    # <enter>, H (shifted), i, then after the wait the VM's name: p a c k e r - d e b
    assert vm["typed"] == ["1c", "9c", "2a", "23", "a3", "aa", "17", "97",
                           "19", "99", "1e", "9e", "2e", "ae", "25", "a5", "12", "92", "13", "93", "0c", "8c",
                           "20", "a0", "12", "92", "30", "b0"]
    assert source["host"] == "127.0.0.1" and source["port"] == ssh_port and source["vm_name"] == "packer-deb"
    assert source["virtualbox_version"] == "7.0.14" and source["vrdp_port"] == vrdp_port and source["http_port"] is None
    assert source["version_file"] == ".vbox_version" and source["guest_additions_upload"] == ""
    assert ["say", "Creating virtual machine..."] in ui.lines
    assert ["message", "Executing: modifyvm packer-deb --memory 1024"] in ui.lines
    assert {entry["kind"] for entry in ledger.entries()} == {"virtualbox_vm", "virtualbox_output_directory"}

    assert builder.shutdown_command(config) == ""
    builder.stop(config, "b1", shutdown_sent=False, ui=ui, driver=driver, **NO_WAIT)
    assert fake_vboxmanage.registered() == {"packer-deb": "poweroff"}

    artifact = builder.capture(config, "b1", "deb", ledger=ledger, ui=ui, driver=driver)
    with open(f"{out}/packer-deb.ovf", encoding="utf-8") as handle:
        exported = json.load(handle)  # the VM as the fake exported it
    assert exported["media"] == {"IDE Controller-0-0": disk, "IDE Controller-0-1": "none"}  # the ISO detached
    assert exported["natpf"] == {}  # the SSH forwarding rule is not shipped
    assert exported["settings"]["--description"] == "port 0"  # vboxmanage_post ran before the export
    assert fake_vboxmanage.registered() == {}
    assert artifact == {
        "id": "VM", "builder_id": "mitchellh.virtualbox", "builder_type": "virtualbox-iso", "build_name": "deb",
        # The fake's unregistervm --delete does not delete the VDI; VirtualBox's does.
        "files": [f"{out}/packer-deb.ovf", disk],
        "string": f"VM files in directory: {out}",
        "metadata": {"vm_name": "packer-deb", "output_directory": out, "export": f"{out}/packer-deb.ovf",
                     "keep_registered": False},
    }
    assert [entry["kind"] for entry in ledger.entries()] == ["virtualbox_output_directory"]

    assert builder.remove("b1", keep_output=True, ledger=ledger, driver=driver) is True  # the private dir
    assert os.path.isfile(f"{out}/packer-deb.ovf")
    assert ledger.entries() == [] and not os.path.exists(builder.work_dir("b1"))


def test_shutdown_command_sent_then_keep_registered(tmp_path, iso_file, fake_vboxmanage):
    config = iso_config(tmp_path, iso_file, shutdown_command="poweroff", keep_registered=True, skip_export=True,
                        communicator="none", guest_additions_mode="attach", virtualbox_version_file="",
                        guest_additions_url=iso_file)
    driver = vbox.Driver(fake_vboxmanage.path)
    source = builder.launch(config, "b2", "deb", driver=driver, environ={}, **NO_WAIT)
    vm = fake_vboxmanage.machine("packer-deb")
    assert source["port"] == 0 and vm["natpf"] == {}  # communicator none: nothing to forward
    assert vm["media"]["IDE Controller-1-0"] == iso_file  # guest_additions_mode attach: the ISO on a 2nd drive
    fake_vboxmanage.set_state(vms={"packer-deb": "poweroff"})  # the guest ran the shutdown command
    builder.stop(config, "b2", shutdown_sent=True, driver=driver, **NO_WAIT)
    ui = builder.Ui()
    artifact = builder.capture(config, "b2", "deb", ui=ui, driver=driver)
    assert not os.path.exists(tmp_path / "output-deb" / "packer-deb.ovf")  # skip_export
    assert ["say", "Keeping virtual machine registered with VirtualBox host (keep_registered = true)"] in ui.lines
    assert artifact["files"] == [str(tmp_path / "output-deb" / "packer-deb.vdi")]
    builder.remove("b2", keep_output=True, driver=driver)
    assert fake_vboxmanage.state()["vms"] == {"packer-deb": "poweroff"}  # kept, as asked


def test_acpi_shutdown_that_never_ends_fails_and_powers_off(tmp_path, iso_file, fake_vboxmanage):
    config = iso_config(tmp_path, iso_file, acpi_shutdown=True, shutdown_timeout="0s")
    driver = vbox.Driver(fake_vboxmanage.path)
    builder.launch(config, "b3", "deb", driver=driver, environ={}, **NO_WAIT)
    fake_vboxmanage.set_state(ignore_acpi=True)
    with pytest.raises(builder.VirtualBoxError, match="Timeout while waiting for machine to shutdown."):
        builder.stop(config, "b3", driver=driver, **NO_WAIT)
    assert fake_vboxmanage.registered() == {"packer-deb": "poweroff"}  # powered off after all


def failed_launch(tmp_path, iso_file, fake_vboxmanage, build_id, error):
    """Launch the ISO build ``build_id``, which must fail with ``error`` (a regular expression); returns its ledger."""
    ledger = Ledger(str(tmp_path / "ledger.jsonl"))
    with pytest.raises(builder.VirtualBoxError, match=error):
        builder.launch(iso_config(tmp_path, iso_file), build_id, "deb", ledger=ledger,
                       driver=vbox.Driver(fake_vboxmanage.path), environ={}, **NO_WAIT)
    return ledger


def test_someone_elses_vm_of_the_same_name_is_left_alone(tmp_path, iso_file, fake_vboxmanage):
    fake_vboxmanage.set_state(vms={"packer-deb": "running"})
    ledger = failed_launch(tmp_path, iso_file, fake_vboxmanage, "b4",
                           "a virtual machine named 'packer-deb' is already registered")
    assert ledger.entries() == [] and ledger.sweep() == []
    assert builder.remove("b4", keep_output=False) is False  # the role's cleanup after the failed launch
    assert fake_vboxmanage.registered() == {"packer-deb": "running"}
    assert "packer-deb" not in fake_vboxmanage.state().get("machines", {})  # not even its settings touched
    assert not os.path.exists(tmp_path / "output-deb")


def test_a_failed_launch_removes_its_vm_and_output(tmp_path, iso_file, fake_vboxmanage):
    fake_vboxmanage.set_state(fail={"storagectl": "Code E_INVALIDARG: no such controller type"})
    ledger = failed_launch(tmp_path, iso_file, fake_vboxmanage, "b5",
                           "Error creating hard drive: VBoxManage error: .*no such controller")
    assert fake_vboxmanage.registered() == {}
    assert not os.path.exists(tmp_path / "output-deb") and not os.path.exists(builder.work_dir("b5"))
    assert ledger.entries() == []


def test_an_ovf_import_replaces_a_stale_nat_rule(tmp_path, fake_vboxmanage):
    ova = tmp_path / "base.ova"
    ova.write_bytes(b"an appliance")
    ssh_port = free_port()
    config = normalize({"source_path": "base.ova", "ssh_username": "root", "guest_additions_mode": "disable",
                        "headless": True, "boot_wait": 0, "import_opts": "keepallmacs", "format": "ova",
                        "host_port_min": ssh_port, "host_port_max": ssh_port},
                       "virtualbox-ovf", build_name="deb", cwd=str(tmp_path), environ={})
    # The appliance was exported from a VM that Packer built: it carries a stale packercomm rule.
    fake_vboxmanage.set_state(appliance_natpf={"packercomm": "tcp,127.0.0.1,2222,,22"})
    driver = vbox.Driver(fake_vboxmanage.path)
    builder.launch(config, "b6", "deb", driver=driver, environ={}, **NO_WAIT)
    assert ["import", str(ova), "--vsys", "0", "--vmname", "packer-deb", "--options", "keepallmacs"] \
        in fake_vboxmanage.calls  # the import options as given
    vm = fake_vboxmanage.machine("packer-deb")
    assert vm["natpf"] == {"packercomm": f"tcp,127.0.0.1,{ssh_port},,22"}
    assert vm["media"] == {}  # no boot ISO for an import
    builder.stop(config, "b6", driver=driver, **NO_WAIT)
    artifact = builder.capture(config, "b6", "deb", driver=driver)
    assert artifact["files"] == [str(tmp_path / "output-deb" / "packer-deb.ova")]
    assert artifact["builder_type"] == "virtualbox-ovf"


def test_http_server_port_reaches_vboxmanage_rows(tmp_path, iso_file, fake_vboxmanage):
    http_port = free_port()
    config = iso_config(tmp_path, iso_file, http_content={"/preseed.cfg": "d-i"}, http_port_min=http_port,
                        http_port_max=http_port, vboxmanage=[["setextradata", "{{.Name}}", "http", "{{.HTTPIP}}:{{.HTTPPort}}"]])
    ledger = Ledger(str(tmp_path / "ledger.jsonl"))
    driver = vbox.Driver(fake_vboxmanage.path)
    source = builder.launch(config, "b7", "deb", ledger=ledger, driver=driver, environ={}, **NO_WAIT)
    try:
        assert source["http_port"] == http_port
        assert fake_vboxmanage.machine("packer-deb")["extradata"] == {"http": f"10.0.2.2:{http_port}"}
        assert "process" in {entry["kind"] for entry in ledger.entries()}
    finally:
        builder.remove("b7", keep_output=False, ledger=ledger, driver=driver)
    assert fake_vboxmanage.registered() == {}  # powered off, then unregistered (the fake refuses it running)
    assert ledger.entries() == [] and not os.path.exists(tmp_path / "output-deb")


def test_guest_additions_found_and_missing(tmp_path, iso_file, fake_vboxmanage, monkeypatch):
    additions = tmp_path / "VBoxGuestAdditions.iso"
    additions.write_bytes(b"additions")
    fake_vboxmanage.set_state(additions=str(additions))
    config = iso_config(tmp_path, iso_file, guest_additions_mode="upload",
                        guest_additions_path="/tmp/VBoxGuestAdditions_{{ .Version }}.iso")
    driver = vbox.Driver(fake_vboxmanage.path)
    source = builder.launch(config, "b8", "deb", driver=driver, environ={}, **NO_WAIT)
    assert source["guest_additions_upload"] == str(additions)
    assert source["guest_additions_path"] == "/tmp/VBoxGuestAdditions_7.0.14.iso"
    builder.remove("b8", keep_output=False, driver=driver)

    fake_vboxmanage.set_state(additions="")
    # Whatever VirtualBox this machine may have installed, the well-known places hold nothing here.
    monkeypatch.setattr(vbox, "GUEST_ADDITIONS_CANDIDATES", (str(tmp_path / "nowhere" / "VBoxGuestAdditions.iso"),))
    with pytest.raises(builder.VirtualBoxError, match=r"Couldn't find the VirtualBox guest additions ISO .*"
                                                      r"guest_additions_mode to \"disable\""):
        builder.launch(config, "b9", "deb", driver=driver, environ={}, **NO_WAIT)
    assert not os.path.exists(tmp_path / "output-deb")


def test_ledger_sweep_powers_off_before_unregistering(tmp_path, fake_vboxmanage):
    fake_vboxmanage.set_state(vms={"packer-deb": "running", "other": "running"})
    work = tmp_path / "tmp" / f"{builder.WORK_PREFIX}zz"
    work.mkdir()
    ledger = Ledger(str(tmp_path / "ledger.jsonl"))
    ledger.record(build="deb", kind=builder.VM_KIND, name="packer-deb", vboxmanage=fake_vboxmanage.path,
                  work_dir=str(work))
    assert ledger.sweep() == []  # the fake refuses to unregister a running VM: it was powered off first
    assert fake_vboxmanage.registered() == {"other": "running"} and not work.exists()

    # Idempotent: a VM already gone is success, and nothing else is touched.
    ledger.record(build="deb", kind=builder.VM_KIND, name="packer-deb", vboxmanage=fake_vboxmanage.path)
    assert ledger.sweep() == []
    assert fake_vboxmanage.registered() == {"other": "running"}


def test_state_file_is_private(tmp_path, iso_file, fake_vboxmanage):
    builder.launch(iso_config(tmp_path, iso_file), "b10", "deb", driver=vbox.Driver(fake_vboxmanage.path),
                   environ={}, **NO_WAIT)
    path = os.path.join(builder.work_dir("b10"), "state.json")
    assert os.stat(path).st_mode & 0o777 == 0o600
    with open(path, encoding="utf-8") as handle:
        assert json.load(handle)["vboxmanage"] == fake_vboxmanage.path
    assert os.stat(builder.work_dir("b10")).st_mode & 0o777 == 0o700


@pytest.mark.parametrize("options, expected", [
    ({"shutdown_command": "sudo poweroff"}, "sudo poweroff"),
    ({"shutdown_command": "sudo poweroff", "acpi_shutdown": True}, ""),
    ({"shutdown_command": "sudo poweroff", "disable_shutdown": True}, ""),
    # With communicator none the build host's connection is the controller itself: never send it.
    ({"shutdown_command": "sudo poweroff", "communicator": "none", "virtualbox_version_file": ""}, ""),
])
def test_shutdown_command_only_when_packer_sends_one(tmp_path, iso_file, options, expected):
    assert builder.shutdown_command(iso_config(tmp_path, iso_file, **options)) == expected


@pytest.mark.parametrize("options", [
    {"communicator": "none", "virtualbox_version_file": ""},
    {"skip_nat_mapping": True},
    {},
])
def test_the_guest_reaches_the_host_whenever_it_needs_to(tmp_path, iso_file, fake_vboxmanage, options):
    # VirtualBox 7's NAT keeps the guest off the host's loopback unless told: the HTTP server at
    # 10.0.2.2 needs it, with or without a communicator's port forward.
    config = iso_config(tmp_path, iso_file, http_content={"/ks.cfg": "text"}, **options)
    driver = vbox.Driver(fake_vboxmanage.path)
    builder.launch(config, "b11", "deb", driver=driver, environ={}, **NO_WAIT)
    try:
        assert fake_vboxmanage.machine("packer-deb")["settings"]["--nat-localhostreachable1"] == "on"
    finally:
        builder.remove("b11", keep_output=False, driver=driver)


def test_virtualbox_6_is_spoken_to_in_its_own_grammar(tmp_path, iso_file, fake_vboxmanage):
    fake_vboxmanage.set_state(version="6.1.50r161033")
    ssh_port = free_port()
    config = iso_config(tmp_path, iso_file, http_content={"/ks.cfg": "text"}, host_port_min=ssh_port,
                        host_port_max=ssh_port)
    driver = vbox.Driver(fake_vboxmanage.path)
    builder.launch(config, "b12", "deb", driver=driver, environ={}, **NO_WAIT)
    try:  # the launch started the http_content server: removed at the end, as the role's cleanup does
        vm = fake_vboxmanage.machine("packer-deb")
        assert "--nat-localhostreachable1" not in vm["settings"]  # 6.1 has no such option (nor the need)
        assert vm["natpf"] == {"packercomm": f"tcp,127.0.0.1,{ssh_port},,22"}
        assert vm["settings"]["--usbohci"] == "off" and vm["settings"]["--rtcuseutc"] == "off"
        assert not [argv for argv in fake_vboxmanage.calls
                    if any(arg.startswith(("--nat-pf", "--nic-type", "--audio-")) for arg in argv)]
        builder.stop(config, "b12", driver=driver, **NO_WAIT)
        builder.capture(config, "b12", "deb", driver=driver)
        assert ["modifyvm", "packer-deb", "--natpf1", "delete", "packercomm"] in fake_vboxmanage.calls
    finally:
        builder.remove("b12", keep_output=True, driver=driver)


def test_virtualbox_older_than_6_1_is_refused_before_anything_is_made(tmp_path, iso_file, fake_vboxmanage):
    fake_vboxmanage.set_state(version="6.0.24r139119")
    with pytest.raises(builder.VirtualBoxError, match=r"VirtualBox 6\.0\.24 .* is too old: .* VirtualBox 6\.1 and later"):
        builder.launch(iso_config(tmp_path, iso_file), "b13", "deb", driver=vbox.Driver(fake_vboxmanage.path),
                       environ={}, **NO_WAIT)
    assert fake_vboxmanage.calls == [["--version"]]
    assert not os.path.exists(tmp_path / "output-deb")


def ovf_config(tmp_path, **options):
    (tmp_path / "base.ova").write_bytes(b"an appliance")
    return normalize({"source_path": "base.ova", "ssh_username": "root", "headless": True, "boot_wait": 0,
                      "guest_additions_mode": "attach", **options},
                     "virtualbox-ovf", build_name="deb", cwd=str(tmp_path), environ={})


def test_an_imported_vm_keeps_its_controller_names_and_the_additions_go_on_them(tmp_path, fake_vboxmanage):
    additions = tmp_path / "VBoxGuestAdditions.iso"
    additions.write_bytes(b"additions")
    # As the VirtualBox GUI names them; an import keeps the appliance's names.
    fake_vboxmanage.set_state(additions=str(additions), appliance_controllers=[["SATA", "IntelAhci"], ["IDE", "PIIX4"]])
    driver = vbox.Driver(fake_vboxmanage.path)
    config = ovf_config(tmp_path)
    builder.launch(config, "b14", "deb", driver=driver, environ={}, **NO_WAIT)
    assert fake_vboxmanage.machine("packer-deb")["media"] == {"IDE-1-0": str(additions)}
    builder.stop(config, "b14", driver=driver, **NO_WAIT)
    builder.capture(config, "b14", "deb", driver=driver)
    with open(tmp_path / "output-deb" / "packer-deb.ovf", encoding="utf-8") as handle:
        assert json.load(handle)["media"] == {"IDE-1-0": "none"}  # detached before the export

    fake_vboxmanage.set_state(appliance_controllers=[["SATA", "IntelAhci"]])
    with pytest.raises(builder.VirtualBoxError, match=r"guest_additions_interface 'ide': the imported VM has no ide "
                                                      r"storage controller .*'SATA' \(IntelAhci\)"):
        builder.launch(ovf_config(tmp_path, output_directory="out-15"), "b15", "deb", driver=driver, environ={},
                       **NO_WAIT)
    assert fake_vboxmanage.registered() == {}  # the imported VM removed again
    sata = ovf_config(tmp_path, guest_additions_interface="sata", output_directory="out-16")
    builder.launch(sata, "b16", "deb", driver=driver, environ={}, **NO_WAIT)
    assert fake_vboxmanage.machine("packer-deb")["media"] == {"SATA-14-0": str(additions)}
    builder.remove("b16", keep_output=False, driver=driver)
