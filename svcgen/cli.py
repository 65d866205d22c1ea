"""The ``svcgen`` command line: argument parsing, file I/O, messages and exit codes.

Exit codes: 0 success; 1 the declarations, the lock file or the user's Python file have
problems, or ``--check`` found a difference; 2 the command line or a path is wrong (bad
arguments, missing file, unwritable output).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import traceback
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from svcgen.config import ConfigError, find_settings
from svcgen.errors import DeclarationError, Problem, SvcgenError
from svcgen.files import exclusive_lock, read_text_if_exists, write_atomic
from svcgen.loader import LoadError, UserCodeError, load_apps
from svcgen.lock import Lock
from svcgen.lockfile import LockFileError, format_lock, parse_lock
from svcgen.model import App, emits_workload, target_by_name
from svcgen.nodeports import Reservation, node_port_requests
from svcgen.portrange import DEFAULT_NODE_PORT_RANGE, NodePortRange
from svcgen.render import Rendered, render
from svcgen.reserve import ReserveError
from svcgen.version import __version__

if TYPE_CHECKING:
    from svcgen.lint import LintProblem

# Commands import what only they need when they run (lint's YAML reader, difflib, json): a
# render's cold start pays for nothing else.

__all__ = ["EXIT_INVALID", "EXIT_OK", "EXIT_USAGE", "main", "main_exit"]

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2

_EXIT_CODES = "Exit codes: 0 success, 1 invalid declarations or lock file (or --check found changes), 2 usage errors."


class _UsageError(SvcgenError):
    """A command-line or path mistake: exit code 2."""


def _node_port_range(text: str) -> NodePortRange:
    try:
        return NodePortRange.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _parser() -> argparse.ArgumentParser:
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
    import_cmd = commands.add_parser(
        "import", parents=[common], help="turn existing Service and workload YAML into an svcgen app.py",
        description="Read Services (and the Deployments, StatefulSets... they select) and write DIR/app.py, the "
                    "equivalent svcgen declaration, and record their nodePorts in the lock file, so rendering "
                    "app.py gives back the same Services without moving a port.",
        epilog=_EXIT_CODES,
    )
    import_cmd.add_argument("paths", nargs="+", metavar="PATH", help="YAML files, directories or - for stdin")
    import_cmd.add_argument("--dir", default=".", help="where to write app.py (default: here)")
    import_cmd.add_argument("--force", action="store_true", help="overwrite an existing app.py")
    import_cmd.add_argument("--node-port-range", type=_node_port_range, metavar="FIRST-LAST",
                            help="the cluster's --service-node-port-range (default: 30000-32767)")
    explain_cmd = commands.add_parser(
        "explain", parents=[common, project],
        help="show each Service port's chain: nodePort → port → targetPort → container",
        description="For every Service port: <node-ip>:nodePort → service:port (its DNS name) → targetPort → "
                    "container port, and how to reach it from inside and from outside the cluster. Writes nothing.",
        epilog=_EXIT_CODES,
    )
    explain_cmd.add_argument("--format", choices=("text", "mermaid", "svg", "html"), default="text",
                             help="text (default), a Mermaid flowchart, an SVG picture, or an HTML page with both")
    lint_cmd = commands.add_parser(
        "lint", parents=[common], help="check existing YAML manifests as the API server would",
        description="Check Services (after v1 defaulting, with the API server's rules and messages) and the "
                    "container ports of Pods and workloads, then across all the documents: nodePorts used "
                    "twice, named targetPorts that resolve to no container port, selectors that select nothing.",
        epilog="Exit codes: 0 no errors (warnings allowed), 1 errors found, 2 a path could not be read.",
    )
    lint_cmd.add_argument("paths", nargs="+", metavar="PATH",
                          help="YAML files, directories (searched for *.yaml and *.yml) or - for standard input")
    lint_cmd.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    lint_cmd.add_argument("--node-port-range", type=_node_port_range, metavar="FIRST-LAST",
                          help="the cluster's --service-node-port-range (default: 30000-32767)")
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
    return parser


@dataclass
class _Project:
    apps: list[App]
    lock_path: Path
    node_port_range: NodePortRange
    reservations: list[Reservation]
    with_workloads: bool = False


def _display(path: Path) -> str:
    with contextlib.suppress(ValueError):
        return str(path.resolve().relative_to(Path.cwd()))
    return str(path)


def _reserve_files(paths: Sequence[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            for folder, dirs, files in os.walk(path):
                dirs.sort()
                for name in sorted(files):
                    if name.endswith((".yaml", ".yml", ".json")):
                        yield Path(folder) / name
        elif path.is_file():
            yield path
        else:
            raise _UsageError(f"{path}: error: --reserve: no such file or directory")


def _project(args: argparse.Namespace) -> _Project:
    settings = find_settings(args.paths[0])
    node_port_range = args.node_port_range or settings.node_port_range or DEFAULT_NODE_PORT_RANGE
    lock_path = Path(args.lock) if args.lock else settings.lock
    reservations: list[Reservation] = []
    from svcgen.reserve import reservations_from_text

    for file in _reserve_files([*settings.reserve, *(Path(p) for p in args.reserve)]):
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise _UsageError(f"{file}: error: --reserve: cannot read: {exc}") from None
        reservations.extend(reservations_from_text(text, _display(file)))
    apps = load_apps(args.paths)
    return _Project(apps, lock_path, node_port_range, reservations, args.with_workloads)


def _read_lock(project: _Project) -> tuple[str | None, Lock]:
    try:
        text = read_text_if_exists(project.lock_path)
    except (OSError, UnicodeDecodeError) as exc:
        raise _UsageError(f"{project.lock_path}: error: cannot read the lock file: {exc}") from None
    return text, parse_lock(text or "", _display(project.lock_path), project.node_port_range)


def _render(project: _Project, lock: Lock) -> Rendered:
    return render(project.apps, lock=lock, reserved=project.reservations,
                  node_port_range=project.node_port_range, lock_name=_display(project.lock_path),
                  with_workloads=project.with_workloads)


def _new_lock_text(old: str | None, lock: Lock) -> str | None:
    """The lock file to write, or None to leave it alone (no file and nothing to record)."""
    if old is None and not len(lock):
        return None
    return format_lock(lock)


def _diff(old: str | None, new: str, name: str) -> str:
    import difflib

    return "".join(difflib.unified_diff((old or "").splitlines(keepends=True), new.splitlines(keepends=True),
                                        f"a/{name}", f"b/{name}"))


def _write(path: str | Path, text: str) -> None:
    folder = Path(path).parent
    if not folder.is_dir():
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _UsageError(f"{folder}: error: cannot create: {exc.strerror or exc}") from exc
    try:
        write_atomic(path, text)
    except OSError as exc:
        raise _UsageError(f"{path}: error: cannot write: {exc.strerror or exc}") from exc


def _planned_outputs(args: argparse.Namespace, rendered: Rendered) -> tuple[dict[Path, str], list[Path]]:
    """The files ``-o`` asks for (path -> text) and the stale files of an earlier directory render."""
    from svcgen.outputs import KUSTOMIZATION, directory_files, is_directory_output, json_list, kustomization_resources

    target = Path(args.output)
    if not is_directory_output(args.output, target.is_dir()):
        text = json_list(rendered.manifests) if args.format == "json" else rendered.yaml
        return {target: text}, []
    if args.format == "json":
        raise _UsageError(f"{args.output}: error: --format json writes one List; give -o a .json file name")
    files = {target / name: text for name, text in directory_files(rendered.manifests).items()}
    try:
        previous = kustomization_resources(read_text_if_exists(target / KUSTOMIZATION))
    except (OSError, UnicodeDecodeError):
        previous = []
    stale = [target / name for name in previous if target / name not in files and (target / name).is_file()]
    return files, stale


def _locked(project: _Project, check: bool) -> contextlib.AbstractContextManager[None]:
    """The OS lock for updating the lock file (none for a --check, which writes nothing)."""
    return contextlib.nullcontext() if check else exclusive_lock(project.lock_path)


def _cmd_render(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    project = _project(args)
    lock_name = _display(project.lock_path)
    with _locked(project, args.check):
        old, lock = _read_lock(project)
        rendered = _render(project, lock)
        new = _new_lock_text(old, rendered.lock)
        _print_problems(rendered.warnings, err)
        outputs, stale = _planned_outputs(args, rendered) if args.output else ({}, [])
        if args.check:
            diffs = []
            if new is not None and new != old:
                diffs.append(_diff(old, new, lock_name))
            for path, text in outputs.items():
                current = read_text_if_exists(path)
                if current != text:
                    diffs.append(_diff(current, text, str(path)))
            for path in stale:
                diffs.append(_diff(read_text_if_exists(path), "", str(path)))
            if diffs:
                out.write("".join(diffs))
                print("svcgen: --check: the files above are not up to date; run svcgen render to update them.",
                      file=err)
                return EXIT_INVALID
            return EXIT_OK
        if new is not None and new != old:
            _write(project.lock_path, new)
    if not args.output:
        from svcgen.outputs import json_list

        out.write(json_list(rendered.manifests) if args.format == "json" else rendered.yaml)
        return EXIT_OK
    for path, text in outputs.items():
        if read_text_if_exists(path) != text:
            _write(path, text)
    for path in stale:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    return EXIT_OK


def _cmd_ports(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    import json

    project = _project(args)
    lock = _read_lock(project)[1]
    rendered = _render(project, lock)
    _print_problems(rendered.warnings, err)
    sources = {index: item.source for item in rendered.allocated for index in item.request.indexes}
    node_ports = {index: item.node_port for item in rendered.allocated for index in item.request.indexes}
    rows: list[dict[str, object]] = []
    for a, app in enumerate(project.apps):
        for s, service in enumerate(app.services):
            for p, sp in enumerate(service.ports):
                index = (a, s, p)
                rows.append({
                    "namespace": app.namespace or "", "service": service.name, "port_name": sp.port_name,
                    "protocol": sp.protocol, "port": sp.service_port,
                    "target_port": sp.target.name if target_by_name(sp, emits_workload(app, project.with_workloads))
                    else sp.target.number,
                    "node_port": node_ports.get(index), "source": sources.get(index, ""),
                })
    for reservation in sorted(project.reservations, key=lambda r: (r.node_port, r.namespace, r.service)):
        rows.append({"namespace": reservation.namespace, "service": reservation.service, "port_name": "",
                     "protocol": "", "port": None, "target_port": None, "node_port": reservation.node_port,
                     "source": f"reserved ({reservation.origin})"})
    if args.format == "json":
        out.write(json.dumps(rows, indent=2) + "\n")
        return EXIT_OK
    header = ["NAMESPACE", "SERVICE", "PORT", "PROTOCOL", "PORT->TARGET", "NODEPORT", "SOURCE"]
    table = [header] + [[
        str(r["namespace"] or "-"), str(r["service"]), str(r["port_name"] or "-"), str(r["protocol"] or "-"),
        "-" if r["port"] is None else f"{r['port']}->{r['target_port']}",
        "-" if r["node_port"] is None else str(r["node_port"]), str(r["source"] or "-"),
    ] for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        out.write("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() + "\n")
    return EXIT_OK


def _cmd_lock_prune(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    project = _project(args)
    live = {key for request in node_port_requests(project.apps) for key in request.keys}
    with _locked(project, args.check):
        lock = _read_lock(project)[1]
        gone = {key for key in lock if key not in live}
        for key in sorted(gone):
            print(f"{'would release' if args.check else 'released'} {key}: {lock.get(key)}", file=out)
        if not gone:
            print(f"svcgen: {_display(project.lock_path)}: nothing to prune.", file=err)
            return EXIT_OK
        if args.check:
            return EXIT_INVALID
        _write(project.lock_path, format_lock(lock.without(gone)))
    return EXIT_OK


def _lint_sources(paths: Sequence[str], stdin: TextIO) -> tuple[list[tuple[str, str]], list[LintProblem], bool]:
    """The texts to lint; problems for files that are not text; whether some path was unreadable."""
    from svcgen.lint import LintProblem

    sources: list[tuple[str, str]] = []
    problems: list[LintProblem] = []
    unreadable = False
    files: list[Path] = []
    for raw in paths:
        if raw == "-":
            sources.append(("<stdin>", stdin.read()))
            continue
        path = Path(raw)
        if path.is_dir():
            files.extend(p for p in sorted(path.rglob("*")) if p.suffix in (".yaml", ".yml") and p.is_file())
        elif path.exists():
            files.append(path)
        else:
            problems.append(LintProblem(raw, 0, 0, 0, "", "", "", "", "error", "read", "no such file or directory"))
            unreadable = True
    for file in files:
        try:
            data = file.read_bytes()
        except OSError as exc:
            problems.append(LintProblem(str(file), 0, 0, 0, "", "", "", "", "error", "read",
                                        f"cannot read: {exc.strerror or exc}"))
            unreadable = True
            continue
        if b"\0" in data:
            problems.append(LintProblem(str(file), 1, 1, 0, "", "", "", "", "error", "read",
                                        "not a text file (it contains NUL bytes)"))
            continue
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            problems.append(LintProblem(str(file), line, 1, 0, "", "", "", "", "error", "read",
                                        f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})"))
            continue
        sources.append((str(file), text))
    return sources, problems, unreadable


def _cmd_lint(args: argparse.Namespace, out: TextIO, err: TextIO, stdin: TextIO) -> int:
    import json

    from svcgen.lint import lint_texts

    sources, problems, unreadable = _lint_sources(args.paths, stdin)
    problems.extend(lint_texts(sources, args.node_port_range or DEFAULT_NODE_PORT_RANGE))
    if not sources and not problems:
        print(f"svcgen lint: no YAML files (*.yaml, *.yml) in {', '.join(args.paths)}", file=err)
    errors = sum(1 for p in problems if p.severity == "error")
    warnings = len(problems) - errors
    if args.format == "json":
        out.write(json.dumps([p.to_dict() for p in problems], indent=2) + "\n")
    else:
        for problem in problems:
            print(problem, file=out)
        documents = sum(1 for _ in sources)
        print(f"svcgen lint: {errors} error{'s' if errors != 1 else ''}, {warnings} warning"
              f"{'s' if warnings != 1 else ''} in {documents} file{'s' if documents != 1 else ''}.", file=err)
    if unreadable:
        return EXIT_USAGE
    return EXIT_INVALID if errors else EXIT_OK


def _print_problems(problems: Sequence[Problem], err: TextIO) -> None:
    for problem in problems:
        print(problem, file=err)


def _cmd_new(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from svcgen.scaffold import ScaffoldError, parse_port_spec, scaffold_files

    try:
        ports = [parse_port_spec(text) for text in args.port]
        files = scaffold_files(args.name, ports, service_type=args.type, image=args.image, namespace=args.namespace)
    except ScaffoldError as exc:
        raise _UsageError(f"svcgen new: {exc}") from None
    target = Path(args.dir or args.name)
    paths = {target / name: text for name, text in files.items()}
    existing = [p for p in paths if p.exists()]
    if existing and not args.force:
        raise _UsageError(f"svcgen new: {', '.join(map(str, existing))} already exist(s); nothing was written. "
                          "Fix: choose another --dir, or pass --force to overwrite")
    created = [p for p in paths if not p.exists()]
    made_dir = not target.exists()
    for path, text in paths.items():
        _write(path, text)
    # Render once, so the lock file gets the nodePorts; undo the scaffold if that fails.
    render_args = argparse.Namespace(paths=[str(target / "app.py")], lock=None, node_port_range=None, reserve=[],
                                     with_workloads=False, check=False, output=None, format="yaml")
    try:
        code = _cmd_render(render_args, io.StringIO(), err)
    except BaseException:
        for path in created:
            with contextlib.suppress(OSError):
                path.unlink()
        if made_dir:
            with contextlib.suppress(OSError):
                target.rmdir()
        raise
    for path in paths:
        print(f"wrote {path}", file=out)
    print(f"svcgen: {target / 'app.py'} renders; run `svcgen render {target}` to print its Service.", file=err)
    return code


def _cmd_import(args: argparse.Namespace, out: TextIO, err: TextIO, stdin: TextIO) -> int:
    from svcgen.importer import ImportError_, import_manifests

    sources, problems, unreadable = _lint_sources(args.paths, stdin)
    if problems or unreadable:
        for problem in problems:
            print(problem, file=err)
        return EXIT_USAGE if unreadable else EXIT_INVALID
    try:
        imported = import_manifests(sources)
    except ImportError_ as exc:
        print(exc, file=err)
        return EXIT_INVALID
    target = Path(args.dir) / "app.py"
    if target.exists() and not args.force:
        raise _UsageError(f"{target} already exists; nothing was written. Fix: choose another --dir, or --force")
    settings = find_settings(str(target.parent)) if target.parent.exists() else None
    lock_path = settings.lock if settings else target.parent / "svcgen.lock"
    node_port_range = args.node_port_range or (settings.node_port_range if settings else None) \
        or DEFAULT_NODE_PORT_RANGE
    with exclusive_lock(lock_path):
        old = read_text_if_exists(lock_path)
        current = parse_lock(old or "", _display(lock_path), node_port_range)
        conflicts = [f"{key}: {current.get(key)} in {_display(lock_path)}, {port} in the manifests"
                     for key, port in imported.lock.entries.items() if current.get(key) not in (None, port)]
        if conflicts:
            print(f"error: the lock file already holds other nodePorts for: {'; '.join(conflicts)}. "
                  "Nothing was written.", file=err)
            return EXIT_INVALID
        merged = Lock({**current.entries, **imported.lock.entries})
        text = format_lock(merged)
        parse_lock(text, _display(lock_path), node_port_range)  # range and sharing rules, before writing
        _write(target, imported.source)
        if len(merged) and text != old:
            _write(lock_path, text)
    for warning in imported.warnings:
        print(f"warning: {warning}", file=err)
    print(f"wrote {target}", file=out)
    if len(imported.lock):
        print(f"recorded {len(imported.lock)} nodePort(s) in {_display(lock_path)}", file=out)
    return EXIT_OK


def _cmd_explain(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from svcgen.explain import chains, to_mermaid, to_svg, to_text

    project = _project(args)
    rendered = _render(project, _read_lock(project)[1])
    _print_problems(rendered.warnings, err)
    node_ports = {index: item.node_port for item in rendered.allocated for index in item.request.indexes}
    items = chains(project.apps, node_ports, with_workloads=project.with_workloads)
    if args.format == "text":
        out.write(to_text(items))
    elif args.format == "mermaid":
        out.write(to_mermaid(items))
    elif args.format == "svg":
        out.write(to_svg(items))
    else:
        import html

        out.write("<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>svcgen explain</title></head><body>\n"
                  f"{to_svg(items)}<pre>{html.escape(to_text(items))}</pre>\n"
                  f"<pre class=\"mermaid\">{html.escape(to_mermaid(items))}</pre>\n</body></html>\n")
    return EXIT_OK


def _run(args: argparse.Namespace, out: TextIO, err: TextIO, stdin: TextIO) -> int:
    if args.command == "explain":
        return _cmd_explain(args, out, err)
    if args.command == "import":
        return _cmd_import(args, out, err, stdin)
    if args.command == "new":
        return _cmd_new(args, out, err)
    if args.command == "lint":
        return _cmd_lint(args, out, err, stdin)
    if args.command == "render":
        return _cmd_render(args, out, err)
    if args.command == "ports":
        return _cmd_ports(args, out, err)
    return _cmd_lock_prune(args, out, err)


def main(
    argv: Sequence[str] | None = None,
    *,
    out: TextIO | None = None,
    err: TextIO | None = None,
    stdin: TextIO | None = None,
) -> int:
    """Run the CLI with ``argv`` and return the exit code (never calls sys.exit)."""
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    stdin = sys.stdin if stdin is None else stdin
    parser = _parser()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help, --version, usage errors
        return int(exc.code) if isinstance(exc.code, int) else EXIT_USAGE
    debug = getattr(args, "debug", False)
    try:
        return _run(args, out, err, stdin)
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
    except (LockFileError, ConfigError, ReserveError) as exc:
        print(exc, file=err)
        print("svcgen: nothing was written.", file=err)
        if debug:
            traceback.print_exc(file=err)
        return EXIT_INVALID
    except (LoadError, _UsageError) as exc:
        print(exc, file=err)
        if debug:
            traceback.print_exc(file=err)
        return EXIT_USAGE
    except OSError as exc:  # a file system refusal not foreseen above: still a message, not a traceback
        name = f"{exc.filename}: " if exc.filename else ""
        print(f"svcgen: {name}error: {exc.strerror or exc}", file=err)
        if debug:
            traceback.print_exc(file=err)
        return EXIT_USAGE


def main_exit() -> None:
    """Console-script entry point: run :func:`main` and exit with its code."""
    sys.exit(main())
