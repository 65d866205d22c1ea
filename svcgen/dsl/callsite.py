"""Find the user's line of code that made a declaration, skipping svcgen's own frames.

That line is the declaration's call site.
"""

from __future__ import annotations

import contextlib
import os
import sys
from bisect import bisect_right
from collections.abc import Iterator
from functools import lru_cache
from types import CodeType, FrameType, TracebackType

from svcgen.errors import SourceLocation
from svcgen.files import display

__all__ = ["caller_location", "shown_relative_to", "traceback_location"]

# svcgen/, the package root (this file is svcgen/dsl/callsite.py).
_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
# Frames inside these directories are never "the user's line".
_INTERNAL = (_PACKAGE_DIR,)


@lru_cache(maxsize=1024)
def _is_internal(filename: str) -> bool:
    if filename.startswith("<frozen"):
        return True
    if filename.startswith(_INTERNAL):
        return True
    # pydantic and its core run validators (and so our constructors) on the user's behalf.
    return f"{os.sep}pydantic{os.sep}" in filename or f"{os.sep}pydantic_core{os.sep}" in filename


@lru_cache(maxsize=256)
def _display(filename: str, cwd: str) -> str:
    """Relative to the working directory when under it (clickable in terminals), else absolute."""
    return display(filename, cwd) if cwd else filename


# The working directory locations are shown relative to, while the loader runs a user's file
# (None: ask the system each time, for declarations made from a build script).
_fixed_cwd: str | None = None


def _cwd() -> str:
    if _fixed_cwd is not None:
        return _fixed_cwd
    try:
        return os.getcwd()
    except OSError:
        return ""


@contextlib.contextmanager
def shown_relative_to(cwd: str) -> Iterator[None]:
    """Inside the block, locations are shown relative to ``cwd`` (the directory svcgen was run in).

    The loader sets it while it runs a user's file: the file cannot move the paths in svcgen's
    messages by changing directory, and 10,000 declarations do not each ask the system for it.
    """
    global _fixed_cwd
    saved, _fixed_cwd = _fixed_cwd, cwd
    try:
        yield
    finally:
        _fixed_cwd = saved


def _location(frame: FrameType | None) -> SourceLocation | None:
    while frame is not None:
        filename = frame.f_code.co_filename
        if not _is_internal(filename):
            return _source_location(filename, _line(frame), _cwd())
        frame = frame.f_back
    return None


_BIG_CODE = 4096
"""Bytes of bytecode from which a frame's line is looked up in a table (a fast path).

CPython works out ``frame.f_lineno`` by reading the code's line table from its start: a
flat app.py of 10,000 declarations (``svcgen import`` writes them) asked it 10,000 times,
each time further in, so its render took time quadratic in its length. For a long code
object the table is read once into start offsets and lines, and each declaration's line is
found by bisection of the instruction's offset (``f_lasti``). Checked against ``f_lineno``
on the first lookup of each code; a code whose table disagrees keeps ``f_lineno``.
"""


class _LineTable:
    """A code object's instruction start offsets and their lines.

    The code is kept: its id stays its own.
    """

    __slots__ = ("code", "lines", "starts", "usable")

    def __init__(self, code: CodeType) -> None:
        self.code = code
        self.starts: list[int] = []
        self.lines: list[int | None] = []
        for start, _end, line in code.co_lines():
            self.starts.append(start)
            self.lines.append(line)
        self.usable = True

    def line(self, frame: FrameType) -> int | None:
        index = bisect_right(self.starts, frame.f_lasti) - 1
        return self.lines[index] if index >= 0 else None


_TABLES: dict[int, _LineTable] = {}
"""By ``id`` of a code object (a code object's own hash reads all of its bytecode)."""


def _line(frame: FrameType) -> int:
    code = frame.f_code
    if len(code.co_code) < _BIG_CODE:
        return frame.f_lineno
    table = _TABLES.get(id(code))
    if table is None or table.code is not code:
        if len(_TABLES) >= 64:
            _TABLES.clear()  # the code objects of files run long ago go
        table = _TABLES[id(code)] = _LineTable(code)
        table.usable = table.line(frame) == frame.f_lineno
    line = table.line(frame) if table.usable else None
    return frame.f_lineno if line is None else line


@lru_cache(maxsize=4096)
def _source_location(filename: str, line: int, cwd: str) -> SourceLocation:
    """One (frozen) location object per line: a loop declaring 10,000 Services shares a few."""
    return SourceLocation(_display(filename, cwd), line)


def caller_location() -> SourceLocation | None:
    """Return the innermost frame on the stack that is not svcgen's (or pydantic's) own code."""
    return _location(sys._getframe(1))


def traceback_location(
    tb: TracebackType | None, prefer_file: str | None = None
) -> SourceLocation | None:
    """Return the deepest user frame of a traceback, preferring frames of ``prefer_file``."""
    best: SourceLocation | None = None
    preferred: SourceLocation | None = None
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if not _is_internal(filename):
            best = SourceLocation(_display(filename, _cwd()), tb.tb_lineno)
            if prefer_file is not None and os.path.abspath(filename) == os.path.abspath(
                prefer_file
            ):
                preferred = best
        tb = tb.tb_next
    return preferred or best
