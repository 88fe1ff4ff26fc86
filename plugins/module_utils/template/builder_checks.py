"""A builder's checks beyond its options' types: Packer's (communicator, ISO, AMI name,
output directory, the null builder's machine) and then cattle's own builder's.

Each returns [(field path under the builder, message, severity)]; the loader adds the
builder's position. Messages are Packer's words.
"""

from __future__ import annotations

import importlib
import os

from .checks import CHECKS, iso_checksum_problems
from .schemas.communicator import COMMUNICATOR_TYPES, DOCKER_COMMUNICATOR_TYPES

_READ_THE_DOCS = ", please reference your communicator documentation"


def _null_builder_problems(config, comm):
    """The null builder's own checks on the machine it is told to use, in Packer's words and order
    (after the communicator's checks; the key and agent options are SSH's even with WinRM, as in Packer)."""
    problems = []
    if not config.get(f"{comm}_host"):
        problems.append("a Host must be specified" + _READ_THE_DOCS)
    if not config.get(f"{comm}_username"):
        problems.append("a Username must be specified" + _READ_THE_DOCS)
    password, key, agent = (config.get(k) for k in (f"{comm}_password", "ssh_private_key_file", "ssh_agent_auth"))
    if not agent and not password and not key:
        problems.append("one authentication method must be specified" + _READ_THE_DOCS)
    if (agent and (config.get("ssh_password") or key)) or (config.get("ssh_password") and key):
        problems.append("only one of ssh_agent_auth, ssh_password, and ssh_private_key_file must be specified")
    return problems


def _communicator_problems(config, schema, cwd):
    default = schema.get("communicator")
    if default is None:
        return []
    problems = []
    comm = config.get("communicator") or default
    allowed = COMMUNICATOR_TYPES + (DOCKER_COMMUNICATOR_TYPES if default == "docker" else ())
    if comm not in allowed:
        problems.append((("communicator",), f"Communicator type {comm} is invalid", "error"))
    elif comm == "ssh":
        for key, message, severity in CHECKS["ssh"](config, cwd):
            problems.append(((key,) if key else (), message, severity))
        if not config.get("ssh_username"):
            problems.append(((), "An ssh_username must be specified\n  Note: some builders used "
                                 "to default ssh_username to \"root\".", "error"))
    elif comm == "winrm":
        if not config.get("winrm_username"):
            problems.append(((), "winrm_username must be specified.", "error"))
    if schema.get("null_auth") and comm in ("ssh", "winrm"):
        problems.extend(((), message, "error") for message in _null_builder_problems(config, comm))
    return problems


def _iso_problems(config):
    if not config.get("iso_url") and not config.get("iso_urls"):
        return [((), "One of iso_url or iso_urls must be specified", "error")]
    if config.get("iso_url") and config.get("iso_urls"):
        return [(("iso_urls",), "Only one of iso_url or iso_urls may be specified", "error")]
    checksum = "none" if config.get("iso_skip_cache") else config.get("iso_checksum") or ""
    where = ("iso_checksum",) if "iso_checksum" in config else ()
    return [(where, message, severity) for severity, message in iso_checksum_problems(checksum)]


def builder_checks(config: dict, schema: dict, name: str, cwd: str, force: bool) -> list:
    """Packer's checks of a decoded builder config that its schema's types cannot express."""
    problems = _communicator_problems(config, schema, cwd)
    if schema.get("require_iso"):
        problems.extend(_iso_problems(config))
    for key in schema.get("block_device_keys", ()):
        for i, mapping in enumerate(config.get(key) or []):
            if isinstance(mapping, dict) and not mapping.get("device_name"):
                problems.append(((key, i), "The `device_name` must be specified for every "
                                           "device in the block device mapping.", "error"))
    if schema.get("clean_resource_name"):
        problems.extend((("ami_name",), message, "error") for message in ami_name_problems(config.get("ami_name")))
    if schema.get("output_directory_must_not_exist") and not force:
        message = output_directory_problem(config.get("output_directory"), name, cwd)
        if message:
            problems.append((("output_directory",) if "output_directory" in config else (), message, "error"))
    return problems


def spec_problems(spec: dict, config: dict, cwd: str, skip=()) -> list[str]:
    """The errors a builder spec's named checks (checks.py) find in a config, for cattle's builder to
    report in the words `cattle validate` uses; ``skip``: keys the builder checks more strictly itself."""
    return [message for name in spec.get("checks", ()) for key, message, severity in CHECKS[name](config, cwd)
            if severity == "error" and key not in skip]


_AMI_NAME_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789()[] ./-'@_")


def ami_name_problems(ami_name) -> list[str]:
    """The AMI name check, at validate and in the builder alike (none for an unset name: `required`
    reports that). One message for Packer's two (length, characters), naming the value."""
    if not isinstance(ami_name, str) or not ami_name:
        return []
    if 3 <= len(ami_name) <= 128 and set(ami_name) <= _AMI_NAME_CHARACTERS:
        return []
    return [f"ami_name: {ami_name!r} must be 3 to 128 characters of letters, digits, spaces and ()[]./-'@_ "
            "(the clean_resource_name template function cleans a name)"]


def output_directory_problem(output_directory, build_name: str, cwd: str) -> str | None:
    """Packer's refusal of an existing output directory (unless -force), as the directory is written."""
    out_dir = output_directory or f"output-{build_name}"
    full = out_dir if os.path.isabs(out_dir) else os.path.join(cwd, out_dir)
    if os.path.exists(full):
        return f"Output directory '{out_dir}' already exists. It must not exist."
    return None


def absolute_path(path: str, cwd: str) -> str:
    """A local path as cattle's builders open it: ``~`` expanded, relative to the template's cwd."""
    path = os.path.expanduser(path)
    return os.path.normpath(path if os.path.isabs(path) else os.path.join(cwd, path))


def vm_problems(config: dict, cwd: str, port_ranges) -> list[str]:
    """cattle's qemu and virtualbox builders' own checks of their port ranges, HTTP server and
    communicator; ``http_directory`` is made absolute."""
    problems = []
    for low, high in port_ranges:
        if not 0 < config[low] <= config[high] <= 65535:
            problems.append(f"{low} ({config[low]}) must be a port no greater than {high} ({config[high]})")
    if config["http_directory"] and config["http_content"]:
        problems.append("http_directory and http_content cannot both be set: choose one")
    if config["http_directory"]:
        config["http_directory"] = absolute_path(config["http_directory"], cwd)
        if not os.path.isdir(config["http_directory"]):
            problems.append(f"http_directory {config['http_directory']}: no such directory")
    if config["communicator"] not in ("ssh", "winrm", "none"):
        problems.append(f"communicator {config['communicator']!r}: expected ssh, winrm or none")
    return problems


def _vm_kwargs(builder_type=None):
    def kwargs(name, cwd, force):
        return dict(build_name=name, cwd=cwd, force=force, **({"builder_type": builder_type} if builder_type else {}))

    return kwargs


# Packer type -> (cattle's builder package, the keyword arguments of its config's normalize). The
# package is imported by name: Ansible packs what a module imports into its payload, and a builder's
# config reaches this module, so a static import would ship every builder with each one.
_CATTLE_BUILDERS = {
    "qemu": ("qemu", _vm_kwargs()),
    "virtualbox-iso": ("virtualbox", _vm_kwargs("virtualbox-iso")),
    "virtualbox-ovf": ("virtualbox", _vm_kwargs("virtualbox-ovf")),
    "docker": ("docker", lambda name, cwd, force: dict(cwd=cwd)),
    "amazon-ebs": ("aws", lambda name, cwd, force: dict(cwd=cwd, force=force)),
}


def builder_problems(builder_type: str, config: dict, name: str, cwd: str, force: bool) -> list[str]:
    """The problems cattle's own builder of this type finds in a (Packer-valid) plan config.

    A template Packer accepts may still use an option cattle's builder does not offer (yet);
    asking the builder's own check here makes `validate` refuse it before anything starts.
    It runs only for a builder whose config passed Packer's checks, so nothing is reported twice.
    """
    from ..option_values import ConfigError

    if builder_type not in _CATTLE_BUILDERS:
        return []
    package, kwargs_of = _CATTLE_BUILDERS[builder_type]
    normalize = importlib.import_module(f"..{package}.config", __package__).normalize
    kwargs = kwargs_of(name, cwd, force)
    try:
        normalize(dict(config), **kwargs)
    except ConfigError as exc:
        return list(exc.problems)
    return []
