"""``svcgen lock prune``, ``lock resolve`` and ``lock merge-driver``: maintaining the lock file.

prune releases the nodePorts of Service ports that are gone; resolve and the merge driver merge
two branches' locks (:mod:`svcgen.nodeports.merge`): every entry of both is kept, and the later of
two claims on one nodePort moves to the lowest free port, said on standard error. Git runs the
merge driver when ``.gitattributes`` says ``svcgen.lock merge=svcgen`` and
``git config merge.svcgen.driver "svcgen lock merge-driver %O %A %B %P"`` names it.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from svcgen.cli.common import locked, settings_from_args, write
from svcgen.errors import EXIT_INVALID, EXIT_OK, SvcgenError, UsageError
from svcgen.files import FileRefusedError, check_writable, display, read_file
from svcgen.nodeports.lockfile import format_lock
from svcgen.settings import Settings

if TYPE_CHECKING:
    from svcgen.nodeports.lock import Lock
    from svcgen.nodeports.merge import Merged
    from svcgen.nodeports.reserve import Reservation

__all__ = ["cmd_lock_merge_driver", "cmd_lock_prune", "cmd_lock_resolve"]


def cmd_lock_prune(
    args: argparse.Namespace, out: TextIO, err: TextIO, stdin: TextIO | None = None
) -> int:
    """Remove the lock entries of ports that the given files no longer declare.

    ``--check``: list them instead (exit 1 when there are any).
    """
    from svcgen.cli.project import load_project  # the DSL: only the command that runs declarations
    from svcgen.dsl.nodeport_requests import node_port_requests
    from svcgen.registry import claim

    project = load_project(args, stdin)
    live = {key for request in node_port_requests(project.apps) for key in request.keys}
    with locked(project.lock_path, args.check):
        lock = project.read_lock()[1]
        gone = {key for key in lock if key not in live}
        for key in sorted(gone):
            print(
                f"{'would release' if args.check else 'released'} {key}: {lock.get(key)}", file=out
            )
        if not gone:
            print(f"svcgen: {display(project.lock_path)}: nothing to prune.", file=err)
            return EXIT_OK
        if args.check:
            return EXIT_INVALID
        pruned = lock.without(gone)
        registry = project.registry()
        if registry is not None:  # release the entries in the shared registry too, first
            claim(
                registry,
                project.settings.owner,
                project.settings.node_port_range,
                lambda shared: pruned,
            )
        write(project.lock_path, format_lock(pruned))
    return EXIT_OK


def cmd_lock_resolve(
    args: argparse.Namespace, out: TextIO, err: TextIO, stdin: TextIO | None = None
) -> int:
    """Resolve what a git merge left in the lock: both sides' entries kept, the later claim moved.

    Two cases: git's conflict markers, and a merge git made "cleanly" that gives one nodePort to
    two Service ports (each branch added its entry far from the other's). The merge base orders
    the claims: diff3's section, else git's copy of it. ``--check``: write nothing, exit 1 when
    there is something to resolve.
    """
    from svcgen.nodeports.lockfile import LockConflictError

    first = args.paths[0] if args.paths else (str(Path(args.lock).parent) if args.lock else ".")
    settings = settings_from_args(args, first)
    name = display(settings.lock)
    with locked(settings.lock, args.check):
        try:
            text = settings.read_lock_text()[0]
        except LockConflictError as exc:
            resolve = _resolve_markers if exc.markers else _resolve_shared
            merged, summary = resolve(exc.text, settings, name, stdin)
        else:
            what = (
                "nothing to resolve"
                if text is not None
                else "there is no lock file: nothing to resolve"
            )
            print(f"svcgen: {name}: {what}.", file=err)
            return EXIT_OK
        _report(merged, name, err, check=args.check)
        if args.check:
            print(
                f"svcgen: {name}: unresolved merge conflict; `svcgen lock resolve` would write "
                "the merged lock "
                f"({len(merged.lock)} entries).",
                file=err,
            )
            return EXIT_INVALID
        write(settings.lock, format_lock(merged.lock))
    print(f"svcgen: {name}: {summary}. Review it, then git add {name}", file=err)
    return EXIT_OK


def _resolve_markers(
    text: str, settings: Settings, name: str, stdin: TextIO | None
) -> tuple[Merged, str]:
    """The lock a text with git's conflict markers resolves to, and a summary."""
    from svcgen.nodeports.merge import parse_conflict, split_conflict

    conflict = split_conflict(text, name)
    assert conflict is not None  # parse_lock found a marker
    base = (
        None
        if conflict.base is not None
        else _git(settings.lock, "show", f":1:./{settings.lock.name}")
    )
    ours, theirs, base_lock = parse_conflict(conflict, name, settings.node_port_range, base)
    labels = (conflict.ours_label, conflict.theirs_label)
    merged = _merge(settings, ours, theirs, base_lock, labels, stdin)
    return merged, (
        f"merge conflict resolved: {len(merged.lock)} entries ({len(ours)} of {labels[0]}, "
        f"{len(theirs)} of {labels[1]}, {len(merged.moved)} moved)"
    )


def _resolve_shared(
    text: str, settings: Settings, name: str, stdin: TextIO | None
) -> tuple[Merged, str]:
    """The resolved lock for a merge git made cleanly that gives one nodePort twice.

    The claims are ordered by git's history.

    Raises:
        LockFileError: this is not a git merge: which claim came first is unknown.
    """
    from svcgen.nodeports.lock import Lock
    from svcgen.nodeports.lockfile import LockFileError, parse_lock
    from svcgen.nodeports.merge import parse_base, settle

    node_range = settings.node_port_range
    lock = parse_lock(text, name, node_range, shared=True)
    sides = _merge_sides(settings.lock)
    if sides is None:
        twice = settle(lock, Lock(), None, node_range).moved[0]
        raise LockFileError(
            f"{name}: error: nodePort {twice.old} is given to both `{twice.kept_by}` and "
            f"`{twice.key}`, and this is "
            "not a git merge (none in progress, HEAD has one parent), so which claim came first "
            "is unknown. Fix: delete the entry that should move, to have it allocated again"
        )
    labels, ours_text, base_text = sides
    ours = parse_base(ours_text, name, node_range) or Lock()
    merged = settle(
        lock,
        ours,
        parse_base(base_text, name, node_range),
        node_range,
        band=settings.allocate_from,
        reserved=_reserved(settings, stdin),
        labels=labels,
    )
    moved = len(merged.moved)
    return (
        merged,
        f"nodePorts given twice by the merge of {labels[0]} and {labels[1]} resolved ({moved} "
        "moved)",
    )


def cmd_lock_merge_driver(
    args: argparse.Namespace, out: TextIO, err: TextIO, stdin: TextIO | None = None
) -> int:
    """Merge BASE, CURRENT and OTHER into CURRENT (exit 0), as resolve does: git's merge driver.

    When they cannot be merged (a side is not a valid lock, the range is full), CURRENT is left
    with git's conflict markers (``git merge-file``), the reason is said, and the exit code is 1:
    git then stops on the file as on any conflict.
    """
    from svcgen.nodeports.merge import parse_base, parse_side

    name = args.path or "svcgen.lock"
    try:
        settings = settings_from_args(args, str(Path(name).parent))
        node_range = settings.node_port_range
        base_text, ours_text, theirs_text = (
            _read(path, path is args.current) for path in (args.base, args.current, args.other)
        )
        ours = parse_side(ours_text, f"{name} (ours)", node_range)
        theirs = parse_side(theirs_text, f"{name} (theirs)", node_range)
        merged = _merge(
            settings,
            ours,
            theirs,
            parse_base(base_text, name, node_range),
            ("ours", "theirs"),
            None,
        )
        write(args.current, format_lock(merged.lock))
    except (
        SvcgenError
    ) as exc:  # said here: the usual footer "nothing was written" is not true of CURRENT
        left = (
            "git's conflict markers are left in it"
            if _leave_conflict(args)
            else f"{args.current} is left as it was"
        )
        print(
            f"svcgen: {name}: the merge driver cannot merge the lock files; {left}: fix the "
            "problem below, then "
            f"run svcgen lock resolve --lock {name}\n{exc}",
            file=err,
        )
        return exc.exit_code
    _report(merged, name, err, check=False)
    return EXIT_OK


def _merge(
    settings: Settings,
    ours: Lock,
    theirs: Lock,
    base: Lock | None,
    labels: tuple[str, str],
    stdin: TextIO | None,
) -> Merged:
    """The two sides merged with the project's range, band and reserved nodePorts."""
    from svcgen.nodeports.merge import merge_locks

    return merge_locks(
        ours,
        theirs,
        base,
        settings.node_port_range,
        band=settings.allocate_from,
        reserved=_reserved(settings, stdin),
        labels=labels,
    )


def _reserved(settings: Settings, stdin: TextIO | None) -> list[Reservation]:
    """The nodePorts a moved entry must not take: reserved ones and other projects' in the registry.

    Reserved ones are those in the project's reserve files. The registry is the project's, as its
    local copy last fetched it: neither the network nor the cluster (kubectl) has a place in a
    merge, least of all inside git; a render afterwards checks the merged lock against both.
    """
    reserved = settings._replace(reserve_cluster=None).reservations(stdin)
    if not settings.registry:
        return reserved
    from svcgen.nodeports.reserve import reservations_from_lock
    from svcgen.registry import Registry, RegistrySpec

    registry = Registry(
        RegistrySpec.parse(settings.registry), settings.lock.parent / ".svcgen" / "registry"
    )
    others = registry.others(settings.owner, settings.node_port_range)
    return [*reserved, *reservations_from_lock(others, f"registry {registry.spec}", "?")]


def _report(merged: Merged, name: str, err: TextIO, *, check: bool) -> None:
    for kept in merged.kept:
        print(f"svcgen: {name}: {'would keep' if check else 'kept'} {kept}", file=err)
    for moved in merged.moved:
        print(f"svcgen: {name}: {'would move' if check else 'moved'} {moved}", file=err)


def _read(path: str, written: bool) -> str:
    """A file git gave the merge driver: a regular file, at most the size limit.

    The limit is :func:`~svcgen.files.max_file_size` bytes. ``written``: the file the result goes
    to (CURRENT), which is not read through a link either.
    """
    try:
        return read_file(path, follow_links=not written).decode("utf-8")
    except FileRefusedError as exc:
        raise UsageError(f"{path}: error: cannot read: {exc.reason}. Fix: {exc.hint}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: error: cannot read: {exc}") from None


def _git(lock: Path, *args: str) -> str | None:
    """The output of a git command run in the lock file's folder.

    None when it fails or there is no git. git asks the repository the lock file is in: a
    ``GIT_DIR`` exported without ``GIT_WORK_TREE`` (git gives one to an alias run in a linked
    worktree) would make the working directory the top of the work tree, and ``./svcgen.lock``
    another path.
    """
    import subprocess

    from svcgen.registry import git_environment

    try:
        result = subprocess.run(
            ["git", *args],
            cwd=lock.parent,
            env=git_environment(None),
            capture_output=True,
            stdin=subprocess.DEVNULL,
            timeout=30,
            check=False,
        )
        return result.stdout.decode("utf-8") if result.returncode == 0 else None
    except (OSError, subprocess.TimeoutExpired, UnicodeDecodeError):
        return None


def _merge_sides(lock: Path) -> tuple[tuple[str, str], str | None, str | None] | None:
    """The labels of the merge's two sides, and ours's and the base's lock file (None: not a merge).

    A merge in progress (``MERGE_HEAD``), else HEAD when it is a merge commit.
    """
    if _git(lock, "rev-parse", "-q", "--verify", "MERGE_HEAD") is not None:
        ours, theirs = "HEAD", "MERGE_HEAD"
    elif _git(lock, "rev-parse", "-q", "--verify", "HEAD^2") is not None:
        ours, theirs = "HEAD^1", "HEAD^2"
    else:
        return None
    base = (_git(lock, "merge-base", ours, theirs) or "").strip()
    return (
        (ours, theirs),
        _git(lock, "show", f"{ours}:./{lock.name}"),
        _git(lock, "show", f"{base}:./{lock.name}") if base else None,
    )


def _leave_conflict(args: argparse.Namespace) -> bool:
    """Write git's conflict markers into CURRENT, as git would without a driver.

    The markers are diff3 style, with the base. Only when the three are regular files: never
    through a link, nor into (or from) a pipe or a device. False when CURRENT is left as it was.
    """
    import subprocess

    from svcgen.registry import git_environment

    if not all(os.path.isfile(path) for path in (args.base, args.current, args.other)):
        return False
    try:
        check_writable(args.current)
        code = subprocess.run(
            [
                "git",
                "merge-file",
                "--diff3",
                "-L",
                "ours",
                "-L",
                "base",
                "-L",
                "theirs",
                "--",
                args.current,
                args.base,
                args.other,
            ],
            env=git_environment(None),
            capture_output=True,
            stdin=subprocess.DEVNULL,
            timeout=30,
            check=False,
        ).returncode
        # the number of conflicts (at most 127); an error exits 255 (git's -1) or 128 (die) and
        # writes nothing
        return 0 <= code < 128
    except (OSError, subprocess.TimeoutExpired):  # FileRefusedError too
        return False  # CURRENT stays ours: git still stops on the file
