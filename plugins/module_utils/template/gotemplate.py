"""A small implementation of Go's text/template, enough for Packer templates.

Supported: text and actions `{{ }}` with `{{-`/`-}}` trimming and `{{/* comments */}}`;
pipelines `a | b`; function calls; `.Field` (and `.A.B`) references; `.`; string
literals (Go-escaped "..." and raw `...`); integers, floats, booleans, `nil`;
parenthesised pipelines; `{{if}}` / `{{else if}}` / `{{else}}` / `{{end}}`.

Besides evaluating a template, `PartialEvaluator` evaluates the parts that are known now
(user variables, functions) and re-emits the parts that need runtime data (`.Path`,
`{{build "ID"}}`) as template text, with static text escaped so that a later
`render_runtime` never re-interprets a value.
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
    return " ".join(_arg_source(a) for a in command.args)


def _arg_source(arg) -> str:
    if isinstance(arg, Pipeline):
        return "(" + " | ".join(_command_source(c) for c in arg.commands) + ")"
    return arg.source


def parse(text: str, funcs) -> list:
    """Parses `text`; raises GoTemplateError with Go's wording (`function "x" not defined`)."""
    if "{{" not in text:
        return [Text(text)] if text else []
    return _Parser(text, funcs).parse()


# ---------------------------------------------------------------- evaluation


def go_print(value: Any) -> str:
    """fmt.Sprint for the values our functions produce."""
    if value is None or value is MISSING:
        return NO_VALUE
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if not math.isfinite(value):
            return "NaN" if math.isnan(value) else ("+Inf" if value > 0 else "-Inf")
        if value == int(value) and abs(value) < 1e21:
            return str(int(value))
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + " ".join(go_print(v) for v in value) + "]"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{go_print(v)}" for k, v in sorted(value.items())) + "]"
    return str(value)


def truth(value: Any) -> bool:
    if value is None or value is MISSING:
        return False
    if isinstance(value, (str, list, tuple, dict)):
        return len(value) > 0
    return bool(value)


class Func:
    """A template function: `params` are 's' (string), 'i' (int) or 'a' (anything)."""

    __slots__ = ("impl", "params", "variadic")

    def __init__(self, impl, params: str = "", variadic: str = ""):
        self.impl = impl
        self.params = params
        self.variadic = variadic  # type of extra arguments, if any

    def call(self, name: str, args: list) -> Any:
        fixed = len(self.params)
        if len(args) < fixed or (not self.variadic and len(args) != fixed):
            want = f"at least {fixed}" if self.variadic else str(fixed)
            raise GoTemplateError(f"wrong number of args for {name}: want {want} got {len(args)}")
        kinds = self.params + self.variadic * (len(args) - fixed)
        for kind, value in zip(kinds, args, strict=True):
            if kind == "s" and not isinstance(value, str):
                raise GoTemplateError(f"wrong type for value; expected string; got {_go_type(value)}")
            if kind == "i" and (isinstance(value, bool) or not isinstance(value, int)):
                raise GoTemplateError(f"wrong type for value; expected int; got {_go_type(value)}")
        try:
            return self.impl(*args)
        except GoTemplateError as exc:
            raise GoTemplateError(f"error calling {name}: {exc}") from None


def _go_type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    if value is None or value is MISSING:
        return "<nil>"
    return type(value).__name__


class Evaluator:
    """Evaluates a parsed tree. `data` is what `.Field` reads (None: every field is `<no value>`)."""

    def __init__(self, funcs: dict[str, Func], data: dict | None = None):
        self.funcs = funcs
        self.data = data

    def render(self, nodes: list) -> str:
        out: list[str] = []
        for node in nodes:
            if isinstance(node, Text):
                out.append(node.text)
            elif isinstance(node, Action):
                out.append(go_print(self.pipeline(node.pipe)))
            else:
                branch = node.body if truth(self.pipeline(node.pipe)) else node.orelse
                out.append(self.render(branch))
        return "".join(out)

    def pipeline(self, pipe: Pipeline) -> Any:
        value: Any = _NOTHING
        try:
            for command in pipe.commands:
                value = self.command(command, value)
        except GoTemplateError as exc:
            message = str(exc)
            if message.startswith("template:"):
                raise
            raise GoTemplateError(f'template: root:{pipe.line}: executing "root" at <{pipe.source}>: {message}') from None
        return value

    def command(self, command: Command, piped: Any) -> Any:
        head = command.args[0]
        if isinstance(head, Ident):
            args = [self.arg(a) for a in command.args[1:]]
            if piped is not _NOTHING:
                args.append(piped)
            func = self.funcs.get(head.name)
            if func is None:
                raise GoTemplateError(f'function "{head.name}" not defined')
            return func.call(head.name, args)
        if len(command.args) > 1 or piped is not _NOTHING:
            raise GoTemplateError(f"can't give argument to non-function {_arg_source(head)}")
        return self.arg(head)

    def arg(self, arg) -> Any:
        if isinstance(arg, Literal):
            return arg.value
        if isinstance(arg, FieldRef):
            return self.field(arg.names)
        if isinstance(arg, Pipeline):
            return self.pipeline(arg)
        func = self.funcs.get(arg.name)
        if func is None:
            raise GoTemplateError(f'function "{arg.name}" not defined')
        return func.call(arg.name, [])

    def field(self, names: tuple[str, ...]) -> Any:
        value: Any = self.data
        if not names:
            return value
        for name in names:
            if isinstance(value, dict):
                value = value.get(name, MISSING)
            elif value is None or value is MISSING:
                return MISSING
            else:
                raise GoTemplateError(f"can't evaluate field {name} in type {_go_type(value)}")
        return value


_NOTHING = object()


# ---------------------------------------------------------------- partial evaluation


def escape_text(text: str) -> str:
    """Makes literal text safe to embed in a template: `{{` becomes `{{"{{"}}`."""
    return text.replace("{{", '{{"{{"}}') if "{{" in text else text


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


def _literal_source(value: Any) -> str:
    if isinstance(value, str):
        return go_quote(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if value is None:
        return "nil"
    return go_quote(go_print(value))


class PartialEvaluator(Evaluator):
    """Evaluates what is known now and re-emits what needs runtime data as template text.

    `deferred_funcs` (e.g. {"build"}) and, when `defer_fields` is true, `.Field` references
    are runtime data; everything else is evaluated. The output is a template for
    `render_runtime` when `as_template` is true (static text escaped), plain text otherwise.
    """

    def __init__(self, funcs, deferred_funcs=frozenset(), defer_fields=False, as_template=False):
        super().__init__(funcs, None)
        self.deferred_funcs = deferred_funcs
        self.defer_fields = defer_fields
        self.as_template = as_template

    def is_runtime(self, node) -> bool:
        if isinstance(node, Text):
            return False
        if isinstance(node, Action):
            return self.is_runtime(node.pipe)
        if isinstance(node, If):
            return self.is_runtime(node.pipe) or any(self.is_runtime(n) for n in node.body + node.orelse)
        if isinstance(node, Pipeline):
            return any(self.is_runtime(a) for c in node.commands for a in c.args)
        if isinstance(node, FieldRef):
            return self.defer_fields
        if isinstance(node, Ident):
            return node.name in self.deferred_funcs
        return False

    def render(self, nodes: list) -> str:
        if not self.as_template:
            return super().render(nodes)
        out: list[str] = []
        for node in nodes:
            if isinstance(node, Text):
                out.append(escape_text(node.text))
            elif isinstance(node, Action):
                if self.is_runtime(node.pipe):
                    out.append("{{" + self.fold_pipeline(node.pipe) + "}}")
                else:
                    out.append(escape_text(go_print(self.pipeline(node.pipe))))
            elif self.is_runtime(node.pipe):
                out.append(self.fold_if(node))
            else:
                branch = node.body if truth(self.pipeline(node.pipe)) else node.orelse
                out.append(self.render(branch))
        return "".join(out)

    def fold_if(self, node: If) -> str:
        text = "{{if " + self.fold_pipeline(node.pipe) + "}}" + self.render(node.body)
        if node.orelse:
            text += "{{else}}" + self.render(node.orelse)
        return text + "{{end}}"

    def fold_pipeline(self, pipe: Pipeline) -> str:
        """Source text of a runtime pipeline with every static part replaced by its value."""
        parts: list[str] = []
        commands = pipe.commands
        # A static head of the pipeline collapses into one literal.
        static_prefix = 0
        while static_prefix < len(commands) and not any(self.is_runtime(a) for a in commands[static_prefix].args):
            static_prefix += 1
        value: Any = _NOTHING
        if static_prefix:
            value = self.pipeline(Pipeline(commands[:static_prefix], pipe.line, pipe.source))
            parts.append(_literal_source(value))
        self.check_deferred_call(pipe, commands[static_prefix:], value)
        for command in commands[static_prefix:]:
            parts.append(" ".join(self.fold_arg(a) for a in command.args))
        return " | ".join(parts)

    def check_deferred_call(self, pipe: Pipeline, commands: list, piped: Any) -> None:
        """Calls the first runtime command now when it is a deferred function with known arguments,
        so its own checks (e.g. `build` of a key the build lacks) fail at validate; the value is dropped."""
        if not commands:
            return
        head, rest = commands[0].args[0], commands[0].args[1:]
        if not isinstance(head, Ident) or head.name not in self.deferred_funcs or head.name not in self.funcs:
            return
        if any(self.is_runtime(a) for a in rest):
            return
        try:
            self.command(commands[0], piped)
        except GoTemplateError as exc:
            message = str(exc)
            if message.startswith("template:"):
                raise
            raise GoTemplateError(f'template: root:{pipe.line}: executing "root" at <{pipe.source}>: {message}') from None

    def fold_arg(self, arg) -> str:
        if isinstance(arg, Pipeline):
            if self.is_runtime(arg):
                return "(" + self.fold_pipeline(arg) + ")"
            return _literal_source(self.pipeline(arg))
        return arg.source
