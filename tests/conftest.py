"""Shared helpers: write a declaration file, run the CLI in-process."""

from __future__ import annotations

import io
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from svcgen.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

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
        shutil.copytree(EXAMPLES / name, target)
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
