"""docs/never.md: every promise names tests that exist."""

from __future__ import annotations

import re

from conftest import ROOT

NEVER = ROOT / "docs" / "never.md"


def test_every_test_the_promises_name_exists() -> None:
    text = NEVER.read_text(encoding="utf-8")
    named = re.findall(r"\[`(test_\w+\.py)::(test_\w+)`\]\(\.\./tests/(test_\w+\.py)\)", text)
    assert len(named) >= 40
    missing = []
    for file, test, linked in named:
        assert file == linked, f"{file}::{test} links to {linked}"
        source = (ROOT / "tests" / file).read_text(encoding="utf-8")
        if not re.search(rf"^def {test}\(", source, re.MULTILINE):
            missing.append(f"{file}::{test}")
    assert missing == []


def test_every_promise_row_names_a_test() -> None:
    rows = [
        line
        for line in NEVER.read_text(encoding="utf-8").splitlines()
        if line.startswith("| ") and not line.startswith(("| svcgen never", "|---"))
    ]
    assert rows and all("::test_" in row for row in rows)
