"""``svcgen``'s entry point: parse the arguments, run the command, turn errors into exit codes.

Exit codes (the table is in :mod:`svcgen.errors`): 0 success; 1 problems found (the declarations,
the manifests, the lock file, the settings or the user's Python file; lint errors; ``--check`` found
a difference) or a conflict to fix; 2 the command line or a path is wrong; 130 interrupted (Ctrl-C:
one line, no traceback; every write is atomic, so nothing is left half-written). Every error svcgen
raises on purpose is a :class:`~svcgen.errors.SvcgenError` that knows its exit code and its message:
one ``except``.
Each command module is imported only when it runs, so a cold start pays for nothing else.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import importlib
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn, TextIO, cast

from svcgen.errors import EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, SvcgenError, printable
from svcgen.gcpause import paused_gc

__all__ = ["EXIT_INTERRUPTED", "main", "main_exit"]


# command (or "lock ACTION") -> (module in svcgen.cli, function)
_COMMANDS = {
    "render": ("render", "cmd_render"),
    "lock check": ("render", "cmd_lock_check"),
    "ports": ("show", "cmd_ports"),
    "explain": ("show", "cmd_explain"),
    "lock prune": ("lock", "cmd_lock_prune"),
    "lock resolve": ("lock", "cmd_lock_resolve"),
    "lock merge-driver": ("lock", "cmd_lock_merge_driver"),
    "new": ("new", "cmd_new"),
    "lint": ("lint", "cmd_lint"),
    "import": ("importer", "cmd_import"),
    "completion": ("completion", "cmd_completion"),
    "krm": ("krm", "cmd_krm"),
}


_PAUSED = {"render", "lock check", "lock prune", "ports", "explain", "new", "krm"}


def _command(args: argparse.Namespace) -> str:
    return f"lock {args.lock_command}" if args.command == "lock" else str(args.command)


def _run(args: argparse.Namespace, out: TextIO, err: TextIO, stdin: TextIO) -> int:
    module_name, function = _COMMANDS[_command(args)]
    module = importlib.import_module(f"svcgen.cli.{module_name}")
    code: int = getattr(module, function)(args, out, err, stdin)
    return code


class _Printable:
    """Standard error as svcgen writes its messages: control characters shown escaped.

    A terminal escape sequence in a file name, a user's exception or git's output never reaches
    the terminal, whatever message path it takes; line ends stay.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(printable(text))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def main(
    argv: Sequence[str] | None = None,
    *,
    out: TextIO | None = None,
    err: TextIO | None = None,
    stdin: TextIO | None = None,
) -> int:
    """Run the CLI with ``argv`` and return the exit code (never calls sys.exit).

    Ctrl-C (a KeyboardInterrupt anywhere, the user's files included) ends the run with
    "svcgen: interrupted" and exit code 130; the ``finally`` blocks on the way out have removed
    the temporary files of a write that had not finished.
    """
    out = sys.stdout if out is None else out
    err = cast(TextIO, _Printable(sys.stderr if err is None else err))
    stdin = sys.stdin if stdin is None else stdin
    arguments = list(sys.argv[1:] if argv is None else argv)
    try:
        return _main(arguments, out, err, stdin)
    except KeyboardInterrupt as exc:
        print("svcgen: interrupted", file=err)
        if "--debug" in arguments:
            import traceback

            traceback.print_exception(exc, file=err)
        return EXIT_INTERRUPTED


def _main(argv: list[str], out: TextIO, err: TextIO, stdin: TextIO) -> int:
    parsed = _parse(argv, out, err)
    if isinstance(parsed, int):
        return parsed
    args = parsed
    debug = getattr(args, "debug", False)
    try:
        if _command(args) in _PAUSED:
            # Commands that run the user's declarations make many small objects that reference
            # counting frees: the cyclic collector's passes over them cost 0.3 s of a 10,000-Service
            # render (svcgen.gcpause). Commands that read YAML files make a cycle per file (its
            # parser), which the collector must free as it goes.
            with paused_gc():
                return _run(args, out, err, stdin)
        return _run(args, out, err, stdin)
    except SvcgenError as exc:
        for line in exc.report(debug):
            print(line, file=err)
        if debug:
            import traceback  # --debug only: not paid on every start

            traceback.print_exception(exc.debug_cause(), file=err)
        return exc.exit_code
    except BrokenPipeError:
        raise  # the reader of our output went away: main_exit ends quietly
    except OSError as exc:  # a file system refusal not foreseen: still a message, not a traceback
        from svcgen.files import display

        name = f"{display(exc.filename)}: " if exc.filename else ""
        print(f"svcgen: {name}error: {exc.strerror or exc}", file=err)
        if debug:
            import traceback

            traceback.print_exc(file=err)
        return EXIT_USAGE


def _parse(argv: list[str], out: TextIO, err: TextIO) -> argparse.Namespace | int:
    """The parsed arguments, or the exit code when argparse ended the run.

    argparse ends it for the help, the version or a usage error. Bare ``svcgen`` prints the
    help. An unknown option is reported with the usage of the command it was given to, not the
    top-level one.
    """
    from svcgen.cli.parser import COMMANDS, build_parser, command_parser, unrecognized

    parser = build_parser(argv[0] if argv and argv[0] in COMMANDS else None)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            args, extra = parser.parse_known_args(argv)
            if args.command is None:
                parser.print_help()
                return EXIT_OK
            if extra:
                names = [args.command] + ([args.lock_command] if args.command == "lock" else [])
                command = command_parser(parser, *names)
                command.error(unrecognized(command, extra, argv))
    except SystemExit as exc:  # argparse: --help, --version, usage errors
        return int(exc.code) if isinstance(exc.code, int) else EXIT_USAGE
    return args


def main_exit() -> None:
    """Console-script entry point: run :func:`main` and exit with its code.

    A reader that stops early (``svcgen render app.py | head``) ends the output quietly, as for
    other command-line tools, instead of with a BrokenPipeError traceback. The process then ends
    without tearing the interpreter down (:func:`_leave`).
    """
    if "_ARGCOMPLETE" in os.environ:  # the shell asks for completions (see svcgen completion)
        from svcgen.cli.completion import complete

        complete()
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 141  # 128 + SIGPIPE, what a shell reports for a command killed by it
    except KeyboardInterrupt:  # after main returned: its work is done, only the flush was left
        print("svcgen: interrupted", file=sys.stderr)
        code = EXIT_INTERRUPTED
    _leave(code)


def _leave(code: int) -> NoReturn:
    """Exit with ``code`` after the exit handlers and a flush, skipping the interpreter's teardown.

    Freeing every module and object at exit took a cold render 25 ms and a lint 5 ms, for a process
    that has nothing left to do (mypy's ``hard_exit`` skips it too). Exit handlers (``atexit``: the
    user's, coverage's, logging's) still run; with other threads still running, Python exits as
    usual.
    The output is complete by then: what runs at exit (a declaration file's ``atexit`` handler, a
    logging handler it made on standard output) prints to standard error, never after the manifests.
    """
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    with contextlib.suppress(OSError):
        os.dup2(2, 1)
    if "threading" in sys.modules and sys.modules["threading"].active_count() > 1:
        sys.exit(code)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # closed, or the reader went away
            pass
    os._exit(code)
