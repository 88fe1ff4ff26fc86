"""Late rendering of the runtime parts the plan keeps as template text, and masking."""

from __future__ import annotations

from .errors import Diagnostic, GoTemplateError, TemplateErrors
from .functions import runtime_funcs
from .gotemplate import Evaluator, parse

SENSITIVE_MASK = "<sensitive>"


def render_runtime(text: str, data: dict | None = None) -> str:
    """Fills `{{ .Field }}` from `data` and `{{ build `Key` }}` from `data["build"]`.

    Missing fields and keys render as Go's `<no value>`. Text without `{{` is returned
    unchanged. Raises TemplateErrors on a malformed template or an unknown function.
    """
    if not isinstance(text, str) or "{{" not in text:
        return text
    data = data or {}
    funcs = runtime_funcs(data)
    try:
        tree = parse(text, funcs)
        return Evaluator(funcs, data).render(tree)
    except GoTemplateError as exc:
        raise TemplateErrors([Diagnostic("<runtime>", 0, 0, "", str(exc))]) from None
    except RecursionError:
        raise TemplateErrors([Diagnostic("<runtime>", 0, 0, "", "template nested too deeply")]) from None


def mask(text, values) -> str:
    """Replaces every occurrence of each non-empty value in `values` by `<sensitive>`."""
    if not isinstance(text, str) or not values:
        return text
    # Longest first, so a value that contains another is masked whole.
    for value in sorted((v for v in values if isinstance(v, str) and v), key=len, reverse=True):
        text = text.replace(value, SENSITIVE_MASK)
    return text


def mask_data(value, values):
    """`mask` applied to every string inside a JSON-like structure."""
    if isinstance(value, str):
        return mask(value, values)
    if isinstance(value, list):
        return [mask_data(v, values) for v in value]
    if isinstance(value, dict):
        return {mask(k, values): mask_data(v, values) for k, v in value.items()}
    return value
