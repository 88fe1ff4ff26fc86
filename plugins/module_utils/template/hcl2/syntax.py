"""HCL2 native syntax to a small tree of our own, every node with its file:line:column.

The grammar is python-hcl2's lark grammar (a maintained parser); the tree it gives is walked
here, so evaluation (`evaluate.py`) never sees lark. lark is imported lazily: the JSON
template language must stay importable without it.
"""

from __future__ import annotations

import functools
import os
import re

from .diagnostics import HCLError

# The tree's kinds are read as syntax.<Kind>.
from .nodes import (  # noqa: F401 pylint: disable=unused-import
    Attribute,
    Binary,
    Block,
    Body,
    Call,
    Conditional,
    ForExpr,
    GetAttr,
    Index,
    Literal,
    Node,
    ObjectExpr,
    Parens,
    Splat,
    Template,
    TemplateFor,
    TemplateIf,
    TupleExpr,
    Unary,
    Variable,
)

# ---------------------------------------------------------------------- parsing


@functools.lru_cache(maxsize=1)
def _parser():
    try:
        import hcl2
        from hcl2.postlexer import PostLexer
        from lark import Lark
    except ImportError as exc:
        raise HCLError(None, "HCL2 templates need the python-hcl2 package (pip install python-hcl2)", str(exc)) from None
    grammar = os.path.join(os.path.dirname(hcl2.__file__), "hcl2.lark")
    return Lark.open(grammar, parser="lalr", propagate_positions=True, postlex=PostLexer(),
                     start=["start", "expression"], cache=_cache_file())


def _cache_file():
    """Building the LALR tables takes seconds: lark keeps them in the user's cache directory (not the shared
    /tmp), keyed inside by a hash of the grammar and options, so a changed grammar is rebuilt."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    directory = os.path.join(base, "cattle-images")
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
    except OSError:
        return False  # no cache: slower, still correct
    return os.path.join(directory, "hcl2-parser.lark-cache")


def parse_body(text: str, filename: str) -> Body:
    """Parses one `.pkr.hcl` (or `.pkrvars.hcl`) file; raises HCLError with the position."""
    from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

    if not text.endswith("\n"):
        text += "\n"
    try:
        tree = _parser().parse(text, start="start")
    except UnexpectedToken as exc:
        got = "end of file" if exc.token.type == "$END" else repr(str(exc.token).strip() or exc.token.type)
        raise HCLError((filename, exc.line, exc.column), "Invalid syntax", f"unexpected {got}") from None
    except UnexpectedCharacters as exc:
        raise HCLError((filename, exc.line, exc.column), "Invalid character",
                       f"unexpected character {text[exc.pos_in_stream]!r}") from None
    except UnexpectedEOF:
        lines = text.count("\n")
        raise HCLError((filename, lines, 1), "Unexpected end of file", "the file ends in the middle of a construct") from None
    except UnexpectedInput as exc:  # pragma: no cover - the other lark errors
        raise HCLError((filename, getattr(exc, "line", 0), getattr(exc, "column", 0)), "Invalid syntax", str(exc)) from None
    return TemplateWalker(filename).body(tree.children[0])


def parse_expression(text: str, filename: str, line: int = 1, column: int = 1, depth: int = 0):
    """One expression (a `-var` value, a heredoc's interpolation); positions offset to where it was written."""
    from lark.exceptions import UnexpectedInput

    try:
        tree = _parser().parse(text.strip() or "null", start="expression")
    except UnexpectedInput:
        raise HCLError((filename, line, column), "Invalid expression", f"cannot parse {text.strip()!r}") from None
    return TemplateWalker(filename, line - 1, column - 1, depth).expr(tree)


def _meaningful(children):
    out = []
    for child in children:
        if _is_tree(child):
            if child.data != "new_line_or_comment":
                out.append(child)
        elif child.type != "NL_OR_COMMENT":
            out.append(child)
    return out


def _is_tree(item) -> bool:
    return hasattr(item, "data")


def _is_token(item, kind) -> bool:
    return not _is_tree(item) and item.type == kind


_BRACKETED = frozenset({"tuple", "object", "function_call", "for_tuple_expr", "for_object_expr", "index_expr_term"})


_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)", re.S)
_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def _unescape(text: str) -> str:
    def repl(match):
        code = match.group(1)
        if code[0] in "uU" and len(code) > 1:
            return chr(int(code[1:], 16))
        return _SIMPLE_ESCAPES.get(code, "\\" + code)

    return _ESCAPE.sub(repl, text)


class TemplateWalker:
    """Turns lark's tree into ours; `line_offset`/`column_offset` place a re-parsed fragment."""

    def __init__(self, filename, line_offset=0, column_offset=0, depth=0):
        self.filename = filename
        self.line_offset = line_offset
        self.column_offset = column_offset
        self.depth = depth  # brackets around the expression being read: HCL ignores newlines only inside them

    def pos(self, item):
        if _is_tree(item):
            meta = item.meta
            line, column = getattr(meta, "line", 1), getattr(meta, "column", 1)
        else:
            line, column = item.line, item.column
        return (self.filename, line + self.line_offset, column + (self.column_offset if line == 1 else 0))

    # ------------------------------------------------------------ structure

    def body(self, tree) -> Body:
        attributes, blocks = {}, []
        for child in _meaningful(tree.children):
            if child.data == "attribute":
                name_node, _eq, expr = _meaningful(child.children)
                name = self.name(name_node)
                if name in attributes:
                    raise HCLError(self.pos(child), "Attribute redefined",
                                   f'The argument "{name}" was already set at line {attributes[name].pos[1]}.')
                attributes[name] = Attribute(name, self.expr(expr), self.pos(child))
            elif child.data == "block":
                parts = _meaningful(child.children)
                head = [p for p in parts if _is_tree(p) and p.data != "body"]
                body_tree = next(p for p in parts if _is_tree(p) and p.data == "body")
                btype = self.name(head[0])
                labels = [self.label(h) for h in head[1:]]
                blocks.append(Block(btype, labels, self.body(body_tree), self.pos(child)))
        return Body(attributes, blocks, self.pos(tree))

    def name(self, tree) -> str:
        token = tree.children[0]
        return str(token)

    def label(self, tree) -> str:
        if tree.data == "string":
            parts = self.string_parts(tree)
            if any(not isinstance(p, str) for p in parts):
                raise HCLError(self.pos(tree), "Invalid block label", "a block label cannot hold an interpolation")
            return "".join(parts)
        return self.name(tree)

    # ------------------------------------------------------------ expressions

    def expr(self, tree):
        if not _is_tree(tree):
            raise HCLError(self.pos(tree), "Invalid expression", f"unexpected {str(tree)!r}")
        method = getattr(self, "x_" + tree.data, None)
        if method is None:
            raise HCLError(self.pos(tree), "Unsupported expression", f"{tree.data} is not supported")
        bracketed = tree.data in _BRACKETED or (tree.data == "expr_term" and _is_token(tree.children[0], "LPAR"))
        self.depth += bracketed
        try:
            return method(tree, self.pos(tree))
        finally:
            self.depth -= bracketed

    def no_bare_newline(self, tree):
        """Outside brackets a newline ends the expression: an operator cannot start or end a line there."""
        if self.depth:
            return
        # A binary_op's own trailing newline ends its line; the newlines inside its term or a conditional do not.
        items = [c for c in tree.children if _is_tree(c) and c.data == "binary_term"] if tree.data == "binary_op" else [tree]
        for item in items:
            for child in item.children:
                if (_is_tree(child) and child.data == "new_line_or_comment") or \
                        (_is_tree(child) and child.data == "binary_operator" and "\n" in str(child.children[0])) or \
                        (not _is_tree(child) and child.type in ("QMARK", "COLON") and "\n" in str(child)):
                    raise HCLError(self.pos(tree), "Invalid expression", "Expected the start of an expression, but "
                                   "found an invalid expression token (a newline ends an expression outside brackets).")

    def x_expr_term(self, tree, pos):
        kids = _meaningful(tree.children)
        if len(kids) == 3 and not _is_tree(kids[0]) and kids[0].type == "LPAR":
            return Parens(pos, self.expr(kids[1]))
        return self.expr(kids[0])

    def x_int_lit(self, tree, pos):
        return Literal(pos, int(str(tree.children[0])))

    def x_float_lit(self, tree, pos):
        value = float(str(tree.children[0]))
        return Literal(pos, int(value) if value.is_integer() and "e" not in str(tree.children[0]).lower() else value)

    def x_literal_value(self, tree, pos):
        return Literal(pos, {"true": True, "false": False, "null": None}[str(tree.children[0])])

    def x_identifier(self, tree, pos):
        return Variable(pos, str(tree.children[0]))

    def x_keyword(self, tree, pos):
        return Variable(pos, str(tree.children[0]))

    def x_string(self, tree, pos):
        return self.template(self.string_parts(tree), pos)

    def x_template_string(self, tree, pos):
        return Literal(pos, _unescape(str(tree.children[0])[2:-2]))

    def string_parts(self, tree):
        parts = []
        for part in tree.children:
            if not _is_tree(part):
                continue  # the quotes
            inner = part.children[0]
            if _is_tree(inner):
                parts.append(self.directive(inner))
            elif inner.type == "STRING_CHARS":
                parts.append(_unescape(str(inner)))
            else:  # $${ or %%{: a literal ${ or %{
                parts.append(str(inner)[1:])
        return parts

    def directive(self, tree):
        kids = _meaningful(tree.children)
        strip = ("strip_left" if len(kids) > 1 and not _is_tree(kids[1]) and kids[1].type == "STRIP_MARKER" else "",
                 "strip_right" if len(kids) > 1 and not _is_tree(kids[-2]) and kids[-2].type == "STRIP_MARKER" else "")
        trees = [k for k in kids if _is_tree(k)]
        if tree.data == "interpolation":
            self.depth += 1
            try:
                return self.expr(trees[0])
            finally:
                self.depth -= 1
        if tree.data == "template_if_start":
            return ("if", self.expr(trees[0]), strip, self.pos(tree))
        if tree.data == "template_for_start":
            names = [str(t.children[0]) for t in trees[:-1]]
            return ("for", names, self.expr(trees[-1]), strip, self.pos(tree))
        return (tree.data.replace("template_", ""), strip, self.pos(tree))

    def template(self, parts, pos):
        """Assembles %{if}/%{for} directives (flat in the grammar) into nested nodes."""
        parts = _apply_strip_markers(list(parts))
        stack = [("root", [], None)]
        for part in parts:
            if isinstance(part, tuple):
                kind = part[0]
                if kind in ("if", "for"):
                    stack.append((kind, [], part))
                elif kind == "else":
                    if stack[-1][0] != "if":
                        raise HCLError(part[-1], "Invalid template directive", "%{else} without %{if}")
                    stack.append(("else", [], part))
                elif kind in ("endif", "endfor"):
                    body = stack.pop()
                    else_parts = None
                    if body[0] == "else":
                        else_parts = body[1]
                        body = stack.pop()
                    if body[0] != kind[3:]:
                        raise HCLError(part[-1], "Invalid template directive", f"%{{{kind}}} without its opening")
                    opener = body[2]
                    if kind == "endif":
                        node = TemplateIf(opener[-1], opener[1], Template(opener[-1], body[1]),
                                          Template(opener[-1], else_parts or []))
                    else:
                        names = opener[1]
                        key, value = (names[0], names[1]) if len(names) == 2 else (None, names[0])
                        node = TemplateFor(opener[-1], key, value, opener[2], Template(opener[-1], body[1]))
                    stack[-1][1].append(node)
            else:
                stack[-1][1].append(part)
        if len(stack) != 1:
            raise HCLError(stack[-1][2][-1], "Unterminated template directive", f"%{{{stack[-1][0]}}} is never closed")
        items = stack[0][1]
        if len(items) == 1 and isinstance(items[0], str):
            return Literal(pos, items[0])
        if not items:
            return Literal(pos, "")
        return Template(pos, items)

    def x_heredoc_template(self, tree, pos, trim=False):
        raw = str(tree.children[0])
        first_newline = raw.index("\n")
        lines = raw[first_newline + 1:].split("\n")
        body_lines = lines[:-2]  # the marker line and the empty string after its newline
        if trim:
            indents = [len(line) - len(line.lstrip(" \t")) for line in body_lines if line.strip()]
            cut = min(indents) if indents else 0
            body_lines = [line[cut:] for line in body_lines]
        text = "\n".join(body_lines) + ("\n" if body_lines else "")
        return self.template(self.scan_template(text, pos[1] + 1), pos)

    def x_heredoc_template_trim(self, tree, pos):
        return self.x_heredoc_template(tree, pos, trim=True)

    def scan_template(self, text, first_line):
        """A heredoc's body is a template too: split out ${…} and %{…} by hand, parse each inside."""
        parts, literal, i = [], [], 0
        while i < len(text):
            two = text[i:i + 2]
            if text[i:i + 3] in ("$${", "%%{"):
                literal.append(text[i + 1:i + 3])
                i += 3
                continue
            if two in ("${", "%{"):
                end = _closing_brace(text, i + 2)
                line = first_line + text.count("\n", 0, i)
                column = i - (text.rfind("\n", 0, i) + 1) + 1
                inner = text[i + 2:end]
                if literal:
                    parts.append("".join(literal))
                    literal = []
                if end < 0:
                    raise HCLError((self.filename, line, column), "Unterminated template string", "no closing '}'")
                parts.append(self._scanned(two, inner, line, column + 2))
                i = end + 1
                continue
            literal.append(text[i])
            i += 1
        if literal:
            parts.append("".join(literal))
        return parts

    def _scanned(self, opener, inner, line, column):
        strip = ("strip_left" if inner.startswith("~") else "", "strip_right" if inner.endswith("~") else "")
        inner = inner.strip("~").strip()
        where = (self.filename, line, column)
        if opener == "${":
            return parse_expression(inner, self.filename, line, column, depth=1)
        word = inner.split(None, 1)[0] if inner else ""
        if word == "if":
            return ("if", parse_expression(inner[2:], self.filename, line, column), strip, where)
        if word == "for":
            match = re.match(r"for\s+([A-Za-z_][\w-]*)(?:\s*,\s*([A-Za-z_][\w-]*))?\s+in\s+(.*)$", inner, re.S)
            if not match:
                raise HCLError(where, "Invalid template directive", f"cannot parse %{{{inner}}}")
            names = [n for n in match.groups()[:2] if n]
            return ("for", names, parse_expression(match.group(3), self.filename, line, column), strip, where)
        if word in ("else", "endif", "endfor"):
            return (word, strip, where)
        raise HCLError(where, "Invalid template directive", f"unknown directive %{{{inner}}}")

    def x_tuple(self, tree, pos):
        return TupleExpr(pos, [self.expr(k) for k in _meaningful(tree.children) if _is_tree(k)])

    def x_object(self, tree, pos):
        items = []
        for elem in _meaningful(tree.children):
            if not _is_tree(elem):
                continue
            key_tree, _sep, value_tree = _meaningful(elem.children)
            key_inner = _meaningful(key_tree.children)[0]
            key = self.expr(key_inner)
            if isinstance(key, Variable):  # a bare name is the key itself, not a reference
                key = Literal(key.pos, key.name)
            items.append((key, self.expr(value_tree)))
        return ObjectExpr(pos, items)

    def x_function_call(self, tree, pos):
        kids = _meaningful(tree.children)
        names = [str(k.children[0]) for k in kids if _is_tree(k) and k.data == "identifier"]
        args, expand = [], False
        for kid in kids:
            if _is_tree(kid) and kid.data == "arguments":
                for item in _meaningful(kid.children):
                    if _is_tree(item):
                        args.append(self.expr(item))
                    elif item.type == "ELLIPSIS":
                        expand = True
        return Call(pos, "::".join(names), args, expand)

    def x_index_expr_term(self, tree, pos):
        obj, index = _meaningful(tree.children)
        return self._apply(self.expr(obj), index, pos)

    def x_get_attr_expr_term(self, tree, pos):
        obj, attr = _meaningful(tree.children)
        return self._apply(self.expr(obj), attr, pos)

    def _apply(self, obj, op, pos):
        kind, value = self._op(op)
        return GetAttr(pos, obj, value) if kind == "attr" else Index(pos, obj, value)

    def _op(self, op):
        kids = _meaningful(op.children)
        if op.data == "get_attr":
            return ("attr", str(kids[1].children[0]))
        if op.data == "short_index":
            return ("index", Literal(self.pos(op), int(str(kids[1]))))
        return ("index", self.expr(kids[1]))  # braces_index

    def x_attr_splat_expr_term(self, tree, pos):
        obj, splat = _meaningful(tree.children)
        return Splat(pos, self.expr(obj), [self._op(k) for k in _meaningful(splat.children) if _is_tree(k)])

    x_full_splat_expr_term = x_attr_splat_expr_term

    def x_conditional(self, tree, pos):
        self.no_bare_newline(tree)
        cond, _q, then, _c, else_ = _meaningful(tree.children)
        return Conditional(pos, self.expr(cond), self.expr(then), self.expr(else_))

    def x_binary_op(self, tree, pos):
        self.no_bare_newline(tree)
        left, term = _meaningful(tree.children)[:2]
        operator, right = _meaningful(term.children)
        return Binary(pos, str(operator.children[0]).strip(), self.expr(left), self.expr(right))

    def x_unary_op(self, tree, pos):
        op, operand = _meaningful(tree.children)
        return Unary(pos, str(op), self.expr(operand))

    def _for_intro(self, intro):
        kids = _meaningful(intro.children)
        names = [str(k.children[0]) for k in kids if _is_tree(k) and k.data == "identifier"]
        collection = [k for k in kids if _is_tree(k) and k.data != "identifier"][-1]
        key, value = (names[0], names[1]) if len(names) == 2 else (None, names[0])
        return key, value, self.expr(collection)

    def x_for_tuple_expr(self, tree, pos):
        trees = [k for k in _meaningful(tree.children) if _is_tree(k)]
        key, value, collection = self._for_intro(trees[0])
        cond = self.expr(_meaningful(trees[2].children)[-1]) if len(trees) > 2 else None
        return ForExpr(pos, key, value, collection, None, self.expr(trees[1]), cond, False)

    def x_for_object_expr(self, tree, pos):
        kids = _meaningful(tree.children)
        trees = [k for k in kids if _is_tree(k)]
        key, value, collection = self._for_intro(trees[0])
        group = any(not _is_tree(k) and k.type == "ELLIPSIS" for k in kids)
        cond = self.expr(_meaningful(trees[3].children)[-1]) if len(trees) > 3 else None
        return ForExpr(pos, key, value, collection, self.expr(trees[1]), self.expr(trees[2]), cond, group)


def _apply_strip_markers(parts):
    """`%{~ …}` trims the whitespace before a directive, `%{… ~}` the whitespace after it."""
    for index, part in enumerate(parts):
        if not isinstance(part, tuple):
            continue
        strip = part[-2]
        if strip[0] and index > 0 and isinstance(parts[index - 1], str):
            parts[index - 1] = parts[index - 1].rstrip()
        if strip[1] and index + 1 < len(parts) and isinstance(parts[index + 1], str):
            parts[index + 1] = parts[index + 1].lstrip()
    return [p for p in parts if p != ""]


def _closing_brace(text: str, start: int) -> int:
    """Index of the `}` closing an interpolation opened before `start`, skipping strings and nesting."""
    depth, i = 0, start
    while i < len(text):
        char = text[i]
        if char == '"':
            i += 1
            while i < len(text) and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
        elif char == "{":
            depth += 1
        elif char == "}":
            if depth == 0:
                return i
            depth -= 1
        i += 1
    return -1
