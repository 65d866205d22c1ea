"""How svcgen touches the file system: finding, reading and atomically writing files, the OS lock.

**Finding files.** Every command that takes a directory (render's Python files, lint, import and
``--reserve``'s YAML) walks it with :func:`find_files`: recursively, in sorted order, following
these rules, the only ones:

- files are taken by suffix (``.py`` for declarations, ``.yaml``/``.yml``/``.json`` for
  Kubernetes documents); hidden files (``.name``) are skipped;
- folders whose name starts with ``.`` or ``_`` (``.git``, ``.venv``, ``__pycache__``) and the
  folders named in :data:`SKIPPED_DIRS` (dependencies, virtual environments, build output) are
  not entered;
- a file named on the command line is always taken, whatever its name.

Writes go through a temporary file in the same folder and a rename, so a reader sees the old
file or the new one, never a torn one. Imports only :mod:`svcgen.errors`.
"""

import contextlib
import errno
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple, TextIO

from svcgen.errors import Problem, SourceLocation

__all__ = [
    "KUBE_SUFFIXES",
    "SKIPPED_DIRS",
    "Source",
    "Sources",
    "exclusive_lock",
    "find_files",
    "read_sources",
    "read_text_if_exists",
    "write_atomic",
]

SKIPPED_DIRS = frozenset({"node_modules", "site-packages", "venv", "env", "build", "dist"})
"""Folders a directory walk never enters (besides hidden and ``_``-prefixed ones)."""

KUBE_SUFFIXES = (".yaml", ".yml", ".json")
"""The files a directory walk takes as Kubernetes documents."""


def _skipped_dir(name: str) -> bool:
    return name.startswith((".", "_")) or name in SKIPPED_DIRS


def find_files(root: str | os.PathLike[str], suffixes: Sequence[str]) -> Iterator[Path]:
    """The files under the folder ``root`` whose names end with one of ``suffixes``, in sorted order."""
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not _skipped_dir(d))
        for name in sorted(names):
            if name.endswith(tuple(suffixes)) and not name.startswith("."):
                yield Path(folder) / name


class Source(NamedTuple):
    """A text to read: its name in messages (a path, or ``<stdin>``) and its content."""

    name: str
    text: str
    explicit: bool = True
    """Named on the command line (or stdin), not found by walking a folder."""


class Sources:
    """What :func:`read_sources` found.

    The texts, problems with files that are not text, and whether some path could not be read
    at all (a usage error: exit 2).
    """

    __slots__ = ("problems", "texts", "unreadable")

    def __init__(self) -> None:
        self.texts: list[Source] = []
        self.problems: list[Problem] = []
        self.unreadable = False


def read_sources(paths: Sequence[str], stdin: TextIO | None = None,
                 suffixes: Sequence[str] = KUBE_SUFFIXES) -> Sources:
    """Read every file named in ``paths`` (folders walked with :func:`find_files`; ``-`` is ``stdin``).

    A file that is not UTF-8 text, or holds NUL bytes, becomes a problem with its position; a
    path that does not exist or cannot be read marks the result ``unreadable``.
    """
    found = Sources()
    files: list[tuple[Path, bool]] = []
    for raw in paths:
        if raw == "-":
            found.texts.append(Source("<stdin>", stdin.read() if stdin is not None else ""))
            continue
        path = Path(raw)
        if path.is_dir():
            files.extend((file, False) for file in find_files(path, suffixes))
        elif path.exists():
            files.append((path, True))
        else:
            found.problems.append(Problem("", "", "no such file or directory", location=SourceLocation(raw),
                                          rule="read"))
            found.unreadable = True
    for file, explicit in files:
        try:
            data = file.read_bytes()
        except OSError as exc:
            found.problems.append(Problem("", "", f"cannot read: {exc.strerror or exc}",
                                          location=SourceLocation(str(file)), rule="read"))
            found.unreadable = True
            continue
        text = _decode(data, str(file), found.problems)
        if text is not None:
            found.texts.append(Source(str(file), text, explicit))
    return found


def _decode(data: bytes, name: str, problems: list[Problem]) -> str | None:
    if b"\0" in data:
        problems.append(Problem("", "", "not a text file (it contains NUL bytes)",
                                location=SourceLocation(name, 1, 1), rule="read"))
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.append(Problem("", "", f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})",
                                location=SourceLocation(name, line, 1), rule="read"))
        return None


def _stage(target: Path, text: str) -> str:
    """Write ``text`` to a temporary file beside ``target`` (with the mode ``target`` has or would get)."""
    if target.is_dir():
        raise IsADirectoryError(errno.EISDIR, "a directory is in the way", str(target))
    import tempfile  # only when writing: reading commands do not pay for it (and shutil, random)

    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:  # a missing or read-only folder: name the file asked for, not the temporary one
        raise type(exc)(exc.errno, exc.strerror, str(target)) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if target.exists():
            with contextlib.suppress(OSError):
                os.chmod(tmp, target.stat().st_mode & 0o7777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return tmp


def write_files(texts: Mapping[Path, str] | Mapping[str, str], remove: Iterable[str | os.PathLike[str]] = ()) -> None:
    """Write several files as one step: every text to a temporary file first, then the renames.

    A file that cannot be written (a read-only folder, a directory in the way, a full disk) fails
    the step before any file is replaced. A symbolic link is followed: the file it points at is
    replaced, the link stays. ``remove``: files deleted after the renames (missing ones are fine).
    """
    staged: list[tuple[str, Path]] = []
    try:
        for path, text in texts.items():
            target = Path(os.path.realpath(path))
            staged.append((_stage(target, text), target))
    except BaseException:
        for tmp, _ in staged:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise
    for tmp, target in staged:
        os.replace(tmp, target)
    for gone in remove:
        with contextlib.suppress(FileNotFoundError):
            Path(gone).unlink()


def write_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and a rename."""
    write_files({Path(path): text})


def read_text_if_exists(path: str | os.PathLike[str], errors: str = "strict") -> str | None:
    """The file's text, or None when there is no such file (or a directory stands there).

    ``errors="replace"``: bytes that are not UTF-8 read as U+FFFD (to compare or show a file svcgen
    will replace); the default raises ``UnicodeDecodeError``.
    """
    try:
        return Path(path).read_text(encoding="utf-8", errors=errors)
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return None


@contextlib.contextmanager
def exclusive_lock(path: str | os.PathLike[str]) -> Iterator[None]:
    """Hold an OS lock (``flock``) that serialises every svcgen run updating ``path``.

    The lock is taken on the folder that holds ``path`` (or its nearest existing ancestor): the
    file itself is replaced by a rename on every write, so a lock on it would not outlive the
    first writer. Blocks until the lock is free. POSIX only; elsewhere runs without a lock.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    folder = Path(os.path.realpath(path)).parent  # a symlinked lock: the folder of the file it points at
    while not folder.is_dir() and folder != folder.parent:
        folder = folder.parent  # the folder is made when the file is written: lock what exists
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock
