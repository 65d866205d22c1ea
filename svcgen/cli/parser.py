"""The ``svcgen`` argument parser: every command, option and help text.

Conventions (README, "Command-line conventions"): ``-o`` takes a path (its extension picks the
format), ``--format`` picks what goes to standard output, ``-`` is standard input, options may
stand anywhere, repeatable options are repeated (``--reserve a --reserve b``), and a mistyped
command gets the nearest one suggested.
"""

import argparse
import os
import sys
from collections.abc import Callable
from functools import cached_property
from typing import Any, TypeAlias

from svcgen.kube.portrange import NodePortRange
from svcgen.kube.releases import PORTABLE, KubeVersion
from svcgen.version import __version__

__all__ = ["COMMANDS", "SHELLS", "build_parser", "command_parser", "unrecognized"]

Subparsers: TypeAlias = "argparse._SubParsersAction[Parser]"

SHELLS = ("bash", "zsh", "fish")

_EXIT_CODES = (
    "Exit codes: 0 success, 1 problems to fix (each one is listed; nothing was "
    "written), 2 usage errors."
)
_CHECK_EXIT_CODES = (
    "Exit codes: 0 success, 1 problems to fix, or a check found a change (nothing was written), "
    "2 usage errors."
)
_VERSION_HELP = (
    "the cluster's Kubernetes version, whose API server rules apply (default: [tool.svcgen] "
    f"kubernetes-version, else portable: valid on {PORTABLE}, the minors supported upstream)"
)
_RANGE_HELP = (
    "the cluster's --service-node-port-range (default: [tool.svcgen] node-port-range of the "
    "nearest pyproject.toml, else 30000-32767)"
)


def _terminal_width() -> int:
    """The terminal's width as ``shutil.get_terminal_size`` finds it, else 80.

    It looks at COLUMNS, then at standard output.
    """
    try:
        columns = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class _Formatter(argparse.HelpFormatter):
    """argparse's help layout, told the terminal's width.

    argparse makes a formatter for every option it registers, and its own imports shutil (and the
    compression modules shutil loads) to find the width.
    """

    def __init__(
        self,
        prog: str,
        indent_increment: int = 2,
        max_help_position: int = 24,
        width: int | None = None,
    ) -> None:
        super().__init__(
            prog,
            indent_increment,
            max_help_position,
            _terminal_width() - 2 if width is None else width,
        )


class Parser(argparse.ArgumentParser):
    """argparse, with the nearest choice suggested for a mistyped command, action or value.

    The suggestion comes from the action's own choices, never from argparse's English message
    (whose wording changed within Python 3.12 and 3.13: a suggestion read from it would vanish).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    def _check_value(
        self, action: argparse.Action, value: Any
    ) -> None:  # argparse's check of choices
        if action.choices is None or value in action.choices:
            return
        choices = [str(choice) for choice in action.choices]
        message = f"invalid choice: {str(value)!r} (choose from {', '.join(choices)})"
        near = _nearest(str(value), choices, 0.5)
        raise argparse.ArgumentError(
            action, f"{message}; did you mean {near}?" if near else message
        )


def _nearest(word: str, candidates: list[str], cutoff: float = 0.6) -> str | None:
    import difflib  # a mistake's suggestion: not paid on every start

    near = difflib.get_close_matches(word, candidates, n=1, cutoff=cutoff)
    return near[0] if near else None


def unrecognized(parser: argparse.ArgumentParser, extra: list[str], argv: list[str]) -> str:
    """The "unrecognized arguments" message of ``parser``, with a hint for the first option.

    ``parser`` is one command's. kubectl habits get what svcgen does instead
    (``-n``/``--namespace``:
    namespaces come from the declarations and manifests; ``-o json``: ``--format json``); a mistyped
    option gets the nearest option of the command, from the parser's own table of options.
    """
    message = f"unrecognized arguments: {' '.join(extra)}"
    table = parser._option_string_actions
    for word in extra:
        name, _, value = word.partition("=")
        if not name.startswith("-") or name == "-" or name == "--":
            continue
        hint = _kubectl_hint(table, name, value, argv)
        if hint is None:
            near = _nearest(name, sorted(option for option in table if option.startswith("--")))
            hint = f"did you mean {near}?" if near else None
        if hint is not None:
            return f"{message}; {hint}"
    return message


def _kubectl_hint(
    table: dict[str, argparse.Action], name: str, value: str, argv: list[str]
) -> str | None:
    """What svcgen does instead of kubectl's ``-n NAMESPACE`` or ``-o FORMAT``.

    For a command that lacks those options.
    """
    short = not name.startswith("--")
    if name == "--namespace" or (short and name.startswith("-n")):
        if "--namespace" in table:  # svcgen new
            return "did you mean --namespace?"
        return (
            "svcgen takes each object's namespace from its declaration (App(namespace=...)) or "
            "its manifest, not from the command line: drop it"
        )
    if (
        (name == "--output" or (short and name.startswith("-o")))
        and "-o" not in table
        and "--format" in table
    ):
        if short and len(name) > 2:
            value = name[2:]  # -ojson
        elif not value and name in argv and argv.index(name) + 1 < len(argv):
            value = argv[argv.index(name) + 1]
        choices = [str(choice) for choice in table["--format"].choices or ()]
        if value in choices:
            return f"the output format is --format {value} (kubectl's -o)"
        return f"the output format is --format {{{','.join(choices)}}} (kubectl's -o)"
    return None


def _kubernetes_version(text: str) -> KubeVersion:
    try:
        return KubeVersion.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _node_port_range(text: str) -> NodePortRange:
    try:
        return NodePortRange.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _path(text: str) -> str:
    """A path argument, never empty.

    An empty one (``--dir "$OUT"`` with OUT unset) would mean the current folder.
    """
    if not text:
        raise argparse.ArgumentTypeError(
            "empty path (an unset shell variable?); give a path, . for the current folder"
        )
    return text


def _python_path(text: str) -> str:
    """A path of Python declarations, never ``-``.

    A render reads files, so that errors name them.
    """
    if text == "-":
        raise argparse.ArgumentTypeError(
            "- is standard input, but this command reads Python declarations from "
            "files; give the file or folder, e.g. app.py"
        )
    return _path(text)


def _manifest_path(text: str) -> str:
    """A path of manifests for lint: a Python file is not one.

    That is said once, before anything is read.
    """
    if text.endswith(".py"):
        raise argparse.ArgumentTypeError(
            f"{text} is Python, not a manifest; lint what it renders: "
            f"svcgen render {text} | svcgen lint -"
        )
    return _path(text)


def _lock_path(text: str) -> str:
    """The lock file: a path svcgen can read and write back, so never ``-``."""
    if not text:
        raise argparse.ArgumentTypeError(
            "empty path (an unset shell variable?); give the lock file's path"
        )
    if text == "-":
        raise argparse.ArgumentTypeError(
            "- is standard input, but svcgen writes the lock file back; give its path"
        )
    return text


def _cluster_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--node-port-range", type=_node_port_range, metavar="FIRST-LAST", help=_RANGE_HELP
    )
    parser.add_argument(
        "--kubernetes-version", type=_kubernetes_version, metavar="1.MINOR", help=_VERSION_HELP
    )


class _Parents:
    """The options shared by many commands: --debug, a project's, rendering's.

    A project's options are its paths, lock, cluster and reserve. Each is built when a command
    first asks for it: ``svcgen lint`` needs --debug only.
    """

    @cached_property
    def common(self) -> Parser:
        common = Parser(add_help=False)
        common.add_argument(
            "--debug",
            action="store_true",
            default=argparse.SUPPRESS,
            help="show Python tracebacks for errors",
        )
        return common

    @cached_property
    def project(self) -> Parser:
        project = Parser(add_help=False)
        project.add_argument(
            "paths",
            nargs="+",
            metavar="FILE_OR_DIR",
            type=_python_path,
            help="Python files, or directories searched for *.py",
        )
        project.add_argument(
            "--lock",
            metavar="PATH",
            type=_lock_path,
            help="the nodePort lock file (default: [tool.svcgen] lock, else svcgen.lock next to "
            "the first FILE_OR_DIR)",
        )
        _cluster_options(project)
        project.add_argument(
            "--reserve",
            action="append",
            default=[],
            metavar="PATH",
            type=_path,
            help="manifests, `kubectl get services -A -o yaml|json` output or another project's "
            "svcgen.lock (a file, a directory, or - for standard input) whose nodePorts svcgen "
            "must never hand out; repeat for several",
        )
        project.add_argument(
            "--reserve-cluster",
            nargs="?",
            const="",
            metavar="CONTEXT",
            help="also reserve the nodePorts of every Service of the live cluster (kubectl get "
            "services -A, in kubectl's CONTEXT or the current one; default: [tool.svcgen] "
            "reserve-cluster)",
        )
        project.add_argument(
            "--allocate-from",
            type=_node_port_range,
            metavar="FIRST-LAST",
            help="take new nodePorts only from this band of the range, e.g. a team's 30100-30199 "
            "(default: [tool.svcgen] allocate-from)",
        )
        project.add_argument(
            "--registry",
            metavar="GIT_URL#PATH",
            help="a shared registry of nodePorts: a lock file in a git repository that every "
            "project of the cluster pushes its claims to (default: [tool.svcgen] registry)",
        )
        project.add_argument(
            "--owner",
            metavar="NAME",
            help="this project's name in the registry (default: [tool.svcgen] owner, else "
            "[project] name, else the project folder's name)",
        )
        return project

    @cached_property
    def rendering(self) -> Parser:
        rendering = Parser(add_help=False)
        rendering.add_argument(
            "--with-workloads",
            action="store_true",
            help="also emit each App's workload (a Deployment unless it says StatefulSet); "
            "targetPorts left open are then written by name",
        )
        return rendering

    def all(self) -> list[Parser]:
        return [self.common, self.project, self.rendering]


def build_parser(command: str | None = None) -> Parser:
    """The parser of every command, or of ``command`` alone.

    Its argparse help texts are the documentation. A run that names its command first
    (``svcgen lint ...``) needs no other command's parser: building all ten took its cold start
    2-3 ms. Help, completion and mistakes get them all.
    """
    parents = _Parents()
    parser = Parser(
        prog="svcgen",
        description="Declare containers and their ports in Python; get correct Kubernetes "
        "Services.",
        epilog=_EXIT_CODES,
        parents=[parents.common],
    )
    parser.add_argument("--version", action="version", version=f"svcgen {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for name, add in _COMMANDS.items():
        if command is None or command == name:
            add(commands, parents)
    return parser


def command_parser(parser: argparse.ArgumentParser, *names: str) -> argparse.ArgumentParser:
    """The parser of a command (``"lock", "prune"``), for errors in that command's own usage."""
    for name in names:
        action = next(
            (a for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None
        )
        if action is None or name not in action.choices:
            break
        parser = action.choices[name]
    return parser


def _render(commands: Subparsers, parents: _Parents) -> None:
    render_cmd = commands.add_parser(
        "render",
        parents=parents.all(),
        help="render the Services declared in Python files",
        description="Run the Python files (directories are searched for *.py, test files skipped), "
        "collect every App they declare, allocate the nodePorts they need (kept in the lock "
        "file) and print their Services as one YAML stream. A change to the lock file is said "
        "on standard error: a summary line, then one line per entry.",
        epilog=_CHECK_EXIT_CODES,
    )
    render_cmd.add_argument(
        "-o",
        "--output",
        metavar="PATH",
        type=_path,
        help="write to a file instead of standard output: its extension picks the format "
        "(.yaml or .yml: a YAML stream; .json: one List). A path that is a directory, "
        "ends with /, or has no extension is a directory: one file per object plus a "
        "kustomization.yaml (files of an earlier render that are gone are removed). "
        "Every file is written atomically and starts with svcgen's header; a file "
        "without it is never replaced without --force",
    )
    render_cmd.add_argument(
        "--force",
        action="store_true",
        help="with -o: replace files that svcgen did not write, or wrote for another project "
        "(never removes them)",
    )
    render_cmd.add_argument(
        "--format",
        choices=("yaml", "json"),
        help="what to print on standard output: yaml (a multi-document stream, the default) "
        "or json (one List); with -o it must agree with the file's extension",
    )
    render_cmd.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 with a diff if the lock file or the -o output would change",
    )
    render_cmd.add_argument(
        "--locked",
        action="store_true",
        help="fail (exit 1, writing nothing) if the lock file would change, as Cargo's "
        "--locked: for CI and deploy pipelines",
    )


def _ports(commands: Subparsers, parents: _Parents) -> None:
    ports_cmd = commands.add_parser(
        "ports",
        parents=parents.all(),
        help="show every Service port and its nodePort",
        description="Show namespace, Service, port name, protocol, port -> targetPort, nodePort "
        "and where the nodePort comes from (pinned, lock, new, reserved). Writes nothing.",
        epilog=_EXIT_CODES,
    )
    ports_cmd.add_argument(
        "--format",
        choices=("table", "json"),
        default="table",
        help="table (default) or json (missing values are null)",
    )


def _explain(commands: Subparsers, parents: _Parents) -> None:
    explain_cmd = commands.add_parser(
        "explain",
        parents=parents.all(),
        help="show each Service port's chain: nodePort → port → targetPort → container",
        description="For every Service port: <node-ip>:nodePort → service:port (its DNS name) → "
        "targetPort → container port, and how to reach it from inside and from outside the "
        "cluster. Writes nothing.",
        epilog=_EXIT_CODES,
    )
    explain_cmd.add_argument(
        "--format",
        choices=("text", "mermaid", "svg", "html"),
        default="text",
        help="text (default), a Mermaid flowchart, an SVG picture, or one self-contained "
        "HTML page with the picture and the Mermaid source",
    )


def _new(commands: Subparsers, parents: _Parents) -> None:
    new_cmd = commands.add_parser(
        "new",
        parents=[parents.common],
        help="scaffold a new service project (app.py, a test, a README, the lock)",
        description="Write DIR/app.py (the svcgen declaration of one service), DIR/test_app.py "
        "and DIR/README.md from svcgen's templates, then render it once so the lock file gets "
        "its nodePorts. Names and ports are checked first; existing files are never overwritten "
        "without --force.",
        epilog=_EXIT_CODES,
    )
    new_cmd.add_argument(
        "name", metavar="NAME", help="the service (and container, App, Service) name"
    )
    new_cmd.add_argument(
        "--port",
        action="append",
        default=[],
        metavar="NAME:CONTAINER_PORT[:SERVICE_PORT][/PROTOCOL]",
        help="a port, e.g. http:5000:8080 or dns:53/UDP (repeat for several)",
    )
    new_cmd.add_argument(
        "--type",
        default="ClusterIP",
        choices=("ClusterIP", "NodePort", "LoadBalancer"),
        help="the Service type (default: ClusterIP)",
    )
    new_cmd.add_argument("--image", help="the container image (default: NAME:latest)")
    new_cmd.add_argument("--namespace", help="the namespace (default: none, the kubectl context's)")
    new_cmd.add_argument("--dir", type=_path, help="where to write (default: ./NAME)")
    new_cmd.add_argument("--force", action="store_true", help="overwrite existing files")


def _import(commands: Subparsers, parents: _Parents) -> None:
    import_cmd = commands.add_parser(
        "import",
        parents=[parents.common],
        help="turn existing Service and workload YAML into an svcgen app.py",
        description="Read Services (and the Deployments, StatefulSets... they select) and write "
        "DIR/app.py, the "
        "equivalent svcgen declaration, and record their nodePorts in the lock file, so rendering "
        "app.py gives back the same Services without moving a port. Before writing anything, the "
        "declaration is rendered and every Service compared with its original; any difference, and "
        "anything the API server would refuse, is an error at its input line.",
        epilog=_EXIT_CODES,
    )
    import_cmd.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        type=_path,
        help="YAML or JSON files, directories, or - for standard input",
    )
    import_cmd.add_argument(
        "--dir", default=".", type=_path, help="where to write app.py (default: here)"
    )
    import_cmd.add_argument("--force", action="store_true", help="overwrite an existing app.py")
    import_cmd.add_argument(
        "--allow-changes",
        action="store_true",
        help="write app.py even when a Service would not come back exactly as it was "
        "(the differences are listed as warnings)",
    )
    import_cmd.add_argument(
        "--declare-missing-ports",
        action="store_true",
        help="declare a named targetPort that no container in the files provides, with the "
        "Service port's number (a warning), instead of refusing the Service",
    )
    _cluster_options(import_cmd)


def _lint(commands: Subparsers, parents: _Parents) -> None:
    lint_cmd = commands.add_parser(
        "lint",
        parents=[parents.common],
        help="check existing YAML manifests as the API server would",
        description="Check Services (after v1 defaulting, with the API server's rules and "
        "messages) and the container ports of Pods and workloads, then across all the documents: "
        "nodePorts used twice, named targetPorts that resolve to no container port, selectors "
        "that select nothing. Findings are sorted by file, line and column.",
        epilog="Exit codes: 0 no errors (warnings allowed), 1 errors found, 2 a path could not be "
        "read or holds no YAML.",
    )
    lint_cmd.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        type=_manifest_path,
        help="YAML or JSON files, directories (searched for *.yaml, *.yml and *.json; files "
        "that are not Kubernetes objects are skipped quietly there), or - for standard input",
    )
    lint_cmd.add_argument(
        "--format",
        choices=("text", "json", "sarif", "github"),
        default="text",
        help="text (default), json, sarif (SARIF 2.1.0, for code scanning) or github "
        "(GitHub Actions workflow annotations)",
    )
    _cluster_options(lint_cmd)


def _lock(commands: Subparsers, parents: _Parents) -> None:
    common, project = parents.common, parents.project
    lock_cmd = commands.add_parser(
        "lock", parents=[common], help="maintain the lock file", epilog=_EXIT_CODES
    )
    lock_commands = lock_cmd.add_subparsers(
        dest="lock_command", metavar="ACTION", required=True, parser_class=Parser
    )
    prune = lock_commands.add_parser(
        "prune",
        parents=[common, project],
        help="release the nodePorts of Service ports that are gone",
        description="Remove lock entries for Service ports that the given files (pass the whole "
        "project) no longer declare, so their nodePorts can be handed out again.",
        epilog=_CHECK_EXIT_CODES,
    )
    prune.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if entries would be removed"
    )
    lock_commands.add_parser(
        "check",
        parents=[common, project],
        help="exit 1 with a diff if the lock file is not current",
        description="The same as `svcgen render --check` without -o: write nothing, and fail when "
        "rendering would change the lock file (for CI).",
        epilog=_CHECK_EXIT_CODES,
    )
    resolve = lock_commands.add_parser(
        "resolve",
        parents=[common],
        help="resolve a lock file that git left with conflict markers",
        description="Merge the two sides of git's conflict markers in the lock file: every entry "
        "of both is kept; where both sides gave one nodePort to two Service ports that cannot "
        "share it, the claim made first keeps it (one the merge base already had, else HEAD's: "
        "the branch merged into) and the other moves to the lowest free port, as a render "
        "allocates. A key with different numbers on the two sides keeps HEAD's. A merge git made "
        "without a conflict that gives one nodePort twice (the two entries far apart in the "
        "file) is settled the same way, from git's history. Every change is said on standard "
        "error; the lock is then written in one step.",
        epilog=_CHECK_EXIT_CODES,
    )
    resolve.add_argument(
        "paths",
        nargs="*",
        metavar="FILE_OR_DIR",
        type=_path,
        help="a file or folder of the project, whose pyproject.toml gives the lock, the range and "
        "the band (default: the --lock file's folder, else here)",
    )
    resolve.add_argument(
        "--lock",
        metavar="PATH",
        type=_lock_path,
        help="the lock file (default: [tool.svcgen] lock, else svcgen.lock next to the first "
        "FILE_OR_DIR)",
    )
    _merge_options(resolve)
    resolve.add_argument(
        "--reserve",
        action="append",
        default=[],
        metavar="PATH",
        type=_path,
        help="manifests or lock files whose nodePorts a moved entry must not take, as for render",
    )
    resolve.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 if the lock file has a conflict to resolve",
    )
    driver = lock_commands.add_parser(
        "merge-driver",
        parents=[common],
        help="git's merge driver for the lock file (merges without conflicts)",
        description="Merge the lock files git gives (the merge base, ours, theirs) as `svcgen "
        "lock resolve` does and write the result into CURRENT; changes are said on standard "
        "error. When they cannot be merged, CURRENT gets git's conflict markers and the exit "
        "code is 1. Set it up once per clone: git config merge.svcgen.driver 'svcgen lock "
        "merge-driver %O %A %B %P', and commit a .gitattributes line: svcgen.lock merge=svcgen",
        epilog="Exit codes: 0 merged, 1 not merged (git stops on the file), 2 usage errors.",
    )
    driver.add_argument("base", metavar="BASE", help="the merge base's version (git's %%O)")
    driver.add_argument(
        "current", metavar="CURRENT", help="ours, where the result is written (git's %%A)"
    )
    driver.add_argument("other", metavar="OTHER", help="theirs (git's %%B)")
    driver.add_argument(
        "path",
        nargs="?",
        metavar="PATH",
        help="the lock file's path in the repository (git's %%P), for messages and for the "
        "project's pyproject.toml (default: svcgen.lock here)",
    )
    _merge_options(driver)


def _merge_options(parser: argparse.ArgumentParser) -> None:
    """The settings a merge of locks allocates with: the range and the band."""
    parser.add_argument(
        "--node-port-range", type=_node_port_range, metavar="FIRST-LAST", help=_RANGE_HELP
    )
    parser.add_argument(
        "--allocate-from",
        type=_node_port_range,
        metavar="FIRST-LAST",
        help="take new nodePorts only from this band of the range (default: [tool.svcgen] "
        "allocate-from)",
    )


def _completion(commands: Subparsers, parents: _Parents) -> None:
    completion = commands.add_parser(
        "completion",
        parents=[parents.common],
        help="print the shell completion script for bash, zsh or fish",
        description="Print a completion script; load it from your shell's startup file, e.g. "
        'eval "$(svcgen completion bash)" in ~/.bashrc, or svcgen completion fish | source.',
        epilog=_EXIT_CODES,
    )
    completion.add_argument("shell", choices=SHELLS, help="the shell")


def _krm(commands: Subparsers, parents: _Parents) -> None:
    krm = commands.add_parser(
        "krm",
        parents=[parents.common],
        help="kustomize generator: render as a KRM function (writes nothing)",
        description="Read a KRM ResourceList on standard input, render the declarations its "
        "functionConfig "
        "(apiVersion: svcgen.dev/v1alpha1, kind: Svcgen, spec.paths) names, relative to the "
        "working folder (kustomize's: the kustomization's), and print the ResourceList with the "
        "manifests appended and every problem in its results. As render --locked: writes nothing "
        "and allocates no nodePort the lock file does not hold (run svcgen render once for that).",
        epilog=_EXIT_CODES,
    )
    krm.add_argument(
        "config",
        nargs="?",
        metavar="CONFIG",
        help="read the generator config from this file instead and print only the manifests, as a "
        "YAML stream (kustomize's exec plugins, Argo CD's config management plugin)",
    )


# Every command, in the order the help lists them: its name and what adds its parser.
_COMMANDS: dict[str, Callable[[Subparsers, _Parents], None]] = {
    "render": _render,
    "ports": _ports,
    "explain": _explain,
    "new": _new,
    "import": _import,
    "lint": _lint,
    "lock": _lock,
    "completion": _completion,
    "krm": _krm,
}
COMMANDS = tuple(_COMMANDS)
"""The command names."""
