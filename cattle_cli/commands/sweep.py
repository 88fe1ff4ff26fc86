"""`cattle sweep`: remove what dead runs left behind.

    cattle sweep

A run is dead when the process that owned it (``cattle build``, or an ``ansible-playbook``
run directly) is gone — killed, crashed, its terminal closed — without having cleaned up.
Each dead run's ledger is swept (containers, images of unfinished commits, VMs, instances,
key pairs, security groups, temp dirs) and its run directory (plan, inline scripts, keys)
deleted. Runs still going are left alone. ``cattle build`` does the same before it starts.

What no ledger lists any more (the run directory was deleted) is found by what it carries:
build containers by label (with the untagged images committed from them), VM processes by the
work directory on their command line, and — in the regions of ``-region`` (or ``AWS_REGION``)
— EC2 instances, key pairs and security groups by their ``cattle.run`` tag.
"""

from __future__ import annotations

import os
import sys
import tempfile

from ansible_collections.cattle.images.plugins.module_utils import ledger
from cattle_cli import flags

FLAGS = [
    flags.Flag("region", "csv", help="AWS region(s) to search for EC2 leftovers of dead runs "
               "(default: AWS_REGION or AWS_DEFAULT_REGION; none: EC2 is not searched)"),
]
USAGE = flags.usage("sweep", "[options]", FLAGS)


def sweep_dead_runs(say, error, exclude=(), regions=()):
    """Sweep every dead run, saying what was removed; returns the number of errors.

    ``regions``: the AWS regions to search for EC2 leftovers no ledger lists (none: not searched).
    """

    def report(run_dir, entry):
        if entry is None:
            say(f"==> Removed the run directory {run_dir} of a dead run")
        else:
            say(f"==> Removed {entry['kind']} {entry['name']} of build '{entry.get('build', '?')}' "
                f"left by a dead run ({run_dir})")

    errors = ledger.sweep_dead_runs(report=report, exclude=exclude)
    errors.extend(_sweep_orphaned_containers(say, exclude))
    errors.extend(_sweep_orphaned_vms(say, exclude))
    for region in regions:
        errors.extend(_sweep_orphaned_ec2(say, exclude, region))
    for text in errors:
        error(f"==> Cleanup of a dead run failed: {text}")
    return len(errors)


def _sweep_orphaned_containers(say, exclude):
    """Build containers of dead runs that no ledger lists (their run directory was deleted, say)."""
    try:
        from ansible_collections.cattle.images.plugins.module_utils.docker.cleanup import remove_orphaned_containers
        from ansible_collections.cattle.images.plugins.module_utils.docker.client import DockerError, connect

        client = connect()
        client.ping()
    except Exception:  # noqa: BLE001 - no Docker SDK or no daemon here: no docker build can have run
        return []

    try:
        removed = remove_orphaned_containers(client, _dead_run(exclude))
    except DockerError as exc:
        return [str(exc)]
    for kind, name in removed:
        say(f"==> Removed {kind} {name} of a dead run (found by its label, not in any ledger)")
    return []


def _sweep_orphaned_vms(say, exclude):
    """QEMU/VirtualBox processes of dead runs that no ledger lists (found by their work dir's path)."""
    from ansible_collections.cattle.images.plugins.module_utils.orphans import stop_orphaned_vms

    try:
        stopped = stop_orphaned_vms(_dead_run(exclude))
    except OSError as exc:
        return [f"stopping a VM process: {exc}"]
    for work_dir in stopped:
        say(f"==> Stopped the VM processes of {os.path.basename(work_dir)} of a dead run "
            "(found by their command line, not in any ledger)")
    return []


def _sweep_orphaned_ec2(say, exclude, region):
    """EC2 instances, key pairs and security groups whose run tag names a dead run of this machine."""
    try:
        from ansible_collections.cattle.images.plugins.module_utils.aws.cleanup import remove_orphaned_resources
        from ansible_collections.cattle.images.plugins.module_utils.aws.client import AwsError, endpoint_url
    except ImportError:
        return [f"cannot search {region} for EC2 leftovers: boto3 is not installed"]
    try:
        removed = remove_orphaned_resources(region, _dead_run(exclude), endpoint_url({}))
    except AwsError as exc:
        return [f"searching {region} for EC2 leftovers: {exc}"]
    for kind, name in removed:
        say(f"==> Removed {kind} {name} of a dead run (found by its tags, not in any ledger)")
    return []


def _dead_run(exclude):
    """Whether a run directory named by a leftover belongs to a dead run (or is gone).

    Only run directories in this process's temp directory count, as for the ledgers: a run of
    another temp directory (another user's, another job's) is its own sweep's business.
    """
    roots = {tempfile.gettempdir(), os.path.realpath(tempfile.gettempdir())}

    def dead(run_dir):
        if run_dir in exclude or os.path.dirname(os.path.normpath(run_dir)) not in roots:
            return False
        return not os.path.isdir(run_dir) or not (ledger.is_kept(run_dir) or ledger.run_is_live(run_dir))

    return dead


def run(argv):
    parsed = flags.parse_command(argv, FLAGS, USAGE, 0,
                                 lambda args: f"cattle sweep takes no arguments, got {' '.join(args)!r}")
    if parsed is None:
        return 1
    said = []

    def say(line):
        said.append(line)
        print(line, flush=True)

    regions = parsed.values["region"] or [
        region for region in (os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION"),) if region]
    failures = sweep_dead_runs(say, lambda line: print(line, file=sys.stderr, flush=True), regions=regions)
    if not said and not failures:
        print("Nothing to remove: no dead run left anything behind.")
    return 1 if failures else 0
