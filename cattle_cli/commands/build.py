"""`cattle build`: build images from a Packer template, on ansible-runner.

The template is loaded and validated here (fast, clear errors), the plan written into
a private run directory, and the collection's ``build_image`` playbook run through
ansible-runner. Whatever happens to that run — failure, SIGINT, SIGTERM — the ledger is
swept afterwards: ansible-playbook skips ``always`` on signals, this wrapper does not.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sys
import tempfile
import threading
import time

from ansible_collections.cattle.images.plugins.module_utils import ledger
from cattle_cli import flags, process_tree
from cattle_cli.collection import (
    MissingCollection,
    check_required,
    collection_root,
    collections_path,
    other_copies,
    playbook_path,
)
from cattle_cli.commands.sweep import sweep_dead_runs
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
               "longest unchanged prefix of steps (see 'cattle cache')."),
    flags.Flag("keep-artifacts", "str", "", help="Keep ansible-runner's job events and output in a new directory "
               "below this one (default: $CATTLE_KEEP_ARTIFACTS)."),
]

USAGE = flags.usage("build", "[options] TEMPLATE", FLAGS)


class _Interrupted:
    """The handler of SIGINT, SIGTERM and SIGHUP, and ansible-runner's cancel callback.

    It acts at once, not when ansible-runner next polls the callback: it sets the run's cancel
    marker (capture and post-processors check it before they start), then freezes and kills
    everything below this process, so no step goes on after the signal.
    """

    def __init__(self, run_dir):
        self.run_dir = run_dir
        self.signum = None
        self.frozen = None

    def __call__(self, signum, frame):
        if self.signum is not None:
            return
        self.signum = signum
        ledger.cancel(self.run_dir)
        self.frozen = process_tree.freeze()
        process_tree.kill(self.frozen)

    def __bool__(self):
        return self.signum is not None

    def cancel(self):
        return self.signum is not None

    def stop_leftovers(self):
        # Anything that escaped the freeze (it cannot have, but a sweep must not race a step).
        process_tree.kill(process_tree.freeze())


def run(argv):
    started = time.time()  # "Wait completed after" counts from here, as Packer's does
    parsed = flags.parse_command(argv, FLAGS, USAGE, 1,
                                 lambda _args: "the build command expects exactly one argument: the template")
    if parsed is None:
        return 1
    opts = dict(parsed.values, started=started)
    opts["keep-artifacts"] = opts["keep-artifacts"] or os.environ.get("CATTLE_KEEP_ARTIFACTS", "")

    run_dir = tempfile.mkdtemp(prefix=ledger.RUN_DIR_PREFIX)
    try:
        ledger.claim_run_dir(run_dir)
        return _run_builds(parsed, run_dir, opts)
    finally:
        ledger.discard_run_dir(run_dir)  # all of it, unless it holds the files of builds left on purpose


class _Preparation:
    """What ``cattle build`` does while ansible-playbook imports Ansible (≈0.3 s), in one thread:
    validate the template and write the plan, sweep what dead runs left, then open the start gate
    (``process_tree.wait_for_start_gate``), which says whether to build and with how many forks.

    Started when ansible-runner is about to spawn ansible-playbook, so that it does not slow
    ansible-runner's own set-up (one interpreter, one lock). No task runs before the gate opens:
    none on a template that is not valid, and no build while a leftover of a dead run may still
    hold a name it needs (a ``--name``d container, a VM).
    """

    def __init__(self, parsed, opts, ui, run_dir, gate):
        self.parsed, self.opts, self.ui, self.run_dir, self.gate = parsed, opts, ui, run_dir, gate
        self.plan = None
        self.playbook_arguments = []
        self.code = None  # the exit status when there is nothing to build
        self.error = None
        self._thread = None
        self._lock = threading.Lock()

    def status_handler(self, status_data, runner_config=None):
        if status_data.get("status") == "running":
            self.start()

    def start(self):
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._prepare, name="cattle-prepare", daemon=True)
                self._thread.start()

    def finish(self):
        """Wait until it is done (doing it now if ansible-runner never got to start ansible-playbook)."""
        self.start()
        self._thread.join()

    def _prepare(self):
        try:
            self.code = self._check()
            if self.plan is not None:
                self._sweep_dead_runs()
        except BaseException as exc:  # noqa: BLE001 - raised again in the main thread after the cleanup
            self.error, self.code, self.plan = exc, 1, None
        finally:
            process_tree.open_start_gate(self.gate, **self.gate_settings())

    def _sweep_dead_runs(self):
        # Most of its time is the Docker SDK's import: it overlaps ansible-playbook's import of Ansible.
        try:
            sweep_dead_runs(self.ui.say, self.ui.error, exclude=(self.run_dir,))
        except Exception as exc:  # noqa: BLE001 - a failed sweep of other runs must not stop this one
            self.ui.error(f"==> Cleanup of a dead run failed: {exc}")

    def _check(self):
        parsed, opts, ui = self.parsed, self.opts, self.ui
        plan = load_and_validate(
            parsed.args[0], parsed.variables, opts["var-file"], opts["only"], opts["except"],
            force=opts["force"], machine_readable=opts["machine-readable"],
        )
        if plan is None:
            return 1
        if not plan["builds"]:
            return 0  # -only naming nothing builds nothing, as in Packer
        try:
            check_required({build["type"] for build in plan["builds"]})
        except MissingCollection as exc:
            sys.stderr.write(f"Error: {exc}\n")
            return 1
        for path in other_copies():
            sys.stderr.write(f"Warning: another cattle.images collection is visible at {path}; "
                             f"this build uses its own, at {collection_root()}\n")
        from ansible_collections.cattle.images.plugins.module_utils.plan import write_plan

        write_plan(plan, os.path.dirname(self.opts["plan-file"]))
        self.playbook_arguments = _planned_run(self.opts["plan-file"], self.run_dir, opts)
        ui.sensitive = plan.get("sensitive_values", ())
        # Say what is starting now: Ansible takes a moment before the first build line.
        if opts["debug"]:
            ui.say("Debug mode enabled. Builds will not be parallelized.")
        ui.set_builds([build["name"] for build in plan["builds"]])
        if opts["color"]:
            ui.color_intro([build["name"] for build in plan["builds"]])
        self.plan = plan
        return None

    def gate_settings(self):
        """What the start gate tells ansible-playbook: build with this many forks, or end."""
        if self.plan is None:
            return {"abort": True}
        forks = ansible_forks(self.opts["parallel-builds"], self.opts["debug"], len(self.plan["builds"]))
        return {"arguments": ["--forks", str(forks), *self.playbook_arguments]}


# Build names that ansible-core's inventory takes as they are (no port, no range, no pattern).
_PLAIN_HOST_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")


def _planned_run(plan_file, run_dir, opts):
    """ansible-playbook's arguments that hand it this run's plan: the ``cattle_plan`` its plan task
    would register (``-e``) and a host per build in the group ``cattle_builds`` (``-i``), so that
    the playbook's first play has nothing left to do (it ends at once: two tasks less per run).

    None of it when a build's name is not a plain host name (``web:8080``, ``node[1:2]``): the
    inventory would read a port or a range there, where ``add_host`` is told not to.
    """
    from ansible_collections.cattle.images.plugins.module_utils.plan import build_entries, load_plan

    plan = load_plan(plan_file)
    if not all(_PLAIN_HOST_NAME.fullmatch(build.name) for build in plan.builds):
        return []
    ledger_file = os.path.join(run_dir, "ledger.jsonl")
    builds = build_entries(plan, plan_file, ledger_file, opts["force"], opts["on-error"], opts["debug"], opts["cache"])
    cattle_plan = {"changed": False, "run_dir": run_dir, "owns_run_dir": False, "ledger": ledger_file,
                   "plan_file": plan_file, "job_started": time.time(), "builds": builds}
    hosts = {build["name"]: {"cattle_build": build, "ansible_connection": "local",
                             "ansible_python_interpreter": "{{ ansible_playbook_python }}"} for build in builds}
    arguments = []
    for name, content, flag in (("planned.json", {"cattle_plan": cattle_plan}, "-e"),
                                ("inventory.yml", {"cattle_builds": {"hosts": hosts}}, "-i")):
        path = os.path.join(run_dir, name)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(content, handle)  # JSON is YAML too: the inventory's yaml plugin reads it
        arguments += [flag, f"@{path}" if flag == "-e" else path]
    return arguments


def _run_builds(parsed, run_dir, opts):
    from ansible_collections.cattle.images.plugins.module_utils.plan import PLAN_FILE_NAME
    from ansible_collections.cattle.images.plugins.plugin_utils.output import PackerUI

    ui = PackerUI(
        write=_say,
        machine_readable=opts["machine-readable"], timestamp=opts["timestamp-ui"],
        color=opts["color"] and sys.stdout.isatty(), sensitive=(),
    )
    opts["plan-file"] = os.path.join(run_dir, PLAN_FILE_NAME)
    preparation = _Preparation(parsed, opts, ui, run_dir, gate=os.path.join(run_dir, "swept"))
    interrupted = _Interrupted(run_dir)
    previous = {sig: signal.signal(sig, interrupted) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}

    import ansible_runner

    from cattle_cli.output import PlaybookEcho

    for private in ("runner", "bin", "tmp"):
        os.mkdir(os.path.join(run_dir, private), 0o700)
    process_tree.write_guard_launcher(os.path.join(run_dir, "bin"))
    run_ledger = ledger.Ledger(os.path.join(run_dir, "ledger.jsonl"))
    _no_pty_close_delay()
    runner = None
    try:
        if interrupted:
            raise KeyboardInterrupt  # a signal before ansible-playbook started: start nothing
        runner = ansible_runner.run(
            private_data_dir=os.path.join(run_dir, "runner"),
            playbook=playbook_path(),
            extravars={
                "cattle_plan_file": opts["plan-file"],
                "force": opts["force"],
                "on_error": opts["on-error"],
                "cattle_debug": opts["debug"],
                "cache": opts["cache"],
            },
            # --forks comes through the start gate, once the template says how many builds there are.
            envvars=dict(_ansible_env(opts, run_dir), **{process_tree.START_GATE_ENV: preparation.gate}),
            cancel_callback=interrupted.cancel,
            status_handler=preparation.status_handler,
            quiet=True,  # runner's own echo keeps the pty's carriage returns: print through PlaybookEcho
            event_handler=PlaybookEcho(keep_events=bool(opts["keep-artifacts"])),
            json_mode=False,
        )
    except KeyboardInterrupt:
        pass
    finally:
        # Signals from here on must not stop the sweep.
        for sig in previous:
            signal.signal(sig, signal.SIG_IGN)
        preparation.finish()
        if not interrupted:
            # The build containers removed in the background as the builds ended (the playbook's sweep
            # play, which would wait for them, is left to this command): let them finish.
            run_ledger.wait_for_releases()
        # Ansible's workers outlive a cancelled ansible-playbook: stop them before sweeping.
        interrupted.stop_leftovers()
        plan = preparation.plan or {}
        kept_at = None
        if preparation.plan is not None:
            kept_at = _keep_runner_artifacts(run_dir, opts["keep-artifacts"], plan.get("sensitive_values") or (), ui)
        _sweep_or_keep(run_ledger, run_dir, opts["on-error"], interrupted, ui)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if preparation.error is not None:
        raise preparation.error  # a bug, not the template's fault: its traceback, after the cleanup
    if preparation.plan is None and not interrupted:
        return preparation.code
    if runner is not None and runner.status == "successful" and not interrupted:
        return 0
    if kept_at:
        ui.say(f"==> Ansible's job events and output are kept in {kept_at}")
    if interrupted:
        ui.say("Cleanly cancelled builds after being interrupted.")  # a say in Packer too
        return 1
    death = _abnormal_end(runner)
    if death:
        ui.error(death)
    return 1


def _keep_runner_artifacts(run_dir, keep_dir, sensitive, ui):
    """Copy ansible-runner's artifacts (job events, stdout) below ``keep_dir``, secrets masked.

    Each run gets a new directory, so nothing kept before is overwritten.
    """
    if not keep_dir:
        return None
    from ansible_collections.cattle.images.plugins.module_utils.template import mask

    source = os.path.join(run_dir, "runner", "artifacts")
    try:
        os.makedirs(keep_dir, exist_ok=True)
        target = tempfile.mkdtemp(prefix=time.strftime("cattle-%Y%m%d-%H%M%S-"), dir=keep_dir)
        for root, _dirs, files in os.walk(source):
            relative = os.path.relpath(root, source)
            os.makedirs(os.path.join(target, relative), exist_ok=True)
            for name in files:
                with open(os.path.join(root, name), encoding="utf-8", errors="replace") as handle:
                    text = mask(handle.read(), sensitive)
                with open(os.path.join(target, relative, name), "w", encoding="utf-8") as handle:
                    handle.write(text)
    except OSError as exc:
        ui.error(f"==> Could not keep Ansible's job events in {keep_dir}: {exc}")
        return None
    return target


def _sweep_or_keep(run_ledger, run_dir, on_error, interrupted, ui):
    """Remove what the builds left, except what the user chose to keep: every build's resources
    with -on-error=abort or run-cleanup-provisioner, those of the builds answered abort at the
    -on-error=ask prompt. An interrupt keeps nothing. Kept resources keep their local files."""
    kept, to_remove = run_ledger.to_keep(on_error)
    if interrupted:
        kept, to_remove = [], run_ledger.entries()
    if to_remove:
        with ledger.temp_dir_of(run_dir):
            errors = run_ledger.sweep(report=lambda e: ui.emit(e["build"], "say", f"Removed {e['kind']} {e['name']}"),
                                      entries=to_remove)
        for error in errors:
            ui.error(f"==> Cleanup failed: {error}")
    kept_run_dir = ledger.keep_run_dir(run_dir, kept)
    for line in ledger.leaving_messages(kept, on_error, kept_run_dir):
        ui.say(f"==> {line}")


_OUTPUT_LOCK = threading.Lock()


def _say(line):
    # One write per line under a lock: the sweep of dead runs speaks from its own thread.
    # A closed terminal (SIGHUP) or a reader gone must not stop the cleanup that is printing.
    with _OUTPUT_LOCK:
        try:
            sys.stdout.write(f"{line}\n")
            sys.stdout.flush()
        except OSError:
            pass


def _abnormal_end(runner):
    """Why ansible-playbook ended without a verdict of its own (killed, crashed), or None.

    ansible-playbook exits 0, 2 (failed hosts), 4 (unreachable) … on its own; a signal leaves
    no exit status (pexpect reports None) or 128 + the signal from a shell.
    """
    rc = runner.rc
    if rc is None:
        return "ansible-playbook was killed by a signal before it finished; the builds were stopped and cleaned up."
    if isinstance(rc, int) and (rc < 0 or rc > 128):
        number = -rc if rc < 0 else rc - 128
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        return f"ansible-playbook was killed by {name} before it finished; the builds were stopped and cleaned up."
    return None


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


def _ansible_env(opts, run_dir):
    env = {
        "ANSIBLE_STDOUT_CALLBACK": "cattle.images.packer",
        # The plugins of the collection this command validated with, whatever else is installed.
        "ANSIBLE_COLLECTIONS_PATH": collections_path(),
        "ANSIBLE_LOCALHOST_WARNING": "False",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "False",
        "ANSIBLE_DEPRECATION_WARNINGS": "False",
        "ANSIBLE_RETRY_FILES_ENABLED": "False",
        "ANSIBLE_HOST_KEY_CHECKING": "False",
        "CATTLE_MACHINE_READABLE": "1" if opts["machine-readable"] else "0",
        "CATTLE_TIMESTAMP_UI": "1" if opts["timestamp-ui"] else "0",
        "CATTLE_STARTED": str(opts["started"]),
        "CATTLE_INTRO": "0",  # printed already, before Ansible started
        "CATTLE_COLOR": "1" if opts["color"] and sys.stdout.isatty() else "0",
        "CATTLE_LIVE": "1" if sys.stdout.isatty() and not opts["machine-readable"] else "0",
        "PYTHONUNBUFFERED": "1",
        # The ansible-playbook of this installation, not whatever PATH finds first, started through
        # the launcher that makes it and its workers die with this process, even by SIGKILL.
        "PATH": os.pathsep.join((os.path.join(run_dir, "bin"), os.path.dirname(sys.executable),
                                 os.environ.get("PATH", ""))),
        process_tree.PARENT_ENV: str(os.getpid()),
        # Inline scripts and other temp files live in the run directory, so they go with it
        # even when this process is killed and a later sweep deletes the directory.
        "TMPDIR": os.path.join(run_dir, "tmp"),
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
