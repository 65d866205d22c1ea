"""The consumer declarations: what each takes, refused types said in svcgen's words, and
references."""

from __future__ import annotations

import re

import pytest

from svcgen import (
    App,
    Container,
    DeclarationError,
    GatewayRef,
    HTTPRoute,
    Ingress,
    IngressRule,
    NetworkPolicy,
    PodMonitor,
    Port,
    RouteRule,
    Service,
    ServiceMonitor,
)

api = Container("api", ports=[Port("http", 8080), Port("metrics", 9090)])
web = Service("web", ports=[api.port("http").expose(80)])


def test_a_service_port_reference_carries_the_service_and_its_port() -> None:
    ref = web.port("http")
    assert ref.service is web
    assert (ref.port.port_name, ref.port.service_port) == ("http", 80)


def test_a_service_port_that_is_not_there_suggests_the_nearest() -> None:
    with pytest.raises(DeclarationError) as caught:
        web.port("htp")
    (problem,) = caught.value.problems
    assert (problem.subject, problem.field) == ('Service "web"', "port")
    assert problem.message == 'has no port named "htp" (its ports: "http")'
    assert problem.hint == 'did you mean "http"?'
    assert problem.location is not None and problem.location.line > 0


def test_ingress_lists_every_backend_with_where_it_is() -> None:
    ingress = Ingress(
        "web",
        default_backend=web.port("http"),
        rules=[
            IngressRule(
                "shop.example.com", paths={"/": web.port("http"), "/api": web.port("http")}
            ),
            IngressRule(paths={"/x": web.port("http")}),
        ],
    )
    assert [where for where, _ in ingress.backends()] == [
        "default backend",
        "shop.example.com/",
        "shop.example.com/api",
        "*/x",
    ]


def test_route_backends_are_listed_per_host_and_rule() -> None:
    route = HTTPRoute(
        "r",
        parents=[GatewayRef("gw")],
        hostnames=["a.example.com", "b.example.com"],
        rules=[RouteRule("/api", backends=[web.port("http")])],
    )
    assert [where for where, _ in route.backends()] == ["a.example.com/api", "b.example.com/api"]


@pytest.mark.parametrize(
    ("build", "field", "expected"),
    [
        (
            lambda: Ingress("web", default_backend="http"),  # type: ignore[arg-type]
            "default_backend",
            "expected service.port(NAME)",
        ),
        (
            lambda: IngressRule(paths={"/": "web:80"}),  # type: ignore[dict-item]
            "paths",
            "a mapping of paths to service ports",
        ),
        (lambda: RouteRule("/", backends=[80]), "backends[0]", "expected service.port(NAME)"),  # type: ignore[list-item]
        (
            lambda: ServiceMonitor("m", port=api.port("metrics")),  # type: ignore[arg-type]
            "port",
            "expected service.port(NAME)",
        ),
        (lambda: PodMonitor("m", port=web.port("http")), "port", "expected container.port(NAME)"),  # type: ignore[arg-type]
        (
            lambda: NetworkPolicy("np", ports=["http"]),  # type: ignore[list-item]
            "ports[0]",
            "expected container.port(NAME), got str 'http'",
        ),
        (lambda: App("a", consumers=Ingress("x")), "consumers", "got an Ingress"),  # type: ignore[arg-type]
    ],
)
def test_a_reference_of_the_wrong_kind_says_which_kind_goes_there(
    build: object, field: str, expected: str
) -> None:
    with pytest.raises(DeclarationError) as caught:
        build()  # type: ignore[operator]
    (problem,) = caught.value.problems
    assert problem.field == field
    assert expected in problem.message


def test_consumers_are_frozen_and_copy_what_they_are_given() -> None:
    paths = {"/": web.port("http")}
    rule = IngressRule(paths=paths)
    paths["/other"] = web.port("http")
    assert list(rule.paths) == ["/"]
    with pytest.raises(Exception, match="frozen"):
        rule.host = "x"  # type: ignore[misc]


def test_the_readme_consumer_table_lists_every_argument_each_consumer_takes() -> None:
    """Each row of the README's consumer table names every argument of its declarations (labels,
    annotations...)."""
    from conftest import ROOT

    from svcgen import GatewayRef, IngressRule, IngressTLS, Peer, PolicyRule

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = [line.split(" | ", 1)[0] for line in readme.splitlines() if line.startswith("| `")]
    for cls in (
        Ingress,
        IngressRule,
        IngressTLS,
        HTTPRoute,
        GatewayRef,
        RouteRule,
        ServiceMonitor,
        PodMonitor,
        NetworkPolicy,
        PolicyRule,
        Peer,
    ):
        row = next(
            (row for row in rows if f"`{cls.__name__}(" in row or f"[{cls.__name__}(" in row), None
        )
        assert row is not None, f"{cls.__name__} has no row in the README's consumer table"
        missing = [
            name
            for name in cls.model_fields
            if name != "location" and not re.search(rf"\b{name}\b", row)
        ]
        assert not missing, f"the README's consumer table does not list {cls.__name__}'s {missing}"
