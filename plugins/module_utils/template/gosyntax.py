"""Go's text/template syntax, the subset Packer templates use: the nodes, and the lexer/parser.

Supported: text and actions `{{ }}` with `{{-`/`-}}` trimming and `{{/* comments */}}`;
pipelines `a | b`; function calls; `.Field` (and `.A.B`) references; `.`; string
literals (Go-escaped "..." and raw `...`); integers, floats, booleans, `nil`;
parenthesised pipelines; `{{if}}` / `{{else if}}` / `{{else}}` / `{{end}}`.
Evaluation is `gotemplate.py`.
"""

from __future__ import annotations

import math
from typing import Any

from .errors import GoTemplateError

KEYWORDS = {"if", "else", "end", "range", "with", "define", "template", "block", "break", "continue"}
NO_VALUE = "<no value>"


class _Missing:
    """Go's invalid reflect.Value: what a missing map key evaluates to."""

    def __repr__(self) -> str:
        return NO_VALUE


MISSING = _Missing()


# ---------------------------------------------------------------- nodes


class _Node:
    """Plain classes rather than dataclasses: they import faster (CLI start-up time)."""

    __slots__ = ()

    def __eq__(self, other):
        return type(self) is type(other) and all(getattr(self, n) == getattr(other, n) for n in self.__slots__)

    def __repr__(self):
        return f"{type(self).__name__}(" + ", ".join(f"{n}={getattr(self, n)!r}" for n in self.__slots__) + ")"


class Text(_Node):
    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text


class Ident(_Node):
    __slots__ = ("name", "source")

    def __init__(self, name: str, source: str = ""):
        self.name = name
        self.source = source


class FieldRef(_Node):
    __slots__ = ("names", "source")

    def __init__(self, names: tuple, source: str = ""):
        self.names = names
        self.source = source


class Literal(_Node):
    __slots__ = ("value", "source")

    def __init__(self, value: Any, source: str = ""):
        self.value = value
        self.source = source


class Command(_Node):
    __slots__ = ("args",)

    def __init__(self, args: list):
        self.args = args  # Ident | FieldRef | Literal | Pipeline


class Pipeline(_Node):
    __slots__ = ("commands", "line", "source")

    def __init__(self, commands: list, line: int = 1, source: str = ""):
        self.commands = commands
        self.line = line
        self.source = source


class Action(_Node):
    __slots__ = ("pipe",)

    def __init__(self, pipe: Pipeline):
        self.pipe = pipe


class If(_Node):
    __slots__ = ("pipe", "body", "orelse")

    def __init__(self, pipe: Pipeline, body: list | None = None, orelse: list | None = None):
        self.pipe = pipe
        self.body = body or []
        self.orelse = orelse or []


# ---------------------------------------------------------------- lexer / parser


def _is_space(ch: str) -> bool:
    return ch in " \t\r\n"


class _Parser:
    def __init__(self, text: str, funcs: set[str] | frozenset[str] | dict):
        self.text = text
        self.funcs = funcs
        self.pos = 0

    def line_at(self, pos: int) -> int:
        return self.text.count("\n", 0, pos) + 1

    def error(self, message: str, pos: int | None = None) -> GoTemplateError:
        line = self.line_at(self.pos if pos is None else pos)
        return GoTemplateError(f"template: root:{line}: {message}")

    # Top level: split text and actions, build the tree of if/else/end.
    def parse(self) -> list:
        items = self._scan_items()
        tree, rest, end = self._build(items, 0, top=True)
        return tree

    def _scan_items(self) -> list:
        """Returns a flat list of Text, ('action', tokens, pos) and trim-adjusted texts."""
        text = self.text
        items: list = []
        pos = 0
        trim_next = False
        while True:
            start = text.find("{{", pos)
            chunk = text[pos:] if start < 0 else text[pos:start]
            if trim_next:
                chunk = chunk.lstrip(" \t\r\n")
            if start < 0:
                if chunk:
                    items.append(Text(chunk))
                return items
            inner = start + 2
            if text.startswith("-", inner) and inner + 1 < len(text) and _is_space(text[inner + 1]):
                chunk = chunk.rstrip(" \t\r\n")
                inner += 1
            if chunk:
                items.append(Text(chunk))
            self.pos = inner
            # comment
            probe = inner
            while probe < len(text) and _is_space(text[probe]):
                probe += 1
            if text.startswith("/*", probe) and (probe == inner or text[inner - 1] == "-"):
                close = text.find("*/", probe + 2)
                if close < 0:
                    raise self.error("unclosed comment", start)
                after = close + 2
                trim_next = False
                if text.startswith(" -}}", after):
                    after += 4
                    trim_next = True
                elif text.startswith("}}", after):
                    after += 2
                else:
                    raise self.error("comment ends before closing delimiter", start)
                pos = after
                continue
            tokens, end_pos, trim_next = self._lex_action(inner, start)
            items.append(("action", tokens, start, text[inner:end_pos]))
            pos = self._after_close

    def _lex_action(self, pos: int, action_start: int):
        """Tokenises one action; returns (tokens, index of the closing delimiter, trim flag)."""
        text = self.text
        tokens: list[tuple[str, Any, str]] = []
        n = len(text)
        while True:
            if pos >= n:
                raise self.error("unclosed action", action_start)
            ch = text[pos]
            if _is_space(ch):
                # ` -}}` closes with trimming
                probe = pos
                while probe < n and _is_space(text[probe]):
                    probe += 1
                if text.startswith("-}}", probe):
                    self._after_close = probe + 3
                    return tokens, probe, True
                pos = probe
                continue
            if text.startswith("}}", pos):
                self._after_close = pos + 2
                return tokens, pos, False
            if ch == "|":
                tokens.append(("pipe", "|", "|"))
                pos += 1
            elif ch == "(":
                tokens.append(("lparen", "(", "("))
                pos += 1
            elif ch == ")":
                tokens.append(("rparen", ")", ")"))
                pos += 1
            elif ch == "`":
                close = text.find("`", pos + 1)
                if close < 0:
                    raise self.error("unterminated raw quoted string", action_start)
                tokens.append(("string", text[pos + 1:close], text[pos:close + 1]))
                pos = close + 1
            elif ch == '"':
                value, end = self._lex_quoted(pos, action_start)
                tokens.append(("string", value, text[pos:end]))
                pos = end
            elif ch == "'":
                end = text.find("'", pos + 1)
                if end < 0:
                    raise self.error("unterminated character constant", action_start)
                body = text[pos + 1:end]
                if len(body) != 1:
                    raise self.error(f"malformed character constant: {text[pos:end + 1]}", action_start)
                tokens.append(("number", ord(body), text[pos:end + 1]))
                pos = end + 1
            elif ch == "." and (pos + 1 >= n or not text[pos + 1].isdigit()):
                end = pos + 1
                names = []
                while True:
                    word_end = end
                    while word_end < n and (text[word_end].isalnum() or text[word_end] == "_"):
                        word_end += 1
                    if word_end == end:
                        break
                    names.append(text[end:word_end])
                    end = word_end
                    if end < n and text[end] == "." and end + 1 < n and (text[end + 1].isalpha() or text[end + 1] == "_"):
                        end += 1
                        continue
                    break
                tokens.append(("field", tuple(names), text[pos:end]))
                pos = end
            elif ch.isdigit() or (ch in "+-." and pos + 1 < n and text[pos + 1].isdigit()):
                end = pos + 1
                while end < n and (text[end].isalnum() or text[end] in "._+-"):
                    if text[end] in "+-" and text[end - 1] not in "eEpP":
                        break
                    end += 1
                raw = text[pos:end]
                tokens.append(("number", self._number(raw, action_start), raw))
                pos = end
            elif ch.isalpha() or ch == "_":
                end = pos + 1
                while end < n and (text[end].isalnum() or text[end] == "_"):
                    end += 1
                tokens.append(("ident", text[pos:end], text[pos:end]))
                pos = end
            elif ch == "$":
                raise self.error("variables ($x) are not supported", action_start)
            elif ch == ":" or ch == "=":
                raise self.error("assignments are not supported", action_start)
            else:
                raise self.error(f"unexpected {ch!r} in command", action_start)

    def _lex_quoted(self, pos: int, action_start: int) -> tuple[str, int]:
        text = self.text
        out = []
        i = pos + 1
        escapes = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'", "a": "\a",
                   "b": "\b", "f": "\f", "v": "\v"}
        while True:
            if i >= len(text) or text[i] == "\n":
                raise self.error("unterminated quoted string", action_start)
            ch = text[i]
            if ch == '"':
                return "".join(out), i + 1
            if ch == "\\":
                nxt = text[i + 1:i + 2]
                if nxt in escapes:
                    out.append(escapes[nxt])
                    i += 2
                    continue
                hex_len = {"x": 2, "u": 4, "U": 8}.get(nxt)
                if hex_len:
                    digits = text[i + 2:i + 2 + hex_len]
                    try:
                        out.append(chr(int(digits, 16)))
                    except (ValueError, OverflowError):
                        raise self.error("invalid syntax in quoted string", action_start) from None
                    i += 2 + hex_len
                    continue
                if nxt.isdigit():
                    digits = text[i + 1:i + 4]
                    try:
                        out.append(chr(int(digits, 8)))
                    except ValueError:
                        raise self.error("invalid syntax in quoted string", action_start) from None
                    i += 4
                    continue
                raise self.error("invalid syntax in quoted string", action_start)
            out.append(ch)
            i += 1

    def _number(self, raw: str, action_start: int):
        # Go's rules (text/template/parse.newNumber): an integer that fits 64 bits, else a finite
        # float64; integer-looking text that only a float can hold is an "integer overflow".
        clean = raw.replace("_", "")
        unsigned = clean.lstrip("+-").lower()
        try:
            value = float.fromhex(clean) if unsigned.startswith("0x") else float(clean)
        except ValueError:
            value = None  # not a float's syntax (0o17 and 0b101 are still integers)
        octal = len(unsigned) > 1 and unsigned.isdigit() and unsigned[0] == "0"  # Go reads 017 as octal
        try:
            number = int(clean, 8 if octal else 0)
        except ValueError:  # also for more than 4,300 digits
            number = None
        if number is not None and -(2**63) <= number < 2**64:
            return number
        if value is None:
            raise self.error(f"bad number syntax: {go_quote(raw)}", action_start)
        if math.isinf(value):
            raise self.error(f"illegal number syntax: {go_quote(raw)}", action_start)
        if not any(c in clean for c in ".eEpP"):
            raise self.error(f"integer overflow: {go_quote(raw)}", action_start)
        return value

    # Pipelines
    def _pipeline(self, tokens: list, start: int, line: int, source: str) -> Pipeline:
        commands, index = self._commands(tokens, 0, line, closing=False)
        return Pipeline(commands, line, source)

    def _commands(self, tokens: list, index: int, line: int, closing: bool):
        commands: list[Command] = []
        args: list = []
        while index < len(tokens):
            kind, value, source = tokens[index]
            if kind == "pipe":
                if not args:
                    raise GoTemplateError(f"template: root:{line}: missing command")
                commands.append(Command(args))
                args = []
                index += 1
                continue
            if kind == "rparen":
                if not closing:
                    raise GoTemplateError(f"template: root:{line}: unexpected right paren")
                break
            if kind == "lparen":
                inner, index = self._commands(tokens, index + 1, line, closing=True)
                if index >= len(tokens) or tokens[index][0] != "rparen":
                    raise GoTemplateError(f"template: root:{line}: unclosed left paren")
                sub_source = " | ".join(_command_source(c) for c in inner)
                args.append(Pipeline(inner, line, sub_source))
                index += 1
                continue
            if kind == "ident":
                if value in ("true", "false"):
                    args.append(Literal(value == "true", source))
                elif value == "nil":
                    args.append(Literal(None, source))
                elif value in KEYWORDS:
                    raise GoTemplateError(f"template: root:{line}: unexpected <{value}> in command")
                else:
                    if value not in self.funcs:
                        raise GoTemplateError(f'template: root:{line}: function "{value}" not defined')
                    args.append(Ident(value, source))
            elif kind == "field":
                args.append(FieldRef(value, source))
            else:
                args.append(Literal(value, source))
            index += 1
        if not args:
            raise GoTemplateError(f"template: root:{line}: missing value for command")
        commands.append(Command(args))
        return commands, index

    def _build(self, items: list, index: int, top: bool):
        """Turns the flat item list into a tree; returns (nodes, next index, terminator)."""
        nodes: list = []
        while index < len(items):
            item = items[index]
            if isinstance(item, Text):
                nodes.append(item)
                index += 1
                continue
            _kind, tokens, pos, source = item
            line = self.line_at(pos)
            if not tokens:
                raise GoTemplateError(f"template: root:{line}: missing value for command")
            head = tokens[0]
            if head[0] == "ident" and head[1] in ("end", "else"):
                if top:
                    raise GoTemplateError(f"template: root:{line}: unexpected {{{{{head[1]}}}}}")
                return nodes, index, item
            if head[0] == "ident" and head[1] == "if":
                node, index = self._parse_if(items, index, tokens[1:], line, source)
                nodes.append(node)
                continue
            if head[0] == "ident" and head[1] in KEYWORDS:
                raise GoTemplateError(f"template: root:{line}: {{{{{head[1]}}}}} is not supported here")
            nodes.append(Action(self._pipeline(tokens, pos, line, source.strip())))
            index += 1
        if not top:
            raise GoTemplateError(f"template: root:{self.line_at(len(self.text))}: unexpected EOF")
        return nodes, index, None

    def _parse_if(self, items: list, index: int, cond_tokens: list, line: int, source: str):
        if not cond_tokens:
            raise GoTemplateError(f"template: root:{line}: missing value for if")
        cond_source = source.strip()[2:].strip()
        node = If(self._pipeline(cond_tokens, 0, line, cond_source))
        body, index, terminator = self._build(items, index + 1, top=False)
        node.body = body
        _kind, tokens, pos, term_source = terminator
        if tokens[0][1] == "end":
            if len(tokens) > 1:
                raise GoTemplateError(f"template: root:{line}: unexpected token in end")
            return node, index + 1
        # else / else if
        if len(tokens) > 1:
            if tokens[1] != ("ident", "if", "if"):
                raise GoTemplateError(f"template: root:{line}: unexpected token in else")
            sub_source = "if " + term_source.strip()[4:].strip()[2:].strip()
            sub, index = self._parse_if(items, index, tokens[2:], self.line_at(pos), sub_source)
            node.orelse = [sub]
            return node, index
        orelse, index, terminator = self._build(items, index + 1, top=False)
        node.orelse = orelse
        if terminator[1][0][1] != "end" or len(terminator[1]) > 1:
            raise GoTemplateError(f"template: root:{line}: expected end; found {terminator[3].strip()}")
        return node, index + 1


def _command_source(command: Command) -> str:
    return " ".join(arg_source(a) for a in command.args)


def arg_source(arg) -> str:
    if isinstance(arg, Pipeline):
        return "(" + " | ".join(_command_source(c) for c in arg.commands) + ")"
    return arg.source


def go_quote(text: str) -> str:
    out = ['"']
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def go_type(value: Any) -> str:
    """The Go type name of a decoded value, as Go's errors name it."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "[]interface {}"
    if isinstance(value, dict):
        return "map[string]interface {}"
    if value is None or value is MISSING:
        return "<nil>"
    return type(value).__name__


def parse(text: str, funcs) -> list:
    """Parses `text`; raises GoTemplateError with Go's wording (`function "x" not defined`)."""
    if "{{" not in text:
        return [Text(text)] if text else []
    return _Parser(text, funcs).parse()
