"""`cattle build`: build images from a Packer template, on ansible-runner.

The template is loaded and validated here (fast, clear errors), the plan written into
a private run directory, and the collection's ``build_image`` playbook run through
ansible-runner. Whatever happens to that run — failure, SIGINT, SIGTERM — the ledger is
swept afterwards: ansible-playbook skips ``always`` on signals, this wrapper does not.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import tempfile

from cattle_cli import flags, process_tree
from cattle_cli.collection import playbook_path
from cattle_cli.templates import load_and_validate

FLAGS = [
    flags.Flag("var", "list", help="Variable for templates, can be used multiple times."),
    flags.Flag("var-file", "list", help="JSON or YAML file containing user variables."),
    flags.Flag("only", "csv", help="Build only the specified builds."),
    flags.Flag("except", "csv", help="Build all builds other than these."),
    flags.Flag("force", "bool", False, help="Force a build to continue if artifacts exist, deletes existing artifacts."),
    flags.Flag("on-error", "str", "cleanup", help="If the build fails do: clean up (default), abort, ask, or "
               "run-cleanup-provisioner.", choices=("cleanup", "abort", "ask", "run-cleanup-provisioner")),
    flags.Flag("parallel-builds", "int", 0, help="Number of builds to run in parallel. 0 (or less) means no limit."),
    flags.Flag("machine-readable", "bool", False, help="Produce machine-readable output."),
    flags.Flag("timestamp-ui", "bool", False, help="Prefix each line with an RFC3339 timestamp."),
    flags.Flag("color", "bool", True, help="Disable colour output with -color=false."),
    flags.Flag("debug", "bool", False, help="Debug mode enabled for builds."),
    flags.Flag("cache", "bool", False, help="Docker builds: commit a layer after each provisioner and reuse the "
               "longest unchanged prefix of steps (see 'cattle cache').")
]


class _Interrupted:
    """The signal handler, and ansible-runner's cancel callback: on the first call after a
    signal it freezes everything below this process, which :meth:`stop_leftovers` kills."""

    def __init__(self):
        self.signum = None
        self.frozen = None

    def __call__(self, signum, frame):
        self.signum = signum

    def __bool__(self):
        return self.signum is not None

    def cancel(self):
        if self.signum is None:
            return False
        if self.frozen is None:
            self.frozen = process_tree.freeze()
        return True

    def stop_leftovers(self):
        if self.frozen:
            process_tree.kill(self.frozen)


def run(argv):
    try:
        parsed = flags.parse(argv, FLAGS)
        if len(parsed.args) != 1:
            raise flags.UsageError("the build command expects exactly one argument: the template")
        variables = dict(flags.parse_var(v) for v in parsed.values["var"])
    except flags.UsageError as exc:
        sys.stderr.write(f"{exc}\n\n{flags.usage('build', '[options] TEMPLATE', FLAGS)}")
        return 1
    opts = parsed.values

    plan = load_and_validate(
        parsed.args[0], variables, opts["var-file"], opts["only"], opts["except"],
        force=opts["force"], machine_readable=opts["machine-readable"],
    )
    if plan is None:
        return 1
    if not plan["builds"]:
        return 0  # -only naming nothing builds nothing, as in Packer

    run_dir = tempfile.mkdtemp(prefix="cattle-run-")
    try:
        return _run_builds(plan, run_dir, opts)
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)


def _run_builds(plan, run_dir, opts):
    import ansible_runner  # imported late: validate errors should not pay for it

    from ansible_collections.cattle.images.plugins.module_utils.ledger import Ledger, manual_removal
    from ansible_collections.cattle.images.plugins.module_utils.plan_file import write_plan
    from ansible_collections.cattle.images.plugins.plugin_utils.output import PackerUI

    ui = PackerUI(
        write=lambda line: print(line, flush=True),
        machine_readable=opts["machine-readable"], timestamp=opts["timestamp-ui"], color=opts["color"],
        sensitive=plan.get("sensitive_values", ()),
    )
    plan_file = write_plan(plan, run_dir)
    os.mkdir(os.path.join(run_dir, "runner"), 0o700)
    ledger = Ledger(os.path.join(run_dir, "ledger.jsonl"))
    _no_pty_close_delay()
    interrupted = _Interrupted()
    previous = {sig: signal.signal(sig, interrupted) for sig in (signal.SIGINT, signal.SIGTERM)}
    forks = ansible_forks(opts["parallel-builds"], opts["debug"], len(plan["builds"]))
    try:
        runner = ansible_runner.run(
            private_data_dir=os.path.join(run_dir, "runner"),
            playbook=playbook_path(),
            extravars={
                "cattle_plan_file": plan_file,
                "force": opts["force"],
                "on_error": opts["on-error"],
                "cattle_debug": opts["debug"],
                "cache": opts["cache"],
            },
            envvars=_ansible_env(opts),
            forks=forks,
            cancel_callback=interrupted.cancel,
            quiet=False,
            suppress_ansible_output=False,
            json_mode=False,
        )
        status = runner.status
    finally:
        # Signals from here on must not stop the sweep.
        for sig in previous:
            signal.signal(sig, signal.SIG_IGN)
        # Ansible's workers outlive a cancelled ansible-playbook: stop them before sweeping.
        interrupted.stop_leftovers()
        keep = opts["on-error"] in ("abort", "run-cleanup-provisioner") and not interrupted
        leftovers = ledger.entries()
        if leftovers and keep:
            for entry in leftovers:
                ui.say(f"==> Leaving {entry['kind']} {entry['name']} of build '{entry['build']}' "
                       f"(-on-error={opts['on-error']}){manual_removal(entry)}")
        elif leftovers:
            for error in ledger.sweep(report=lambda e: ui.say(f"==> {e['build']}: Removed {e['kind']} {e['name']}")):
                ui.error(f"==> Cleanup failed: {error}")
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if interrupted:
        ui.error("Cleanly cancelled builds after being interrupted.")
        return 1
    return 0 if status == "successful" else 1


def ansible_forks(parallel_builds, debug, builds):
    """Ansible's forks for ``-parallel-builds``: below 1 means no limit, as in Packer; -debug runs
    the builds one at a time (as Packer does, so its pauses make sense)."""
    unlimited = max(builds, 5)  # the first play runs on localhost; more forks than builds change nothing
    if debug:
        return 1
    return min(parallel_builds, unlimited) if parallel_builds >= 1 else unlimited


def _no_pty_close_delay():
    """Skip ptyprocess's fixed 0.1 s pause when ansible-runner closes ansible-playbook's pty.

    Runner closes the pty only once the process has ended (or after killing it on cancel),
    and ptyprocess then sleeps ``delayafterclose`` "to let the kernel update the process
    status" before checking it: a tenth of a second on every build for nothing. A child
    still alive is terminated exactly as before.
    """
    try:
        from ptyprocess import PtyProcess
    except ImportError:  # pragma: no cover - ansible-runner depends on it through pexpect
        return
    if getattr(PtyProcess, "_cattle_no_close_delay", False):
        return
    original_close = PtyProcess.close

    def close(self, force=True):
        self.delayafterclose = 0
        return original_close(self, force=force)

    PtyProcess.close = close
    PtyProcess._cattle_no_close_delay = True


def _ansible_env(opts):
    env = {
        "ANSIBLE_STDOUT_CALLBACK": "cattle.images.packer",
        "ANSIBLE_LOCALHOST_WARNING": "False",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "False",
        "ANSIBLE_DEPRECATION_WARNINGS": "False",
        "ANSIBLE_RETRY_FILES_ENABLED": "False",
        "ANSIBLE_HOST_KEY_CHECKING": "False",
        "CATTLE_MACHINE_READABLE": "1" if opts["machine-readable"] else "0",
        "CATTLE_TIMESTAMP_UI": "1" if opts["timestamp-ui"] else "0",
        "CATTLE_COLOR": "1" if opts["color"] and sys.stdout.isatty() else "0",
        "CATTLE_LIVE": "1" if sys.stdout.isatty() and not opts["machine-readable"] else "0",
        "PYTHONUNBUFFERED": "1",
        # The ansible-playbook of this installation, not whatever PATH finds first.
        "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""),
        # ansible-playbook runs on runner's own pty: prompts go to the user's terminal by path.
        "CATTLE_TTY": _user_tty(),
    }
    if not env["CATTLE_COLOR"] == "1":
        env["ANSIBLE_NOCOLOR"] = "1"
    return env


def _user_tty():
    for stream in (sys.stdin, sys.stdout):
        try:
            if stream.isatty():
                return os.ttyname(stream.fileno())
        except (OSError, ValueError):
            continue
    return "none"
