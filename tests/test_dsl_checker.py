"""The problem collector: each string rule's details become problems that quote the value."""

from __future__ import annotations

from svcgen.dsl.checker import Checker
from svcgen.errors import SourceLocation


def test_rules_and_labels_become_problems_at_the_line_given() -> None:
    check = Checker()
    here = SourceLocation("app.py", 3)
    check.labels({"app": "web", "bad key!": "ok", "tier": "a b"}, 'App "web"', "labels", here)
    check.add('App "web"', "name", "note", warning=True)
    assert [(p.field, p.severity, p.location) for p in check.problems] == [
        ("labels", "error", here),
        ("labels[tier]", "error", here),
        ("name", "warning", None),
    ]
    assert check.problems[0].message.startswith('Invalid value: "bad key!": ')
    assert check.problems[1].hint.startswith("label values are at most 63")


def test_a_long_value_is_quoted_short_and_the_rule_still_said() -> None:
    """A declaration's 1 MB label value: the message quotes 100 characters, its length, and the
    rule."""
    check = Checker()
    check.labels({"v": "x" * 1_000_000}, 'App "web"', "labels", None)
    (problem,) = check.problems
    assert problem.message.startswith(
        'Invalid value: "' + "x" * 100 + '... (1,000,000 characters)": must be no more '
        "than 63 bytes"
    )
