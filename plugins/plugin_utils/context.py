# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a provisioner or post-processor knows about the build it runs for."""

from __future__ import annotations

import os
import stat
import tempfile
from dataclasses import dataclass, field

from ansible_collections.cattle.images.plugins.module_utils.template import TemplateErrors, render_runtime
from ansible_collections.cattle.images.plugins.plugin_utils.common import UserError
from ansible_collections.cattle.images.plugins.plugin_utils.plan import PlanError, find_build, load_plan


@dataclass
class BuildContext:
    build_name: str
    build_type: str
    run_uuid: str = ""
    build_id: str = ""
    force: bool = False
    plan: dict | None = None
    build: dict | None = None
    sensitive_values: list = field(default_factory=list)
    cwd: str = ""
    http_ip: str = ""
    http_port: str = ""
    generated: dict = field(default_factory=dict)
    run_dir: str = ""

    @property
    def builder_config(self):
        return (self.build or {}).get("config") or {}

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
        """Values for ``{{ build `Key` }}``: what the builder exposed, plus run UUID and HTTP server."""
        data = {"PackerRunUUID": self.run_uuid}
        if self.http_ip and self.http_port:
            data.update(
                PackerHTTPIP=str(self.http_ip),
                PackerHTTPPort=str(self.http_port),
                PackerHTTPAddr=f"{self.http_ip}:{self.http_port}",
            )
        data.update(self.generated)
        return data

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
            build = find_build(plan, name)
        except PlanError as exc:
            raise UserError(str(exc)) from None
    http = _plain(templar, task_vars.get("cattle_http")) or {}
    if not isinstance(http, dict):
        http = {}
    generated = _plain(templar, task_vars.get("cattle_generated")) or {}
    return BuildContext(
        build_name=str(name),
        build_type=str((build or {}).get("type") or cattle_build.get("type") or name),
        run_uuid=str((plan or {}).get("run_uuid") or cattle_build.get("run_uuid") or ""),
        build_id=str(cattle_build.get("id") or ""),
        force=bool(cattle_build.get("force", False)),
        plan=plan,
        build=build,
        sensitive_values=[v for v in (plan or {}).get("sensitive_values", []) if v],
        cwd=str((plan or {}).get("cwd") or os.getcwd()),
        http_ip=str(http.get("ip") or ""),
        http_port=str(http.get("port") or ""),
        run_dir=os.path.dirname(os.path.abspath(plan_file)) if plan_file else "",
        generated=dict(generated) if isinstance(generated, dict) else {},
    )
