"""Imports go one way: each module may import only the svcgen modules listed for it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "svcgen"

ALLOWED: dict[str, set[str]] = {
    "version": set(),
    "gcpause": set(),
    "errors": set(),
    "rules": set(),
    "portrange": set(),
    "files": set(),
    "emit": set(),
    "source": {"errors"},
    "model": {"errors", "source"},
    "validate": {"apiserver", "errors", "manifests", "model", "nodeports", "rules", "portrange"},
    "lock": set(),
    "nodeports": {"errors", "lock", "model", "portrange"},
    "lockfile": {"emit", "errors", "lock", "portrange", "yamldoc"},
    "reserve": {"errors", "nodeports", "yamldoc"},
    "config": {"errors", "portrange"},
    "manifests": {"model", "nodeports"},
    "render": {"emit", "errors", "gcpause", "lock", "manifests", "model", "nodeports", "portrange", "validate"},
    "loader": {"errors", "gcpause", "model", "source"},
    "outputs": {"emit", "yamldoc"},
    "scaffold": {"errors", "model", "validate"},
    "explain": {"model", "nodeports"},
    "importer": {"apiserver", "errors", "lock", "rules", "scaffold", "yamldoc"},
    "cli_common": {"config", "errors", "files", "lint", "loader", "lock", "lockfile", "model", "nodeports",
                   "portrange", "render", "reserve"},
    "cli_render": {"cli_common", "explain", "files", "lockfile", "model", "nodeports", "outputs", "render"},
    "cli_yaml": {"cli_common", "config", "errors", "files", "importer", "lint", "lock", "lockfile", "portrange"},
    "cli_new": {"cli_common", "cli_render", "scaffold"},
    "cli": {"cli_common", "cli_new", "cli_render", "cli_yaml", "config", "errors", "loader", "lockfile",
            "portrange", "reserve", "version"},
    "yamldoc": set(),
    "apiserver": {"portrange", "rules"},
    "lint": {"apiserver", "errors", "portrange", "yamldoc"},
    "__main__": {"cli"},
}
THIRD_PARTY: dict[str, set[str]] = {"model": {"pydantic"}, "emit": {"ruamel"}, "scaffold": {"jinja2"},
                                     "yamldoc": {"ruamel"}}
KNOWN_THIRD_PARTY = {"pydantic", "ruamel", "jinja2"}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            if node.module == "svcgen":
                names.update(f"svcgen.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


MODULES = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__")


def test_every_module_is_listed() -> None:
    assert set(MODULES) == set(ALLOWED)


@pytest.mark.parametrize("module", MODULES)
def test_imports_go_one_way(module: str) -> None:
    imports = _imports(PACKAGE / f"{module}.py")
    own = {name.split(".")[1] for name in imports if name.startswith("svcgen.")}
    assert own <= ALLOWED[module], f"{module} imports {own - ALLOWED[module]}"
    third = {name.split(".")[0] for name in imports} & KNOWN_THIRD_PARTY
    assert third <= THIRD_PARTY.get(module, set()), f"{module} imports {third}"


# manifests builds objects; validate and rules quote the API server's field paths; the others read
# manifests (lint, reserve, import, output layout) or explain the fields to people.
READS_OR_EXPLAINS_WIRE_NAMES = {"manifests", "validate", "rules", "reserve", "apiserver", "lint", "outputs",
                                "importer", "explain"}


def test_wire_names_live_in_manifests_only() -> None:
    for module in MODULES:
        if module in READS_OR_EXPLAINS_WIRE_NAMES:
            continue
        text = (PACKAGE / f"{module}.py").read_text()
        for wire in ('"nodePort"', '"targetPort"', '"apiVersion"'):
            assert wire not in text, f"{module} uses {wire}"
