"""Diagnostics: every problem found in a template, with its position and field path."""

from __future__ import annotations

from ansible_collections.cattle.images.plugins.module_utils.errors import CattleError


class Diagnostic:
    """One problem: where (file, line, column, field path) and what."""

    __slots__ = ("file", "line", "column", "path", "message", "severity")

    def __init__(self, file: str, line: int, column: int, path: str, message: str, severity: str = "error"):
        self.file = file
        self.line = line
        self.column = column
        self.path = path
        self.message = message
        self.severity = severity

    def __eq__(self, other):
        return isinstance(other, Diagnostic) and self.as_dict() == other.as_dict()

    def __repr__(self) -> str:
        return f"Diagnostic({self.as_dict()!r})"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}" if self.line else self.file
        field = f" {self.path}:" if self.path else ""
        return f"{where}:{field} {self.message}"

    def as_dict(self) -> dict:
        return {
            "file": self.file, "line": self.line, "column": self.column,
            "path": self.path, "message": self.message, "severity": self.severity,
        }


class TemplateErrors(CattleError):
    """Raised when a template cannot be loaded; carries every diagnostic found."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = list(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics) or "invalid template")


class GoTemplateError(CattleError):
    """An error from parsing or executing a Go text/template string (message in Go's words)."""
