"""Per-type option schemas, as data.

Each component schema is a dict:
  options:   {key: type}; types: str bool int float duration list map listlist listmap any trilean
  required:  keys that must be set (non-empty); required_messages: {key: Packer's words when one is not}
  one_of:    [(a, b, ...)] exactly one of these must be set
  exclusive: [(a, b, ...)] at most one of these may be set
  files:     {key: "file" | "dir" | "path"} local paths Packer stats at validate time
  enums:     {key: (allowed values...)}; enum_messages: {key: Packer's words for another value ({value})}
  runtime:   keys rendered later with runtime data (their `{{ .Field }}` stay as template text)
  communicator: default communicator type for builders (None: the type takes no communicator)
  plugin_id: the id Packer decodes the component with; picks its deprecated option names (deprecated.py)
  deprecated: {key: warning} real options Packer 1.6.6 still accepts but warns about
  merged_into: {old: new} list options Packer appends to their successor; the plan carries only `new`
  dropped:   keys Packer decodes but ignores; accepted, left out of the plan
  key_value_lists: list options whose items must be "key=value" (Packer's environment_vars check)
  file_messages: "ansible" for the ansible provisioner's wording of a missing file
  checks:    names of Packer's further value checks for the type (checks.py)
  implemented: False for types Packer 1.6.6 has and cattle does not run yet (validate refuses them)
  alternative: for an unimplemented type, what to use instead (validate's refusal names it)

A builder's schema is its one spec: `cattle validate` decodes and checks with it, and cattle's
builder reads the same options with it (`module_utils/<type>/config.py`). Builders add:
  defaults:  {key: value} the builder fills in for an unset option (defaults.py), in the plan's types
  secrets:   options whose values are hidden from output and logs
  require_iso, null_auth, block_device_keys, clean_resource_name, output_directory_must_not_exist:
             Packer's builder checks to run (builder_checks.py)

What each option is for (one sentence) lives beside the schemas in descriptions/; the generated
per-option module docs (scripts/gen_option_docs.py) and the builder modules' `config` argument
spec (argspec.py) are both made from these schemas.
"""
