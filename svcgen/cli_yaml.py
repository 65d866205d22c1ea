"""The commands that read Kubernetes YAML: lint and import."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from svcgen.cli_common import EXIT_INVALID, EXIT_OK, EXIT_USAGE, UsageError, display, write
from svcgen.config import find_settings
from svcgen.files import exclusive_lock, read_text_if_exists
from svcgen.lock import Lock
from svcgen.lockfile import format_lock, parse_lock
from svcgen.portrange import DEFAULT_NODE_PORT_RANGE

if TYPE_CHECKING:
    from svcgen.lint import LintProblem

__all__ = ["cmd_import", "cmd_lint", "lint_sources"]


def lint_sources(paths: Sequence[str], stdin: TextIO) -> tuple[list[tuple[str, str]], list[LintProblem], bool]:
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


def cmd_lint(args: argparse.Namespace, out: TextIO, err: TextIO, stdin: TextIO) -> int:
    import json

    from svcgen.lint import lint_texts

    sources, problems, unreadable = lint_sources(args.paths, stdin)
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


def cmd_import(args: argparse.Namespace, out: TextIO, err: TextIO, stdin: TextIO) -> int:
    from svcgen.importer import ImportError_, import_manifests

    sources, problems, unreadable = lint_sources(args.paths, stdin)
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
        raise UsageError(f"{target} already exists; nothing was written. Fix: choose another --dir, or --force")
    settings = find_settings(str(target.parent)) if target.parent.exists() else None
    lock_path = settings.lock if settings else target.parent / "svcgen.lock"
    node_port_range = args.node_port_range or (settings.node_port_range if settings else None) \
        or DEFAULT_NODE_PORT_RANGE
    with exclusive_lock(lock_path):
        old = read_text_if_exists(lock_path)
        current = parse_lock(old or "", display(lock_path), node_port_range)
        conflicts = [f"{key}: {current.get(key)} in {display(lock_path)}, {port} in the manifests"
                     for key, port in imported.lock.entries.items() if current.get(key) not in (None, port)]
        if conflicts:
            print(f"error: the lock file already holds other nodePorts for: {'; '.join(conflicts)}. "
                  "Nothing was written.", file=err)
            return EXIT_INVALID
        merged = Lock({**current.entries, **imported.lock.entries})
        text = format_lock(merged)
        parse_lock(text, display(lock_path), node_port_range)  # range and sharing rules, before writing
        existed = target.exists()
        write(target, imported.source)
        if len(merged) and text != old:
            try:
                write(lock_path, text)
            except UsageError:
                if not existed:  # no app.py whose nodePorts are not recorded
                    target.unlink(missing_ok=True)
                raise
    for warning in imported.warnings:
        print(f"warning: {warning}", file=err)
    print(f"wrote {target}", file=out)
    if len(imported.lock):
        print(f"recorded {len(imported.lock)} nodePort(s) in {display(lock_path)}", file=out)
    return EXIT_OK
