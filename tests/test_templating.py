"""The templates' one environment and its literal filter: values become Python literals, never
code."""

from __future__ import annotations

import ast

import pytest

from svcgen.templating import _environment, literal, render_template, templates_dir

HOSTILE = [
    'x"; import os; os.system("id") #',
    "a\nb",
    "tab\there",
    "back\\slash",
    "{{ name }}",
    "\u2028",
    "🐳",
    "'''",
    '"""',
    "\x00",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_strings_round_trip_through_python(value: str) -> None:
    assert ast.literal_eval(literal(value)) == value


def test_values_of_every_kind_the_templates_write() -> None:
    value = {
        "labels": {"app": "web", "tier": 'a"b'},
        "ranges": ["10.0.0.0/8"],
        "n": 5,
        "on": True,
        "off": None,
    }
    assert ast.literal_eval(literal(value)) == value
    assert literal((1, "a")) == '[1, "a"]'
    assert literal(False) == "False"


def test_other_types_are_refused() -> None:
    with pytest.raises(TypeError, match="float"):
        literal(1.5)
    with pytest.raises(TypeError, match="set"):
        literal({"a"})


def test_one_environment_per_process() -> None:
    assert _environment() is _environment()
    assert (templates_dir() / "import" / "app.py.jinja").is_file()


def test_the_import_template_renders_arguments_through_the_filter() -> None:
    from svcgen.importer.plan import AppPlan, ContainerPlan, PortPlan

    app = AppPlan(
        "web",
        "shop",
        {"app": 'w"eb'},
        {},
        [ContainerPlan("web", "nginx", [PortPlan("http", 80, "TCP")], "web")],
    )
    app.services.append(
        {
            "name": "web",
            "options": [("type", "NodePort"), ("labels", {"a": "b\nc"})],
            "ports": [
                {"container": "web", "port": "http", "args": [(None, 8080), ("node_port", None)]}
            ],
            "var": "",
        }
    )
    source = render_template(
        "import/app.py.jinja",
        {"apps": [("web_app", app, [])], "imports": "App, Container, Port, Service"},
    )
    tree = ast.parse(source)
    assert 'labels={"a": "b\\nc"}' in source and "expose(8080, node_port=None)" in source
    assert 'labels={"app": "w\\"eb"}' in source
    assert sum(isinstance(node, ast.Assign) for node in tree.body) == 2
