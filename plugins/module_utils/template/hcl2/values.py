"""HCL values in Python, type constraints and conversions (cty's rules, simplified).

Values are plain Python: str, int/float (number), bool, None (null), list (list/tuple/set),
dict (map/object). A type constraint is a tuple: ("string",), ("number",), ("bool",), ("any",),
("list", T), ("set", T), ("map", T), ("tuple", [T…]), ("object", {name: T}).
"""

from __future__ import annotations

import math

from . import syntax

PRIMITIVES = ("string", "number", "bool", "any")


class ConversionError(ValueError):
    """A value does not fit a type; the message is cty's words."""


def type_name(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "tuple"
    return "object"


def describe_type(constraint) -> str:
    kind = constraint[0]
    if kind in PRIMITIVES:
        return kind
    if kind in ("list", "set", "map"):
        return f"{kind}({describe_type(constraint[1])})"
    if kind == "tuple":
        return "tuple([" + ", ".join(describe_type(t) for t in constraint[1]) + "])"
    return "object({" + ", ".join(f"{k}={describe_type(t)}" for k, t in constraint[1].items()) + "})"


def parse_type(expr) -> tuple:
    """A `type = …` expression read as a constraint (never evaluated)."""
    if isinstance(expr, syntax.Variable) and expr.name in PRIMITIVES:
        return (expr.name,)
    if isinstance(expr, syntax.Call) and expr.name in ("list", "set", "map") and len(expr.args) == 1:
        return (expr.name, parse_type(expr.args[0]))
    if isinstance(expr, syntax.Call) and expr.name == "tuple" and len(expr.args) == 1 \
            and isinstance(expr.args[0], syntax.TupleExpr):
        return ("tuple", [parse_type(item) for item in expr.args[0].items])
    if isinstance(expr, syntax.Call) and expr.name == "object" and len(expr.args) == 1 \
            and isinstance(expr.args[0], syntax.ObjectExpr):
        fields = {}
        for key, value in expr.args[0].items:
            if not isinstance(key, syntax.Literal):
                raise ConversionError("object attribute names must be plain names")
            fields[key.value] = parse_type(value)
        return ("object", fields)
    raise ConversionError("A type specification is either a primitive type keyword (bool, number, string) "
                          "or a complex type constructor call, like list(string).")


def format_number(value) -> str:
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e21:
            return str(int(value))
        return repr(value)
    return str(value)


def to_string(value) -> str:
    """A value inside an interpolation: primitives only, as HCL converts them."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return format_number(value)
    if value is None:
        raise ConversionError("The expression result is null. Cannot include a null value in a string template.")
    raise ConversionError(f"Cannot include the given value in a string template: string required, got {type_name(value)}.")


def to_number(value):
    if isinstance(value, bool):
        raise ConversionError("a number is required, got bool")
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise ConversionError(f'a number is required, got string "{value}"') from None
        if math.isfinite(number) and number.is_integer() and "." not in value and "e" not in value.lower():
            return int(number)
        return number
    raise ConversionError(f"a number is required, got {type_name(value)}")


def to_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise ConversionError(f"a bool is required, got {type_name(value)}"
                          + (f' "{value}"' if isinstance(value, str) else ""))


def convert(value, constraint, where: str = ""):
    """Converts `value` to the constraint or raises ConversionError (cty's unification, simplified)."""
    kind = constraint[0]
    if value is None or kind == "any":
        return value
    prefix = f"{where}: " if where else ""
    try:
        if kind == "string":
            if isinstance(value, (list, dict)):
                raise ConversionError(f"string required, got {type_name(value)}")
            return to_string(value)
        if kind == "number":
            return to_number(value)
        if kind == "bool":
            return to_bool(value)
    except ConversionError as exc:
        raise ConversionError(prefix + str(exc)) from None
    if kind in ("list", "set", "tuple"):
        if not isinstance(value, list):
            raise ConversionError(f"{prefix}{describe_type(constraint)} required, got {type_name(value)}")
        if kind == "tuple":
            if len(value) != len(constraint[1]):
                raise ConversionError(f"{prefix}tuple required with {len(constraint[1])} elements, got {len(value)}")
            return [convert(v, t, f"{where}[{i}]") for i, (v, t) in enumerate(zip(value, constraint[1], strict=True))]
        items = [convert(v, constraint[1], f"{where}[{i}]") for i, v in enumerate(value)]
        if kind == "set":
            unique = []
            for item in items:
                if item not in unique:
                    unique.append(item)
            items = sorted(unique, key=_sort_key)
        return items
    if not isinstance(value, dict):
        raise ConversionError(f"{prefix}{describe_type(constraint)} required, got {type_name(value)}")
    if kind == "map":
        return {k: convert(v, constraint[1], f"{where}[{k!r}]") for k, v in value.items()}
    missing = [name for name in constraint[1] if name not in value]
    if missing:
        raise ConversionError(f'{prefix}attribute "{missing[0]}" is required')
    return {name: convert(value[name], t, f"{where}.{name}") for name, t in constraint[1].items()}


def _sort_key(item):
    return (type_name(item), str(item))


def leaf_strings(value) -> list[str]:
    """Every string inside a value (a sensitive variable's secrets)."""
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, (bool, int, float)):
        return [to_string(value)]
    if isinstance(value, list):
        return [s for item in value for s in leaf_strings(item)]
    if isinstance(value, dict):
        return [s for item in value.values() for s in leaf_strings(item)]
    return []
