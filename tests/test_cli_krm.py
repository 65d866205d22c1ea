"""``svcgen krm``: svcgen as a kustomize generator, through its own protocol and through the real
kubectl."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLES, CliResult
from ruamel.yaml import YAML

from svcgen.cli import main

EXAMPLE = EXAMPLES / "kustomize"
CONFIG = {
    "apiVersion": "svcgen.dev/v1alpha1",
    "kind": "Svcgen",
    "metadata": {"name": "web-services"},
}
# An item kustomize puts in a generator's input (the config itself, local-config): passed on with
# its values
# and key order (a quoted "true" stays a string).
PASSED_ITEM = """\
- apiVersion: svcgen.dev/v1alpha1
  kind: Svcgen
  metadata:
    name: web-services
    annotations:
      config.kubernetes.io/local-config: "true"   # kustomize drops it from the build
      config.kubernetes.io/index: '0'
  spec: {paths: [app.py]}
"""


def _safe() -> YAML:
    return YAML(typ="safe")


def resource_list(
    spec: Any = None, config: dict[str, Any] | None = None, items: str = PASSED_ITEM
) -> str:
    """A ResourceList as kustomize sends a generator: its config as functionConfig and as an
    item."""
    stream = io.StringIO()
    function_config = dict(config or CONFIG)
    if spec is not None:
        function_config["spec"] = spec
    _safe().dump({"functionConfig": function_config}, stream)
    return (
        f"apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n{items}"
        + stream.getvalue()
    )


def run_krm(text: str, *argv: str) -> CliResult:
    out, err = io.StringIO(), io.StringIO()
    code = main(["krm", *argv], out=out, err=err, stdin=io.StringIO(text))
    return CliResult(code, out.getvalue(), err.getvalue())


def expected_services() -> list[Any]:
    return list(_safe().load_all((EXAMPLE / "expected.yaml").read_text()))


def files_of(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_the_manifests_are_appended_and_the_items_pass_through_unchanged(
    example: Callable[[str], Path],
) -> None:
    # GIVEN the example, WHEN kustomize runs the generator in its folder
    copy = example("kustomize")
    os.chdir(copy)
    before = files_of(copy)
    result = run_krm(resource_list({"paths": ["app.py"]}))
    # THEN it succeeds quietly, the input's item comes first unchanged, then svcgen's Services
    assert (result.code, result.err) == (0, "")
    assert result.out.startswith(
        "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n"
    )
    output = _safe().load(result.out)
    assert output["items"][0] == _safe().load(PASSED_ITEM)[0]
    assert list(output["items"][0]["metadata"]["annotations"]) == [
        "config.kubernetes.io/local-config",
        "config.kubernetes.io/index",
    ]
    assert output["items"][1:] == expected_services()
    assert "results" not in output
    assert output["functionConfig"]["spec"] == {"paths": ["app.py"]}
    # AND nothing was written: a generator only reads
    assert files_of(copy) == before
    # AND the output is the same on every run
    assert run_krm(resource_list({"paths": ["app.py"]})).out == result.out


def test_a_nodeport_the_lock_does_not_hold_is_refused_with_how_to_allocate_it(
    example: Callable[[str], Path],
) -> None:
    copy = example("kustomize")
    os.chdir(copy)
    (copy / "svcgen.lock").unlink()
    before = files_of(copy)
    result = run_krm(resource_list({"paths": ["app.py"]}))
    assert result.code == 1
    fix = (
        "run `svcgen render app.py` once (it records them in the lock file) and commit svcgen.lock"
    )
    message = (
        "error: svcgen.lock: 1 new nodePort: web/web/http 30000; a generator writes no file, so "
        "it allocates "
        f"no nodePort. Fix: {fix}"
    )
    assert result.err == f"{message}\nsvcgen: 1 error found; nothing was written.\n"
    output = _safe().load(result.out)
    assert output["results"] == [
        {"message": message, "severity": "error", "tags": {"rule": "lock-not-current"}}
    ]
    assert len(output["items"]) == 1  # what came in, and nothing else
    assert files_of(copy) == before


def test_a_declaration_problem_is_a_result_with_its_file_and_line(
    write_app: Callable[..., Path],
) -> None:
    write_app(
        'api = Container("api", ports=[Port("http", 8080)])\n'
        'app = App("web", labels={"app": "web"}, containers=[api], services=[\n'
        '    Service("Web", ports=[api.port("http").expose(80)]),\n'
        "])\n"
    )
    result = run_krm(resource_list({"paths": ["app.py"]}))
    assert result.code == 1
    (problem,) = _safe().load(result.out)["results"]
    assert problem["severity"] == "error"
    assert problem["file"] == {"path": "app.py"}
    assert problem["tags"]["line"] == "4"
    assert problem["message"].startswith("app.py:4:")
    assert problem["message"] in result.err.splitlines()


def test_what_the_users_file_prints_does_not_reach_the_resource_list(
    write_app: Callable[..., Path], capfd: pytest.CaptureFixture[str]
) -> None:
    write_app(
        'print("hello from app.py")\napi = Container("api", ports=[Port("http", 8080)])\napp = '
        'App("web", labels={"app": "web"}, containers=[api],\n          services=[Service("web", '
        'ports=[api.port("http").expose(80)])])\n'
    )
    result = run_krm(resource_list({"paths": ["app.py"]}))
    assert result.code == 0, result.err
    assert "hello" not in result.out
    assert "hello from app.py" in capfd.readouterr().err


@pytest.mark.parametrize(
    ("spec", "field", "message"),
    [
        (None, "spec", "the generator config has no spec mapping"),
        ({}, "spec.paths", "spec.paths: missing"),
        (
            {"paths": "app.py"},
            "spec.paths",
            "spec.paths: 'app.py' is not a list of files or folders",
        ),
        (
            {"paths": ["app.py"], "path": "x"},
            "spec.path",
            "spec.path: not a setting of the generator; it has paths, lock",
        ),
        (
            {"paths": ["app.py"], "kubernetesVersion": 1.3},
            "spec.kubernetesVersion",
            'spec.kubernetesVersion: 1.3 is not a quoted version such as "1.32"',
        ),
        (
            {"paths": ["app.py"], "nodePortRange": "30000-20000"},
            "spec.nodePortRange",
            "spec.nodePortRange: '30000-20000' is not a range",
        ),
        (
            {"paths": ["app.py"], "withWorkloads": "sure"},
            "spec.withWorkloads",
            "is not true or false",
        ),
        (
            {"paths": ["app.py"], "kubernetesVersion": "1.99"},
            "spec.kubernetesVersion",
            "spec.kubernetesVersion: '1.99' is not a Kubernetes version svcgen knows (unknown "
            "Kubernetes version",
        ),
        ({"paths": "x" * 5000}, "spec.paths", "spec.paths: 'xxx"),
    ],
)
def test_a_config_mistake_is_a_result_at_its_field(
    spec: Any, field: str, message: str, write_app: Callable[..., Path]
) -> None:
    write_app('app = App("web")\n')
    result = run_krm(resource_list(spec))
    assert result.code == 1
    (problem,) = _safe().load(result.out)["results"]
    assert problem["field"] == {"path": field}
    assert problem["severity"] == "error"
    assert problem["message"].startswith("svcgen krm: error: ")
    assert message in problem["message"]
    assert result.err.startswith(problem["message"] + "\n")
    assert len(problem["message"]) < 1000  # a value quoted is shortened


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "standard input is not a ResourceList"),
        ("apiVersion: v1\nkind: List\nitems: []\n", "standard input is not a ResourceList"),
        ("kind: ResourceList\nitems: [\n", "standard input is not valid YAML (line 3)"),
        (
            "kind: ResourceList\n---\nkind: ResourceList\n",
            "standard input holds 2 YAML documents, not one",
        ),
        (
            "apiVersion: config.kubernetes.io/v9\nkind: ResourceList\n",
            "apiVersion 'config.kubernetes.io/v9'",
        ),
        (
            "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: {}\n",
            "items is not a list",
        ),
        (
            "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\n",
            "no generator config",
        ),
        (
            "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nfunctionConfig: "
            "{apiVersion: v1, kind: ConfigMap}\n",
            "the generator config is apiVersion 'v1', kind 'ConfigMap'",
        ),
    ],
)
def test_input_that_is_not_a_generators_resource_list_is_refused(text: str, message: str) -> None:
    result = run_krm(text)
    assert result.code == 1
    output = _safe().load(result.out)
    assert output["kind"] == "ResourceList"
    (problem,) = output["results"]
    assert message in problem["message"] and message in result.err


def test_the_config_file_form_prints_the_manifests_alone(example: Callable[[str], Path]) -> None:
    """``svcgen krm CONFIG``: an exec plugin's protocol (kubectl kustomize, Argo CD): a YAML stream
    out."""
    copy = example("kustomize")
    os.chdir(copy)
    result = run_krm("", "svcgen-generator.yaml")
    assert (result.code, result.err) == (0, "")
    assert result.out == (EXAMPLE / "expected.yaml").read_text()


def test_the_config_file_forms_mistakes_name_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "gen.yaml").write_text(
        "apiVersion: svcgen.dev/v1alpha1\nkind: Svcgen\nspec: {pathz: [app.py]}\n"
    )
    result = run_krm("", "gen.yaml")
    assert result.code == 1
    assert result.err.startswith("gen.yaml: error: spec.pathz: not a setting of the generator")
    (tmp_path / "bad.yaml").write_bytes(b"\xff")
    assert run_krm("", "bad.yaml").err.startswith(
        "bad.yaml: error: the generator config is not UTF-8 text"
    )
    missing = run_krm("", "missing.yaml")
    assert missing.code == 2
    assert missing.err.startswith("missing.yaml: error: cannot read the generator config")


def _with_svcgen_on_path() -> dict[str, str]:
    """The environment with this interpreter's ``svcgen`` first on PATH (what the wrappers run)."""
    return {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }


@pytest.mark.slow
def test_the_example_runs_as_kustomize_runs_an_exec_function(
    example: Callable[[str], Path],
) -> None:
    """kustomize runs the config's exec path (./svcgen-krm) in the kustomization's folder, a
    ResourceList in."""
    copy = example("kustomize")
    spec = _safe().load((copy / "svcgen-generator.yaml").read_text())
    assert (
        spec["metadata"]["annotations"]["config.kubernetes.io/function"]
        == "exec:\n  path: ./svcgen-krm\n"
    )
    done = subprocess.run(
        ["./svcgen-krm"],
        cwd=copy,
        input=resource_list(spec["spec"]),
        capture_output=True,
        text=True,
        env=_with_svcgen_on_path(),
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert _safe().load(done.stdout)["items"][1:] == expected_services()


@pytest.mark.slow
@pytest.mark.skipif(
    shutil.which("kubectl") is None and not os.environ.get("CI"), reason="kubectl is not installed"
)
def test_the_example_builds_with_the_real_kubectl_kustomize(example: Callable[[str], Path]) -> None:
    """kubectl kustomize has no --enable-exec: it runs exec plugins, so the config loses its
    function
    annotation.

    That is the README's recipe for kubectl: the plugin shipped in the example
    (KUSTOMIZE_PLUGIN_HOME)
    runs ``svcgen krm CONFIG``; the build holds svcgen's Services with the overlay's label, and the
    Deployment.
    """
    copy = example("kustomize")
    config = copy / "svcgen-generator.yaml"
    text = config.read_text()
    annotation = (
        "  annotations:\n    config.kubernetes.io/function: |\n      exec:\n        "
        "path: ./svcgen-krm\n"
    )
    assert annotation in text
    config.write_text(text.replace(annotation, ""))
    env = {**_with_svcgen_on_path(), "KUSTOMIZE_PLUGIN_HOME": str(copy / "plugin")}
    done = subprocess.run(
        ["kubectl", "kustomize", "--enable-alpha-plugins", str(copy)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == (EXAMPLE / "kustomized.yaml").read_text()
    services = [d for d in _safe().load_all(done.stdout) if d["kind"] == "Service"]
    for service, rendered in zip(services, expected_services(), strict=True):
        assert service["metadata"]["labels"] == {"app.kubernetes.io/part-of": "shop"}
        del service["metadata"]["labels"]
        assert service == rendered


@pytest.mark.slow
@pytest.mark.skipif(
    shutil.which("kubectl") is None and not os.environ.get("CI"), reason="kubectl is not installed"
)
def test_kubectl_kustomize_fails_the_build_on_a_lock_that_is_not_current(
    example: Callable[[str], Path],
) -> None:
    copy = example("kustomize")
    (copy / "svcgen.lock").unlink()
    config = copy / "svcgen-generator.yaml"
    config.write_text(config.read_text().split("  annotations:")[0] + "spec:\n  paths: [app.py]\n")
    env = {**_with_svcgen_on_path(), "KUSTOMIZE_PLUGIN_HOME": str(copy / "plugin")}
    done = subprocess.run(
        ["kubectl", "kustomize", "--enable-alpha-plugins", str(copy)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0
    assert done.stdout == ""
    assert "svcgen.lock: 1 new nodePort: web/web/http 30000" in done.stderr
    assert not (copy / "svcgen.lock").exists()


def test_the_examples_kustomize_build_lints_clean() -> None:
    """The committed build (svcgen's Services beside the overlay's Deployment) passes svcgen
    lint."""
    result = main(
        ["lint", str(EXAMPLE / "kustomized.yaml")], out=io.StringIO(), err=(err := io.StringIO())
    )
    assert result == 0, err.getvalue()
    assert "0 errors, 0 warnings" in err.getvalue()


def test_the_generator_asks_neither_the_cluster_nor_the_registry(
    example: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build reads files only: with reserve-cluster and a registry set, no kubectl, no git, no
    .svcgen
    folder."""
    copy = example("kustomize")
    os.chdir(copy)
    (copy / "pyproject.toml").write_text(
        '[project]\nname = "web"\n[tool.svcgen]\nreserve-cluster = "prod"\n'
        f'registry = "{copy / "nowhere.git"}#prod.lock"\n'
    )
    monkeypatch.setenv("PATH", "")  # no kubectl, no git could run
    before = files_of(copy)
    result = run_krm(resource_list({"paths": ["app.py"]}))
    assert (result.code, result.err) == (0, "")
    assert _safe().load(result.out)["items"][1:] == expected_services()
    assert files_of(copy) == before
    # svcgen render, by contrast, asks them (and so fails here)
    err = io.StringIO()
    assert main(["render", "--locked", "app.py"], out=io.StringIO(), err=err) == 2
    assert "the registry needs git" in err.getvalue()


def test_debug_shows_the_traceback_of_a_failing_declaration(write_app: Callable[..., Path]) -> None:
    write_app('raise RuntimeError("boom")\n')
    result = run_krm(resource_list({"paths": ["app.py"]}), "--debug")
    assert result.code == 1
    assert "Traceback (most recent call last)" in result.err
    assert "RuntimeError: boom" in result.err
    (problem,) = _safe().load(result.out)["results"]
    assert "boom" in problem["message"]


def test_many_nodeports_the_lock_does_not_hold_are_counted_in_one_line(
    write_app: Callable[..., Path],
) -> None:
    services = ", ".join(
        f'Service("s{i}", type="NodePort", ports=[c.port("http").expose(80)])' for i in range(5)
    )
    write_app(
        f'c = Container("c", ports=[Port("http", 8080)])\n'
        f'app = App("a", labels={{"app": "a"}}, containers=[c], services=[{services}])\n'
    )
    result = run_krm(resource_list({"paths": ["app.py"]}))
    assert result.code == 1
    assert result.err.startswith(
        "error: svcgen.lock: 5 new nodePorts: s0/http 30000, s1/http 30001, s2/http 30002 "
        "and 2 more; a generator writes no file"
    )
