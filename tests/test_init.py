"""The public API, checked as httpx's tests/test_exported_members.py does: ``svcgen.__all__`` is
every public name of the package, each loads from its home module, type checkers see the same
names, each is in the reference documentation, and ``import svcgen`` loads none of them."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
import types

import pytest
from conftest import ROOT

import svcgen

PUBLIC = set(svcgen.__all__) - {"__version__"}


def test_all_is_every_public_name_of_the_package() -> None:
    for name in svcgen.__all__:
        getattr(svcgen, name)  # loaded: now in the package's namespace
    public = {
        name
        for name, value in vars(svcgen).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public == PUBLIC
    assert len(svcgen.__all__) == len(set(svcgen.__all__))
    assert set(dir(svcgen)) >= set(svcgen.__all__)


def test_every_public_name_is_the_object_of_its_home_module() -> None:
    for name in sorted(PUBLIC):
        home = svcgen._HOMES[name]
        value = getattr(svcgen, name)
        assert value is getattr(importlib.import_module(home), name), name
        if isinstance(value, (type, types.FunctionType)):
            assert value.__module__ == home, name  # defined there, not re-exported from elsewhere
    assert callable(svcgen.render) and not isinstance(svcgen.render, types.ModuleType)


@pytest.mark.parametrize(
    "name", ["parse_lock", "format_lock", "Lock", "PortKey", "render_manifests", "SourceLocation"]
)
def test_a_name_outside_the_api_is_imported_from_its_module_not_the_package(name: str) -> None:
    with pytest.raises(AttributeError, match=f"module 'svcgen' has no attribute '{name}'"):
        getattr(svcgen, name)
    assert name not in dir(svcgen)


def test_type_checkers_see_the_same_names() -> None:
    tree = ast.parse((ROOT / "svcgen" / "__init__.py").read_text())
    block = next(
        node
        for node in tree.body
        if isinstance(node, ast.If)
        and isinstance(node.test, ast.Name)
        and node.test.id == "_TYPE_CHECKING"
    )
    imported = {}
    for node in block.body:
        assert isinstance(node, ast.ImportFrom) and node.module
        for alias in node.names:
            assert alias.asname == alias.name, f"{alias.name} is re-exported as itself"
            imported[alias.name] = node.module
    assert imported == svcgen._HOMES
    assert set(svcgen._HOMES) == PUBLIC


def test_every_public_name_is_in_the_reference() -> None:
    shown = {
        line.removeprefix("::: ").strip()
        for page in (ROOT / "docs" / "reference").glob("*.md")
        for line in page.read_text().splitlines()
        if line.startswith("::: ")
    }
    assert {name for name in PUBLIC if f"{svcgen._HOMES[name]}.{name}" not in shown} == set()


def test_import_svcgen_loads_none_of_the_public_names() -> None:
    code = (
        "import sys, svcgen; print(sorted(m for m in sys.modules if m.startswith(('svcgen', "
        "'pydantic'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert result.stdout.strip() == "['svcgen', 'svcgen.version']"
