"""Shared helpers: write a declaration file, run the CLI in-process."""

from __future__ import annotations

import contextlib
import io
import signal
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from svcgen.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
DATA = ROOT / "tests" / "data"

# A run started in the background by a non-interactive shell inherits SIGINT ignored (and passes
# that on to every child): the Ctrl-C tests need it delivered, as in a terminal.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

HEADER = "from svcgen import AUTO, App, Container, Port, Service\n"


@dataclass
class CliResult:
    code: int
    out: str
    err: str


def run_cli(*argv: str) -> CliResult:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return CliResult(code, out.getvalue(), err.getvalue())


def marked_lines(source: str) -> list[int]:
    """1-based line numbers (in the written file, header included) of lines marked ``# <-``."""
    lines = (HEADER + textwrap.dedent(source)).splitlines()
    return [i for i, line in enumerate(lines, 1) if line.rstrip().endswith("# <-")]


@pytest.fixture
def example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], Path]:
    """Copy ``examples/NAME`` (with its lock) into ``tmp_path``, chdir there, return the copy."""
    import shutil

    def copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(EXAMPLES / name, target, ignore=shutil.ignore_patterns("__pycache__"))
        monkeypatch.chdir(tmp_path)
        return target

    return copy


@pytest.fixture
def write_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Path]:
    """Write ``source`` (the svcgen import is added) to ``tmp_path/name`` and chdir there."""
    monkeypatch.chdir(tmp_path)

    def write(source: str, name: str = "app.py") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(HEADER + textwrap.dedent(source), encoding="utf-8")
        return path

    return write


HOSTILE_SCALARS = [
    "1" * 5000,  # past Python's int-string limit (4300 digits)
    "-" + "9" * 40,  # past 64 bits
    "0x" + "f" * 40,
    "0b" + "1" * 70,
    "0777",
    "1e400",
    "1.5",
    ".nan",
    ".inf",
    "-.inf",
    "1_000",
    "12:30:45",
    "2001-12-14t21:59:43.10-05:00",
    "2002-12-14",
    "~",
    "null",
    "yes",
    "off",
    "y",
    "!!binary aGVsbG8=",
    "!!float 1",
    "!!str 30000",
    "!!int 0x7530",
    '"30000"',
    "[30000]",
    "{a: 1}",
]
"""Scalars of every YAML 1.1 kind (and values no reader can hold) to put where a number or a
string is expected: every reader must answer with problems, never with a traceback."""


@contextlib.contextmanager
def deadline(seconds: int) -> Iterator[None]:
    """Fail instead of hanging (a pipe opened for reading blocks until a writer comes)."""

    def expired(signum: int, frame: object) -> None:
        raise AssertionError(f"still blocked after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
