"""Import's self-check: the declarations it would write are rendered and compared with the
originals."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import ROOT

from svcgen.dsl.model import App
from svcgen.importer import import_manifests
from svcgen.importer.verify import _apps, differences, verify
from svcgen.kube.objects import KubeObject, read_objects
from svcgen.kube.portrange import NodePortRange
from svcgen.kube.releases import PORTABLE
from svcgen.nodeports.lock import Lock

SOURCE = """
from svcgen import App, Container, Port, Service
c = Container("web", ports=[Port("http", 8080)])
app = App("web", labels={"app": "web"}, containers=[c],
          services=[Service("web", ports=[c.port("http").expose(80, name="")])])
"""
ORIGINAL = (
    "kind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n"
    "  ports: [{port: 80, targetPort: 8080}]\n"
)


def _objects(text: str) -> list[KubeObject]:
    return [o for o in read_objects([("in.yaml", text)]) if isinstance(o, KubeObject)]


def test_differences_name_every_path() -> None:
    assert list(differences({"a": 1, "b": [1, 2]}, {"a": 1, "b": [1, 3], "c": True})) == [
        (("b", 1), 2, 3),
        (("c",), None, True),
    ]
    assert list(differences({"a": [1]}, {"a": [1, 2]})) == [(("a",), [1], [1, 2])]
    assert list(differences({"a": 1}, {"a": True})) == [(("a",), 1, True)]  # a bool is not a number


def test_an_equal_service_passes_and_a_changed_one_is_reported_at_its_line() -> None:
    assert verify(SOURCE, _objects(ORIGINAL), Lock(), NodePortRange(), PORTABLE, "error") == []
    changed = ORIGINAL.replace("port: 80,", "port: 81,")
    (problem,) = verify(SOURCE, _objects(changed), Lock(), NodePortRange(), PORTABLE, "error")
    assert (problem.line, problem.field, problem.rule) == (5, "spec.ports[0].port", "import-check")
    assert problem.message == "would not come back as it was: 81 in the manifest, 80 once rendered"
    (warning,) = verify(SOURCE, _objects(changed), Lock(), NodePortRange(), PORTABLE, "warning")
    assert warning.severity == "warning" and not warning.hint


def test_a_missing_service_and_declarations_that_do_not_render_are_errors() -> None:
    other = ORIGINAL.replace("name: web}", "name: api}")
    (missing,) = verify(SOURCE, _objects(other), Lock(), NodePortRange(), PORTABLE, "error")
    assert "is missing from the declarations" in missing.message
    broken = SOURCE.replace('Service("web"', 'Service("Web"')
    problems = verify(broken, _objects(ORIGINAL), Lock(), NodePortRange(), PORTABLE, "error")
    assert problems and all("do not render" in p.message for p in problems)


def test_a_declaration_that_does_not_render_is_reported_at_its_own_original() -> None:
    two = (
        ORIGINAL.replace("name: api}", "") + "---\n" + ORIGINAL.replace("name: web}", "name: api}")
    )
    broken = SOURCE.replace(
        'Service("web", ports', 'Service("api", labels={"bad key!": "x"}, ports'
    )
    (problem,) = verify(broken, _objects(two), Lock(), NodePortRange(), PORTABLE, "error")
    assert (
        problem.obj is not None and problem.obj.name == "api" and problem.line == 6
    )  # the second document
    assert 'do not render: Service "api": metadata.labels' in problem.message


def test_a_declaration_that_does_not_render_is_found_among_namesakes_by_its_namespace() -> None:
    docs = [
        ORIGINAL.replace("name: web}", "name: api, namespace: a}"),
        ORIGINAL.replace("name: web}", "name: api, namespace: shop}"),
        ORIGINAL.replace("name: web}", "name: api, namespace: a}"),
    ]  # the same again: the first is named
    broken = SOURCE.replace('App("web",', 'App("web", namespace="shop",').replace(
        'Service("web", ports', 'Service("api", labels={"bad key!": "x"}, ports'
    )
    (problem,) = verify(
        broken, _objects("---\n".join(docs)), Lock(), NodePortRange(), PORTABLE, "error"
    )
    assert problem.obj is not None and (problem.obj.namespace, problem.obj.name) == ("shop", "api")
    assert (
        problem.line == 6
        and 'do not render: Service "shop/api": metadata.labels' in problem.message
    )
    broken_a = broken.replace('namespace="shop"', 'namespace="a"')
    (problem,) = verify(
        broken_a, _objects("---\n".join(docs)), Lock(), NodePortRange(), PORTABLE, "error"
    )
    assert problem.obj is not None and problem.obj.namespace == "a" and problem.line == 1


def _whole(source: str) -> list[tuple[str, int | None]]:
    namespace: dict[str, Any] = {}
    exec(compile(source, "app.py", "exec"), namespace)
    return [
        (v.name, v.location.line if v.location else None)
        for v in namespace.values()
        if isinstance(v, App)
    ]


@pytest.mark.parametrize(
    "tail",
    [
        "",
        '\nnote = (\n"a string"\n"on lines that start with quotes"\n)\n# a comment\nlast = '
        'App("last", labels={})\n',
        # no part runs alone
        "\nif True:\n    late = App('late', labels={})\nelse:\n    late = None\n",
    ],
)
def test_the_generated_code_runs_as_one_program_with_the_lines_of_app_py(tail: str) -> None:
    """The self-check runs the code it generated as Python would run the file: the same Apps, made
    at
    the same lines."""
    # Its docstring has lines that start with a name, its calls lines that start with a bracket.
    source = (
        import_manifests(
            [("in.yaml", (ROOT / "tests" / "data" / "import-shop.yaml").read_text())]
        ).source
        + tail
    )
    apps = _apps(source)
    assert [(a.name, a.location.line if a.location else None) for a in apps] == _whole(source)
    assert len(apps) >= 4 and all(
        a.location is not None and a.location.file.endswith("app.py") for a in apps
    )


def test_generated_code_that_does_not_compile_is_said_as_python_says_it() -> None:
    with pytest.raises(SyntaxError) as info:
        _apps('"""Doc."""\n\nfrom svcgen import App\n\nx = App(\n    "a",\n)\ny = (\n')
    assert info.value.lineno == 8
