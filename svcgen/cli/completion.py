"""``svcgen completion SHELL``: shell completion for bash, zsh and fish, from the parser itself.

The scripts come from argcomplete (a maintained library): the shell runs ``svcgen`` with
``_ARGCOMPLETE`` set, and :func:`complete` answers from :func:`svcgen.cli.parser.build_parser`,
so completions never drift from the real options.
"""

from __future__ import annotations

import argparse
from typing import TextIO

from svcgen.errors import EXIT_OK

__all__ = ["cmd_completion", "complete"]


def cmd_completion(
    args: argparse.Namespace, out: TextIO, err: TextIO, stdin: TextIO | None = None
) -> int:
    """Print the completion script for ``args.shell``."""
    from argcomplete.shell_integration import shellcode

    out.write(shellcode(["svcgen"], shell=args.shell))
    return EXIT_OK


def complete() -> None:
    """Answer the shell's completion request.

    argcomplete exits the process when it has answered.
    """
    import argcomplete

    from svcgen.cli.parser import build_parser

    argcomplete.autocomplete(build_parser())
