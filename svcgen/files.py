"""How svcgen touches the file system: finding, reading and atomically writing files, the OS lock.

**Finding files.** Every command that takes a directory (render's Python files, lint, import and
``--reserve``'s YAML) walks it with :func:`find_files`: recursively, in sorted order, following
these rules, the only ones:

- files are taken by suffix (``.py`` for declarations, ``.yaml``/``.yml``/``.json`` for
  Kubernetes documents); hidden files (``.name``) are skipped;
- folders whose name starts with ``.`` or ``_`` (``.git``, ``.venv``, ``__pycache__``), the
  folders named in :data:`SKIPPED_DIRS` (dependencies, build output) and Python environments
  (a folder holding ``pyvenv.cfg`` or ``conda-meta``, whatever its name) are not entered; nor
  are links to folders. A folder named ``env`` or ``venv`` that is no environment (``env/prod/``
  of a project's manifests or declarations) is walked like any other;
- a file named on the command line is always taken, whatever its name.

**Only regular files.** svcgen reads and writes regular files only: a named pipe, a device, a
socket or a directory where a file is read or written is refused with what it is (a pipe named
on the command line, such as ``<(helm template .)``, is read). Writes never go through a symbolic
link nor replace one, and the lock file is never read through one. A file read is at most
:func:`max_file_size` bytes (64 MiB; the environment variable ``SVCGEN_MAX_FILE_SIZE`` raises it).

Writes go through a temporary file in the same folder and a rename, so a reader sees the old
file or the new one, never a torn one. The text is encoded and written a slice at a time, so that
writing a large render holds no encoded copy of the whole text; a text may also be given in parts
made as they are written (:data:`Parts`: a render's documents, each serialized, written and
dropped), so that the whole text is never held at all. Imports only :mod:`svcgen.errors`.
"""

import contextlib
import errno
import os
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple, TextIO

from svcgen.errors import Problem, SourceLocation, UsageError

__all__ = [
    "KUBE_SUFFIXES",
    "MAX_FILE_SIZE_VARIABLE",
    "SKIPPED_DIRS",
    "FileRefusedError",
    "InputText",
    "InputTexts",
    "PartlyWrittenError",
    "Parts",
    "Text",
    "check_writable",
    "display",
    "file_kind",
    "find_files",
    "joined",
    "make_folders",
    "max_file_size",
    "read_file",
    "read_sources",
    "read_stream",
    "read_text_if_exists",
    "remove_folders",
    "same_text",
    "temporaries",
    "write_atomic",
    "write_files",
    "writer_mutex",
]

SKIPPED_DIRS = frozenset({"node_modules", "site-packages", "build", "dist"})
"""Folders a directory walk never enters (besides hidden and ``_``-prefixed ones, and Python
environments)."""

KUBE_SUFFIXES = (".yaml", ".yml", ".json")
"""The files a directory walk takes as Kubernetes documents."""

MAX_FILE_SIZE_VARIABLE = "SVCGEN_MAX_FILE_SIZE"
"""The environment variable that sets the largest file svcgen reads (bytes, or a number with K, M or
G)."""

_DEFAULT_MAX_FILE_SIZE = 64 << 20
_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}


def display(path: "str | os.PathLike[str]", cwd: str | None = None) -> str:
    """``path`` as every message shows it: relative to ``cwd`` (the working directory) if under it.

    ``deploy/x.yaml`` wherever it was given from (``./deploy/x.yaml``, ``$PWD/deploy/x.yaml``):
    clickable in a terminal and short. A path outside the working directory is shown absolute
    (``/srv/other/svcgen.lock``, not ``../../srv/other/svcgen.lock``). A path reached through a
    link is shown under ``cwd`` when either its given or its resolved form lies there. Names that
    are no path (``<stdin>``) are shown as they are.
    """
    text = os.fspath(path)
    if not text or text.startswith("<"):
        return text
    try:
        here = os.getcwd() if cwd is None else cwd
    except OSError:  # the working directory was removed
        return text
    if not here:
        return text
    full = os.path.normpath(os.path.join(here, text))
    for where, folder in ((full, here), (_real(full), _real(here))):
        if where == folder:
            return "."
        inside = folder.rstrip(os.sep) + os.sep
        if where.startswith(inside):
            return where[len(inside) :]
    return full


def _real(path: str) -> str:
    try:
        return os.path.realpath(path)
    except (OSError, RuntimeError):  # RuntimeError: a symbolic link loop (Python < 3.13)
        return path


class FileRefusedError(OSError):
    """A path svcgen does not read or write: not a regular file, a link where none may be, too big.

    ``reason`` says what the path is; ``hint`` how to fix it. ``strerror`` holds both, so the
    command line's report of an unforeseen ``OSError`` is readable too.
    """

    def __init__(
        self, path: str | os.PathLike[str], reason: str, hint: str, code: int = errno.EINVAL
    ) -> None:
        super().__init__(code, f"{reason}. Fix: {hint}", str(path))
        self.reason = reason
        self.hint = hint


def max_file_size() -> int:
    """The largest file svcgen reads, in bytes: ``SVCGEN_MAX_FILE_SIZE``, else 64 MiB.

    The variable holds a size such as ``256M`` or ``1G``.

    Raises:
        UsageError: the variable is not a size.
    """
    raw = os.environ.get(MAX_FILE_SIZE_VARIABLE, "").strip()
    if not raw:
        return _DEFAULT_MAX_FILE_SIZE
    number, unit = (raw[:-1], raw[-1].upper()) if raw[-1:].upper() in _UNITS else (raw, "")
    if not number.isascii() or not number.isdigit() or int(number) == 0:
        raise UsageError(
            f'{MAX_FILE_SIZE_VARIABLE}: error: "{raw}" is not a size; give a number of bytes, or '
            "of K, M or G (e.g. 256M)"
        )
    return int(number) * _UNITS[unit]


def _size(count: int) -> str:
    return f"{count >> 20} MiB" if count % (1 << 20) == 0 else f"{count} bytes"


def _too_large(path: str | os.PathLike[str], cap: int) -> FileRefusedError:
    return FileRefusedError(
        path,
        f"larger than the {_size(cap)} svcgen reads from one file",
        f"raise the limit with the environment variable {MAX_FILE_SIZE_VARIABLE} "
        f"(e.g. {MAX_FILE_SIZE_VARIABLE}={max(cap >> 20, 1) * 4}M)",
        errno.EFBIG,
    )


_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISLNK, "a symbolic link"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _kind(mode: int) -> str:
    """What a file of ``mode`` is, in words ("" for a regular file)."""
    if stat.S_ISREG(mode):
        return ""
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def file_kind(path: str | os.PathLike[str]) -> str:
    """What ``path`` is, in words ("a named pipe (FIFO)", "a directory"...), links followed.

    "" for a regular file.

    Raises:
        OSError: it cannot be looked at (missing, a dangling link...).
    """
    return _kind(os.stat(path).st_mode)


def _not_regular(path: str | os.PathLike[str], kind: str, action: str) -> FileRefusedError:
    if kind == "a symbolic link":
        with contextlib.suppress(OSError):
            kind = f"a symbolic link (to {os.readlink(path)})"
        return FileRefusedError(
            path,
            f"{kind}: svcgen never {action}s a file through a link",
            "name the file itself instead",
        )
    return FileRefusedError(
        path,
        f"{kind}, not a regular file: svcgen {action}s only regular files",
        "name a regular file instead"
        if kind != "a directory"
        else "remove or rename the directory, or name another file",
    )


def _skipped_dir(folder: Path) -> bool:
    name = folder.name
    return (
        name.startswith((".", "_"))
        or name in SKIPPED_DIRS
        or os.path.isfile(folder / "pyvenv.cfg")
        or os.path.isdir(folder / "conda-meta")
    )


def find_files(
    root: str | os.PathLike[str], suffixes: Sequence[str], errors: list[OSError] | None = None
) -> Iterator[Path]:
    """The files under the folder ``root`` whose names end with one of ``suffixes``, sorted.

    Iterative, so a tree of any depth is walked. A folder that cannot be listed is added to
    ``errors``, or raised when ``errors`` is None.
    """
    stack = [Path(root)]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as scan:
                entries = sorted(scan, key=lambda entry: entry.name)
        except OSError as exc:
            if errors is None:
                raise
            errors.append(exc)
            continue
        folders = []
        for entry in entries:
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
                linked_dir = not is_dir and entry.is_symlink() and entry.is_dir()
            except OSError:
                is_dir = linked_dir = False
            if is_dir:
                if not _skipped_dir(folder / entry.name):
                    folders.append(folder / entry.name)
            elif (
                not linked_dir
                and entry.name.endswith(tuple(suffixes))
                and not entry.name.startswith(".")
            ):
                yield folder / entry.name
        stack.extend(reversed(folders))


def read_file(
    path: str | os.PathLike[str], *, follow_links: bool = True, pipes: bool = False
) -> bytes:
    """The bytes of the regular file ``path``, at most :func:`max_file_size` of them.

    ``follow_links=False``: a symbolic link is refused too (the lock file). ``pipes``: a named
    pipe is read as well (a path named on the command line, such as ``<(helm template .)``).
    Nothing else is ever opened: a pipe or device found otherwise would block or never end.

    Raises:
        FileRefusedError: not a regular file (or pipe), or larger than the limit.
        OSError: it cannot be read (missing, no permission...).
    """
    info = os.stat(path) if follow_links else os.lstat(path)
    pipe = pipes and stat.S_ISFIFO(info.st_mode)
    kind = _kind(info.st_mode)
    if kind and not pipe:
        raise _not_regular(path, kind, "read")
    flags = os.O_RDONLY | getattr(os, "O_NOCTTY", 0)
    if not follow_links:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    if not pipe:  # a file swapped for a pipe since the stat must not block the open
        flags |= getattr(os, "O_NONBLOCK", 0)
    cap = max_file_size()
    with open(os.open(path, flags), "rb") as handle:
        info = os.fstat(handle.fileno())
        kind = _kind(info.st_mode)
        if kind and not (pipe and stat.S_ISFIFO(info.st_mode)):
            raise _not_regular(path, kind, "read")
        if info.st_size > cap:
            raise _too_large(path, cap)
        data = bytearray(handle.read(min(info.st_size, cap) + 1 if not pipe else 1 << 16))
        while len(data) <= cap:  # a pipe, or a file that grew since its stat
            more = handle.read(min(cap + 1 - len(data), 1 << 20))
            if not more:
                break
            data += more
    if len(data) > cap:
        raise _too_large(path, cap)
    return bytes(data)


def read_stream(stream: TextIO, name: str = "<stdin>") -> str:
    """All of ``stream`` (standard input), at most :func:`max_file_size` characters.

    Raises:
        FileRefusedError: it holds more.
    """
    cap = max_file_size()
    text = stream.read(cap + 1)
    if len(text) > cap:
        raise _too_large(name, cap)
    return text


class InputText(NamedTuple):
    """A text to read: its name in messages (a path, or ``<stdin>``) and its content."""

    name: str
    text: str
    explicit: bool = True
    """Named on the command line (or stdin), not found by walking a folder."""


class InputTexts:
    """What :func:`read_sources` found.

    The texts, problems with files that are not text, and whether some path could not be read
    at all (a usage error: exit 2).
    """

    __slots__ = ("problems", "texts", "unreadable")

    def __init__(self) -> None:
        self.texts: list[InputText] = []
        self.problems: list[Problem] = []
        self.unreadable = False


def read_sources(
    paths: Sequence[str], stdin: TextIO | None = None, suffixes: Sequence[str] = KUBE_SUFFIXES
) -> InputTexts:
    """Read every file named in ``paths`` (folders walked with :func:`find_files`; ``-``: stdin).

    A file that is not UTF-8 text, or holds NUL bytes, becomes a problem with its position; a
    path that does not exist or cannot be read (too large, a device, a folder that cannot be
    listed) marks the result ``unreadable``. A file found by walking a folder that is not a
    regular file (a named pipe, a link to a device) is skipped with a warning, never opened.
    Each source is named as messages show it (:func:`display`).
    """
    found = InputTexts()
    files: list[tuple[Path, bool]] = []
    for raw in paths:
        if raw == "-":
            try:
                found.texts.append(
                    InputText("<stdin>", read_stream(stdin) if stdin is not None else "")
                )
            except FileRefusedError as exc:
                _unreadable(found, "<stdin>", exc)
            continue
        path = Path(raw)
        if path.is_dir():
            errors: list[OSError] = []
            files.extend((file, False) for file in find_files(path, suffixes, errors))
            for error in errors:
                _unreadable(found, display(error.filename or path), error, "cannot list the folder")
        elif path.exists() or path.is_symlink():
            files.append((path, True))
        else:
            found.problems.append(
                Problem(
                    "",
                    "",
                    "no such file or directory",
                    location=SourceLocation(display(raw)),
                    rule="read",
                )
            )
            found.unreadable = True
    for file, explicit in _once(files):
        name = display(file)  # as every message shows it
        try:
            data = read_file(file, pipes=explicit)
        except FileRefusedError as exc:
            if explicit or exc.errno == errno.EFBIG:
                _unreadable(found, name, exc)
            else:
                found.problems.append(
                    Problem(
                        "",
                        "",
                        f"skipped: {exc.reason}",
                        location=SourceLocation(name),
                        severity="warning",
                        rule="read",
                    )
                )
            continue
        except OSError as exc:
            _unreadable(found, name, exc)
            continue
        text = _decode(data, name, found.problems)
        if text is not None:
            found.texts.append(InputText(name, text, explicit))
    return found


def _once(files: list[tuple[Path, bool]]) -> list[tuple[Path, bool]]:
    """Each file once, where it first came, however it was reached.

    ``x.yaml ./x.yaml``, a folder and a file in it, a link to it: read twice, each of its objects
    would be defined twice. It counts as named on the command line if either time was.
    """
    first: dict[str, int] = {}
    unique: list[tuple[Path, bool]] = []
    for file, explicit in files:
        key = os.path.realpath(file)
        if key in first:
            kept, named = unique[first[key]]
            unique[first[key]] = (kept, named or explicit)
        else:
            first[key] = len(unique)
            unique.append((file, explicit))
    return unique


def _unreadable(found: InputTexts, name: str, exc: OSError, what: str = "cannot read") -> None:
    hint = exc.hint if isinstance(exc, FileRefusedError) else ""
    reason = exc.reason if isinstance(exc, FileRefusedError) else exc.strerror or str(exc)
    found.problems.append(
        Problem("", "", f"{what}: {reason}", hint, location=SourceLocation(name), rule="read")
    )
    found.unreadable = True


def _decode(data: bytes, name: str, problems: list[Problem]) -> str | None:
    if b"\0" in data:
        problems.append(
            Problem(
                "",
                "",
                "not a text file (it contains NUL bytes)",
                location=SourceLocation(name, 1, 1),
                rule="read",
            )
        )
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.append(
            Problem(
                "",
                "",
                f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})",
                location=SourceLocation(name, line, 1),
                rule="read",
            )
        )
        return None


def check_writable(path: str | os.PathLike[str]) -> None:
    """Refuse to write ``path`` unless it is missing or a regular file.

    Not a link, pipe, device or folder.

    Raises:
        FileRefusedError: something else stands there.
    """
    try:
        mode = os.lstat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return
    kind = _kind(mode)
    if kind:
        raise _not_regular(path, kind, "write")


_CHUNK = 1 << 20
"""Characters written at a time: a 30 MB render's text is encoded 1 MB at a time, not into a second
30 MB."""

Parts = Callable[[], Iterable[str]]
"""A text given in parts: each call makes the parts afresh (a render's documents, written as they
are made)."""

Text = str | Parts
"""What a file is written with: its text, or the :data:`Parts` that join to it."""


def _parts(text: Text) -> Iterable[str]:
    return (text,) if isinstance(text, str) else text()


def joined(text: Text) -> str:
    """The whole text (for a diff, say): its parts joined."""
    return text if isinstance(text, str) else "".join(text())


def same_text(current: str | None, text: Text) -> bool:
    """Whether ``current`` (a file's text; None: no file) is ``text``, without joining its parts.

    The parts are made one at a time and compared where they fall in ``current``; the first
    difference stops it.
    """
    if current is None:
        return False
    if isinstance(text, str):
        return current == text
    at = 0
    for part in text():
        if not current.startswith(part, at):
            return False
        at += len(part)
    return at == len(current)


def _stage(target: Path, text: Text, staged: list[tuple[str, Path]]) -> None:
    """Write ``text`` to a temporary file beside ``target``, with the mode ``target`` has.

    The mode is the one ``target`` has, or would get if it does not exist yet. The temporary
    file joins ``staged`` the moment it exists (Ctrl-C held until then), so that whatever
    happens next, an error or an interruption (making a part too), the caller can remove it.
    """
    check_writable(target)
    import tempfile  # only when writing: reading commands do not pay for it (and shutil, random)

    with _signals_held():
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        except (
            OSError
        ) as exc:  # a missing or read-only folder: name the file asked for, not the temporary one
            raise type(exc)(exc.errno, exc.strerror, str(target)) from None
        staged.append((tmp, target))
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            for part in _parts(text):
                for start in range(
                    0, len(part), _CHUNK
                ):  # a slice at a time: never the whole text encoded at once
                    handle.write(part[start : start + _CHUNK])
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:  # a full disk says no file: name the one being written
        if exc.filename is not None:
            raise
        raise type(exc)(exc.errno, exc.strerror, str(target)) from exc
    if not isinstance(text, str) and _same_bytes(
        tmp, target
    ):  # the file holds it already: left as it is
        os.unlink(tmp)
        staged.remove((tmp, target))
        return
    try:
        mode = os.lstat(target).st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    with contextlib.suppress(OSError):
        os.chmod(tmp, mode)


def _same_bytes(written: str, target: Path) -> bool:
    """Whether ``target`` (a regular file or none) holds the bytes of ``written``.

    Both are read a slice at a time.
    """
    try:
        if os.stat(written).st_size != os.lstat(target).st_size:
            return False
        with open(written, "rb") as mine, open(target, "rb") as theirs:
            while True:
                chunk = mine.read(_CHUNK)
                if chunk != theirs.read(_CHUNK):
                    return False
                if not chunk:
                    return True
    except OSError:  # no such file (or unreadable): it is written
        return False


class PartlyWrittenError(OSError):
    """A step of :func:`write_files` that failed after replacing some of its files.

    ``written``: the files it replaced, in order.
    """

    def __init__(self, exc: OSError, target: Path, written: Sequence[Path]) -> None:
        super().__init__(exc.errno, exc.strerror, str(target))
        self.written = list(written)


def write_files(
    texts: Mapping[Path, Text] | Mapping[str, Text], remove: Iterable[str | os.PathLike[str]] = ()
) -> None:
    """Write several files as one step: every text to a temporary file first, then the renames.

    A text may be given as its :data:`Parts`.

    A file that cannot be written (a read-only folder, a directory in the way, a full disk) fails
    the step before any file is replaced. Only regular files are replaced: a symbolic link, a
    pipe, a device or a folder where a file goes is refused (:class:`FileRefusedError`), never
    written through. ``remove``: files deleted after the renames (missing ones are fine).

    A text given in :data:`Parts` is made only once, as it is written: when the file turns out
    to hold it already, the file is left as it is (its time unchanged), as a caller that compares
    a text before writing it would do.

    The renames are made in the order of ``texts`` (give the lock file first: what is derived
    from it can always be written again), with Ctrl-C (SIGINT) and SIGTERM held until they are
    done, so an interruption cannot split them. A rename that fails midway (rare: the folder
    changed meanwhile) raises :class:`PartlyWrittenError`, naming the files already replaced;
    no temporary file is left behind.
    """
    staged: list[tuple[str, Path]] = []
    try:
        for path, text in texts.items():
            _stage(Path(path), text, staged)
    except BaseException:
        for tmp, _ in staged:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise
    done = 0
    try:
        with _signals_held():
            for tmp, target in staged:
                os.replace(tmp, target)
                done += 1
            for gone in remove:
                with contextlib.suppress(FileNotFoundError):
                    Path(gone).unlink()
    except BaseException as exc:
        for tmp, _ in staged[done:]:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        if done and isinstance(exc, OSError):
            failed = staged[done][1] if done < len(staged) else Path(exc.filename or "")
            raise PartlyWrittenError(exc, failed, [target for _, target in staged[:done]]) from exc
        raise


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Inside the block, SIGINT and SIGTERM wait (they are delivered when it ends); POSIX only."""
    import signal

    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - Windows
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def write_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and a rename."""
    write_files({Path(path): text})


_TEMPORARY_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")  # tempfile's names


def temporaries(folder: Path, marks: Sequence[str], names: Callable[[str], bool]) -> list[Path]:
    """The temporary files an interrupted write left in ``folder`` (``.NAME.xxxxxxxx.tmp``).

    Named as :func:`_stage` names them. Only those of a file NAME that ``names`` accepts, and
    only regular files that start with one of ``marks`` (what svcgen writes there first), or
    with a part of it, or are empty (made, not yet written).
    """
    longest = max(map(len, marks), default=0)
    found = []
    try:
        with os.scandir(folder) as scan:
            entries = sorted(scan, key=lambda entry: entry.name)
    except OSError:
        return []
    for entry in entries:
        name = entry.name
        if not (
            name.startswith(".")
            and name.endswith(".tmp")
            and len(name) > 14
            and name[-13] == "."
            and set(name[-12:-4]) <= _TEMPORARY_LETTERS
        ) or not names(name[1:-13]):
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            head = read_file(entry.path, follow_links=False)[:longest].decode("utf-8", "replace")
        except OSError:
            continue
        if any(
            mark.startswith(head[: len(mark)]) for mark in marks
        ):  # cut short by the interruption too
            found.append(folder / name)
    return found


def read_text_if_exists(path: str | os.PathLike[str], errors: str = "strict") -> str | None:
    """The file's text, or None when there is no such file.

    Only a regular file is read, never through a symbolic link, and at most
    :func:`max_file_size` bytes (:func:`read_file`). ``errors="replace"``: bytes that are not
    UTF-8 read as U+FFFD (to compare or show a file svcgen will replace); the default raises
    ``UnicodeDecodeError``.

    Raises:
        FileRefusedError: not a regular file, or too large.
    """
    try:
        return read_file(path, follow_links=False).decode("utf-8", errors)
    except (FileNotFoundError, NotADirectoryError):
        return None


def make_folders(folder: Path) -> list[Path]:
    """Make ``folder`` and its missing parents; the folders made, outermost first.

    Raises:
        UsageError: a file stands where a folder must go, or a folder cannot be made.
    """
    made: list[Path] = []
    for _ in range(8):  # a parent removed meanwhile (by a run that made it): try again
        missing = []
        current = folder
        while not os.path.isdir(current):
            if os.path.lexists(current):
                remove_folders(made)
                what = "a file of that name"
                with contextlib.suppress(OSError):
                    kind = _kind(os.lstat(current).st_mode)
                    what = f"{kind} of that name" if kind else what
                    if kind == "a symbolic link":  # to a folder that is not there, or to a file
                        what += f" (to {os.readlink(current)}, no folder)"
                raise UsageError(
                    f"{current}: error: cannot create the folder: {what} is in the way. "
                    "Fix: remove or rename it, or choose another path"
                )
            missing.append(current)
            if current.parent == current:
                break
            current = current.parent
        try:
            for path in reversed(missing):
                with contextlib.suppress(FileExistsError):  # another run made it meanwhile
                    os.mkdir(path)
                    made.append(path)
            return made
        except FileNotFoundError:
            continue
        except OSError as exc:
            remove_folders(made)
            raise UsageError(
                f"{path}: error: cannot create the folder: {exc.strerror or exc}"
            ) from None
    remove_folders(made)
    raise UsageError(f"{folder}: error: cannot create the folder: its parents keep disappearing")


def remove_folders(folders: Sequence[Path]) -> None:
    """Remove those of ``folders`` that are empty, outermost first.

    ``folders`` in the order :func:`make_folders` gives them.
    """
    for path in reversed(folders):
        with contextlib.suppress(OSError):
            os.rmdir(path)


@contextlib.contextmanager
def writer_mutex(path: str | os.PathLike[str]) -> Iterator[None]:
    """Hold an OS lock that serialises every svcgen run updating ``path``.

    ``path`` itself is replaced by a rename on every write, so a lock on it would not outlive the
    first writer, and a lock file beside it would be left in the user's repository. On POSIX the
    lock (``flock``) is taken on the folder that holds ``path``: no file is made for it, and it
    holds for every process that sees the folder, whoever runs it and from whichever container. A
    missing folder is made first (so that every run locks the same one), and removed again at the
    end if nothing was written in it; a run that waited for a folder removed meanwhile locks the
    new one. Where there is no ``fcntl`` (Windows, which cannot lock a folder), the well-kept
    ``filelock`` package locks a file named after the folder in a private folder of the user's
    (:func:`_file_lock`). Blocks until the lock is free.

    Raises:
        UsageError: the folder cannot be made, or (without ``fcntl``) the lock file cannot.
    """
    try:
        import fcntl
    except ImportError:
        with _file_lock(path):
            yield
        return
    folder = Path(path).parent
    made: list[Path] = []
    fd = -1
    try:
        while True:
            made += make_folders(folder)
            try:
                fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
            except FileNotFoundError:
                continue  # removed since it was made: make it again
            fcntl.flock(fd, fcntl.LOCK_EX)
            with contextlib.suppress(FileNotFoundError):
                if os.path.samestat(os.fstat(fd), os.stat(folder)):
                    break
            os.close(
                fd
            )  # removed while this run waited (by a run that made it): lock its successor
            fd = -1
        yield
    finally:
        if fd >= 0:
            remove_folders(
                made
            )  # under the lock: nobody else writes there now (only empty ones go)
            os.close(fd)  # closing the descriptor releases the lock


@contextlib.contextmanager
def _file_lock(path: str | os.PathLike[str]) -> Iterator[None]:
    """``writer_mutex`` where folders cannot be locked: ``filelock`` on a file in svcgen's folder.

    The file (in :func:`_lock_folder`) is named after the folder that holds ``path`` (its real
    path, links resolved, case folded where the platform folds it); the lock covers the runs of
    this user.
    """
    import hashlib

    from filelock import FileLock  # only a run that writes, without fcntl, needs it

    folder = Path(path).parent
    key = os.path.normcase(os.path.realpath(folder)).encode("utf-8", "surrogateescape")
    lock_file = _lock_folder() / f"{hashlib.sha256(key).hexdigest()[:32]}.lock"
    try:
        lock = FileLock(lock_file).acquire()
    except OSError as exc:
        raise UsageError(
            f"{lock_file}: error: cannot lock: {exc.strerror or exc}. Fix: make the temporary "
            "folder writable, or set TMPDIR to one that is"
        ) from None
    with lock:  # released at the end
        made = make_folders(folder)
        try:
            yield
        finally:
            remove_folders(
                made
            )  # under the lock: nobody else writes there now (only empty ones go)


def _lock_folder() -> Path:
    """The folder of svcgen's lock files: ``svcgen-UID`` in the temporary folder, made private.

    Made private: mode 0700. Refused if another user's, a link, or writable by others: a lock
    file there could be swapped.
    """
    import tempfile

    uid = (
        os.getuid() if hasattr(os, "getuid") else None
    )  # Windows: the temporary folder is the user's own
    folder = Path(tempfile.gettempdir()) / ("svcgen-locks" if uid is None else f"svcgen-{uid}")
    try:
        with contextlib.suppress(FileExistsError):
            os.mkdir(folder, 0o700)
        st = os.lstat(folder)
    except OSError as exc:
        raise UsageError(
            f"{folder}: error: cannot lock: cannot make the folder for svcgen's lock files: "
            f"{exc.strerror or exc}. Fix: make the temporary folder writable, or set TMPDIR to "
            "one that is"
        ) from None
    if not stat.S_ISDIR(st.st_mode) or (
        uid is not None and (st.st_uid != uid or st.st_mode & 0o077)
    ):
        raise UsageError(
            f"{folder}: error: cannot lock: the folder for svcgen's lock files is not a private "
            "folder of this user's (a link, another user's, or open to others). Fix: remove it; "
            "svcgen makes it again"
        )
    return folder
