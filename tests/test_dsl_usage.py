"""Who uses a port: the uses found for Service ports and container ports, and how they are said."""

from __future__ import annotations

from svcgen import (
    App,
    Container,
    GatewayRef,
    HTTPRoute,
    Ingress,
    IngressRule,
    IngressTLS,
    NetworkPolicy,
    PodMonitor,
    Port,
    Probe,
    RouteRule,
    Service,
    ServiceMonitor,
)
from svcgen.dsl.usage import Use, container_port_uses, service_port_uses

http, admin = Port("http", 8080), Port("admin", 9000)
api = Container(
    "api",
    ports=[http, admin],
    liveness=Probe.http(http, "/livez", scheme="HTTPS"),
    readiness=Probe.tcp(admin),
)
web = Service(
    "web", labels={"app": "web"}, ports=[api.port("http").expose(80), api.port("admin").expose()]
)


def _app(*consumers: object) -> App:
    return App(
        "web",
        namespace="shop",
        labels={"app": "web"},
        containers=[api],
        services=[web],
        consumers=consumers,  # type: ignore[arg-type]
    )


def test_ingress_rules_reach_the_service_port_they_name_with_their_scheme() -> None:
    app = _app(
        Ingress(
            "web",
            default_backend=web.port("admin"),
            tls=[IngressTLS(hosts=["a.example.com"], secret_name="tls")],
            rules=[
                IngressRule("a.example.com", paths={"/": web.port("http")}),
                IngressRule("b.example.com", paths={"/x": web.port("http")}),
                IngressRule(paths={"/y": web.port("http")}),
            ],
        )
    )
    http_sp, admin_sp = web.ports
    assert [u.entry for u in service_port_uses([app], web, http_sp)] == [
        "https://a.example.com/",
        "http://b.example.com/x",
        "<any host>/y",
    ]
    assert [u.entry for u in service_port_uses([app], web, admin_sp)] == [
        "<any host and path not matched by a rule>"
    ]
    assert service_port_uses([app], web, http_sp)[0].by == "Ingress shop/web"


def test_routes_say_their_gateway_and_monitors_what_they_scrape() -> None:
    app = _app(
        HTTPRoute(
            "r",
            parents=[GatewayRef("edge", namespace="gw")],
            rules=[RouteRule("/api", backends=[web.port("http")])],
        ),
        HTTPRoute("lost", rules=[RouteRule("/", backends=[web.port("http")])]),
        ServiceMonitor("m", port=web.port("admin"), interval="1m"),
    )
    http_sp, admin_sp = web.ports
    assert [u.by for u in service_port_uses([app], web, http_sp)] == [
        "HTTPRoute shop/r via Gateway gw/edge",
        "HTTPRoute shop/lost (attached to no Gateway)",
    ]
    assert service_port_uses([app], web, admin_sp) == [
        Use("scrapes /metrics every 1m", "ServiceMonitor", "m", "shop")
    ]


def test_container_port_uses_are_probes_pod_monitors_and_policies() -> None:
    app = _app(
        PodMonitor("pm", port=api.port("http")),
        NetworkPolicy(
            "np", ports=[api.port("http")], from_pods={"role": "a"}, from_namespaces={"t": "x"}
        ),
        NetworkPolicy("open", ports=[api.port("admin")]),
    )
    assert [(u.by, u.entry) for u in container_port_uses([app], api, http)] == [
        ("liveness probe", "GET /livez over HTTPS"),
        ("PodMonitor shop/pm", "scrapes /metrics"),
        ("NetworkPolicy shop/np", "admits pods role=a of namespaces t=x"),
    ]
    assert [(u.by, u.entry) for u in container_port_uses([app], api, admin)] == [
        ("readiness probe", "TCP connect"),
        ("NetworkPolicy shop/open", "admits any source"),
    ]


def test_each_policy_rule_that_admits_a_port_is_a_use_with_its_peers() -> None:
    from svcgen import Peer, PolicyRule

    app = _app(
        NetworkPolicy(
            "np",
            rules=[
                PolicyRule(
                    ports=[api.port("http")], peers=[Peer(pods={"role": "a"}), Peer(namespaces={})]
                ),
                PolicyRule(
                    ports=[api.port("http"), api.port("admin")],
                    peers=[Peer(pods={}, namespaces={"t": "x"})],
                ),
            ],
        )
    )
    assert [u.entry for u in container_port_uses([app], api, http)][1:] == [
        "admits pods role=a of its namespace; any namespace",
        "admits all pods of namespaces t=x",
    ]
    assert [u.entry for u in container_port_uses([app], api, admin)][1:] == [
        "admits all pods of namespaces t=x"
    ]
