"""Per-type option schemas, as data.

Each component schema is a dict:
  options:   {key: type}; types: str bool int float duration list map listlist listmap any trilean
  required:  keys that must be set (non-empty)
  one_of:    [(a, b, ...)] exactly one of these must be set
  exclusive: [(a, b, ...)] at most one of these may be set
  files:     {key: "file" | "dir" | "path"} local paths Packer stats at validate time
  enums:     {key: (allowed values...)}
  runtime:   keys rendered later with runtime data (their `{{ .Field }}` stay as template text)
  communicator: default communicator type for builders (None: the type takes no communicator)
"""
