"""The release: the wheel and sdist ``python -m build`` makes, their metadata, and every supported
Python.

The supported Python versions are stated once, in pyproject.toml (``requires-python`` and the
``Programming Language :: Python :: 3.X`` classifiers); the slow tests build the package, check it
with twine, and install the wheel alone into a fresh virtual environment of each stated version.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from email.parser import Parser
from pathlib import Path

import pytest
from conftest import EXAMPLES, ROOT

from svcgen.version import __version__

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the default CI interpreter is 3.11
    import tomli as tomllib

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
SUPPORTED = [
    c.rsplit(" :: ", 1)[1]
    for c in PYPROJECT["classifiers"]
    if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)
]
"""The Python versions the classifiers name, e.g. ["3.10", "3.11", "3.12", "3.13"]."""

INSTALL = 300  # seconds: the bound on a build or an install (a cold pip cache takes about a minute)
STEP = 120  # seconds: the bound on any other step


def _minor(version: str) -> int:
    return int(version.split(".")[1])


def test_the_supported_versions_are_stated_once_and_agree() -> None:
    minors = [_minor(v) for v in SUPPORTED]
    assert minors and minors == list(range(minors[0], minors[0] + len(minors))), SUPPORTED
    assert PYPROJECT["requires-python"] == f">={SUPPORTED[0]}"
    assert (
        f"{sys.version_info.major}.{sys.version_info.minor}" in SUPPORTED
    )  # the default CI Python is supported
    ruff = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["ruff"]
    assert ruff["target-version"] == "py3" + str(minors[0])


CHANGE_TYPES = {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}


def test_the_changelog_has_unreleased_then_the_current_version_in_keep_a_changelog_form() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert text.startswith("# Changelog\n") and "https://keepachangelog.com/en/1.1.0/" in text
    releases = re.findall(r"^## (.*)$", text, flags=re.MULTILINE)
    assert releases[0] == "[Unreleased]"
    assert re.fullmatch(rf"\[{re.escape(__version__)}\] - \d{{4}}-\d{{2}}-\d{{2}}", releases[1]), (
        releases
    )
    for heading in releases[2:]:
        assert re.fullmatch(r"\[\d+\.\d+\.\d+\S*\] - \d{4}-\d{2}-\d{2}", heading), heading
    kinds = re.findall(r"^### (.*)$", text, flags=re.MULTILINE)
    assert kinds and set(kinds) <= CHANGE_TYPES, kinds


def _run(
    argv: list[str | Path], *, cwd: Path, env: dict[str, str] | None = None, timeout: int = STEP
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )


def _clean_env() -> dict[str, str]:
    """This environment without what would point a child Python at this checkout or this venv."""
    drop = {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP"}
    return {k: v for k, v in os.environ.items() if k not in drop} | {"PYTHONDONTWRITEBYTECODE": "1"}


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """``python -m build`` of this checkout (the sdist, then the wheel built from the sdist)."""
    out = tmp_path_factory.mktemp("dist")
    built = _run([sys.executable, "-m", "build", "--outdir", out, ROOT], cwd=out, timeout=INSTALL)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    files = {p.suffix: p for p in out.iterdir()}
    assert sorted(p.name for p in out.iterdir()) == [
        f"svcgen-{__version__}-py3-none-any.whl",
        f"svcgen-{__version__}.tar.gz",
    ]
    yield {"wheel": files[".whl"], "sdist": files[".gz"]}


@pytest.mark.slow
def test_twine_check_passes_on_the_wheel_and_the_sdist(dist: dict[str, Path]) -> None:
    check = _run(
        [sys.executable, "-m", "twine", "check", "--strict", dist["wheel"], dist["sdist"]],
        cwd=dist["wheel"].parent,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count("PASSED") == 2


@pytest.mark.slow
def test_the_sdist_holds_every_tracked_file_the_tests_need(dist: dict[str, Path]) -> None:
    """The package, templates, tests, examples, docs and benchmarks: the test suite runs from the
    sdist."""
    tracked = _run(
        [
            "git",
            "ls-files",
            "-z",
            "--",
            "svcgen",
            "templates",
            "tests",
            "examples",
            "docs",
            "benchmarks",
            "README.md",
            "CHANGELOG.md",
            "mkdocs.yml",
            ".pre-commit-hooks.yaml",
            "pyproject.toml",
        ],
        cwd=ROOT,
    )
    if tracked.returncode != 0:
        pytest.skip(
            f"not a git checkout ({tracked.stderr.strip()}): no list of tracked files to compare "
            "with"
        )
    expected = {name for name in tracked.stdout.split("\0") if name}
    assert {
        "templates/app/app.py.jinja",
        "tests/conftest.py",
        "examples/seed/expected.yaml",
        "docs/never.md",
    } <= expected
    prefix = f"svcgen-{__version__}/"
    with tarfile.open(dist["sdist"]) as sdist:
        names = {m.name.removeprefix(prefix) for m in sdist.getmembers() if m.isfile()}
        pkg_info = Parser().parsestr(sdist.extractfile(prefix + "PKG-INFO").read().decode())  # type: ignore[union-attr]
    missing = sorted(expected - names)
    assert not missing, f"tracked but not in the sdist: {missing[:20]}"
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert pkg_info["Version"] == __version__


@pytest.mark.slow
def test_the_wheel_metadata_matches_pyproject_and_the_version(dist: dict[str, Path]) -> None:
    with zipfile.ZipFile(dist["wheel"]) as wheel:
        names = set(wheel.namelist())
        info = f"svcgen-{__version__}.dist-info/"
        metadata = Parser().parsestr(wheel.read(info + "METADATA").decode())
        entry_points = wheel.read(info + "entry_points.txt").decode()
    assert metadata["Name"] == "svcgen" and metadata["Version"] == __version__
    assert metadata["Requires-Python"] == PYPROJECT["requires-python"]
    assert metadata.get_all("Classifier") == sorted(PYPROJECT["classifiers"])
    assert metadata["Description-Content-Type"] == "text/markdown"
    assert "svcgen = svcgen.cli:main_exit" in entry_points
    assert {
        "svcgen/py.typed",
        "svcgen/templates/app/app.py.jinja",
        "svcgen/templates/import/app.py.jinja",
    } <= names
    assert not [n for n in names if n.startswith(("tests/", "examples/", "docs/"))]


def _interpreter(version: str) -> Path | None:
    """This Python if it is ``version``, else pyenv's newest ``version``.x, else ``pythonX.Y`` on
    PATH."""
    if f"{sys.version_info.major}.{sys.version_info.minor}" == version:
        return Path(sys.executable)
    pyenv = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    found = [
        p
        for p in pyenv.glob(f"{version}.*/bin/python{version}")
        if re.fullmatch(r"\d+\.\d+\.\d+", p.parts[-3])
    ]
    if found:
        return max(found, key=lambda p: tuple(int(n) for n in p.parts[-3].split(".")))
    on_path = shutil.which(f"python{version}")
    if (
        on_path and "shims" not in Path(on_path).parts
    ):  # a pyenv shim of a version pyenv does not have fails
        return Path(on_path)
    return None


@pytest.mark.slow
@pytest.mark.parametrize("version", SUPPORTED)
def test_the_wheel_alone_installs_scaffolds_and_renders_on_each_supported_python(
    version: str, dist: dict[str, Path], tmp_path: Path
) -> None:
    """A fresh venv of ``version`` with the wheel (and pytest) only; every command run outside this
    checkout."""
    python = _interpreter(version)
    if python is None:
        note = (
            f"python{version} is not installed here (pyenv versions, PATH): the wheel is "
            "untested on it"
        )
        print(note)
        pytest.skip(note)
    env = _clean_env()
    venv = tmp_path / "venv"
    made = _run([python, "-m", "venv", venv], cwd=tmp_path, env=env)
    assert made.returncode == 0, made.stderr
    bin_ = venv / "bin"
    install = _run(
        [bin_ / "python", "-m", "pip", "install", "-q", dist["wheel"], "pytest"],
        cwd=tmp_path,
        env=env,
        timeout=INSTALL,
    )
    assert install.returncode == 0, install.stdout[-3000:] + install.stderr[-3000:]

    where = _run(
        [
            bin_ / "python",
            "-c",
            "import sys, svcgen, importlib.metadata as m; "
            "print(sys.version_info[:2], m.version('svcgen'), svcgen.__file__)",
        ],
        cwd=tmp_path,
        env=env,
    )
    assert where.returncode == 0, where.stderr
    minor = _minor(version)
    assert where.stdout.startswith(f"(3, {minor}) {__version__} {venv}"), (
        where.stdout
    )  # the wheel, not this checkout
    shown = _run([bin_ / "svcgen", "--version"], cwd=tmp_path, env=env)
    assert (shown.returncode, shown.stdout) == (0, f"svcgen {__version__}\n"), shown.stderr

    seed = shutil.copytree(
        EXAMPLES / "seed", tmp_path / "seed", ignore=shutil.ignore_patterns("__pycache__")
    )
    render = _run([bin_ / "svcgen", "render", "seed/app.py", "--locked"], cwd=tmp_path, env=env)
    assert render.returncode == 0, render.stderr
    assert render.stdout == (seed / "expected.yaml").read_text(encoding="utf-8")

    new = _run(
        [bin_ / "svcgen", "new", "billing", "--port", "http:5000:8080", "--type", "NodePort"],
        cwd=tmp_path,
        env=env,
    )
    assert new.returncode == 0, new.stderr
    assert sorted(p.name for p in (tmp_path / "billing").iterdir()) == [
        "README.md",
        "app.py",
        "svcgen.lock",
        "test_app.py",
    ]
    again = _run([bin_ / "svcgen", "render", "billing", "--check"], cwd=tmp_path, env=env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert (
        "nodePort: 30000"
        in _run([bin_ / "svcgen", "render", "billing"], cwd=tmp_path, env=env).stdout
    )

    # The parser and message tests on each Python: argparse's wording changes between releases.
    parser_tests = _run(
        [
            bin_ / "python",
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-m",
            "not slow",
            *(
                ROOT / "tests" / name
                for name in ("test_cli_parser.py", "test_cli_main.py", "test_errors.py")
            ),
        ],
        cwd=tmp_path,
        env=env,
    )
    assert parser_tests.returncode == 0, parser_tests.stdout[-3000:] + parser_tests.stderr[-3000:]
