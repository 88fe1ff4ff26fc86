# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a provisioner or post-processor knows about the build it runs for."""

from __future__ import annotations

import os
import stat
import tempfile
from dataclasses import dataclass, field

from ansible_collections.cattle.images.plugins.module_utils.plan import Build, Plan, PlanError, load_plan
from ansible_collections.cattle.images.plugins.module_utils.template import TemplateErrors, render_runtime
from ansible_collections.cattle.images.plugins.plugin_utils import build_data as packer_build_data
from ansible_collections.cattle.images.plugins.plugin_utils.common import UserError


@dataclass
class BuildContext:
    build_name: str
    build_type: str
    run_uuid: str = ""
    build_id: str = ""
    force: bool = False
    plan: Plan | None = None
    build: Build | None = None
    sensitive_values: list = field(default_factory=list)
    cwd: str = ""
    http_ip: str = ""
    http_port: str = ""
    generated: dict = field(default_factory=dict)
    run_dir: str = ""
    source: dict = field(default_factory=dict)
    private_key_file: str = ""
    connected_host: str = ""
    connected_port: str = ""
    phase: str = packer_build_data.PROVISION  # or POST_PROCESS: the build data differ (build_data.py)

    @property
    def builder_config(self):
        return self.build.config if self.build is not None else {}

    def local_path(self, path):
        """Packer resolves relative local paths against the working directory of the run."""
        path = os.path.expanduser(str(path))
        return path if os.path.isabs(path) else os.path.join(self.cwd or os.getcwd(), path)

    @property
    def private_dir(self):
        """Where files that may hold secrets go: the run directory (0700, removed with the run on
        every exit, swept after a crash), or the system temp dir when there is no private run dir."""
        if self.run_dir:
            try:
                info = os.stat(self.run_dir)
            except OSError:
                info = None
            if info is not None and stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() \
                    and not info.st_mode & 0o077:
                return self.run_dir
        return tempfile.gettempdir()

    def temp_file(self, prefix, suffix="", binary=False, newline=None):
        """A new file (mode 0600, open for writing, not deleted on close) in :attr:`private_dir`.

        Interpolated scripts, inventories and uploads may hold sensitive values: callers remove
        the file in a ``finally``; the run directory's removal covers interrupts and crashes.
        """
        if binary:
            return tempfile.NamedTemporaryFile(prefix=prefix, suffix=suffix, dir=self.private_dir, delete=False)
        return tempfile.NamedTemporaryFile("w", prefix=prefix, suffix=suffix, dir=self.private_dir, delete=False,
                                           encoding="utf-8", newline=newline)

    def build_data(self):
        """Values for ``{{ build `Key` }}``: Packer's common keys, the HTTP server, the builder's own."""
        config = self.builder_config
        learnt = _learnt_password(self.source)
        if learnt:
            # amazon-ebs's generated Windows password (StepGetPassword): Packer's Password and WinRMPassword.
            config = dict(config or {}, winrm_password=learnt[0])
        return packer_build_data.build_data(
            self.build_type, config, run_uuid=self.run_uuid, http_ip=self.http_ip,
            http_port=self.http_port, generated=self.generated, source=self.source,
            # amazon-ebs keeps its key pair's file in its source (Packer's StepKeyPair reads it into SSHPrivateKey).
            private_key=_read_text(self.private_key_file or self.source.get("private_key_file") or ""),
            connected_host=self.connected_host,
            connected_port=self.connected_port, phase=self.phase)

    def render(self, text, field, **data):
        """``render_runtime`` with ``data`` as ``{{ .Field }}`` values; template errors name ``field``."""
        try:
            return render_runtime(text, dict(data, build=self.build_data()))
        except TemplateErrors as exc:
            details = "; ".join(d.message for d in exc.diagnostics) or str(exc)
            raise UserError(f"{field}: {details}") from None


def _plain(templar, value):
    """A host variable as a plain value (host vars may hold templates)."""
    if templar is not None and isinstance(value, str) and "{{" in value:
        try:
            return templar.template(value)
        except Exception:  # an untemplatable var is used as it is
            return value
    return value


def _learnt_password(source):
    """``[password]`` the builder learnt at launch and left in ``source.winrm_password_file``, else ``[]``."""
    path = (source or {}).get("winrm_password_file")
    password = _read_text(path).rstrip("\r\n") if path else ""
    return [password] if password else []


def _read_text(path):
    """A temporary key's text for ``SSHPrivateKey`` (empty when there is none)."""
    if not path:
        return ""
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except OSError:
        return ""


def _dict_var(templar, task_vars, name):
    value = _plain(templar, task_vars.get(name)) or {}
    return value if isinstance(value, dict) else {}


def build_context(args, task_vars, templar=None):
    """The context from task args (``plan_file``, ``build``) and the host's ``cattle_build`` var."""
    task_vars = task_vars or {}
    cattle_build = _plain(templar, task_vars.get("cattle_build")) or {}
    if not isinstance(cattle_build, dict):
        cattle_build = {}
    plan_file = args.get("plan_file") or cattle_build.get("plan_file")
    name = args.get("build") or cattle_build.get("name") or _plain(templar, task_vars.get("inventory_hostname")) or ""
    plan = build = None
    if plan_file:
        try:
            plan = load_plan(plan_file)
            build = plan.build(name)
        except PlanError as exc:
            raise UserError(str(exc)) from None
    http = _dict_var(templar, task_vars, "cattle_http")
    generated = _dict_var(templar, task_vars, "cattle_generated")
    http_port = http.get("port")
    # Where the communicator role connected the build host (its `cattle_comm` result).
    connection = _dict_var(templar, _dict_var(templar, task_vars, "cattle_comm"), "facts")
    source = _dict_var(templar, task_vars, "cattle_source")
    return BuildContext(
        build_name=str(name),
        build_type=str((build and build.type) or cattle_build.get("type") or name),
        run_uuid=str((plan and plan.run_uuid) or cattle_build.get("run_uuid") or ""),
        build_id=str(cattle_build.get("id") or ""),
        force=bool(cattle_build.get("force", False)),
        plan=plan,
        build=build,
        # A password the builder learnt at launch (EC2's Windows password) is as secret as the plan's.
        sensitive_values=(plan.sensitive_values if plan else []) + _learnt_password(source),
        cwd=str((plan and plan.cwd) or os.getcwd()),
        http_ip=str(http.get("ip") or ""),
        http_port="" if http_port in (None, "", "None") else str(http_port),
        run_dir=plan.run_dir if plan else "",
        generated=dict(generated),
        source=source,
        connected_host=str(connection.get("ansible_host") or ""),
        connected_port=str(connection.get("ansible_port") or ""),
        private_key_file=str(_dict_var(templar, task_vars, "cattle_comm_key").get("ssh_private_key_file") or ""),
    )
