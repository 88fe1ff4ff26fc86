"""One sentence per option of every component type, for the generated option docs (scripts/gen_option_docs.py).

The names and types are the schemas' (``schemas/builders.py`` ...); only what an option is for
lives here, in cattle's own words. A type's own sentence wins over its kind's shared one; a
builder falls back on the communicator's.
"""

from . import builders, communicator, post_processors, provisioners

_KINDS = {
    "builder": (builders.BY_TYPE, {**communicator.COMMUNICATOR, **builders.SHARED}),
    "provisioner": (provisioners.BY_TYPE, provisioners.SHARED),
    "post-processor": (post_processors.BY_TYPE, post_processors.SHARED),
}


def describe(kind, type_name, option):
    """The sentence for ``option`` of the ``kind`` (builder, provisioner, post-processor) ``type_name``, or None."""
    by_type, shared = _KINDS[kind]
    own = by_type.get(type_name, {})
    return own.get(option) or shared.get(option)
