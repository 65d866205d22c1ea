"""The ``svcgen`` argument parser: every command, option and help text, in one table-like function."""

from __future__ import annotations

import argparse
from typing import TypeAlias

from svcgen.kube.portrange import NodePortRange
from svcgen.kube.version import CURRENT, KubeVersion
from svcgen.version import __version__

__all__ = ["build_parser"]

Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"

_EXIT_CODES = "Exit codes: 0 success, 1 invalid declarations or lock file (or --check found changes), 2 usage errors."


def _kubernetes_version(text: str) -> KubeVersion:
    try:
        return KubeVersion.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


_VERSION_HELP = ("the cluster's Kubernetes version, whose API server rules apply (default: [tool.svcgen] "
                 f"kubernetes-version, else {CURRENT}, the newest release)")


def _node_port_range(text: str) -> NodePortRange:
    try:
        return NodePortRange.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command (argparse: the help texts are the documentation)."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show Python tracebacks for errors")
    project = argparse.ArgumentParser(add_help=False)
    project.add_argument("paths", nargs="+", metavar="FILE_OR_DIR", help="Python files or directories")
    project.add_argument("--lock", metavar="PATH",
                         help="the nodePort lock file (default: [tool.svcgen] lock, else svcgen.lock next to "
                              "the first FILE_OR_DIR)")
    project.add_argument("--node-port-range", type=_node_port_range, metavar="FIRST-LAST",
                         help="the cluster's --service-node-port-range (default: [tool.svcgen] "
                              "node-port-range, else 30000-32767)")
    project.add_argument("--kubernetes-version", type=_kubernetes_version, metavar="1.MINOR", help=_VERSION_HELP)
    project.add_argument("--with-workloads", action="store_true",
                         help="also emit each App's workload (a Deployment unless it says StatefulSet); "
                              "targetPorts left open are then written by name")
    project.add_argument("--reserve", nargs="+", default=[], metavar="PATH",
                         help="manifests or `kubectl get services -A -o yaml|json` output (files or "
                              "directories) whose nodePorts svcgen must never hand out")
    parser = argparse.ArgumentParser(
        prog="svcgen",
        description="Declare containers and their ports in Python; get correct Kubernetes Services.",
        epilog=_EXIT_CODES, parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"svcgen {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    _render_commands(commands, common, project)
    _new_command(commands, common)
    _yaml_commands(commands, common)
    _lock_commands(commands, common, project)
    return parser


def _render_commands(commands: Subparsers, common: argparse.ArgumentParser,
                     project: argparse.ArgumentParser) -> None:
    """render, ports, explain: the commands that work on a project's declarations."""
    render_cmd = commands.add_parser(
        "render", parents=[common, project], help="render the Services declared in Python files",
        description="Run the Python files (directories are searched for *.py, test files skipped), "
                    "collect every App they declare, allocate the nodePorts they need (kept in the lock "
                    "file) and print their Services as one YAML stream.",
        epilog=_EXIT_CODES,
    )
    render_cmd.add_argument("-o", "--output", metavar="FILE_OR_DIR",
                            help="write to FILE (.yaml/.yml/.json) instead of standard output, or, for any other "
                                 "path, one file per object plus a kustomization.yaml into the directory DIR "
                                 "(files are written atomically; files of an earlier render that are gone are "
                                 "removed)")
    render_cmd.add_argument("--format", choices=("yaml", "json"), default="yaml",
                            help="yaml (a multi-document stream, default) or json (one List object)")
    render_cmd.add_argument("--check", action="store_true",
                            help="write nothing; exit 1 with a diff if the lock file or the -o output would change")
    ports_cmd = commands.add_parser(
        "ports", parents=[common, project], help="show every Service port and its nodePort",
        description="Show namespace, Service, port name, protocol, port -> targetPort, nodePort and where "
                    "the nodePort comes from (pinned, lock, new, reserved). Writes nothing.",
        epilog=_EXIT_CODES,
    )
    ports_cmd.add_argument("--format", choices=("table", "json"), default="table", help="output format")
    explain_cmd = commands.add_parser(
        "explain", parents=[common, project],
        help="show each Service port's chain: nodePort → port → targetPort → container",
        description="For every Service port: <node-ip>:nodePort → service:port (its DNS name) → targetPort → "
                    "container port, and how to reach it from inside and from outside the cluster. Writes nothing.",
        epilog=_EXIT_CODES,
    )
    explain_cmd.add_argument("--format", choices=("text", "mermaid", "svg", "html"), default="text",
                             help="text (default), a Mermaid flowchart, an SVG picture, or an HTML page with both")


def _new_command(commands: Subparsers, common: argparse.ArgumentParser) -> None:
    new_cmd = commands.add_parser(
        "new", parents=[common], help="scaffold a new service project (app.py, a test, a README, the lock)",
        description="Write DIR/app.py (the svcgen declaration of one service), DIR/test_app.py and DIR/README.md "
                    "from svcgen's templates, then render it once so svcgen.lock gets its nodePorts. Names and "
                    "ports are checked first; existing files are never overwritten without --force.",
        epilog=_EXIT_CODES,
    )
    new_cmd.add_argument("name", metavar="NAME", help="the service (and container, App, Service) name")
    new_cmd.add_argument("--port", action="append", default=[], metavar="NAME:CONTAINER_PORT[:SERVICE_PORT][/PROTOCOL]",
                         help="a port, e.g. http:5000:8080 or dns:53/UDP (repeat for several)")
    new_cmd.add_argument("--type", default="ClusterIP", choices=("ClusterIP", "NodePort", "LoadBalancer"),
                         help="the Service type (default: ClusterIP)")
    new_cmd.add_argument("--image", help="the container image (default: NAME:latest)")
    new_cmd.add_argument("--namespace", help="the namespace (default: none, the kubectl context's)")
    new_cmd.add_argument("--dir", help="where to write (default: ./NAME)")
    new_cmd.add_argument("--force", action="store_true", help="overwrite existing files")


def _yaml_commands(commands: Subparsers, common: argparse.ArgumentParser) -> None:
    """Import and lint: the commands that read Kubernetes YAML."""
    import_cmd = commands.add_parser(
        "import", parents=[common], help="turn existing Service and workload YAML into an svcgen app.py",
        description="Read Services (and the Deployments, StatefulSets... they select) and write DIR/app.py, the "
                    "equivalent svcgen declaration, and record their nodePorts in the lock file, so rendering "
                    "app.py gives back the same Services without moving a port. Before writing anything, the "
                    "declaration is rendered and every Service compared with its original; any difference, and "
                    "anything the API server would refuse, is an error at its input line.",
        epilog=_EXIT_CODES,
    )
    import_cmd.add_argument("paths", nargs="+", metavar="PATH", help="YAML files, directories or - for stdin")
    import_cmd.add_argument("--dir", default=".", help="where to write app.py (default: here)")
    import_cmd.add_argument("--force", action="store_true", help="overwrite an existing app.py")
    import_cmd.add_argument("--kubernetes-version", type=_kubernetes_version, metavar="1.MINOR", help=_VERSION_HELP)
    import_cmd.add_argument("--allow-changes", action="store_true",
                            help="write app.py even when a Service would not come back exactly as it was "
                                 "(the differences are listed as warnings)")
    import_cmd.add_argument("--declare-missing-ports", action="store_true",
                            help="declare a named targetPort that no container in the files provides, with the "
                                 "Service port's number (a warning), instead of refusing the Service")
    import_cmd.add_argument("--node-port-range", type=_node_port_range, metavar="FIRST-LAST",
                            help="the cluster's --service-node-port-range (default: [tool.svcgen] node-port-range of "
                                 "the nearest pyproject.toml, else 30000-32767)")
    lint_cmd = commands.add_parser(
        "lint", parents=[common], help="check existing YAML manifests as the API server would",
        description="Check Services (after v1 defaulting, with the API server's rules and messages) and the "
                    "container ports of Pods and workloads, then across all the documents: nodePorts used "
                    "twice, named targetPorts that resolve to no container port, selectors that select nothing.",
        epilog="Exit codes: 0 no errors (warnings allowed), 1 errors found, 2 a path could not be read.",
    )
    lint_cmd.add_argument("paths", nargs="+", metavar="PATH",
                          help="YAML or JSON files, directories (searched for *.yaml, *.yml and *.json) or - for "
                               "standard input")
    lint_cmd.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    lint_cmd.add_argument("--kubernetes-version", type=_kubernetes_version, metavar="1.MINOR", help=_VERSION_HELP)
    lint_cmd.add_argument("--node-port-range", type=_node_port_range, metavar="FIRST-LAST",
                          help="the cluster's --service-node-port-range (default: [tool.svcgen] node-port-range of "
                               "the nearest pyproject.toml, else 30000-32767)")


def _lock_commands(commands: Subparsers, common: argparse.ArgumentParser,
                   project: argparse.ArgumentParser) -> None:
    lock_cmd = commands.add_parser("lock", parents=[common], help="maintain the lock file",
                                   epilog=_EXIT_CODES)
    lock_commands = lock_cmd.add_subparsers(dest="lock_command", metavar="ACTION", required=True)
    prune = lock_commands.add_parser(
        "prune", parents=[common, project], help="release the nodePorts of Service ports that are gone",
        description="Remove lock entries for Service ports that the given files (pass the whole project) "
                    "no longer declare, so their nodePorts can be handed out again.",
        epilog=_EXIT_CODES,
    )
    prune.add_argument("--check", action="store_true", help="write nothing; exit 1 if entries would be removed")
    lock_commands.add_parser(
        "check", parents=[common, project], help="exit 1 with a diff if the lock file is not current",
        description="The same as `svcgen render --check` without -o: write nothing, and fail when rendering "
                    "would change the lock file (for CI).",
        epilog=_EXIT_CODES,
    )
