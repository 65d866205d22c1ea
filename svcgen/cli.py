"""The ``svcgen`` command line: argument parsing, file I/O, messages and exit codes.

Exit codes: 0 success; 1 the declarations (or the user's Python file) have problems;
2 the command line or a path is wrong (bad arguments, missing file, unwritable output).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import traceback
from collections.abc import Sequence
from typing import TextIO

from svcgen.errors import DeclarationError, Problem, SvcgenError
from svcgen.files import write_atomic
from svcgen.loader import LoadError, UserCodeError, load_apps
from svcgen.portrange import DEFAULT_NODE_PORT_RANGE, NodePortRange
from svcgen.render import render
from svcgen.version import __version__

__all__ = ["EXIT_INVALID", "EXIT_OK", "EXIT_USAGE", "main", "main_exit"]

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2


class _UsageError(SvcgenError):
    """A command-line mistake: exit code 2."""


def _node_port_range(text: str) -> NodePortRange:
    try:
        return NodePortRange.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show Python tracebacks for errors")
    parser = argparse.ArgumentParser(
        prog="svcgen",
        description="Declare containers and their ports in Python; get correct Kubernetes Services.",
        epilog="Exit codes: 0 success, 1 invalid declarations, 2 usage or file errors.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"svcgen {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    render_cmd = commands.add_parser(
        "render", parents=[common], help="render the Services declared in Python files",
        description="Run the Python files (directories are searched for *.py, test files skipped), "
                    "collect every App they declare and print their Services as one YAML stream.",
        epilog="Exit codes: 0 success, 1 invalid declarations, 2 usage or file errors.",
    )
    render_cmd.add_argument("paths", nargs="+", metavar="FILE_OR_DIR", help="Python files or directories")
    render_cmd.add_argument("-o", "--output", metavar="FILE",
                            help="write the YAML to FILE (atomically) instead of standard output")
    render_cmd.add_argument("--node-port-range", type=_node_port_range, default=DEFAULT_NODE_PORT_RANGE,
                            metavar="FIRST-LAST",
                            help="the cluster's --service-node-port-range (default: 30000-32767)")
    return parser


def _print_problems(problems: Sequence[Problem], err: TextIO) -> None:
    for problem in problems:
        print(problem, file=err)


def _render(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    apps = load_apps(args.paths)
    rendered = render(apps, node_port_range=args.node_port_range)
    _print_problems(rendered.warnings, err)
    if args.output:
        try:
            write_atomic(args.output, rendered.yaml)
        except OSError as exc:
            raise _UsageError(f"{args.output}: error: cannot write output: {exc.strerror or exc}") from exc
    else:
        out.write(rendered.yaml)
    return EXIT_OK


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run the CLI with ``argv`` and return the exit code (never calls sys.exit)."""
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    parser = _parser()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help, --version, usage errors
        return int(exc.code) if isinstance(exc.code, int) else EXIT_USAGE
    debug = getattr(args, "debug", False)
    try:
        return _render(args, out, err)
    except DeclarationError as exc:
        _print_problems(exc.problems, err)
        count = sum(1 for p in exc.problems if p.severity == "error")
        print(f"svcgen: {count} error{'s' if count != 1 else ''} found; nothing was written.", file=err)
        if debug:
            traceback.print_exc(file=err)
        return EXIT_INVALID
    except UserCodeError as exc:
        print(exc, file=err)
        if debug:
            traceback.print_exception(exc.original, file=err)
        else:
            print("svcgen: run with --debug to see the Python traceback.", file=err)
        return EXIT_INVALID
    except (LoadError, _UsageError) as exc:
        print(exc, file=err)
        if debug:
            traceback.print_exc(file=err)
        return EXIT_USAGE


def main_exit() -> None:
    """Console-script entry point: run :func:`main` and exit with its code."""
    sys.exit(main())
