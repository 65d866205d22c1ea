"""Each rule a consumer of a port can break: the problem, its field, its message and the user's
line.

Every test declares an API with ports; the line marked ``# <-`` is the one the problem must point
at.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import marked_lines

from svcgen import App, Container, Probe, Problem, validate
from svcgen.dsl.loader import load_apps
from svcgen.dsl.references import monitor_interval
from svcgen.kube.rules import http_path, tls_host
from svcgen.kube.rules import ingress_host as host_name

Writer = Callable[..., Path]

BASE = """
from svcgen import (GatewayRef, HTTPRoute, Ingress, IngressRule, IngressTLS, NetworkPolicy, Peer,
                    PodMonitor, PolicyRule, Probe, RouteRule, ServiceMonitor)
http = Port("http", 8080)
metrics = Port("metrics", 9090)
dns = Port("dns", 53, protocol="UDP")
api = Container("api", image="api:1", ports=[http, metrics, dns])
web = Service("web", labels={"app": "web"},
              ports=[api.port("http").expose(80), api.port("dns").expose()])
mon = Service("web-metrics", labels={"app": "web", "metrics": "yes"},
              ports=[api.port("metrics").expose()])
"""


def problems(write_app: Writer, source: str, *, with_workloads: bool = True) -> list[Problem]:
    path = write_app(BASE + textwrap.dedent(source))
    return validate(load_apps([str(path)]), with_workloads=with_workloads)


def only(write_app: Writer, source: str, severity: str = "error", **kw: bool) -> Problem:
    """The single problem of ``severity``; it must sit on the line marked ``# <-``."""
    found = [p for p in problems(write_app, source, **kw) if p.severity == severity]
    assert len(found) == 1, "\n".join(map(str, found))
    (line,) = marked_lines(BASE + textwrap.dedent(source))
    assert found[0].location is not None
    assert (found[0].location.file, found[0].location.line) == ("app.py", line), str(found[0])
    return found[0]


def app(consumers: str, *, containers: str = "api", namespace: str = "None") -> str:
    return (
        f'app = App("web", namespace={namespace}, labels={{"app": "web"}}, '
        f"containers=[{containers}], services=[web, mon], consumers=[\n{consumers}\n])\n"
    )


def test_every_consumer_kind_declared_right_has_no_problems(write_app: Writer) -> None:
    source = app("""
    Ingress("web", rules=[IngressRule("shop.example.com", paths={"/": web.port("http")})],
            tls=[IngressTLS(hosts=["*.example.com"], secret_name="tls")]),
    HTTPRoute("web", parents=[GatewayRef("edge")],
              rules=[RouteRule("/api", backends=[web.port("http")])]),
    ServiceMonitor("web", port=mon.port("metrics"), interval="1m30s"),
    PodMonitor("web", port=api.port("metrics")),
    NetworkPolicy("web", ports=[api.port("http"), api.port("dns")], from_pods={"role": "client"}),
    """)
    assert problems(write_app, source) == []


# Probes ------------------------------------------------------------------------------------------


def test_a_probe_of_another_containers_port_is_an_error(write_app: Writer) -> None:
    p = only(
        write_app,
        """
        side = Container("side", image="side:1", ports=[Port("admin", 7000)],
                         liveness=Probe.http(http, "/healthz"))  # <-
        app = App("web", labels={"app": "web"}, containers=[api, side])
    """,
    )
    assert (p.subject, p.field) == ('container "side" of App "web"', "liveness")
    assert (
        'port "http" (8080), which is not a port of this container (its ports: "admin")'
        in p.message
    )


def test_a_probe_of_a_udp_port_is_an_error(write_app: Writer) -> None:
    p = only(
        write_app,
        """
        c = Container("c", image="c:1", ports=[dns], readiness=Probe.tcp(dns))  # <-
        app = App("web", labels={"app": "web"}, containers=[c])
    """,
    )
    assert p.field == "readiness" and "probes connect over TCP" in p.message


def test_a_probe_path_must_be_absolute_and_timings_not_negative(write_app: Writer) -> None:
    found = problems(
        write_app,
        """
        c = Container("c", image="c:1", ports=[http],
                      startup=Probe.http(http, "healthz", period_seconds=-1))
        app = App("web", labels={"app": "web"}, containers=[c])
    """,
    )
    assert [(p.field, p.severity) for p in found] == [
        ("startup.path", "warning"),  # the kubelet adds the "/"
        ("startup.period_seconds", "error"),
    ]
    assert "must be greater than or equal to 0" in found[1].message


def test_a_probe_that_will_not_be_written_is_a_warning(write_app: Writer) -> None:
    p = only(
        write_app,
        """
        c = Container("c", image="c:1", ports=[http], liveness=Probe.http(http))  # <-
        app = App("web", labels={"app": "web"}, containers=[c])
    """,
        severity="warning",
        with_workloads=False,
    )
    assert "not written" in p.message and "--with-workloads" in p.hint


# Ingress -----------------------------------------------------------------------------------------


def test_an_ingress_needs_rules_or_a_default_backend(write_app: Writer) -> None:
    p = only(
        write_app,
        app("""
    Ingress("web"),  # <-
    """),
    )
    assert (
        p.field == "rules" and "either `defaultBackend` or `rules` must be specified" in p.message
    )


def test_an_ingress_backend_must_be_rendered_and_in_its_namespace(write_app: Writer) -> None:
    found = problems(
        write_app,
        """
        other = Service("elsewhere", ports=[api.port("http").expose()])
        db = App("db", namespace="data", labels={"app": "db"}, containers=[api], services=[mon])
        app = App("web", labels={"app": "web"}, containers=[api], services=[web], consumers=[
            Ingress("web", default_backend=other.port("http")),
            Ingress("web2", default_backend=mon.port("metrics")),
        ])
    """,
    )
    errors = [p.message for p in found if p.severity == "error"]
    assert any('Service "elsewhere" is not rendered' in m for m in errors), errors
    assert any(
        'Service "data/web-metrics" is in another namespace than the Ingress' in m for m in errors
    ), errors


def test_an_ingress_to_a_udp_port_is_an_error(write_app: Writer) -> None:
    p = only(
        write_app,
        app("""
    Ingress("web", default_backend=web.port("dns")),  # <-
    """),
    )
    assert 'port "dns" of Service "web" is UDP' in p.message


@pytest.mark.parametrize(
    ("path", "detail"),
    [
        ("api", "must be an absolute path"),
        ("/a//b", "must not contain '//'"),
        ("/a/../b", "must not contain '/../'"),
        ("/a%2Fb", "must not contain '%2F'"),
        ("/a/.", "cannot end with '/.'"),
        ("/a/..", "cannot end with '/..'"),
    ],
)
def test_ingress_paths_follow_validate_ingress_path(path: str, detail: str) -> None:
    assert detail in http_path(path)


def test_ingress_path_rules_apply_per_path_type(write_app: Writer) -> None:
    p = only(
        write_app,
        app("""
    Ingress("web", rules=[
        IngressRule(paths={"/ok": web.port("http"), "": web.port("http")},
                    path_type="ImplementationSpecific"),
        IngressRule(paths={"bad": web.port("http")}, path_type="Exact"),  # <-
    ]),
    """),
    )
    assert p.message == 'Invalid value: "bad": must be an absolute path'


@pytest.mark.parametrize(
    ("host", "ok"),
    [
        ("shop.example.com", True),
        ("*.example.com", True),
        ("10.0.0.1", False),
        ("Shop.example.com", False),
        ("a.*.example.com", False),
        ("*", False),
    ],
)
def test_hosts_are_dns_names_with_an_optional_leading_wildcard(host: str, ok: bool) -> None:
    assert (host_name(host) == []) is ok


def test_an_ingress_host_that_is_an_ip_is_refused(write_app: Writer) -> None:
    p = only(
        write_app,
        app("""
    Ingress("web", rules=[IngressRule("10.1.2.3", paths={"/": web.port("http")})]),  # <-
    """),
    )
    assert p.message == 'Invalid value: "10.1.2.3": must be a DNS name, not an IP address'


# HTTPRoute ---------------------------------------------------------------------------------------


def test_a_route_to_a_udp_port_is_an_error_and_without_parents_a_warning(write_app: Writer) -> None:
    found = problems(
        write_app,
        app("""
    HTTPRoute("web", rules=[RouteRule("/", backends=[web.port("dns")])]),
    """),
    )
    assert [(p.severity, p.field) for p in found] == [
        ("warning", "parents"),
        ("error", 'rules["/"].backends'),
    ]
    assert "an HTTPRoute carries HTTP over TCP" in found[1].message


def test_a_route_path_follows_the_gateway_api_crd(write_app: Writer) -> None:
    assert "must not contain '#'" in http_path("/a#b", route=True)
    assert http_path("/a b", route=True) == [
        "must contain only the characters of an RFC 3986 path (or %XX escapes)"
    ]
    assert http_path("/a#b") == []  # an Ingress path may hold '#'
    p = only(
        write_app,
        app("""
    HTTPRoute("web", parents=[GatewayRef("gw")],
              rules=[RouteRule("api", backends=[web.port("http")])]),  # <-
    """),
    )
    assert p.field == "rules.path_prefix"


def test_a_route_to_another_namespace_warns_about_reference_grants(write_app: Writer) -> None:
    found = problems(
        write_app,
        """
        db = App("db", namespace="data", labels={"app": "db"}, containers=[api], services=[web])
        app = App("front", namespace="shop", labels={"app": "front"}, containers=[api], consumers=[
            HTTPRoute("r", parents=[GatewayRef("gw")],
                      rules=[RouteRule("/", backends=[web.port("http")])])])
    """,
    )
    assert [p.severity for p in found] == ["warning"]
    assert "ReferenceGrant" in found[0].message


# Monitors ----------------------------------------------------------------------------------------


def test_a_service_monitor_needs_service_labels_and_a_port_name(write_app: Writer) -> None:
    found = problems(
        write_app,
        """
        bare = Service("bare", ports=[api.port("metrics").expose(name="")])
        app = App("web", labels={"app": "web"}, containers=[api], services=[bare], consumers=[
            ServiceMonitor("m", port=bare.port(""))])
    """,
    )
    messages = [p.message for p in found if p.severity == "error"]
    assert any(
        "has no name: a ServiceMonitor scrapes a Service port by name" in m for m in messages
    ), messages
    assert any(
        "has no labels: a ServiceMonitor selects Services by their labels" in m for m in messages
    ), messages


def test_a_service_monitor_whose_selector_catches_other_services_warns(write_app: Writer) -> None:
    p = only(
        write_app,
        app("""
    ServiceMonitor("m", port=web.port("http")),  # <-
    """),
        severity="warning",
    )
    assert 'also selects Service "web-metrics", which has no port "http"' in p.message


def test_monitor_paths_and_intervals(write_app: Writer) -> None:
    assert monitor_interval("30s") == monitor_interval("1h30m") == monitor_interval("0") == []
    assert monitor_interval("30 s") and monitor_interval("1m1h") and monitor_interval("")
    found = problems(
        write_app,
        app("""
    PodMonitor("p", port=api.port("metrics"), path="metrics", interval="5 minutes"),
    """),
    )
    assert [p.field for p in found] == ["path", "interval"]


def test_a_pod_monitor_of_a_container_no_rendered_app_runs(write_app: Writer) -> None:
    p = only(
        write_app,
        """
        lone = Container("lone", ports=[Port("metrics", 9100)])
        app = App("web", labels={"app": "web"}, containers=[api], consumers=[
            PodMonitor("p", port=lone.port("metrics"))])  # <-
    """,
    )
    assert 'container "lone" is not rendered' in p.message


# NetworkPolicy -----------------------------------------------------------------------------------


def test_a_network_policy_admits_only_its_own_apps_ports(write_app: Writer) -> None:
    p = only(
        write_app,
        """
        other = Container("other", ports=[Port("admin", 7000)])
        app = App("web", labels={"app": "web"}, containers=[api], consumers=[
            NetworkPolicy("np", ports=[other.port("admin")])])  # <-
    """,
    )
    assert p.field == "ports[0]" and 'is not a port of App "web"' in p.message


def test_a_network_policy_needs_ports_app_labels_and_valid_peer_labels(write_app: Writer) -> None:
    found = problems(
        write_app,
        """
        app = App("web", containers=[api],
                  consumers=[NetworkPolicy("np", from_pods={"role": "a b"})])
    """,
    )
    assert {p.field for p in found} >= {"ports", "from_pods[role]"}
    assert any("empty selector would select every pod" in p.message for p in found)


def test_consumer_names_are_dns_subdomains_and_unique_per_kind(write_app: Writer) -> None:
    found = problems(
        write_app,
        app("""
    NetworkPolicy("Web", ports=[api.port("http")]),
    NetworkPolicy("np", ports=[api.port("http")]),
    NetworkPolicy("np", ports=[api.port("http")]),
    PodMonitor("np", port=api.port("metrics")),
    """),
    )
    assert [(p.subject, p.field) for p in found] == [
        ('NetworkPolicy "Web" of App "web"', "name"),
        ('NetworkPolicy "np" of App "web"', "name"),
    ]
    assert "Duplicate value" in found[1].message


def test_a_probe_of_an_equal_port_declared_inline_is_the_containers_port(write_app: Writer) -> None:
    assert (
        problems(
            write_app,
            """
        c = Container("c", image="c:1", ports=[Port("http", 8080)],
                      liveness=Probe.http(Port("http", 8080)))
        app = App("web", labels={"app": "web"}, containers=[c])
    """,
        )
        == []
    )


def test_consumer_labels_and_annotation_keys_follow_the_metadata_rules(write_app: Writer) -> None:
    found = problems(
        write_app,
        app("""
    NetworkPolicy("np", ports=[api.port("http")], labels={"team": "a b"},
                  annotations={"bad key!": "x"}),
    """),
    )
    assert [p.field for p in found] == ["labels[team]", "annotations"]


def test_policy_rules_are_checked_like_the_short_form(write_app: Writer) -> None:
    found = problems(
        write_app,
        app("""
    NetworkPolicy("both", ports=[api.port("http")], rules=[PolicyRule(ports=[api.port("http")])]),
    NetworkPolicy("empty-rule", rules=[PolicyRule(peers=[Peer(pods={"a": "b"})])]),
    NetworkPolicy("empty-peer", rules=[PolicyRule(ports=[api.port("http")], peers=[Peer()])]),
    NetworkPolicy("bad-labels", rules=[PolicyRule(ports=[api.port("http")],
                                                  peers=[Peer(namespaces={"a": "b c"})])]),
    """),
    )
    assert [(p.subject.split('"')[1], p.field) for p in found] == [
        ("both", "rules"),
        ("empty-rule", "rules[0].ports"),
        ("empty-peer", "peers"),
        ("bad-labels", "peers.namespaces[a]"),
    ]


def test_a_policy_port_of_a_look_alike_container_of_another_app_is_refused(
    write_app: Writer,
) -> None:
    p = only(
        write_app,
        """
        a = Container("app", image="a:1", ports=[Port("http", 8080)])
        b = Container("app", image="b:1", ports=[Port("http", 8080)])
        other = App("b", labels={"app": "b"}, containers=[b])
        app = App("a", labels={"app": "a"}, containers=[a], consumers=[
            NetworkPolicy("np", ports=[b.port("http")])])  # <-
    """,
    )
    assert 'is not a port of App "a"' in p.message


def test_tls_hosts_follow_validate_ingress_tls_and_rule_hosts_add_the_ip_check() -> None:
    assert tls_host("10.0.0.1") == []  # validateIngressTLS has no IP check
    assert host_name("10.0.0.1")[0] == "must be a DNS name, not an IP address"
    long_wildcard = "*." + "a" * 63 + "." + "b" * 63 + "." + "c" * 63 + "." + "d" * 60
    assert len(long_wildcard) == 254 and "must be no more than 253 characters" in tls_host(
        long_wildcard
    )
    assert "a wildcard DNS-1123 subdomain must start with '*.'" in host_name("a.*.example.com")[0]


def test_a_reference_from_a_namespaced_app_to_one_without_a_namespace_warns(
    write_app: Writer,
) -> None:
    p = only(
        write_app,
        """
        db = App("db", labels={"app": "db"}, containers=[api], services=[mon])
        app = App("front", namespace="shop", labels={"app": "front"}, containers=[api], consumers=[
            ServiceMonitor("m", port=mon.port("metrics"))])  # <-
    """,
        severity="warning",
    )
    assert 'App "db" has no namespace while App "front" is in "shop"' in p.message


def test_an_exec_probe_names_no_port_and_needs_a_command() -> None:
    good = Container("db", image="pg", liveness=Probe.exec(["pg_isready"]))
    assert (
        validate([App("db", labels={"app": "db"}, containers=[good], workload="Deployment")]) == []
    )
    bad = Container("db", image="pg", liveness=Probe.exec([], period_seconds=-1))
    problems = validate([App("db", labels={"app": "db"}, containers=[bad], workload="Deployment")])
    assert [(p.field, p.message) for p in problems] == [
        ("liveness.command", "Required value: an exec probe runs a command"),
        ("liveness.period_seconds", "Invalid value: -1: must be greater than or equal to 0"),
    ]


# Ports without a name ----------------------------------------------------------------------------

UNNAMED = """
        plain = Port(number=8080)
        side = Container("side", image="side:1", ports=[plain, Port(number=9102)],
                         liveness=Probe.http(plain, "/healthz"),
                         readiness=Probe.tcp(plain, port_by="number"))
        svc = Service("side", ports=[side.port(8080).expose(80)])
        met = Service("side-metrics", labels={"app": "side"},
                      ports=[side.port(9102).expose(name="metrics")])
"""


def test_every_consumer_of_an_unnamed_port_is_declared_by_its_number(write_app: Writer) -> None:
    found = problems(
        write_app,
        UNNAMED
        + """
        app = App("side", labels={"app": "side"}, containers=[side],
                  services=[svc, met], consumers=[
            Ingress("side", rules=[IngressRule("side.example.com", paths={"/": svc.port(80)})]),
            HTTPRoute("side", parents=[GatewayRef("edge")],
                      rules=[RouteRule("/", backends=[svc.port(80)])]),
            ServiceMonitor("side", port=met.port("metrics")),
            PodMonitor("side", port=side.port(9102)),
            NetworkPolicy("side", ports=[side.port(8080)], from_pods={"role": "client"}),
        ])
    """,
    )
    assert found == []


def test_a_probe_by_name_of_an_unnamed_port_is_an_error_with_the_fix(write_app: Writer) -> None:
    p = only(
        write_app,
        UNNAMED
        + """
        c = Container("c", image="c:1", ports=[plain],
                      startup=Probe.http(plain, port_by="name"))  # <-
        app = App("c", labels={"app": "c"}, containers=[c])
    """,
    )
    assert (p.subject, p.field, p.message, p.hint) == (
        'container "c" of App "c"',
        "startup.port_by",
        'port_by="name", but port 8080 has no name',
        'drop port_by (a port without a name is probed by number), or name the port: Port("NAME", '
        "8080)",
    )


def test_a_service_monitor_of_a_port_that_exposes_an_unnamed_one_needs_a_name(
    write_app: Writer,
) -> None:
    p = only(
        write_app,
        UNNAMED
        + """
        bare = Service("bare", labels={"app": "bare"}, ports=[side.port(8080).expose(80)])
        app = App("side", labels={"app": "side"}, containers=[side], services=[bare], consumers=[
            ServiceMonitor("m", port=bare.port(80))])  # <-
    """,
    )
    assert (p.field, p.message, p.hint) == (
        "port",
        'port 80 of Service "bare" has no name: a ServiceMonitor scrapes a Service port by name',
        'name the Service port: expose(name="metrics"), or name the container port it exposes',
    )


def test_a_probe_of_an_unnamed_port_of_another_container_names_it_by_number(
    write_app: Writer,
) -> None:
    p = only(
        write_app,
        UNNAMED
        + """
        c = Container("c", image="c:1", ports=[Port("http", 7000)], liveness=Probe.tcp(plain))  # <-
        app = App("c", labels={"app": "c"}, containers=[c])
    """,
    )
    assert (
        p.message
        == 'tcp probe of port 8080, which is not a port of this container (its ports: "http")'
    )
