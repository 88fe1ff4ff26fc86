"""The tree HCL2 files are read into (native or JSON syntax): small nodes, each with its (file, line, column)."""

from __future__ import annotations


class Node:
    __slots__ = ("pos",)
    fields: tuple = ()

    def __repr__(self):
        return f"{type(self).__name__}({', '.join(repr(getattr(self, f)) for f in self.fields)})"


def _node(name, *fields):
    """A node class with these fields, built once (the tree has many small kinds)."""

    def __init__(self, pos, *values):
        self.pos = pos
        for field, value in zip(fields, values, strict=True):
            setattr(self, field, value)

    return type(name, (Node,), {"__slots__": fields, "fields": fields, "__init__": __init__})


Literal = _node("Literal", "value")
Template = _node("Template", "parts")  # parts: str or expression nodes, TemplateIf, TemplateFor
TemplateIf = _node("TemplateIf", "cond", "then", "else_")
TemplateFor = _node("TemplateFor", "key", "value", "collection", "body")
Variable = _node("Variable", "name")
GetAttr = _node("GetAttr", "obj", "name")
Index = _node("Index", "obj", "key")
Splat = _node("Splat", "obj", "ops")  # ops: ("attr", name) / ("index", node)
Call = _node("Call", "name", "args", "expand")
TupleExpr = _node("TupleExpr", "items")
ObjectExpr = _node("ObjectExpr", "items")  # [(key node, value node)]
Conditional = _node("Conditional", "cond", "then", "else_")
Binary = _node("Binary", "op", "left", "right")
Unary = _node("Unary", "op", "operand")
ForExpr = _node("ForExpr", "key", "value", "collection", "key_expr", "value_expr", "cond", "group")
Parens = _node("Parens", "expr")


class Attribute:
    __slots__ = ("name", "expr", "pos")

    def __init__(self, name, expr, pos):
        self.name, self.expr, self.pos = name, expr, pos


class Block:
    __slots__ = ("type", "labels", "body", "pos")

    def __init__(self, btype, labels, body, pos):
        self.type, self.labels, self.body, self.pos = btype, labels, body, pos


class Body:
    __slots__ = ("attributes", "blocks", "pos")

    def __init__(self, attributes, blocks, pos):
        self.attributes, self.blocks, self.pos = attributes, blocks, pos  # attributes: name -> Attribute
