"""HCL's JSON syntax (`*.pkr.json`) read into the same tree as the native syntax.

JSON cannot say which property is a block: Packer's block schema does, so it is written here
(which block types each body has, and how many labels each takes). Every other property is an
attribute; its strings are templates (`"${var.x}"`), objects and arrays are HCL objects and tuples.
"""

from __future__ import annotations

from ..source import Repeated, SourceError, again, read_json
from . import syntax
from .diagnostics import HCLError

# body kind -> {block type: (label count, kind of its body)}
BLOCKS = {
    "root": {"variable": (1, "variable"), "locals": (0, "attributes"), "local": (1, "attributes"),
             "source": (2, "attributes"), "build": (0, "build"), "packer": (0, "packer"), "data": (2, "attributes"),
             "communicator": (2, "attributes")},
    "variable": {"validation": (0, "attributes")},
    "build": {"source": (1, "attributes"), "provisioner": (1, "attributes"), "post-processor": (1, "attributes"),
              "post-processors": (0, "post-processors"), "error-cleanup-provisioner": (1, "attributes")},
    "post-processors": {"post-processor": (1, "attributes")},
    "packer": {"required_plugins": (0, "attributes")},
    "attributes": {},
}


def parse_json_body(text: str, filename: str) -> syntax.Body:
    try:
        doc = read_json(text, repeated=True)  # a key written twice is two blocks, as in HCL's JSON
    except SourceError as exc:
        raise HCLError((filename, exc.line, exc.column), "Invalid JSON", exc.message) from None
    reader = _Reader(doc, filename)
    if not isinstance(doc.value, dict):
        raise HCLError((filename, 1, 1), "Invalid JSON body", "The root of a *.pkr.json file must be an object.")
    return reader.body(doc.value, (), "root")


class _Reader:
    def __init__(self, doc, filename):
        self.doc = doc
        self.filename = filename

    def pos(self, path):
        line, column = self.doc.position(path)
        return (self.filename, line, column)

    def body(self, value: dict, path, kind: str) -> syntax.Body:
        attributes, blocks = {}, []
        for key, item in value.items():
            where = path + (key,)
            if key == "//":
                continue  # HCL JSON's comment property
            occurrences = [(where if n == 0 else where + (again(n),), v) for n, v in enumerate(item)] \
                if isinstance(item, Repeated) else [(where, item)]
            if key in BLOCKS[kind]:
                labels, inner_kind = BLOCKS[kind][key]
                for at, value_at in occurrences:
                    self.blocks(key, value_at, at, labels, [], inner_kind, blocks)
            elif len(occurrences) > 1:
                raise HCLError(self.pos(occurrences[1][0]), "Duplicate argument",
                               f'The argument "{key}" was already set at {self.pos(where)[1]}; each argument may be set only once.')
            else:
                expr = self.expr(item, where)
                if kind == "variable" and key == "type" and isinstance(expr, syntax.Literal) and isinstance(expr.value, str):
                    line, column = self.doc.position(where)
                    expr = syntax.parse_expression(expr.value, self.filename, line, column)
                attributes[key] = syntax.Attribute(key, expr, self.pos(where))
        return syntax.Body(attributes, blocks, self.pos(path))

    def blocks(self, btype, value, path, labels_left, labels, kind, out):
        if isinstance(value, list):
            for index, item in enumerate(value):
                self.blocks(btype, item, path + (index,), labels_left, labels, kind, out)
            return
        if not isinstance(value, dict):
            raise HCLError(self.pos(path), "Incorrect JSON value type", f'A "{btype}" block must be a JSON object.')
        if labels_left:
            for label, item in value.items():
                items = list(enumerate(item)) if isinstance(item, Repeated) else [(0, item)]
                for n, one in items:
                    at = path + (label,) if n == 0 else path + (label, again(n))
                    self.blocks(btype, one, at, labels_left - 1, labels + [label], kind, out)
            return
        out.append(syntax.Block(btype, labels, self.body(value, path, kind), self.pos(path)))

    def expr(self, value, path):
        pos = self.pos(path)
        if isinstance(value, str):
            if "${" not in value and "%{" not in value:
                return syntax.Literal(pos, value)
            walker = syntax.TemplateWalker(self.filename, pos[1] - 1, pos[2])
            return walker.template(walker.scan_template(value, pos[1]), pos)
        if isinstance(value, list):
            return syntax.TupleExpr(pos, [self.expr(item, path + (i,)) for i, item in enumerate(value)])
        if isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, Repeated):
                    raise HCLError(self.pos(path + (key, again(1))), "Duplicate object attribute",
                                   f'An attribute named "{key}" was already defined in this object.')
            return syntax.ObjectExpr(pos, [(syntax.Literal(pos, key), self.expr(item, path + (key,)))
                                           for key, item in value.items()])
        return syntax.Literal(pos, value)
