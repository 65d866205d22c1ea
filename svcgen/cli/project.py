"""The project a render-like command works on: its settings, its Apps and the reserved nodePorts."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO, TypeVar

from svcgen.cli.common import settings_from_args
from svcgen.dsl.loader import LoadFailure, discover_files, load_apps
from svcgen.dsl.model import App
from svcgen.dsl.validate import validate
from svcgen.errors import UsageError
from svcgen.files import display
from svcgen.nodeports.lock import Lock
from svcgen.nodeports.reserve import Reservation, reservations_from_lock
from svcgen.render import Rendered, RenderOptions, render, render_manifests, render_stream
from svcgen.settings import Settings, has_settings, is_project_root, project_root

if TYPE_CHECKING:
    from svcgen.registry import Registry

__all__ = ["Project", "check_one_project", "load_project"]

T = TypeVar("T")


@dataclass
class Project:
    """A run's settings, the Apps its files declare and the nodePorts reserved elsewhere.

    The reservations (--reserve files, stdin, the live cluster) are read on first use: a command
    that allocates nothing (``lock prune``) neither reads them nor needs the cluster.
    """

    settings: Settings
    apps: list[App]
    stdin: TextIO | None = None
    _reservations: list[Reservation] | None = field(default=None, repr=False)
    pushed: str | None = None
    """The registry this run pushed new claims to (None: nothing was pushed)."""

    @property
    def reservations(self) -> list[Reservation]:
        if self._reservations is None:
            self._reservations = self.settings.reservations(self.stdin)
        return self._reservations

    @property
    def lock_path(self) -> Path:
        return self.settings.lock

    def read_lock(self) -> tuple[str | None, Lock]:
        """The lock file's text (None if there is none) and its parsed entries."""
        return self.settings.read_lock_text()

    def render(
        self,
        lock: Lock,
        reserved: Sequence[Reservation] = (),
        *,
        text: bool = True,
        stream: bool = False,
    ) -> Rendered:
        """Render the project's Apps against ``lock``: nothing is written.

        ``text=False``: without the YAML text (``yaml`` is empty), for a command that shows the
        ports
        only; ``stream``: for a caller that writes the output with ``yaml_parts()``
        (:func:`~svcgen.render.render_stream`).
        """
        options = RenderOptions.from_settings(self.settings, lock, [*self.reservations, *reserved])
        if stream:
            return render_stream(self.apps, options)
        return (render if text else render_manifests)(self.apps, options)

    def registry(self) -> Registry | None:
        """The project's shared registry, fetched (None without one)."""
        if not self.settings.registry:
            return None
        from svcgen.registry import (
            Registry,
            RegistrySpec,
        )  # git and subprocess: only for projects with one

        registry = Registry(
            RegistrySpec.parse(self.settings.registry),
            self.settings.lock.parent / ".svcgen" / "registry",
        )
        registry.sync()
        return registry

    def render_shared(
        self,
        lock: Lock,
        *,
        push: bool,
        err: TextIO,
        check: Callable[[Rendered], object] | None = None,
    ) -> Rendered:
        """Render against the shared registry too, when the project has one.

        Other projects' entries are taken; this project's new claims are pushed (retrying when
        another project pushed first) before anything is written. ``check`` runs on every
        rendering before it is pushed (a refusal to write the outputs raises there): what a run
        cannot write is never claimed.
        """

        def run(own: Lock, reserved: Sequence[Reservation]) -> Rendered:
            rendered = self.render(Lock({**own.entries, **lock.entries}), reserved, stream=True)
            if check is not None:
                check(rendered)
            return rendered

        return self.against_registry(run, lambda rendered: rendered.lock, push=push, err=err)

    def against_registry(
        self,
        run: Callable[[Lock, Sequence[Reservation]], T],
        lock_of: Callable[[T], Lock],
        *,
        push: bool,
        err: TextIO,
    ) -> T:
        """``run(own, reserved)`` against the shared registry, when the project has one.

        ``own``: this project's entries in the registry; ``reserved``: every other project's. The
        lock ``lock_of`` the result gives is claimed through :func:`svcgen.registry.claim` (the
        registry's check that no other project claims the same Service port applies), and pushed
        when ``push`` (``self.pushed`` then names the registry). Without a registry: ``run`` with
        nothing.
        """
        registry = self.registry()
        if registry is None:
            return run(Lock(), ())
        from svcgen.registry import MAX_ATTEMPTS, claim

        if registry.offline:
            print(
                f"svcgen: warning: registry {registry.spec} {registry.unreachable()}; working "
                "from the copy fetched last",
                file=err,
            )
        owner = self.settings.owner
        result: list[T] = []

        def allocate(shared: Lock) -> Lock:
            others = shared.without(set(shared.owned_by(owner).entries))
            result[:] = [
                run(
                    shared.owned_by(owner),
                    reservations_from_lock(others, f"registry {registry.spec}", "?"),
                )
            ]
            return lock_of(result[0])

        def retry(attempt: int) -> None:
            print(
                f"svcgen: registry {registry.spec}: another project pushed first; allocating again "
                f"({attempt + 1}/{MAX_ATTEMPTS})",
                file=err,
            )

        _, changed = claim(
            registry, owner, self.settings.node_port_range, allocate, push=push, on_retry=retry
        )
        if changed and push:
            self.pushed = str(registry.spec)
        return result[0]


def load_project(args: argparse.Namespace, stdin: TextIO | None = None) -> Project:
    """Settings, reserved nodePorts and the Apps of the paths in ``args`` (runs the user's files).

    Raises:
        UsageError: the paths hold the declarations of several projects (see
            :func:`check_one_project`).
        LoadFailure: some files failed to run; the problems of the Apps of the others are added,
            so that one run shows everything to fix.
    """
    settings = settings_from_args(args, args.paths[0])
    check_one_project(
        args.paths, settings, lock_given=bool(getattr(args, "lock", None)), command=_command(args)
    )
    settings.check_reserve()
    try:
        with _standard_output_to_stderr():
            apps = load_apps(args.paths)
    except LoadFailure as exc:
        others = [
            p
            for p in validate(
                exc.apps,
                settings.node_port_range,
                with_workloads=settings.with_workloads,
                kubernetes_version=settings.kubernetes_version,
            )
            if p.severity == "error"
        ]
        raise LoadFailure([*exc.problems, *others], exc.causes, exc.apps) from None
    return Project(settings, apps, stdin)


_STREAMS = ("stdout", "stderr", "__stdout__", "__stderr__")


@contextlib.contextmanager
def _standard_output_to_stderr() -> Iterator[None]:
    """Inside the block, the user's files write to standard error and cannot close svcgen's streams.

    The files get a stream of their own on a copy of descriptor 2 as ``sys.stdout``,
    ``sys.stderr`` and their ``sys.__*__`` originals: a ``print()`` is a message, and a file that
    closes or replaces one of them closes or replaces its own copy, not the stream svcgen prints
    the manifests or its errors to. Descriptor 1 is standard error's too, for what writes to the
    descriptor itself: ``os.write(1, ...)``, a C extension, a child process the file starts; a
    file that closes descriptor 1 or 2 closes a copy. Only the command line does it (a
    process-wide change, undone on the way out, Ctrl-C included): a library caller's streams are
    its own. When descriptor 1 or 2 is closed, nothing changes.
    """
    try:
        sys.stdout.flush()
        sys.stderr.flush()
        saved = os.dup(1), os.dup(2)
    except (OSError, ValueError, AttributeError):
        yield
        return
    streams = [getattr(sys, name) for name in _STREAMS]
    user: TextIO | None = None
    try:
        os.dup2(2, 1)
        user = open(
            os.dup(2),
            "w",
            encoding=getattr(sys.stderr, "encoding", None) or "utf-8",
            errors="backslashreplace",
            buffering=1,
        )
        for name in _STREAMS:
            setattr(sys, name, user)
        yield
    finally:
        if (
            user is not None
        ):  # kept open: a logging handler a file made may write to it later (a message too)
            with contextlib.suppress(OSError, ValueError):
                user.flush()
        for name, stream in zip(_STREAMS, streams, strict=True):
            setattr(sys, name, stream)
        for fd, number in zip(saved, (1, 2), strict=True):
            os.dup2(fd, number)
            os.close(fd)


# What to do instead, said with the command's own verb.
_ONE_AT_A_TIME = {
    "ports": "list them",
    "explain": "explain them",
    "lock prune": "prune them",
    "lock check": "check them",
}


def _command(args: argparse.Namespace) -> str:
    """The command's name as typed (``render``, ``lock prune``...)."""
    command = getattr(args, "command", None) or "render"
    return f"lock {args.lock_command}" if command == "lock" else str(command)


def check_one_project(
    paths: Sequence[str], settings: Settings, *, lock_given: bool = False, command: str = "render"
) -> None:
    """Refuse to run the declarations of several projects together (before any of them runs).

    A declaration file's project is the nearest folder at or above it that holds a
    ``svcgen.lock`` or a ``pyproject.toml`` with ``[tool.svcgen]``; a file found in a folder
    given on the command line without such a folder on its way up belongs to that folder's
    project. One run has one lock and one nodePort space, and the first path's settings: a second
    project's Services would be allocated against the first one's lock (its own locked nodePorts
    moved) and its settings ignored. With ``--lock`` the user asked for one lock: projects that
    only have a lock file are then taken together; a project with its own ``[tool.svcgen]`` is
    still refused, since its settings would be ignored.

    Raises:
        UsageError: the paths hold several projects; every one of them is named.
    """
    first = settings.root.resolve()
    roots = {first: None}  # in the order found
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            continue  # the loader says so
        roots[project_root(path).resolve()] = None
        if path.is_dir():
            roots.update(dict.fromkeys(_nested_roots(path.resolve())))
    others = [root for root in roots if root != first and (not lock_given or has_settings(root))]
    if lock_given:
        _check_lock_owner(settings.lock, roots, command)
    if not others:
        return
    names = [
        f"{display(first)} (the first path's: its settings and lock)",
        *(display(r) for r in others),
    ]
    why = (
        "--lock takes projects together only when they have no [tool.svcgen] settings of their "
        "own; "
        if lock_given
        else ""
    )
    raise UsageError(
        f"svcgen {command}: error: the paths hold the declarations of {len(names)} projects: "
        f"{', '.join(names)}; {why}{_ONE_AT_A_TIME.get(command, 'render them')} one at a time "
        "(one lock, one nodePort space per run)"
    )


def _check_lock_owner(lock: Path, roots: Iterable[Path], command: str) -> None:
    """Refuse a ``--lock`` that is another project's: the run would release or ignore its entries.

    The lock's project is the nearest folder at or above it that is a project's root and holds
    declaration files; a lock outside every such project (a new file, a folder of shared locks,
    the lock folder ``lock =`` names) is the user's to choose.

    Raises:
        UsageError: that project's declarations are not among the paths.
    """
    owner = project_root(lock.parent).resolve()
    if owner in roots or not is_project_root(owner) or not discover_files([str(owner)]):
        return
    effect = {
        "lock prune": "release every entry in it that these paths do not declare",
        "lock check": "check these declarations against it",
    }.get(command, "allocate these declarations' nodePorts in it")
    raise UsageError(
        f"svcgen {command}: error: --lock {display(lock)} is the lock of the project "
        f"{display(owner)}, "
        f"whose declarations are not among the paths; this run would {effect}. Fix: give a lock "
        "file "
        f"of this project, or {display(owner)}'s declarations too"
    )


def _nested_roots(folder: Path) -> list[Path]:
    """The roots of other projects in ``folder`` that hold declaration files, in the walk's order.

    A file that is a symbolic link to another project's file counts as that project's too: its
    nodePorts are locked there.
    """
    known: dict[Path, Path | None] = {
        folder: None
    }  # folder -> the nested root it is in (None: folder's project)
    found: dict[Path, None] = {}
    for file in discover_files([str(folder)]):
        way = []  # the folders from the file's up to one already known
        at = file.parent
        while at not in known and at != at.parent:
            way.append(at)
            at = at.parent
        inside = known.get(at)
        for step in reversed(way):
            inside = step if is_project_root(step) else inside
            known[step] = inside
        nested = known.get(file.parent)
        if nested is not None:
            found[nested] = None
        real = file.resolve()
        if (
            real.parent != file.parent
        ):  # a link: the file's nodePorts are in the lock of the project it lies in
            root = project_root(real).resolve()
            if is_project_root(root):
                found[root] = None
    return list(found)
