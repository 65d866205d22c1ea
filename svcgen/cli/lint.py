"""``svcgen lint``: check manifests as the API server would, and across documents.

The manifests come from files, folders or standard input.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from typing import TextIO

from svcgen.cli.common import settings_from_args
from svcgen.cli.report import render_problems
from svcgen.errors import EXIT_INVALID, EXIT_OK, EXIT_USAGE, UsageError, count_errors, plural
from svcgen.files import read_sources
from svcgen.lint import lint_texts

__all__ = ["cmd_lint"]


def _holds_nothing(text: str) -> bool:
    """Whether a YAML or JSON text is empty: blank lines, comments and document markers only."""
    return all(
        not s or s.startswith("#") or s in ("---", "...")
        for s in (line.strip() for line in _lines(text))
    )


def _handed_over(items: list[tuple[str, str]]) -> Iterator[tuple[str, str]]:
    """The items in order, each removed from ``items`` as it is handed over.

    Nothing else holds it then.
    """
    items.reverse()
    while items:
        yield items.pop()


_LINE_BREAK = re.compile("\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")  # str.splitlines()'


def _lines(text: str) -> Iterator[str]:
    """``text.splitlines()``, one line at a time: a large file's lines are not all made at once."""
    start = 0
    for found in _LINE_BREAK.finditer(text):
        yield text[start : found.start()]
        start = found.end()
    if start < len(text):
        yield text[start:]


def cmd_lint(
    args: argparse.Namespace, out: TextIO, err: TextIO, stdin: TextIO | None = None
) -> int:
    """Lint the manifests with the project's settings; exit 1 on errors, 2 on unreadable paths.

    Files found by walking a folder that hold no Kubernetes object (a CI workflow) are skipped
    quietly; named ones are reported. Findings are sorted by file, line and column. Input that is
    empty (an empty file, empty standard input) is said to be so: there was nothing to check.
    """
    settings = settings_from_args(args, next((p for p in args.paths if p != "-"), "."))
    sources = read_sources(args.paths, stdin)
    if not sources.texts and not sources.problems:
        raise UsageError(
            f"svcgen lint: error: no YAML or JSON files (*.yaml, *.yml, *.json) in "
            f"{', '.join(args.paths)}"
        )
    quiet = {s.name for s in sources.texts if not s.explicit}
    files, names = len(sources.texts), ", ".join(s.name for s in sources.texts)
    empty = bool(sources.texts) and all(_holds_nothing(s.text) for s in sources.texts)
    texts = [(s.name, s.text) for s in sources.texts]
    # lint is handed each text in turn, and lets it go once read (a large file is its size)
    sources.texts.clear()
    problems = [
        *sources.problems,
        *lint_texts(
            _handed_over(texts), settings.node_port_range, settings.kubernetes_version, quiet=quiet
        ),
    ]
    errors = count_errors(problems)
    out.write(render_problems(problems, args.format))
    if args.format == "text" and not problems and empty:
        print(
            f"svcgen lint: nothing to check: {names} {'is' if files == 1 else 'are'} empty "
            "(no YAML document).",
            file=err,
        )
    elif args.format == "text":
        print(
            f"svcgen lint: {plural(errors, 'error')}, {plural(len(problems) - errors, 'warning')} "
            "in "
            f"{plural(files, 'file')}.",
            file=err,
        )
    if sources.unreadable:
        return EXIT_USAGE
    return EXIT_INVALID if errors else EXIT_OK
