"""Late rendering of the runtime parts the plan keeps as template text, and masking."""

from __future__ import annotations

import base64
import json
import urllib.parse

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


def encodings(value: str) -> set:
    """`value` and the forms it takes in error messages and logs: URL-encoded (path and form
    style), JSON-escaped, and base64 (standard and URL-safe, padded or not)."""
    forms = {value, json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]}
    for safe in ("", "/"):
        forms.add(urllib.parse.quote(value, safe=safe))
        forms.add(urllib.parse.quote_plus(value, safe=safe))
        quoted = urllib.parse.quote(value, safe=safe)
        if "%" in quoted:
            forms.add(_lower_escapes(quoted))  # %2f, as some clients write it
    raw = value.encode("utf-8")
    for encoded in (base64.b64encode(raw), base64.urlsafe_b64encode(raw)):
        text = encoded.decode("ascii")
        forms.update((text, text.rstrip("=")))
    return {form for form in forms if form}


def _lower_escapes(quoted):
    return "%".join(part[:2].lower() + part[2:] if index else part for index, part in enumerate(quoted.split("%")))


def mask(text, values) -> str:
    """Replaces every occurrence of each non-empty value in `values`, and of its `encodings`,
    by `<sensitive>`. The one place masking happens: every output path calls this."""
    if not isinstance(text, str) or not values:
        return text
    forms = set()
    for value in values:
        if isinstance(value, str) and value:
            forms |= encodings(value)
    # Longest first, so a value that contains another is masked whole.
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, SENSITIVE_MASK)
    return text


def mask_data(value, values):
    """`mask` applied to every string inside a JSON-like structure (dict keys too)."""
    if not values:
        return value
    if isinstance(value, str):
        return mask(value, values)
    if isinstance(value, (list, tuple)):
        return [mask_data(v, values) for v in value]
    if isinstance(value, dict):
        return {mask(k, values): mask_data(v, values) for k, v in value.items()}
    return value
