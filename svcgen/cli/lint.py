"""``svcgen lint``: check manifests (files, folders, stdin) as the API server would, and across documents."""

from __future__ import annotations

import argparse
import json
from typing import TextIO

from svcgen.cli.common import settings_from_args
from svcgen.errors import EXIT_INVALID, EXIT_OK, EXIT_USAGE, count_errors
from svcgen.files import read_sources
from svcgen.lint import lint_texts

__all__ = ["cmd_lint"]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def cmd_lint(args: argparse.Namespace, out: TextIO, err: TextIO, stdin: TextIO | None = None) -> int:
    """Lint the given manifests with the project's nodePort range; exit 1 on errors, 2 on unreadable paths."""
    settings = settings_from_args(args, next((p for p in args.paths if p != "-"), "."))
    sources = read_sources(args.paths, stdin)
    problems = [*sources.problems,
                *lint_texts([(s.name, s.text) for s in sources.texts], settings.node_port_range,
                           settings.kubernetes_version)]
    if not sources.texts and not problems:
        print(f"svcgen lint: no YAML files (*.yaml, *.yml, *.json) in {', '.join(args.paths)}", file=err)
    errors = count_errors(problems)
    if args.format == "json":
        out.write(json.dumps([p.to_dict() for p in problems], indent=2) + "\n")
    else:
        for problem in problems:
            print(problem, file=out)
        print(f"svcgen lint: {_plural(errors, 'error')}, {_plural(len(problems) - errors, 'warning')} in "
              f"{_plural(len(sources.texts), 'file')}.", file=err)
    if sources.unreadable:
        return EXIT_USAGE
    return EXIT_INVALID if errors else EXIT_OK
