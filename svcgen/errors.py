"""Errors and problem reports: what svcgen tells a user when a declaration is wrong."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "DeclarationError",
    "Problem",
    "Severity",
    "SourceLocation",
    "SvcgenError",
    "one_line",
]

Severity = Literal["error", "warning"]


# Control characters (a newline in a hostile name, say) are shown escaped: one problem, one line.
_ESCAPES = {c: f"\\x{c:02x}" for c in [*range(0x20), 0x7F]} | {
    0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t", 0x2028: "\\u2028", 0x2029: "\\u2029"}


def one_line(text: str) -> str:
    """``text`` with control characters escaped, so that it prints on one line."""
    return text.translate(_ESCAPES)


@dataclass(frozen=True)
class SourceLocation:
    """Where a declaration was written: a file and a 1-based line."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a declaration.

    Attributes:
        subject: the object at fault, e.g. ``Service "web"`` or ``container "api" port "http"``.
        field: the Kubernetes field path (``spec.ports[1].name``) or the DSL argument at fault.
        message: what rule is broken, in the API server's words where it has them.
        hint: how to fix it (may be empty).
        location: where the user declared the object, when known.
        severity: ``error`` fails a render, ``warning`` is reported and rendering goes on.
    """

    subject: str
    field: str
    message: str
    hint: str = ""
    location: SourceLocation | None = None
    severity: Severity = "error"

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        field = f" {self.field}:" if self.field else ""
        message = self.message if self.message.endswith(".") else self.message + "."
        hint = f" Fix: {self.hint}" if self.hint else ""
        return one_line(f"{where}{self.severity}: {self.subject}:{field} {message}{hint}")


class SvcgenError(Exception):
    """Root of every error svcgen raises on purpose (bad input, never a bug)."""


class DeclarationError(SvcgenError, ValueError):
    """One or more declarations break the rules; ``problems`` lists every one of them."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
