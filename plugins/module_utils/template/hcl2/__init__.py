"""HCL2 templates (Packer's `*.pkr.hcl`): parsed with python-hcl2's lark grammar, evaluated here.

Entry point (stable; `cattle hcl2_upgrade` and the CLI use it): `load_hcl2_template(path, variables,
var_files, cwd, env)` returns a `Template` whose `validate`/`plan`/`checked_plan`/`inspect` are the
JSON loader's. `template.load_template` dispatches here for a `.pkr.hcl`/`.pkr.json` path or a directory.
"""
