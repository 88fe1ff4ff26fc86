"""Evaluating Go text/template trees (parsed by `gosyntax.py`), enough for Packer templates.

`Evaluator` renders a tree with all data known. `PartialEvaluator` evaluates the parts that
are known now (user variables, functions) and re-emits the parts that need runtime data
(`.Path`, `{{build "ID"}}`) as template text, with static text escaped so that a later
`render_runtime` never re-interprets a value.
"""

from __future__ import annotations

import math
from typing import Any

from .errors import GoTemplateError
from .gosyntax import (
    MISSING,
    NO_VALUE,
    Action,
    Command,
    FieldRef,
    Ident,
    If,
    Literal,
    Pipeline,
    Text,
    arg_source,
    go_quote,
    go_type,
    parse,
)

__all__ = ["MISSING", "Evaluator", "Func", "PartialEvaluator", "escape_text", "go_print", "go_quote", "parse", "truth"]

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
                raise GoTemplateError(f"wrong type for value; expected string; got {go_type(value)}")
            if kind == "i" and (isinstance(value, bool) or not isinstance(value, int)):
                raise GoTemplateError(f"wrong type for value; expected int; got {go_type(value)}")
        try:
            return self.impl(*args)
        except GoTemplateError as exc:
            raise GoTemplateError(f"error calling {name}: {exc}") from None


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
            raise GoTemplateError(f"can't give argument to non-function {arg_source(head)}")
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
                raise GoTemplateError(f"can't evaluate field {name} in type {go_type(value)}")
        return value


_NOTHING = object()


# ---------------------------------------------------------------- partial evaluation


def escape_text(text: str) -> str:
    """Makes literal text safe to embed in a template: `{{` becomes `{{"{{"}}`."""
    return text.replace("{{", '{{"{{"}}') if "{{" in text else text


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
