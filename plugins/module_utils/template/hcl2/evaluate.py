"""Evaluating HCL2 expressions and block bodies (with `dynamic` blocks) to plain Python values."""

from __future__ import annotations

import os
import re

from . import syntax
from .diagnostics import HCLError
from .functions import FUNCTIONS, UNSUPPORTED, FunctionError, call
from .nodes import Block
from .values import ConversionError, convert, parse_type, to_bool, to_number, to_string, type_name

_PLACEHOLDER = re.compile(r"\{\{ build `(\w+)` \}\}")
RUNTIME_CASE = {"upper": str.upper, "lower": str.lower}  # also Go template functions, so they can wait for the value


def runtime_placeholder(key: str) -> str:
    """The text standing for `build.<key>` until the build runs: `render_runtime` fills it in."""
    return "{{ build `" + key + "` }}"


def _case_at_run_time(name: str, text: str) -> str:
    """upper()/lower() of text holding `build.*` placeholders: the literal parts now, each placeholder when
    the build has its value (Packer evaluates the whole expression again then)."""
    parts = _PLACEHOLDER.split(text)
    return "".join("{{ " + name + " (build `" + part + "`) }}" if odd else RUNTIME_CASE[name](part)
                   for odd, part in ((i % 2, p) for i, p in enumerate(parts)))


class Scope:
    """A named root (`var`, `local`) whose attributes resolve on demand, with HCL's words when missing."""

    def __init__(self, kind: str, lookup):
        self.kind = kind
        self.lookup = lookup  # name, pos -> value; raises HCLError

    def get(self, name, pos):
        return self.lookup(name, pos)


class Evaluator:
    """Evaluates expressions against `variables` (root name -> value or Scope) and a function table."""

    def __init__(self, variables: dict, functions: dict, template_dir: str):
        self.variables = variables
        self.functions = functions
        self.template_dir = template_dir

    def child(self, extra: dict) -> Evaluator:
        return Evaluator({**self.variables, **extra}, self.functions, self.template_dir)

    # ------------------------------------------------------------ expressions

    def eval(self, node):
        method = getattr(self, "e_" + type(node).__name__.lower())
        return method(node)

    def e_literal(self, node):
        return node.value

    def e_parens(self, node):
        return self.eval(node.expr)

    def e_template(self, node):
        if len(node.parts) == 1 and not isinstance(node.parts[0], (str, syntax.TemplateIf, syntax.TemplateFor)):
            return self.eval(node.parts[0])  # "${x}" alone keeps x's type, as HCL does
        return self.render(node)

    def render(self, node) -> str:
        out = []
        for part in node.parts:
            if isinstance(part, str):
                out.append(part)
            elif isinstance(part, syntax.TemplateIf):
                branch = part.then if self.truth(part.cond) else part.else_
                out.append(self.render(branch))
            elif isinstance(part, syntax.TemplateFor):
                for key, value in self.pairs(part.collection):
                    scope = {part.value: value}
                    if part.key:
                        scope[part.key] = key
                    out.append(self.child(scope).render(part.body))
            else:
                value = self.eval(part)
                try:
                    out.append(to_string(value))
                except ConversionError as exc:
                    raise HCLError(part.pos, "Invalid template interpolation value", str(exc)) from None
        return "".join(out)

    def truth(self, node) -> bool:
        value = self.eval(node)
        try:
            return to_bool(value)
        except ConversionError as exc:
            raise HCLError(node.pos, "Incorrect condition type", f"The condition expression must be of type bool: {exc}.") from None

    def pairs(self, node):
        collection = self.eval(node)
        if isinstance(collection, list):
            return list(enumerate(collection))
        if isinstance(collection, dict):
            return sorted(collection.items())
        raise HCLError(node.pos, "Iteration over non-iterable value",
                       f"A value of type {type_name(collection)} cannot be used as the collection in a 'for' expression.")

    def e_variable(self, node):
        if node.name in self.variables:
            value = self.variables[node.name]
            if isinstance(value, Scope):
                raise HCLError(node.pos, "Invalid reference", f'The "{node.name}" object must be followed by an attribute name.')
            return value
        raise HCLError(node.pos, "Unknown variable", f'There is no variable named "{node.name}".')

    def e_getattr(self, node):
        if isinstance(node.obj, syntax.Variable) and isinstance(self.variables.get(node.obj.name), Scope):
            return self.variables[node.obj.name].get(node.name, node.pos)
        return self.attr(self.eval(node.obj), node.name, node.pos)

    def attr(self, obj, name, pos):
        if isinstance(obj, dict):
            if name in obj:
                return obj[name]
            raise HCLError(pos, "Unsupported attribute", f'This object does not have an attribute named "{name}".')
        raise HCLError(pos, "Unsupported attribute", f"Can't access attributes on a value of type {type_name(obj)}.")

    def e_index(self, node):
        return self.index(self.eval(node.obj), self.eval(node.key), node.pos)

    def index(self, obj, key, pos):
        if isinstance(obj, list):
            try:
                number = to_number(key)
            except ConversionError as exc:
                raise HCLError(pos, "Invalid index", str(exc)) from None
            if not isinstance(number, int) or not 0 <= number < len(obj):
                raise HCLError(pos, "Invalid index", f"The given key does not identify an element in this collection value: "
                               f"index {to_string(number)} out of range for a list of {len(obj)}.")
            return obj[number]
        if isinstance(obj, dict):
            name = to_string(key) if not isinstance(key, (list, dict)) and key is not None else None
            if name not in obj:
                raise HCLError(pos, "Invalid index", f'The given key does not identify an element in this collection value: "{name}".')
            return obj[name]
        raise HCLError(pos, "Invalid index", f"This value of type {type_name(obj)} does not have any indices.")

    def e_splat(self, node):
        source = self.eval(node.obj)
        if source is None:
            return []
        items = source if isinstance(source, list) else [source]
        out = []
        for item in items:
            for kind, value in node.ops:
                item = self.attr(item, value, node.pos) if kind == "attr" else self.index(item, self.eval(value), node.pos)
            out.append(item)
        return out

    def e_tupleexpr(self, node):
        return [self.eval(item) for item in node.items]

    def e_objectexpr(self, node):
        out, errors = {}, []
        for key, value in node.items:  # HCL reports the errors of every item, not just the first
            try:
                name = self.eval(key)
                try:
                    name = to_string(name)
                except ConversionError as exc:
                    raise HCLError(key.pos, "Incorrect key type", str(exc)) from None
                out[name] = self.eval(value)
            except HCLError as exc:
                errors.append(exc)
        if errors:
            raise HCLError.joined(errors)
        return out

    def e_conditional(self, node):
        return self.eval(node.then) if self.truth(node.cond) else self.eval(node.else_)

    def e_unary(self, node):
        value = self.eval(node.operand)
        try:
            return (not to_bool(value)) if node.op == "!" else -to_number(value)
        except ConversionError as exc:
            raise HCLError(node.pos, "Invalid operand", f"Unsuitable value for unary operand: {exc}.") from None

    def e_binary(self, node):
        op = node.op
        if op in ("&&", "||"):
            left = self.truth(node.left)
            if (op == "&&" and not left) or (op == "||" and left):
                return left
            return self.truth(node.right)
        left, right = self.eval(node.left), self.eval(node.right)
        if op == "==":
            return _equal(left, right)
        if op == "!=":
            return not _equal(left, right)
        try:
            a, b = to_number(left), to_number(right)
        except ConversionError as exc:
            raise HCLError(node.pos, "Invalid operand", f"Unsuitable value for {op} operand: {exc}.") from None
        try:
            result = {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b, "/": lambda: a / b,
                      "%": lambda: a % b, "<": lambda: a < b, ">": lambda: a > b, "<=": lambda: a <= b,
                      ">=": lambda: a >= b}[op]()
        except ZeroDivisionError:
            raise HCLError(node.pos, "Zero divisor", "The right operand of a division must not be zero.") from None
        if isinstance(result, float) and result.is_integer():
            return int(result)
        return result

    def e_forexpr(self, node):
        tuple_out, object_out = [], {}
        for key, value in self.pairs(node.collection):
            scope = {node.value: value}
            if node.key:
                scope[node.key] = key
            inner = self.child(scope)
            if node.cond is not None and not inner.truth(node.cond):
                continue
            if node.key_expr is None:
                tuple_out.append(inner.eval(node.value_expr))
                continue
            name = to_string(inner.eval(node.key_expr))
            item = inner.eval(node.value_expr)
            if node.group:
                object_out.setdefault(name, []).append(item)
            elif name in object_out:
                raise HCLError(node.pos, "Duplicate object key", f'Two different items produced the key "{name}" in this '
                               "'for' expression. If duplicates are expected, use the ellipsis (...) after the value "
                               "expression to enable grouping by key.")
            else:
                object_out[name] = item
        return tuple_out if node.key_expr is None else object_out

    def e_call(self, node):
        name = node.name
        if name in ("try", "can"):
            return self.try_can(node)
        if name == "convert":
            if len(node.args) != 2:
                raise HCLError(node.pos, "Invalid function call", "convert takes a value and a type")
            try:
                return convert(self.eval(node.args[0]), parse_type(node.args[1]))
            except ConversionError as exc:
                raise HCLError(node.pos, "Invalid function argument", str(exc)) from None
        if name == "templatefile":
            return self.templatefile(node)
        if name not in self.functions:
            if name in UNSUPPORTED:
                raise HCLError(node.pos, "Unsupported function",
                               f'Packer\'s "{name}" function is not supported by cattle' +
                               (f" (it {UNSUPPORTED[name]})." if UNSUPPORTED[name] else "."))
            raise HCLError(node.pos, "Call to unknown function", f'There is no function named "{name}".')
        args = [self.eval(arg) for arg in node.args]
        if node.expand:
            if not args or not isinstance(args[-1], list):
                raise HCLError(node.pos, "Invalid expanding argument value", "The expanding argument (indicated by ...) "
                               "must be of a tuple, list, or set type.")
            args = args[:-1] + args[-1]
        if name in RUNTIME_CASE and len(args) == 1 and isinstance(args[0], str) and _PLACEHOLDER.search(args[0]):
            return _case_at_run_time(name, args[0])
        try:
            return call(name, self.functions, args)
        except FunctionError as exc:
            raise HCLError(node.pos, "Error in function call", f'Call to function "{name}" failed: {exc}') from None

    def try_can(self, node):
        for arg in node.args:
            try:
                value = self.eval(arg)
            except HCLError:
                continue
            return True if node.name == "can" else value
        if node.name == "can":
            return False
        raise HCLError(node.pos, "Error in function call", 'Call to function "try" failed: no expression succeeded.')

    def templatefile(self, node):
        if len(node.args) != 2:
            raise HCLError(node.pos, "Invalid function call", "templatefile takes a path and a map of variables")
        path, variables = self.eval(node.args[0]), self.eval(node.args[1])
        if not isinstance(variables, dict):
            raise HCLError(node.pos, "Invalid function argument", "templatefile's second argument must be a map")
        try:
            text = call("file", self.functions, [path])
        except FunctionError as exc:
            raise HCLError(node.pos, "Error in function call", f'Call to function "templatefile" failed: {exc}') from None
        walker = syntax.TemplateWalker(os.path.basename(str(path)))
        template = walker.template(walker.scan_template(text, 1), node.pos)
        # A template file sees only the variables given to it, and the functions.
        return Evaluator(dict(variables), self.functions, self.template_dir).eval(template)


def _equal(left, right) -> bool:
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    return left == right


# ---------------------------------------------------------------------- bodies


def body_value(evaluator: Evaluator, body, skip=(), where=()) -> tuple[dict, dict]:
    """A block body as a dict (nested blocks become lists of dicts under their type, `dynamic` expanded).

    Returns (value, positions) where positions maps a key path below `where` to the position it was written at.
    """
    value, positions, errors = {}, {}, []
    # Like Packer's decoder, every attribute and nested block is evaluated and all their errors reported at once.
    for name, attribute in body.attributes.items():
        if name in skip:
            continue
        try:
            value[name] = evaluator.eval(attribute.expr)
        except HCLError as exc:
            errors.append(exc)
        positions[where + (name,)] = attribute.pos
    for block in body.blocks:
        if block.type in skip:
            continue
        try:
            if block.type == "dynamic":
                _dynamic(evaluator, block, value, positions, where)
                continue
            items = value.setdefault(block.type, [])
            inner, inner_positions = body_value(evaluator, block.body, where=where + (block.type, len(items)))
        except HCLError as exc:
            errors.append(exc)
            continue
        positions.setdefault(where + (block.type,), block.pos)
        positions[where + (block.type, len(items))] = block.pos
        positions.update(inner_positions)
        items.append(inner)
    if errors:
        raise HCLError.joined(errors)
    return value, positions


def _dynamic(evaluator, block, value, positions, where):
    label = block.labels[0] if len(block.labels) == 1 else ""
    items = value.setdefault(label, [])
    positions.setdefault(where + (label,), block.pos)
    for made, bindings in expand_dynamic(evaluator, block):
        inner, inner_positions = body_value(evaluator.child(bindings), made.body, where=where + (label, len(items)))
        positions[where + (label, len(items))] = made.pos
        positions.update(inner_positions)
        items.append(inner)


def expand_dynamic(evaluator, block) -> list:
    """A `dynamic "T" {}` block's blocks: [(Block of type T with its `content` body, iterator bindings)].

    The bindings ({iterator: {key, value}}) are for evaluating the made block's body; `labels`, when given,
    is evaluated per item, as HCL's dynblock does."""
    if len(block.labels) != 1:
        raise HCLError(block.pos, "Missing block label", "A dynamic block needs the name of the block type it makes.")
    label = block.labels[0]
    attributes = block.body.attributes
    if "for_each" not in attributes:
        raise HCLError(block.pos, "Missing required argument", 'The argument "for_each" is required.')
    iterator = label
    if "iterator" in attributes:
        expr = attributes["iterator"].expr
        if not isinstance(expr, syntax.Variable):
            raise HCLError(attributes["iterator"].pos, "Invalid dynamic iterator name", "The iterator must be a plain name.")
        iterator = expr.name
    contents = [b for b in block.body.blocks if b.type == "content"]
    if len(contents) != 1:
        raise HCLError(block.pos, "Missing content block" if not contents else "Duplicate content block",
                       "A dynamic block must have exactly one nested block of type \"content\".")
    made = []
    for key, item in evaluator.pairs(attributes["for_each"].expr):
        bindings = {iterator: {"key": key, "value": item}}
        labels = []
        if "labels" in attributes:
            labels = evaluator.child(bindings).eval(attributes["labels"].expr)
            if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
                raise HCLError(attributes["labels"].pos, "Invalid dynamic block labels", "labels must be a list of strings.")
        made.append((Block(label, labels, contents[0].body, contents[0].pos), bindings))
    return made


def default_functions(extra: dict) -> dict:
    return {**FUNCTIONS, **extra}
