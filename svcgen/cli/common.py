"""What every command shares, without the DSL: settings from flags, file writes, diffs, output."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, TextIO

from svcgen.errors import Problem, UsageError, plural, sorted_problems
from svcgen.files import (
    FileRefusedError,
    PartlyWrittenError,
    Text,
    display,
    make_folders,
    remove_folders,
    write_files,
    writer_mutex,
)
from svcgen.settings import Settings

if TYPE_CHECKING:  # lint does not load the lock's module
    from svcgen.nodeports.lock import Lock

__all__ = [
    "LockChanges",
    "diff",
    "lock_changes",
    "locked",
    "new_lock_text",
    "print_problems",
    "rewrite_note",
    "say_file",
    "settings_from_args",
    "write",
    "write_all",
]


def settings_from_args(args: argparse.Namespace, first_path: str) -> Settings:
    """The settings of a run: the flags in ``args`` over ``[tool.svcgen]`` over the defaults."""
    return Settings.find(
        first_path,
        lock=getattr(args, "lock", None),
        node_port_range=getattr(args, "node_port_range", None),
        reserve=tuple(getattr(args, "reserve", ()) or ()),
        with_workloads=bool(getattr(args, "with_workloads", False)),
        kubernetes_version=getattr(args, "kubernetes_version", None),
        reserve_cluster=getattr(args, "reserve_cluster", None),
        allocate_from=getattr(args, "allocate_from", None),
        registry=getattr(args, "registry", None),
        owner=getattr(args, "owner", None),
    )


def new_lock_text(old: str | None, lock: Lock, previous: Lock | None = None) -> str | None:
    """The lock file to write, or None to leave it alone.

    None when there is no file and nothing to record, or when the entries are ``previous``'s (the
    file read): a lock file is not rewritten for its layout alone, so hand-written comments stay
    until an entry changes.
    """
    if (old is None and not len(lock)) or (
        old is not None and previous is not None and lock == previous
    ):
        return None
    from svcgen.nodeports.lockfile import format_lock

    return format_lock(lock)


def rewrite_note(old: str | None, previous: Lock) -> str:
    """What a rewrite loses, said: the hand edits of a lock file that svcgen did not write.

    The hand edits are its comments and layout.
    """
    from svcgen.nodeports.lockfile import format_lock

    if old is None or old == format_lock(previous):
        return ""
    return " (rewritten in svcgen's layout: comments and hand edits are not kept)"


class LockChanges(NamedTuple):
    """How the lock changes: a ``summary`` line and one entry per port.

    The summary reads like ``svcgen.lock: 2 new nodePorts, 1 changed``.
    """

    summary: str
    entries: list[str]
    """``web/http 30000`` (new), ``web/admin 30001 -> 30002`` (changed), in key order."""

    def lines(self, note: str = "") -> list[str]:
        """The summary (with ``note``), then one indented line per entry.

        One message per line, none left out.
        """
        return [f"{self.summary}{note}:", *(f"  {entry}" for entry in self.entries)]

    def one_line(self, shown: int = 3) -> str:
        """One line: the summary, the first ``shown`` entries, then how many more.

        For a message that must be one line.
        """
        more = len(self.entries) - shown
        first = ", ".join(self.entries[:shown]) + (f" and {more} more" if more > 0 else "")
        return f"{self.summary}: {first}"


def lock_changes(old: Lock, new: Lock, name: str) -> LockChanges | None:
    """How the lock changes (a summary and each entry), or None when it does not.

    The summary reads like ``svcgen.lock: 2 new nodePorts``.
    """
    added, changed = old.changes_to(new)
    if not added and not changed:
        return None
    parts = [f"{plural(len(added), 'new nodePort')}"] if added else []
    if changed:
        parts.append(f"{plural(len(changed), 'nodePort')} changed")
    return LockChanges(
        f"{name}: " + ", ".join(parts),
        [
            *(f"{k.short()} {v}" for k, v in added.items()),
            *(f"{k.short()} {a} -> {b}" for k, (a, b) in changed.items()),
        ],
    )


def diff(old: str | None, new: str, name: str) -> str:
    """A unified diff from ``old`` to ``new`` for the file ``name``."""
    import difflib

    return "".join(
        difflib.unified_diff(
            (old or "").splitlines(keepends=True),
            new.splitlines(keepends=True),
            f"a/{name}",
            f"b/{name}",
        )
    )


def write(path: str | Path, text: str) -> None:
    """Write ``text`` atomically, making the folder if needed; failures are usage errors."""
    write_all({Path(path): text})


def write_all(texts: Mapping[Path, Text], remove: Sequence[Path] = ()) -> None:
    """Write several files as one step (all or none are replaced), making folders as needed.

    Folders are made only now, and removed again when the step fails. Failures are usage errors
    naming the file. Give the lock file first (see :func:`~svcgen.files.write_files`).
    """
    made: list[Path] = []
    try:
        for path in texts:
            made += make_folders(path.parent)
        write_files(texts, remove)
    except FileRefusedError as exc:
        remove_folders(made)
        raise UsageError(
            f"{display(exc.filename)}: error: cannot write: {exc.reason}; nothing was written. "
            f"Fix: {exc.hint}"
        ) from None
    except (
        PartlyWrittenError
    ) as exc:  # a rename failed midway (after the lock's, which comes first)
        done = ", ".join(display(path) for path in exc.written)
        what = "write" if Path(exc.filename) in texts else "remove"
        raise UsageError(
            f"{display(exc.filename)}: error: cannot {what}: {exc.strerror or exc}; only {done} "
            "had been replaced (the other files are as they were). Fix: the problem above, then "
            "run the command again: it finishes the step"
        ) from exc
    except OSError as exc:
        remove_folders(made)
        where = exc.filename or next(iter(texts), "")
        raise UsageError(
            f"{display(where)}: error: cannot write: {exc.strerror or exc}; nothing was written"
        ) from exc
    except BaseException:
        remove_folders(made)
        raise


def locked(lock_path: Path, check: bool) -> contextlib.AbstractContextManager[None]:
    """The OS lock for updating the lock file (none for a --check, which writes nothing)."""
    return contextlib.nullcontext() if check else writer_mutex(lock_path)


def say_file(err: TextIO, done: str, path: str | Path, why: str = "") -> None:
    """Say on standard error what a command did to a file: ``svcgen: wrote app.py (why)``.

    Every command says it so (``wrote``, ``replaced``, ``removed``), with the path as every
    message shows it (:func:`~svcgen.files.display`); standard output stays for results.
    """
    print(f"svcgen: {done} {display(path)}{f' ({why})' if why else ''}", file=err)


def print_problems(problems: Sequence[Problem], err: TextIO) -> None:
    """Each problem on its line, in the order every command uses.

    That order is :func:`~svcgen.errors.sorted_problems`.
    """
    for problem in sorted_problems(problems):
        print(problem, file=err)
