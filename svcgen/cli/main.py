"""``svcgen``'s entry point: parse the arguments, run the command, turn errors into exit codes.

Exit codes: 0 success; 1 the declarations, the manifests, the lock file, the settings or the
user's Python file have problems, lint found errors, or ``--check`` found a difference; 2 the
command line or a path is wrong. Every error svcgen raises on purpose is a
:class:`~svcgen.errors.SvcgenError` that knows its exit code and its message: one ``except``.
Each command module is imported only when it runs, so a cold start pays for nothing else.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import sys
import traceback
from collections.abc import Sequence
from typing import TextIO

from svcgen.errors import EXIT_USAGE, SvcgenError

__all__ = ["main", "main_exit"]

# command (or "lock ACTION") -> (module in svcgen.cli, function)
_COMMANDS = {
    "render": ("render", "cmd_render"),
    "lock check": ("render", "cmd_lock_check"),
    "ports": ("inspect", "cmd_ports"),
    "explain": ("inspect", "cmd_explain"),
    "lock prune": ("lock", "cmd_lock_prune"),
    "new": ("new", "cmd_new"),
    "lint": ("lint", "cmd_lint"),
    "import": ("importer", "cmd_import"),
}


def _run(args: argparse.Namespace, out: TextIO, err: TextIO, stdin: TextIO) -> int:
    name = f"lock {args.lock_command}" if args.command == "lock" else args.command
    module_name, function = _COMMANDS[name]
    module = importlib.import_module(f"svcgen.cli.{module_name}")
    code: int = getattr(module, function)(args, out, err, stdin)
    return code


def main(
    argv: Sequence[str] | None = None,
    *,
    out: TextIO | None = None,
    err: TextIO | None = None,
    stdin: TextIO | None = None,
) -> int:
    """Run the CLI with ``argv`` and return the exit code (never calls sys.exit)."""
    from svcgen.cli.parser import build_parser

    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    stdin = sys.stdin if stdin is None else stdin
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            args = build_parser().parse_args(argv)
    except SystemExit as exc:  # argparse: --help, --version, usage errors
        return int(exc.code) if isinstance(exc.code, int) else EXIT_USAGE
    debug = getattr(args, "debug", False)
    try:
        return _run(args, out, err, stdin)
    except SvcgenError as exc:
        for line in exc.report(debug):
            print(line, file=err)
        if debug:
            traceback.print_exception(exc.debug_cause(), file=err)
        return exc.exit_code
    except BrokenPipeError:
        raise  # the reader of our output went away: main_exit ends quietly
    except OSError as exc:  # a file system refusal not foreseen: still a message, not a traceback
        name = f"{exc.filename}: " if exc.filename else ""
        print(f"svcgen: {name}error: {exc.strerror or exc}", file=err)
        if debug:
            traceback.print_exc(file=err)
        return EXIT_USAGE


def main_exit() -> None:
    """Console-script entry point: run :func:`main` and exit with its code.

    A reader that stops early (``svcgen render app.py | head``) ends the output quietly, as for
    other command-line tools, instead of with a BrokenPipeError traceback.
    """
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 141  # 128 + SIGPIPE, what a shell reports for a command killed by it
    sys.exit(code)
