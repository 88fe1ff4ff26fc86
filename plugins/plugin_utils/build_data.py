# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The values of ``{{ build `Key` }}`` for one build, as Packer 1.6.6 hands them to provisioners,
post-processors (its StepProvision's hook data) and the shell provisioners' ``PACKER_HTTP_*``.

Every builder exposes the common keys; a key the builder cannot fill reads as Packer's
``ERR_..._NOT_IMPLEMENTED_BY_BUILDER`` text. ``Host``/``Port`` are where the communicator
connected (Packer writes them back into its communicator config on connecting: a qemu build's
``Port`` is the forwarded host port), or the configured ``ssh_host``/``ssh_port`` before that;
``User``/``Password`` are the configured ones. A builder's own keys (amazon-ebs's ``SourceAMI`` …,
the temporary key's ``SSHPublicKey``) come from ``generated``.

What Packer 1.6.6 leaves out (the key then renders as ``<no value>``), read from a ``packer build``
of each builder here printing every key from a provisioner and a post-processor:

- the communicator's keys (``Host`` … ``WinRMPassword``, ``ConnType``) when the communicator is
  ``none``: its StepConnect stops before it puts the communicator config in the state;
- every key in a ``file`` build: that builder runs the provision hook with no data at all;
- in post-processors, what the builder's artifact does not carry: they read the artifact's
  ``generated_data``, which is the provisioners' data for docker, qemu, virtualbox and
  amazon-ebs, only ``ID`` (``Null``) for null, and nothing for file.
"""

from __future__ import annotations

from ansible_collections.cattle.images.plugins.module_utils.build_keys import build_keys

ID_NOT_IMPLEMENTED = "ERR_ID_NOT_IMPLEMENTED_BY_BUILDER"
HTTP_IP_NOT_IMPLEMENTED = "ERR_HTTP_IP_NOT_IMPLEMENTED_BY_BUILDER"
HTTP_PORT_NOT_IMPLEMENTED = "ERR_HTTP_PORT_NOT_IMPLEMENTED_BY_BUILDER"
HTTP_ADDR_NOT_IMPLEMENTED = "ERR_HTTP_ADDR_NOT_IMPLEMENTED_BY_BUILDER"

# Each builder's communicator when the template names none (Packer's defaults).
DEFAULT_COMMUNICATOR = {"docker": "docker"}
# Builders whose source id Packer 1.6.6 does not put in its state (no `instance_id`).
_NO_ID = frozenset({"qemu"})
# Builders whose `instance_id` is a constant.
_FIXED_ID = {"null": "Null"}
# Builders whose provisioners get no build data (every key reads <no value>).
_NO_PROVISION_DATA = frozenset({"file"})
# What a builder's artifact hands post-processors when it is not the provisioners' data:
# the keys it keeps (an empty tuple: none).
_ARTIFACT_KEYS = {"null": ("ID",), "file": ()}
COMMUNICATOR_KEYS = ("Host", "Port", "User", "Password", "ConnType", "SSHPublicKey", "SSHPrivateKey", "WinRMPassword")
PROVISION = "provision"
POST_PROCESS = "post-process"
# Builders that forward the guest's port and, with skip_nat_mapping, connect to 127.0.0.1
# themselves, which Packer writes back into ssh_host.
_NAT_BUILDERS = frozenset({"qemu", "virtualbox-iso", "virtualbox-ovf"})


def _text(value):
    return "" if value is None else str(value)


def _port(value, default):
    try:
        return int(value) if value not in (None, "") else default
    except (TypeError, ValueError):
        return default


def communicator_data(builder_type, config, private_key="", connected_host="", connected_port=None):
    """``Host``, ``Port``, ``User``, ``Password``, ``ConnType``, ``SSHPrivateKey``, ``WinRMPassword``.

    ``connected_host``/``connected_port``: where the communicator connected, once it has.
    """
    config = config or {}
    kind = config.get("communicator") or DEFAULT_COMMUNICATOR.get(builder_type, "ssh")
    host, port, user, password = "", 0, "", ""
    if kind == "ssh":
        host = _text(config.get("ssh_host"))
        if not host and builder_type in _NAT_BUILDERS and config.get("skip_nat_mapping"):
            host = "127.0.0.1"
        port = _port(config.get("ssh_port"), 22)
        user, password = _text(config.get("ssh_username")), _text(config.get("ssh_password"))
    elif kind == "winrm":
        host = _text(config.get("winrm_host"))
        port = _port(config.get("winrm_port"), 5986 if config.get("winrm_use_ssl") else 5985)
        user, password = _text(config.get("winrm_username")), _text(config.get("winrm_password"))
    if kind in ("ssh", "winrm"):
        host = _text(connected_host) or host
        port = _port(connected_port, port)
    return {
        "Host": host, "Port": str(port), "User": user, "Password": password, "ConnType": kind,
        "SSHPublicKey": "", "SSHPrivateKey": private_key or "",
        "WinRMPassword": _text(config.get("winrm_password")),
    }


def http_data(http_ip, http_port):
    """``PackerHTTPIP``/``Port``/``Addr``: the build's HTTP server, or Packer's not-implemented text."""
    ip = _text(http_ip)
    port = _text(http_port)
    return {
        "PackerHTTPIP": ip or HTTP_IP_NOT_IMPLEMENTED,
        "PackerHTTPPort": port or HTTP_PORT_NOT_IMPLEMENTED,
        "PackerHTTPAddr": f"{ip}:{port}" if ip and port else HTTP_ADDR_NOT_IMPLEMENTED,
    }


def source_id(builder_type, source):
    """What Packer 1.6.6 calls the build's ``instance_id``, from the launched source."""
    source = source or {}
    if builder_type in _FIXED_ID:
        return _FIXED_ID[builder_type]
    if builder_type in _NO_ID:
        return ID_NOT_IMPLEMENTED
    for key in ("container_id", "instance_id", "vm_name"):
        if source.get(key):
            return str(source[key])
    return ID_NOT_IMPLEMENTED


def build_data(builder_type, config, *, run_uuid="", http_ip="", http_port="", generated=None, source=None,
               private_key="", connected_host="", connected_port=None, phase=PROVISION):
    """Every ``{{ build `Key` }}`` value a build has in ``phase`` (``provision`` or ``post-process``);
    ``generated`` wins, for the keys this builder has (module_utils/build_keys.py, the list validate
    checks templates against). A key Packer leaves out is absent."""
    if builder_type in _NO_PROVISION_DATA and phase == PROVISION:
        return {}
    keys = build_keys(builder_type)
    data = communicator_data(builder_type, config, private_key, connected_host, connected_port)
    if data["ConnType"] == "none":
        data = {}
    data["ID"] = source_id(builder_type, source)
    data["PackerRunUUID"] = _text(run_uuid)
    data.update(http_data(http_ip, http_port))
    data.update({str(k): v for k, v in (generated or {}).items() if str(k) in keys})
    if phase == POST_PROCESS and builder_type in _ARTIFACT_KEYS:
        data = {key: data[key] for key in _ARTIFACT_KEYS[builder_type] if key in data}
    return data


def http_environment(data):
    """``PACKER_HTTP_ADDR``/``IP``/``PORT`` for the shell provisioners: set unless not implemented."""
    env = {}
    for name, key, missing in (("PACKER_HTTP_ADDR", "PackerHTTPAddr", HTTP_ADDR_NOT_IMPLEMENTED),
                               ("PACKER_HTTP_IP", "PackerHTTPIP", HTTP_IP_NOT_IMPLEMENTED),
                               ("PACKER_HTTP_PORT", "PackerHTTPPort", HTTP_PORT_NOT_IMPLEMENTED)):
        if data.get(key) and data[key] != missing:
            env[name] = data[key]
    return env
