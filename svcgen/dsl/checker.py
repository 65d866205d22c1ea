"""Collect the problems of a set of declarations: the one place validate and references add them.

A problem names the object, the field, the rule's words and the fix, at the user's line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from svcgen.errors import Problem, SourceLocation, shorten
from svcgen.kube import rules

__all__ = ["Checker"]


class Checker:
    """The problems found so far, in the order found."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(
        self,
        subject: str,
        field: str,
        message: str,
        hint: str = "",
        location: SourceLocation | None = None,
        *,
        warning: bool = False,
    ) -> None:
        self.problems.append(
            Problem(subject, field, message, hint, location, "warning" if warning else "error")
        )

    def rule(
        self,
        check: Callable[[str], list[str]],
        value: str,
        subject: str,
        field: str,
        hint: str,
        location: SourceLocation | None,
    ) -> None:
        """Apply one string rule; each error detail becomes a problem quoting the value."""
        for detail in check(value):
            self.add(subject, field, f'Invalid value: "{shorten(value)}": {detail}', hint, location)

    def labels(
        self, labels: Mapping[str, str], subject: str, field: str, location: SourceLocation | None
    ) -> None:
        """Check label keys and values as metadata.labels and selectors take them.

        Keys must be qualified names, values label values.
        """
        for key, value in labels.items():
            self.rule(
                rules.qualified_name,
                key,
                subject,
                field,
                "label keys are NAME or PREFIX/NAME, e.g. app or example.com/tier",
                location,
            )
            self.rule(
                rules.label_value,
                value,
                subject,
                f"{field}[{key}]",
                "label values are at most 63 of A-Z a-z 0-9 - _ . starting and ending alphanumeric",
                location,
            )
