"""The architecture, checked: imports go one way between a handful of units, third-party libraries
stay in the module that owns them, wire names stay in the manifest builder, every module has a
test file, and lint never loads pydantic (nor what only writes or findings need)."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ROOT

PACKAGE = ROOT / "svcgen"

# A unit is a package (kube, nodeports, dsl, cli) or a top-level module. Each unit may import
# svcgen only from the units listed for it (and from itself); the list is the architecture:
#   errors, files, gcpause, version  <  kube  <  nodeports  <  settings, dsl  <  features  <  cli
ALLOWED: dict[str, set[str]] = {
    "version": set(),
    "errors": set(),
    "gcpause": set(),
    "files": {"errors"},
    "kube": {"errors"},
    "nodeports": {"errors", "kube"},
    "cluster": {"errors", "nodeports"},
    "registry": {"errors", "files", "kube", "nodeports"},
    "settings": {"cluster", "errors", "files", "kube", "nodeports", "registry"},
    "dsl": {"errors", "files", "gcpause", "kube", "nodeports"},
    "templating": {"errors"},
    "render": {"dsl", "errors", "gcpause", "kube", "nodeports"},
    "lint": {"errors", "kube"},
    # importer: dsl and render for its self-check, gcpause while it runs the code it generated
    "importer": {"dsl", "errors", "gcpause", "kube", "lint", "nodeports", "render", "templating"},
    "explain": {"dsl", "nodeports"},
    "scaffold": {"dsl", "errors", "templating"},
    "cli": {
        "dsl",
        "errors",
        "explain",
        "files",
        "gcpause",
        "importer",
        "kube",
        "lint",
        "nodeports",
        "registry",
        "render",
        "scaffold",
        "settings",
        "version",
    },
    "__main__": {"cli"},
    "pytest_plugin": {
        "cli",
        "dsl",
        "errors",
        "files",
        "lint",
        "render",
        "settings",
    },  # a front end beside cli
    "__init__": {"version"},  # the public names are imported lazily (PEP 562)
}
# Third-party libraries, each in the modules that own it.
THIRD_PARTY: dict[str, set[str]] = {
    "pydantic": {"dsl/model.py", "dsl/fields.py", "dsl/consumers.py", "dsl/typeerrors.py"},
    "ruamel": {"kube/yamlread.py", "kube/yamlwrite.py"},
    "jinja2": {"templating.py"},
    "filelock": {"files.py"},
}
# The DSL and what sits on it speak svcgen's words; Kubernetes field names are written by the
# manifest builder and quoted by the validator (field paths in messages) only.
NO_WIRE_NAMES = {
    "dsl/model.py",
    "dsl/checker.py",
    "dsl/consumers.py",
    "dsl/references.py",
    "dsl/usage.py",
    "dsl/policy.py",
    "dsl/nodeport_requests.py",
    "dsl/loader.py",
    "dsl/callsite.py",
    "render.py",
    "settings.py",
    "scaffold.py",
    "templating.py",
    "errors.py",
    "files.py",
    "nodeports/allocate.py",
    "nodeports/lock.py",
    "nodeports/lockfile.py",
}

MODULES = sorted(str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py"))


def _unit(module: str) -> str:
    return module.split("/")[0].removesuffix(".py")


def _runtime_imports(path: Path) -> set[str]:
    """Modules imported by ``path``, leaving out ``if TYPE_CHECKING:`` blocks."""
    tree = ast.parse(path.read_text())
    skipped = {
        id(n)
        for node in ast.walk(tree)
        if isinstance(node, ast.If)
        and isinstance(node.test, ast.Name)
        and node.test.id in ("TYPE_CHECKING", "_TYPE_CHECKING")
        for n in ast.walk(node)
    }
    names: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            if node.module == "svcgen":
                names.update(f"svcgen.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_every_unit_is_listed() -> None:
    assert {_unit(m) for m in MODULES} == set(ALLOWED)


@pytest.mark.parametrize("module", MODULES)
def test_imports_go_one_way(module: str) -> None:
    unit = _unit(module)
    imports = _runtime_imports(PACKAGE / module)
    own = {name.split(".")[1] for name in imports if name.startswith("svcgen.")} - {unit}
    assert own <= ALLOWED[unit], f"{module} imports {own - ALLOWED[unit]}"
    for library, owners in THIRD_PARTY.items():
        if library in {name.split(".")[0] for name in imports}:
            assert module in owners, f"{module} imports {library}"


@pytest.mark.parametrize("module", sorted(NO_WIRE_NAMES))
def test_wire_names_stay_in_the_manifest_builder(module: str) -> None:
    text = (PACKAGE / module).read_text()
    for wire in ('"nodePort"', '"targetPort"', '"apiVersion"', '"containerPort"'):
        assert wire not in text, f"{module} uses {wire}"


@pytest.mark.parametrize("module", [m for m in MODULES if not m.endswith("__init__.py")])
def test_every_module_has_a_mirroring_test_file(module: str) -> None:
    name = "test_" + module.removesuffix(".py").replace("/", "_").strip("_") + ".py"
    assert (ROOT / "tests" / name).is_file(), f"{module} has no tests/{name}"


def _loaded_by(argv: list[str], modules: tuple[str, ...], cwd: Path) -> list[str]:
    """Which of ``modules`` (or their submodules) a fresh process running ``svcgen ARGV`` loaded; it
    must succeed."""
    code = (
        "import sys\nfrom svcgen.cli import main\n"
        f"code = main({argv!r})\nprint(code, sorted({{m.split('.')[0] for m in sys.modules}} & "
        f"set({modules!r}) | set(sys.modules) & set({modules!r})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=cwd
    )
    status, loaded = result.stdout.splitlines()[-1].split(" ", 1)
    assert status == "0", result.stderr
    return list(ast.literal_eval(loaded))


def test_lint_never_loads_pydantic(tmp_path: Path) -> None:
    """Lint reads YAML only (import renders what it writes to check itself, so it needs the DSL)."""
    manifest = tmp_path / "s.yaml"
    manifest.write_text(
        "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  type: ExternalName\n"
        "  externalName: db.example.com\n"
    )
    assert _loaded_by(["lint", str(manifest)], _NOT_FOR_LINT, tmp_path) == []


# What a clean lint does not need, so does not load: the DSL's libraries, the modules only a write,
# a finding's suggestion, a JSON format or --debug needs, and dataclasses (with inspect: 9 ms on
# Python 3.11; lint's records are NamedTuples). Each costs a cold start 1-9 ms.
_NOT_FOR_LINT = (
    "pydantic",
    "pydantic_core",
    "jinja2",
    "tempfile",
    "shutil",
    "difflib",
    "json",
    "traceback",
    "subprocess",
    "dataclasses",
    "inspect",
)


def test_a_render_loads_only_what_its_project_uses(example: Callable[[str], Path]) -> None:
    """No consumers, no registry, no kubectl, no mistake: their modules are not loaded (a cold start
    pays each)."""
    seed = example("seed")
    # (subprocess is not listed: on Python 3.10 a library loads it; svcgen's users of it are the
    # registry and cluster)
    # ruamel.yaml: the seed reads no YAML but its lock file, which is in the form svcgen writes
    # (read without the parser), and every string of its output is written by svcgen.kube.fastyaml.
    not_needed = (
        "svcgen.dsl.consumers",
        "svcgen.registry",
        "svcgen.cluster",
        "difflib",
        "json",
        "ruamel",
        "_ruamel_yaml",
    )
    assert _loaded_by(["render", str(seed / "app.py")], not_needed, seed) == []
