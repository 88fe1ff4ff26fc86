"""A tiny fake ``VBoxManage`` for the builder's unit tests: a model of the machines it is told about.

It keeps just enough of VirtualBox's state to show what the builder *did*: registered VMs and
their VMState, settings (``modifyvm``), storage controllers (an import takes the appliance's,
``appliance_controllers``) and attached media, NAT port-forwarding
rules (a second rule of the same name is refused, as VirtualBox does), extra data, the scancodes
typed, and exported appliances (the VM as it was when exported, as JSON). Tests assert on that
state, not on the argv sequence that produced it. It can fail a command on request (``fail``,
``fail_once``) and ignore the ACPI power button (``ignore_acpi``).

It checks nothing about VirtualBox's grammar and runs no machine: the QEMU-backed stand-in
(``tests/fixtures/vbox``) does, in the integration tests; on this machine one build against it
takes tens of seconds, too slow for these.
"""

from __future__ import annotations

import json
import os
import sys
import textwrap

import pytest

SCRIPT = r'''
import json, os, sys
args = sys.argv[1:]
here = os.path.dirname(os.path.abspath(__file__))
state_path = os.path.join(here, "state.json")
with open(os.path.join(here, "calls.jsonl"), "a") as log:
    log.write(json.dumps(args) + "\n")
try:
    with open(state_path) as handle:
        state = json.load(handle)
except OSError:
    state = {"vms": {}, "fail": {}}
machines = state.setdefault("machines", {})
def save():
    with open(state_path, "w") as handle:
        json.dump(state, handle)
def die(message):
    sys.stderr.write("VBoxManage: error: " + message + "\n")
    sys.exit(1)
def machine(name):
    if name not in vms:
        die("Could not find a registered machine named '%s'" % name)
    return machines.setdefault(name, {"settings": {}, "controllers": [], "controller_types": {}, "media": {},
                                      "natpf": {}, "extradata": {}, "typed": []})
for prefix, message in state.get("fail", {}).items():
    if " ".join(args).startswith(prefix):
        die(message)
for prefix, message in list(state.get("fail_once", {}).items()):
    if " ".join(args).startswith(prefix):
        del state["fail_once"][prefix]
        save()
        die(message)
vms = state["vms"]
if args == ["--version"]:
    print(state.get("version", "7.0.14r161095"))
elif args[:2] == ["list", "vms"]:
    for name in vms:
        print('"%s" {00000000-0000-0000-0000-%012d}' % (name, len(name)))
elif args[:2] == ["list", "systemproperties"]:
    print("Default Guest Additions ISO:     " + state.get("additions", ""))
elif args[0] == "showvminfo":
    if args[1] not in vms:
        die("Could not find a registered machine named '%s'" % args[1])
    print('name="%s"' % args[1])
    print('VMState="%s"' % vms[args[1]])
    for number, name in enumerate(machines.get(args[1], {}).get("controllers", [])):
        print('storagecontrollername%d="%s"' % (number, name))
        print('storagecontrollertype%d="%s"' % (number, machines[args[1]]["controller_types"][name]))
elif args[0] == "createvm":
    vms[args[args.index("--name") + 1]] = "poweroff"
elif args[0] == "import":
    name = args[args.index("--vmname") + 1]
    vms[name] = "poweroff"
    machine(name)["natpf"].update(state.get("appliance_natpf", {}))
    for controller, kind in state.get("appliance_controllers", []):
        machine(name)["controllers"].append(controller)
        machine(name)["controller_types"][controller] = kind
elif args[0] == "modifyvm":
    vm = machine(args[1])
    if vms[args[1]] != "poweroff":
        die("The machine '%s' is already locked for a session (or being unlocked)" % args[1])
    rest = args[2:]
    while rest:
        option = rest.pop(0)
        if option == "--natpf1":  # VirtualBox 6.1's spelling
            option = "--nat-pf1"
        if option == "--nat-pf1" and rest[0] == "delete":
            if vm["natpf"].pop(rest[1], None) is None:
                die("Code E_INVALIDARG: no NAT rule named '%s'" % rest[1])
            del rest[:2]
        elif option == "--nat-pf1":
            rule_name, _, rule = rest.pop(0).partition(",")
            if rule_name in vm["natpf"]:
                die("A NAT rule of this name already exists")
            vm["natpf"][rule_name] = rule
        else:
            vm["settings"][option] = rest.pop(0) if rest and not rest[0].startswith("--") else ""
elif args[0] == "storagectl":
    controller = args[args.index("--name") + 1]
    machine(args[1])["controllers"].append(controller)
    machine(args[1])["controller_types"][controller] = {"ide": "PIIX4", "sata": "IntelAhci", "scsi": "LsiLogic",
                                                        "pcie": "NVMe", "virtio": "VirtioSCSI"}[args[args.index("--add") + 1]]
elif args[0] == "storageattach":
    vm = machine(args[1])
    controller = args[args.index("--storagectl") + 1]
    if controller not in vm["controllers"]:
        die("Could not find a controller named '%s'" % controller)
    slot = "%s-%s-%s" % (controller, args[args.index("--port") + 1], args[args.index("--device") + 1])
    vm["media"][slot] = args[args.index("--medium") + 1]
elif args[0] == "setextradata":
    machine(args[1])["extradata"][args[2]] = args[3]
elif args[0] == "startvm":
    machine(args[1])
    vms[args[1]] = "running"
elif args[:1] == ["controlvm"] and args[2] == "keyboardputscancode":
    machine(args[1])["typed"].extend(args[3:])
elif args[:1] == ["controlvm"] and args[2] in ("poweroff", "acpipowerbutton"):
    if state.get("ignore_acpi") and args[2] == "acpipowerbutton":
        pass
    else:
        vms[args[1]] = "poweroff"
elif args[0] == "unregistervm":
    if args[1] not in vms:
        die("Could not find a registered machine named '%s'" % args[1])
    if vms[args[1]] != "poweroff":
        die("Cannot unregister the machine '%s' while it is locked" % args[1])
    del vms[args[1]]
    machines.pop(args[1], None)
elif args[0] == "createmedium":
    open(args[args.index("--filename") + 1], "w").close()
elif args[0] == "export":
    with open(args[args.index("--output") + 1], "w") as out:
        json.dump(dict(machine(args[1]), name=args[1]), out)
save()
'''


class FakeVBoxManage:
    def __init__(self, directory):
        self.directory = directory
        self.path = os.path.join(directory, "VBoxManage")
        with open(self.path, "w", encoding="utf-8") as handle:
            handle.write(f"#!{sys.executable}\n" + textwrap.dedent(SCRIPT))
        os.chmod(self.path, 0o755)

    @property
    def calls(self):
        try:
            with open(os.path.join(self.directory, "calls.jsonl"), encoding="utf-8") as handle:
                return [json.loads(line) for line in handle]
        except OSError:
            return []

    def state(self):
        try:
            with open(os.path.join(self.directory, "state.json"), encoding="utf-8") as handle:
                return json.load(handle)
        except OSError:
            return {"vms": {}, "fail": {}}

    def set_state(self, **changes):
        state = self.state()
        state.update(changes)
        with open(os.path.join(self.directory, "state.json"), "w", encoding="utf-8") as handle:
            json.dump(state, handle)

    def forget_calls(self):
        try:
            os.remove(os.path.join(self.directory, "calls.jsonl"))
        except FileNotFoundError:
            pass

    def machine(self, name):
        """A registered VM's model: settings, controllers, media, natpf, extradata, typed."""
        return self.state()["machines"][name]

    def registered(self):
        """{name: VMState} of the registered VMs."""
        return self.state()["vms"]


@pytest.fixture
def fake_vboxmanage(tmp_path):
    directory = tmp_path / "vbox"
    directory.mkdir()
    return FakeVBoxManage(str(directory))
