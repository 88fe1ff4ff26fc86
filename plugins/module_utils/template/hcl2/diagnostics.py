"""HCL's way of saying what is wrong: a summary, a detail, a position (file, line, column)."""

from __future__ import annotations

from ..errors import Diagnostic, TemplateErrors


class HCLError(TemplateErrors):
    """One problem at a position; `.diagnostics` holds it as a `Diagnostic` so it reports like any other."""

    def __init__(self, pos, summary: str, detail: str = ""):
        self.pos = pos
        self.summary = summary
        self.detail = detail
        super().__init__([to_diagnostic(pos, summary, detail)])

    @classmethod
    def joined(cls, errors: list) -> HCLError:
        """One error carrying every diagnostic of `errors` (in order), positioned at the first."""
        first = errors[0]
        combined = cls(first.pos, first.summary, first.detail)
        combined.diagnostics = [d for error in errors for d in error.diagnostics]
        combined.args = ("\n".join(str(d) for d in combined.diagnostics),)
        return combined


def to_diagnostic(pos, summary: str, detail: str = "", severity: str = "error") -> Diagnostic:
    file, line, column = pos or ("", 0, 0)
    message = f"{summary}; {detail}" if detail else summary
    return Diagnostic(file, line, column, "", message, severity)
