"""The `config` argument of a builder module, as Ansible argument_spec suboptions, from the schemas.

Every option of the builder's types is a suboption of type ``raw``: Ansible neither converts
nor defaults it (its conversions are not Packer's weak decoding, e.g. it turns ``true`` into
``"True"`` for a string where Packer gives ``"1"``), so the value reaches the builder's own
decoding as the user wrote it. Ansible fills the suboptions left out with ``None``; the
builder front-end drops those again, so unset stays unset. A key no type has is refused by
Ansible (``Unsupported parameters ... config.<key>``). The builder's secret options are
``no_log``.
"""

from .builders import BUILDERS


def config_options(types, secret_options=()):
    """The argument_spec ``options`` of ``config`` for a builder module running ``types``; None for a type
    with no schema (a test's stand-in builder), whose ``config`` stays a plain dict."""
    if not all(type_name in BUILDERS for type_name in types):
        return None
    names = sorted({name for type_name in types for name in BUILDERS[type_name]["options"]})
    return {name: {"type": "raw", "no_log": name in secret_options} for name in names}
