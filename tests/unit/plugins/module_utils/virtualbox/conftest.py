"""A tiny fake ``VBoxManage`` for the builder's unit tests: it records every argv and keeps just
enough state (registered VMs and their VMState) to answer ``list vms`` and ``showvminfo``.

It checks nothing about VirtualBox's grammar (that is the integration stand-in's job): these
tests pin the builder's own call sequence.
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
def save():
    with open(state_path, "w") as handle:
        json.dump(state, handle)
def die(message):
    sys.stderr.write("VBoxManage: error: " + message + "\n")
    sys.exit(1)
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
elif args[0] == "createvm":
    vms[args[args.index("--name") + 1]] = "poweroff"
elif args[0] == "import":
    vms[args[args.index("--vmname") + 1]] = "poweroff"
elif args[0] == "startvm":
    vms[args[1]] = "running"
elif args[:1] == ["controlvm"] and args[2] in ("poweroff", "acpipowerbutton"):
    if state.get("ignore_acpi") and args[2] == "acpipowerbutton":
        pass
    else:
        vms[args[1]] = "poweroff"
elif args[0] == "unregistervm":
    if args[1] not in vms:
        die("Could not find a registered machine named '%s'" % args[1])
    del vms[args[1]]
elif args[0] == "createmedium":
    open(args[args.index("--filename") + 1], "w").close()
elif args[0] == "export":
    with open(args[args.index("--output") + 1], "w") as out:
        out.write("<Envelope/>")
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

    def changing_calls(self):
        """The calls that change something (not the questions the builder asks)."""
        questions = (["--version"], ["list", "vms"], ["list", "systemproperties"])
        return [call for call in self.calls if call[:2] not in questions and call[0] != "showvminfo"]


@pytest.fixture
def fake_vboxmanage(tmp_path):
    directory = tmp_path / "vbox"
    directory.mkdir()
    return FakeVBoxManage(str(directory))
