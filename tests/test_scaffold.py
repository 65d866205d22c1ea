"""svcgen new: checked values, safe literals, no overwrite, no partial scaffold; and from a real
install."""

from __future__ import annotations

import ast

import pytest

from svcgen.render import RenderOptions
from svcgen.scaffold import PortSpec, ScaffoldError, parse_port_spec, scaffold_files
from svcgen.templating import templates_dir


def test_port_specs() -> None:
    assert parse_port_spec("http:5000:8080") == PortSpec("http", 5000, 8080, "TCP")
    assert parse_port_spec("dns:53/udp") == PortSpec("dns", 53, 53, "UDP")
    for bad in ("http", "http:x", ":80", "http:80:90:100", "http:80/"):
        with pytest.raises(ScaffoldError, match="expected NAME:CONTAINER_PORT"):
            parse_port_spec(bad)


def test_templates_are_found() -> None:
    assert (templates_dir() / "app" / "app.py.jinja").is_file()


def test_generated_app_declares_what_was_asked() -> None:
    files = scaffold_files(
        "billing",
        [parse_port_spec("http:5000:8080"), parse_port_spec("dns:53/UDP")],
        service_type="NodePort",
        image="ghcr.io/acme/billing:1.2",
        namespace="payments",
    )
    assert set(files) == {"app.py", "test_app.py", "README.md"}
    namespace: dict[str, object] = {}
    exec(compile(files["app.py"], "app.py", "exec"), namespace)
    app = namespace["app"]
    from svcgen import App, render

    assert isinstance(app, App) and app.namespace == "payments"
    yaml = render(app, RenderOptions(node_port_range=__import__("svcgen").NodePortRange())).yaml
    assert "port: 8080\n    targetPort: 5000" in yaml and "protocol: UDP" in yaml


HOSTILE_IMAGES = [
    'x"""; import os; os.system("echo pwned") #',
    "x'\nimport os\n",
    "x\\",
    "\u202e evil",
    "a\x00b",
]


@pytest.mark.parametrize("image", HOSTILE_IMAGES)
def test_hostile_values_stay_literals(image: str) -> None:
    files = scaffold_files("web", [parse_port_spec("http:80")], image=image)
    tree = ast.parse(files["app.py"])
    literals = [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)]
    assert image in literals
    calls = {
        node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    assert calls <= {"Container", "Port", "App", "Service"}
    assert not any(isinstance(node, ast.Import) for node in ast.walk(tree))
    assert {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)} == {
        "svcgen"
    }


@pytest.mark.parametrize(
    ("name", "port", "kind", "message"),
    [
        ("Bad_Name", "http:80", "ClusterIP", "DNS-1035 label"),
        ('x"; import os', "http:80", "ClusterIP", "Invalid value"),
        ("web", "HTTP:80", "ClusterIP", "alpha-numeric"),
        ("web", "http:70000", "ClusterIP", "must be between 1 and 65535"),
        ("web", "http:80/ICMP", "ClusterIP", "protocol"),
        ("web", "http:80", "Headless", "type"),
    ],
)
def test_values_are_checked_before_anything_is_rendered(
    name: str, port: str, kind: str, message: str
) -> None:
    with pytest.raises(ScaffoldError, match=message):
        scaffold_files(name, [parse_port_spec(port)], service_type=kind)


def test_names_that_are_python_keywords_make_valid_code() -> None:
    for name in ("class", "import", "match", "app"):
        files = scaffold_files(name, [parse_port_spec("http:80")])
        compile(files["app.py"], "app.py", "exec")
        compile(files["test_app.py"], "test_app.py", "exec")


def test_the_generated_test_uses_the_pytest_plugin() -> None:
    """Its one test asks for svcgen_project (tests/test_pytest_plugin.py runs it); it imports
    nothing
    else."""
    tree = ast.parse(scaffold_files("billing", [parse_port_spec("http:5000:8080")])["test_app.py"])
    (function,) = [node for node in tree.body if isinstance(node, ast.FunctionDef)]
    assert function.name.startswith("test_") and [a.arg for a in function.args.args] == [
        "svcgen_project"
    ]
    imports = [node for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))]
    assert [
        (node.module, [a.name for a in node.names])
        for node in imports
        if isinstance(node, ast.ImportFrom)
    ] == [("svcgen.pytest_plugin", ["SvcgenProject"])]
    assert all(isinstance(node, ast.ImportFrom) for node in imports)


def test_colliding_ports_get_the_fix_for_a_collision() -> None:
    from svcgen.scaffold import ScaffoldError, parse_port_spec, scaffold_files

    for specs, hint in (
        (["http:80", "http:81"], "give each --port its own NAME"),
        (["a:80", "b:80"], "give each --port its own CONTAINER_PORT"),
    ):
        with pytest.raises(ScaffoldError) as caught:
            scaffold_files("web", [parse_port_spec(s) for s in specs])
        (problem,) = caught.value.problems
        assert problem.hint.startswith(hint)
