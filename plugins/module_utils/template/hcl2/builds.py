"""The builds of an HCL2 template: one per source a `build` block names, with its own provisioners and
post-processors (`only`/`except` by source name and `override` applied), ready for `Template`'s decoding."""

from __future__ import annotations

import re

from ...build_keys import build_keys
from .diagnostics import HCLError
from .evaluate import Evaluator, Scope, body_value, expand_dynamic, runtime_placeholder

_IDENTIFIER = re.compile(r"[^\W\d][\w-]*")
STEP_BLOCKS = ("provisioner", "post-processor", "post-processors", "error-cleanup-provisioner")
PROVISIONER_SPECIAL = ("only", "except", "pause_before", "max_retries", "timeout", "override", "name")
POST_PROCESSOR_SPECIAL = ("only", "except", "keep_input_artifact", "name")


class BuildCompiler:
    """The build half of the HCL2 loader (`loader._Loader`): needs its `sources`, `root`, `functions`, `plain`, `error` and `problems`."""

    checked_types: set  # (position, type) of the steps `dynamic` blocks made whose type was checked

    def _build(self, block, positions):
        attributes = block.body.attributes
        known = {"name", "description", "sources"}
        for name, attribute in attributes.items():
            if name not in known:
                self.error(attribute.pos, "Unsupported argument", f'An argument named "{name}" is not expected here.')
        evaluator = Evaluator(self.root, self.functions, self.plain.template_dir)
        try:
            build_name = evaluator.eval(attributes["name"].expr) if "name" in attributes else ""
            refs = evaluator.eval(attributes["sources"].expr) if "sources" in attributes else []
        except HCLError as exc:
            self.problems.extend(exc.diagnostics)
            return []
        uses = [(ref, None, {}, block.pos) for ref in refs or []]  # Packer reports a bad one at the build block
        for inner, bindings in self._expanded(block.body.blocks, evaluator, build_level=True):
            steps = [inner] if inner.type != "post-processors" else [b for b in inner.body.blocks if b.type == "post-processor"]
            for step in steps:
                if step.type in ("provisioner", "error-cleanup-provisioner", "post-processor") and step.labels:
                    kind = "post-processor" if step.type == "post-processor" else "provisioner"
                    self._known_type(kind, step.labels[0], step.pos, f"{kind} type")
            if inner.type == "source":
                uses.append((inner.labels[0] if inner.labels else "", inner, bindings, inner.pos))
            elif inner.type == "dynamic" and inner.labels and inner.labels[0] in STEP_BLOCKS:
                continue  # expanded by each source build
            elif inner.type not in STEP_BLOCKS:
                what = f'dynamic "{inner.labels[0]}"' if inner.type == "dynamic" and inner.labels else inner.type
                self.error(inner.pos, "Unsupported block type", f'Blocks of type "{what}" are not expected here.')
        out = []
        for ref, override, bindings, pos in uses:
            key = source_key(ref)
            if key is None:
                self.error(pos, "Invalid source reference", "A source reference is made of two or three parts split by a "
                           "dot `.`, each starting with a letter, like `source.type.name`; got " + repr(ref) + ".")
                continue
            source = self.sources.get(key)
            if source is None:
                self.error(pos, f"Unknown source {key}", f"Known: {', '.join(sorted(self.sources)) or 'none'}")
                continue
            entry = self._source_build(block, build_name, source, (override, bindings), evaluator, positions)
            if entry is not None:
                out.append(entry)
        return out

    def _expanded(self, blocks, evaluator, build_level=False):
        """A build's blocks with its `dynamic` ones expanded: [(block, iterator bindings)]. At the build level
        only `dynamic "source"` is expanded: the steps' may use `source.*`, so each source build expands them."""
        out = []
        for block in blocks:
            if block.type != "dynamic" or (build_level and block.labels != ["source"]):
                out.append((block, {}))
                continue
            try:
                out.extend(expand_dynamic(evaluator, block))
            except HCLError as exc:
                self.problems.extend(exc.diagnostics)
        return out

    def _check_made_type(self, block):
        """The type of a step a `dynamic` block made, checked once (not once per source build)."""
        if block.type in ("provisioner", "post-processor") and block.labels \
                and (block.pos, block.labels[0]) not in self.checked_types:
            self.checked_types.add((block.pos, block.labels[0]))
            self._known_type(block.type, block.labels[0], block.pos, f"{block.type} type")

    def _known_type(self, kind, ctype, pos, label):
        """Packer refuses a type it does not know as soon as it reads the block, used or not."""
        from ..schemas.builders import BUILDERS
        from ..schemas.packer_types import PACKER_TYPES
        from ..schemas.post_processors import POST_PROCESSORS
        from ..schemas.provisioners import PROVISIONERS

        schemas = {"builder": BUILDERS, "provisioner": PROVISIONERS, "post-processor": POST_PROCESSORS}[kind]
        if ctype in schemas or ctype in PACKER_TYPES[kind]:
            return
        known = ", ".join(sorted(t for t, spec in schemas.items() if spec.get("implemented", True)))
        self.error(pos, f'Unknown {label} "{ctype}"', f"known {kind}s: {known}")

    def _source_build(self, block, build_name, source, use, evaluator, positions):
        override, bindings = use
        stype, name = source.labels
        if override is not None and "name" in override.body.attributes:
            try:
                name = str(evaluator.child(bindings).eval(override.body.attributes["name"].expr))
            except HCLError as exc:
                self.problems.extend(exc.diagnostics)
                return None
        source_name = f"{stype}.{name}"
        raw_name = f"{build_name}.{source_name}" if build_name else source_name
        path = ("source", source_name)
        source_scope = {"type": stype, "name": name}
        keys = build_keys(stype)

        def build_value(key, pos):
            if key == "name":
                return build_name
            if key not in keys:
                raise HCLError(pos, "Unsupported attribute", f'A {stype} build has no "{key}"; it has '
                               f"{', '.join(sorted(keys))}.")
            return runtime_placeholder(key)

        inner = evaluator.child({"source": source_scope})
        try:
            config, source_positions = body_value(inner, source.body, where=path)
            positions[path] = source.pos
            positions.update(source_positions)
            _fit_blocks(config, source.body, "builder", stype)
            if override is not None:
                extra, extra_positions = body_value(inner.child(bindings), override.body, skip=("name",), where=path)
                _fit_blocks(extra, override.body, "builder", stype)
                config.update(extra)
                positions.update(extra_positions)
        except HCLError as exc:
            self.problems.extend(exc.diagnostics)
            return None
        components = inner.child({"build": Scope("build", build_value)})
        entry = {"raw_name": raw_name, "type": stype, "config": config, "path": path,
                 "provisioners": [], "error_cleanup": None, "post_processors": []}
        steps = [b for b in block.body.blocks if b.type != "source" and not (b.type == "dynamic" and b.labels == ["source"])]
        for index, (child, step_bindings) in enumerate(self._expanded(steps, components)):
            where = (raw_name, child.type, index)
            if step_bindings:
                self._check_made_type(child)
            step_evaluator = components.child(step_bindings)
            try:
                if child.type == "provisioner":
                    step = self._provisioner(child, step_evaluator, source_name, where, positions)
                    if step is not None:
                        entry["provisioners"].append(step)
                elif child.type == "error-cleanup-provisioner":
                    entry["error_cleanup"] = self._provisioner(child, step_evaluator, source_name, where, positions)
                elif child.type in ("post-processor", "post-processors"):
                    chain = [(child, {})] if child.type == "post-processor" else self._expanded(child.body.blocks, step_evaluator)
                    steps = []
                    for j, (pp, pp_bindings) in enumerate(chain):
                        if pp.type != "post-processor":
                            self.error(pp.pos, "Unsupported block type", f'Blocks of type "{pp.type}" are not expected here.')
                            continue
                        if pp_bindings:
                            self._check_made_type(pp)
                        step = self._post_processor(pp, step_evaluator.child(pp_bindings), source_name, where + (j,), positions)
                        if step is not None:
                            steps.append(step)
                    if steps:
                        entry["post_processors"].append(steps)
            except HCLError as exc:
                self.problems.extend(exc.diagnostics)
        return entry

    def _only_except(self, block, evaluator, source_name):
        attributes = block.body.attributes
        only = evaluator.eval(attributes["only"].expr) if "only" in attributes else []
        except_ = evaluator.eval(attributes["except"].expr) if "except" in attributes else []
        if only and except_:
            raise HCLError(block.pos, "Only one of 'only' or 'except' may be specified", "")
        names = {source_name, f"source.{source_name}"}
        if only:
            return any(n in names for n in only)
        return not any(n in names for n in except_)

    def _provisioner(self, block, evaluator, source_name, where, positions):
        if len(block.labels) != 1:
            raise HCLError(block.pos, "Missing provisioner type", "A provisioner block needs its type as its label.")
        if not self._only_except(block, evaluator, source_name):
            return None
        config, config_positions = body_value(evaluator, block.body, skip=PROVISIONER_SPECIAL, where=where)
        _fit_blocks(config, block.body, "provisioner", block.labels[0])
        override = block.body.attributes.get("override")
        if override is not None:
            value = evaluator.eval(override.expr)
            if isinstance(value, dict) and isinstance(value.get(source_name), dict):
                config.update(value[source_name])
        positions[where] = block.pos
        positions.update(config_positions)
        step = {"type": block.labels[0], "path": where, "label": f"provisioner {block.labels[0]}", "only": [], "except": [],
                "override": {}, "pause_before": 0.0, "timeout": 0.0, "max_retries": 0, "config": config}
        from ..decode import DecodeError, parse_duration

        for key in ("pause_before", "timeout"):
            if key in block.body.attributes:
                try:
                    step[key] = parse_duration(str(evaluator.eval(block.body.attributes[key].expr)))
                except DecodeError as exc:
                    raise HCLError(block.body.attributes[key].pos, "Invalid duration", str(exc)) from None
        if "max_retries" in block.body.attributes:
            step["max_retries"] = evaluator.eval(block.body.attributes["max_retries"].expr)
        return step

    def _post_processor(self, block, evaluator, source_name, where, positions):
        if len(block.labels) != 1:
            raise HCLError(block.pos, "Missing post-processor type", "A post-processor block needs its type as its label.")
        if not self._only_except(block, evaluator, source_name):
            return None
        config, config_positions = body_value(evaluator, block.body, skip=POST_PROCESSOR_SPECIAL, where=where)
        _fit_blocks(config, block.body, "post-processor", block.labels[0])
        positions[where] = block.pos
        positions.update(config_positions)
        attributes = block.body.attributes
        keep = evaluator.eval(attributes["keep_input_artifact"].expr) if "keep_input_artifact" in attributes else None
        name = evaluator.eval(attributes["name"].expr) if "name" in attributes else block.labels[0]
        return {"type": block.labels[0], "name": str(name), "path": where, "label": f"post-processor {block.labels[0]}",
                "only": [], "except": [], "keep_input_artifact": keep if keep is None else keep in (True, "true"),
                "config": config}


def _fit_blocks(config: dict, body, kind: str, ctype: str) -> None:
    """A nested block where the type's option is one object (`source_ami_filter {}`) becomes that object;
    blocks of a list option (`launch_block_device_mappings {}`) stay a list, as JSON writes them."""
    from ..schemas.builders import BUILDERS
    from ..schemas.post_processors import POST_PROCESSORS
    from ..schemas.provisioners import PROVISIONERS

    schema = {"builder": BUILDERS, "provisioner": PROVISIONERS, "post-processor": POST_PROCESSORS}[kind].get(ctype) or {}
    options = schema.get("options", {})
    for block in body.blocks:
        key = block.labels[0] if block.type == "dynamic" and block.labels else block.type
        if options.get(key) not in ("map", "map_any") or not isinstance(config.get(key), list):
            continue
        if len(config[key]) > 1:
            raise HCLError(block.pos, f'Too many "{key}" blocks', f'Only one "{key}" block is allowed here.')
        config[key] = config[key][0] if config[key] else {}


def source_key(ref) -> str | None:
    """`type.name` of a source reference, read as Packer reads it: `type.name`, or three parts whose first
    (`source`, `sources`, anything) is dropped; None when it is not one."""
    parts = str(ref).split(".")
    if len(parts) > 2:
        parts = parts[1:3]
    if len(parts) < 2 or not all(_IDENTIFIER.fullmatch(p) for p in parts):
        return None
    return ".".join(parts)
