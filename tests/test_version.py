"""One version, read by the build (hatch) and printed by --version."""

from __future__ import annotations

import re

from conftest import ROOT, run_cli

from svcgen import __version__
from svcgen.version import __version__ as version


def test_the_version_is_pep440_and_printed_by_the_cli() -> None:
    assert __version__ == version
    assert re.fullmatch(r"\d+\.\d+\.\d+(\.dev\d+|a\d+|b\d+|rc\d+)?", version)
    result = run_cli("--version")
    assert result.code == 0 and result.out.strip() == f"svcgen {version}"


def test_the_build_reads_it_from_version_py() -> None:
    assert 'path = "svcgen/version.py"' in (ROOT / "pyproject.toml").read_text()
