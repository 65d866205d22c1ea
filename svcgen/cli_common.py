"""What the CLI's commands share: the project a run works on, the lock file, writing and diffs."""

from __future__ import annotations

import argparse
import contextlib
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from svcgen.config import find_settings
from svcgen.errors import Problem, SvcgenError
from svcgen.files import exclusive_lock, read_text_if_exists, write_atomic
from svcgen.loader import load_apps
from svcgen.lock import Lock
from svcgen.lockfile import format_lock, parse_lock
from svcgen.model import App
from svcgen.nodeports import Reservation
from svcgen.portrange import DEFAULT_NODE_PORT_RANGE, NodePortRange
from svcgen.render import Rendered, render

__all__ = [
    "EXIT_INVALID",
    "EXIT_OK",
    "EXIT_USAGE",
    "Project",
    "UsageError",
    "diff",
    "display",
    "load_project",
    "locked",
    "new_lock_text",
    "print_problems",
    "read_lock",
    "render_project",
    "write",
]

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2


class UsageError(SvcgenError):
    """A command-line or path mistake: exit code 2."""


@dataclass
class Project:
    apps: list[App]
    lock_path: Path
    node_port_range: NodePortRange
    reservations: list[Reservation]
    with_workloads: bool = False


def display(path: Path) -> str:
    """``path`` relative to the working directory when it is under it (for messages)."""
    with contextlib.suppress(ValueError):
        return str(path.resolve().relative_to(Path.cwd()))
    return str(path)


def reserve_files(paths: Sequence[Path]) -> Iterator[Path]:
    """The --reserve files: files as given, directories searched for *.yaml, *.yml and *.json."""
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
            raise UsageError(f"{path}: error: --reserve: no such file or directory")


def load_project(args: argparse.Namespace) -> Project:
    """Settings, reserved nodePorts and the Apps of the paths in ``args`` (runs the user's files)."""
    settings = find_settings(args.paths[0])
    node_port_range = args.node_port_range or settings.node_port_range or DEFAULT_NODE_PORT_RANGE
    lock_path = Path(args.lock) if args.lock else settings.lock
    reservations: list[Reservation] = []
    from svcgen.reserve import reservations_from_text

    for file in reserve_files([*settings.reserve, *(Path(p) for p in args.reserve)]):
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"{file}: error: --reserve: cannot read: {exc}") from None
        reservations.extend(reservations_from_text(text, display(file)))
    apps = load_apps(args.paths)
    return Project(apps, lock_path, node_port_range, reservations, args.with_workloads)


def read_lock(project: Project) -> tuple[str | None, Lock]:
    """The lock file's text (None if there is none) and its parsed entries."""
    try:
        text = read_text_if_exists(project.lock_path)
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{project.lock_path}: error: cannot read the lock file: {exc}") from None
    return text, parse_lock(text or "", display(project.lock_path), project.node_port_range)


def render_project(project: Project, lock: Lock) -> Rendered:
    """Render the project's Apps against ``lock``: nothing is written."""
    return render(project.apps, lock=lock, reserved=project.reservations,
                  node_port_range=project.node_port_range, lock_name=display(project.lock_path),
                  with_workloads=project.with_workloads)


def new_lock_text(old: str | None, lock: Lock) -> str | None:
    """The lock file to write, or None to leave it alone (no file and nothing to record)."""
    if old is None and not len(lock):
        return None
    return format_lock(lock)


def diff(old: str | None, new: str, name: str) -> str:
    """A unified diff from ``old`` to ``new`` for the file ``name``."""
    import difflib

    return "".join(difflib.unified_diff((old or "").splitlines(keepends=True), new.splitlines(keepends=True),
                                        f"a/{name}", f"b/{name}"))


def write(path: str | Path, text: str) -> None:
    """Write ``text`` atomically, making the folder if needed; failures are usage errors."""
    folder = Path(path).parent
    if not folder.is_dir():
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"{folder}: error: cannot create: {exc.strerror or exc}") from exc
    try:
        write_atomic(path, text)
    except OSError as exc:
        raise UsageError(f"{path}: error: cannot write: {exc.strerror or exc}") from exc


def locked(project: Project, check: bool) -> contextlib.AbstractContextManager[None]:
    """The OS lock for updating the lock file (none for a --check, which writes nothing)."""
    return contextlib.nullcontext() if check else exclusive_lock(project.lock_path)


def print_problems(problems: Sequence[Problem], err: TextIO) -> None:
    for problem in problems:
        print(problem, file=err)
