"""The app.py import writes: valid Python whatever the names, every value a literal."""

from __future__ import annotations

import ast

from svcgen.importer.app_source import _identifier, app_source
from svcgen.importer.plan import AppPlan, ContainerPlan, Plan, PortPlan


def test_identifiers_avoid_keywords_svcgen_names_and_each_other() -> None:
    taken: set[str] = set()
    names = [
        _identifier(n, taken) for n in ("class", "App", "web-api", "web_api", "9lives", "match", "")
    ]
    assert names == ["class_2", "App_2", "web_api", "web_api_2", "c_9lives", "match_2", "c"]
    assert all(n.isidentifier() for n in names)


def test_hostile_values_stay_literals() -> None:
    hostile = 'x"); import os; os.system("id"); ("'
    app = AppPlan(
        "web",
        None,
        {"app": hostile},
        {"note": "a\nb"},
        [ContainerPlan("web", hostile, [PortPlan("http", 80, "TCP")])],
    )
    container = app.containers[0]
    app.services.append(
        {
            "name": "web",
            "options": [("annotations", {"k": hostile})],
            "ports": [
                {"port": "http", "args": [("app_protocol", hostile)], "_container": container}
            ],
        }
    )
    source = app_source(Plan(apps=[app]))
    tree = ast.parse(source)
    calls = [
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "system"
    ]
    assert calls == []
    assert hostile in {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)}


def test_names_outside_ascii_make_valid_identifiers() -> None:
    taken: set[str] = set()
    names = [_identifier(n, taken) for n in ("¼", "café", "数据")]
    assert names == ["__2", "caf_", "__"] and all(n.isidentifier() and n.isascii() for n in names)


def test_consumer_calls_are_written_with_references_and_broken_over_lines_when_long() -> None:
    from svcgen.importer.app_source import expression, layout
    from svcgen.importer.consumer_calls import Call, Ref
    from svcgen.importer.plan import ContainerPlan

    service = {"name": "web", "var": "web_service"}
    container = ContainerPlan("api", None, var="api")
    call = Call(
        "Ingress",
        [
            (None, "web"),
            (
                "rules",
                [
                    Call(
                        "IngressRule",
                        [(None, "a.example.com"), ("paths", {"/": Ref(service, "http")})],
                    )
                ],
            ),
            ("labels", {"team": 'a"b'}),
        ],
    )
    assert expression(call) == (
        'Ingress("web", rules=[IngressRule("a.example.com", paths={"/": '
        'web_service.port("http")})], labels={"team": "a\\"b"})'
    )
    assert (
        expression(Call("PodMonitor", [(None, "m"), ("port", Ref(container, "metrics"))]))
        == 'PodMonitor("m", port=api.port("metrics"))'
    )
    long = layout(call, 60)
    assert long.splitlines()[0] == "Ingress("
    assert long.splitlines()[-1] == " " * 60 + ")"
    compile(long, "x", "eval")


def test_apps_of_one_name_get_the_next_free_number_in_order_whatever_took_the_numbers_before() -> (
    None
):
    """Apps named alike (one per namespace) and names that clean up to theirs: web, web_2, web_3...
    each
    free once."""
    names = ["web", "web-3", "web", "web", "web.2", "web", "class", "class", "class_2"]
    apps = [
        AppPlan(
            name,
            f"ns{i}",
            {"app": "x"},
            {},
            [ContainerPlan("c", "img", [PortPlan("http", 80, "TCP")])],
        )
        for i, name in enumerate(names)
    ]
    for app in apps:
        app.services.append(
            {
                "name": "svc",
                "options": [],
                "ports": [{"port": "http", "args": [], "_container": app.containers[0]}],
            }
        )
    source = app_source(Plan(apps=apps))
    assert [app.var for app in apps] == [
        "web",
        "web_3",
        "web_2",
        "web_4",
        "web_2_2",
        "web_5",
        "class_2",
        "class_3",
        "class_2_2",
    ]
    assert [c.var for app in apps for c in app.containers] == [
        "web_c",
        "web_3_c",
        "web_c_2",
        "web_c_3",
        "web_2_c",
        "web_c_4",
        "class_c",
        "class_c_2",
        "class_2_c",
    ]
    assert app_source(Plan(apps=apps)) == source  # written again: the same names
    ast.parse(source)
