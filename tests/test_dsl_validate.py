"""Each Kubernetes rule the DSL can break: the problem, its field path, its message and its line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import marked_lines

from svcgen import App, Container, NodePortRange, Port, Problem, Service, validate
from svcgen.dsl.loader import load_apps
from svcgen.kube.releases import KubeVersion

Writer = Callable[..., Path]


def problems(
    write_app: Writer, source: str, node_port_range: NodePortRange | None = None
) -> list[Problem]:
    path = write_app(source)
    apps = load_apps([str(path)])
    return validate(apps, node_port_range or NodePortRange())


def only(write_app: Writer, source: str, **kw: NodePortRange) -> Problem:
    """The single error of ``source``; it must sit on the line marked ``# <-``."""
    found = [p for p in problems(write_app, source, **kw) if p.severity == "error"]
    assert len(found) == 1, "\n".join(map(str, found))
    (line,) = marked_lines(source)
    assert found[0].location is not None
    assert (found[0].location.file, found[0].location.line) == ("app.py", line)
    return found[0]


VALID = """
api = Container("api", ports=[Port("http", 8080), Port("dns", 53, protocol="UDP")])
app = App("web", labels={"app": "web"}, containers=[api], services=[
    Service("web", type="NodePort", ports=[api.port("http").expose(80, node_port=30080)]),
    Service("dns", ports=[api.port("dns").expose()]),
])
"""


def test_valid_declarations_have_no_problems(write_app: Writer) -> None:
    assert problems(write_app, VALID) == []


def test_service_name_is_a_dns_label_and_before_1_36_a_dns1035_label(write_app: Writer) -> None:
    p = only(
        write_app,
        """
        api = Container("api", ports=[Port("http", 8080)])
        app = App("web", labels={"app": "web"}, containers=[api], services=[
            Service("Web", ports=[api.port("http").expose()]),  # <-
        ])
    """,
    )
    assert p.field == "metadata.name"
    assert 'Invalid value: "Web": a DNS-1035 label' in p.message  # portable: 1.35's rule
    assert p.subject == 'Service "Web"'
    api = Container("api", ports=[Port("http", 8080)])
    app = App(
        "web",
        labels={"app": "web"},
        containers=[api],
        services=[Service("1web", ports=[api.port("http").expose()])],
    )
    assert validate([app], kubernetes_version=KubeVersion.parse("1.36")) == []
    for refused in (
        validate([app], kubernetes_version=KubeVersion.parse("1.35")),
        validate([app]),
    ):  # portable
        (old,) = refused
        assert 'Invalid value: "1web": a DNS-1035 label' in old.message
        assert "a digit first needs kubernetes-version 1.36 or later" in old.hint


def test_namespace_is_a_dns1123_label(write_app: Writer) -> None:
    p = only(
        write_app,
        """
        api = Container("api", ports=[Port("http", 8080)])
        app = App("web", namespace="Shop", labels={"app": "web"}, containers=[api],  # <-
                  services=[Service("web", ports=[api.port("http").expose()])])
    """,
    )
    assert p.field == "metadata.namespace" and "RFC 1123 label" in p.message


@pytest.mark.parametrize(
    ("labels", "field", "text"),
    [
        ('{"app": "my app"}', "labels[app]", "a valid label must be an empty string"),
        ('{"my app": "x"}', "labels", "name part must consist of alphanumeric"),
        ('{"Example.com/app": "x"}', "labels", "prefix part a lowercase RFC 1123 subdomain"),
        ('{"a/b/c": "x"}', "labels", "a valid label key must consist"),
    ],
)
def test_label_keys_and_values(write_app: Writer, labels: str, field: str, text: str) -> None:
    p = only(
        write_app,
        f"""
        api = Container("api", ports=[Port("http", 8080)])
        app = App("web", labels={labels}, containers=[api],  # <-
                  services=[Service("web", ports=[api.port("http").expose()])])
    """,
    )
    assert p.field == field and text in p.message


def test_service_labels_and_annotations(write_app: Writer) -> None:
    found = problems(
        write_app,
        """
        api = Container("api", ports=[Port("http", 8080)])
        app = App("web", labels={"app": "web"}, containers=[api], services=[
            Service("web", labels={"tier": "-x"},
                    annotations={"a b": "1", "Example.com/OK": "fine"},
                    ports=[api.port("http").expose()]),
        ])
    """,
    )
    assert [(p.field, p.severity) for p in found] == [
        ("metadata.labels", "error"),
        ("metadata.annotations", "error"),
    ]


def test_pods_need_labels_for_a_selector(write_app: Writer) -> None:
    p = only(
        write_app,
        """
        api = Container("api", ports=[Port("http", 8080)])
        app = App("web", containers=[api], services=[  # <-
            Service("web", ports=[api.port("http").expose()])])
    """,
    )
    assert p.field == "labels" and "select no pods" in p.message


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("Http", "must contain only alpha-numeric characters"),
        ("metrics-exporter1", "must be no more than 15 characters"),
        ("8080", "must contain at least one letter (a-z)"),
        ("a--b", "must not contain consecutive hyphens"),
        ("-http", "must not begin or end with a hyphen"),
    ],
)
def test_container_port_names_are_iana_service_names(
    write_app: Writer, name: str, text: str
) -> None:
    p = only(
        write_app,
        f"""
        api = Container("api", ports=[Port("{name}", 8080)])  # <-
        app = App("web", labels={{"app": "web"}}, containers=[api],
                  services=[Service("web", ports=[api.port("{name}").expose(name="http")])])
    """,
    )
    assert p.field == "name" and text in p.message
    assert p.subject == f'container "api" of App "web", port "{name}"'


def test_container_port_names_are_unique_per_container(write_app: Writer) -> None:
    p = only(
        write_app,
        """
        api = Container("api", ports=[Port("http", 8080),
                                      Port("http", 8081)])  # <-
        app = App("web", labels={"app": "web"}, containers=[api],
                  services=[Service("web", ports=[api.port("http").expose()])])
    """,
    )
    assert 'Duplicate value: "http"' in p.message


@pytest.mark.parametrize("number", [0, 65536, -1])
def test_container_port_numbers(write_app: Writer, number: int) -> None:
    p = only(
        write_app,
        f"""
        api = Container("api", ports=[Port("http", {number})])  # <-
        app = App("web", labels={{"app": "web"}}, containers=[api],
                  services=[Service("web", ports=[api.port("http").expose(80)])])
    """,
    )
    expected = "Required value" if number == 0 else "must be between 1 and 65535, inclusive"
    assert p.field == "number" and expected in p.message


def test_container_names(write_app: Writer) -> None:
    found = problems(
        write_app,
        """
        a = Container("api_1", ports=[Port("http", 8080)])
        b = Container("side", ports=[Port("admin", 9000)])
        c = Container("side", ports=[Port("debug", 9001)])
        app = App("web", labels={"app": "web"}, containers=[a, b, c],
                  services=[Service("web", ports=[a.port("http").expose()])])
    """,
    )
    assert [(p.subject.split(" of")[0], p.message.split(":")[0]) for p in found] == [
        ('container "api_1"', "Invalid value"),
        ('container "side"', "Duplicate value"),
    ]


def test_same_port_in_two_containers_is_a_warning(write_app: Writer) -> None:
    found = problems(
        write_app,
        """
        a = Container("api", ports=[Port("http", 8080)])
        b = Container("side", ports=[Port("admin", 8080)])
        app = App("web", labels={"app": "web"}, containers=[a, b],
                  services=[Service("web", ports=[a.port("http").expose()])])
    """,
    )
    assert [p.severity for p in found] == ["warning"]
    assert (
        found[0].message
        == "duplicate port definition with spec.template.spec.containers[0].ports[0]"
    )


def test_service_port_names_are_dns1123_labels_and_unique(write_app: Writer) -> None:
    found = problems(
        write_app,
        """
        api = Container("api", ports=[Port("http", 8080), Port("admin", 9000), Port("debug", 9001)])
        app = App("web", labels={"app": "web"}, containers=[api], services=[
            Service("web", ports=[
                api.port("http").expose(name="web.http"),
                api.port("admin").expose(name="x"),
                api.port("debug").expose(name="x"),
            ]),
        ])
    """,
    )
    assert [(p.field, p.message) for p in found] == [
        ("spec.ports[0].name", 'Invalid value: "web.http": must not contain dots'),
        ("spec.ports[2].name", 'Duplicate value: "x"'),
    ]


def test_a_service_port_name_may_be_numeric_or_long(write_app: Writer) -> None:
    # Service port names are DNS-1123 labels, not IANA service names.
    assert (
        problems(
            write_app,
            """
        api = Container("api", ports=[Port("http", 8080), Port("admin", 9000)])
        app = App("web", labels={"app": "web"}, containers=[api], services=[
            Service("web", ports=[api.port("http").expose(name="80"),
                                  api.port("admin").expose(name="a--very-long-admin-port-name")]),
        ])
    """,
        )
        == []
    )


def test_name_required_with_several_ports(write_app: Writer) -> None:
    p = only(
        write_app,
        """
        api = Container("api", ports=[Port("http", 8080), Port("admin", 9000)])
        app = App("web", labels={"app": "web"}, containers=[api], services=[
            Service("web", ports=[api.port("http").expose(),
                                  api.port("admin").expose(name="")]),  # <-
        ])
    """,
    )
    assert p.field == "spec.ports[1].name" and p.message.startswith("Required value")


def test_single_port_may_be_unnamed(write_app: Writer) -> None:
    assert (
        problems(
            write_app,
            """
        api = Container("api", ports=[Port("http", 8080)])
        app = App("web", labels={"app": "web"}, containers=[api],
                  services=[Service("web", ports=[api.port("http").expose(name="")])])
    """,
        )
        == []
    )


@pytest.mark.parametrize("number", [0, 65536])
def test_service_port_range(write_app: Writer, number: int) -> None:
    p = only(
        write_app,
        f"""
        api = Container("api", ports=[Port("http", 8080)])
        app = App("web", labels={{"app": "web"}}, containers=[api], services=[
            Service("web", ports=[api.port("http").expose({number})]),  # <-
        ])
    """,
    )
    assert p.field == "spec.ports[0].port" and "must be between 1 and 65535" in p.message


def test_port_and_protocol_are_unique(write_app: Writer) -> None:
    p = only(
        write_app,
        """
        api = Container("api", ports=[Port("http", 8080), Port("alt", 8081),
                                      Port("udp", 8082, "UDP")])
        app = App("web", labels={"app": "web"}, containers=[api], services=[
            Service("web", ports=[api.port("http").expose(80),
                                  api.port("udp").expose(80),
                                  api.port("alt").expose(80)]),  # <-
        ])
    """,
    )
    assert (
        p.field == "spec.ports[2]"
        and p.message == 'Duplicate value: {"port": 80, "protocol": "TCP"}'
    )


@pytest.mark.parametrize(
    ("value", "ok"),
    [("HTTP", True), ("kubernetes.io/h2c", True), ("~https", False), ("x/a{b}", False)],
)
def test_app_protocol(write_app: Writer, value: str, ok: bool) -> None:
    found = problems(
        write_app,
        f"""
        api = Container("api", ports=[Port("http", 8080)])
        app = App("web", labels={{"app": "web"}}, containers=[api], services=[
            Service("web", ports=[api.port("http").expose(app_protocol="{value}")])])
    """,
    )
    assert (found == []) is ok
    assert all(p.field == "spec.ports[0].appProtocol" for p in found)


def test_ports_required_except_headless_and_external_name(write_app: Writer) -> None:
    p = only(
        write_app,
        """
        api = Container("api", ports=[Port("http", 8080)])
        app = App("web", labels={"app": "web"}, containers=[api], services=[
            Service("web"),  # <-
            Service("web-headless", headless=True),
            Service("alias", type="ExternalName", external_name="example.com."),
        ])
    """,
    )
    assert p.field == "spec.ports" and p.message.startswith("Required value")


def test_node_port_forbidden_on_cluster_ip(write_app: Writer) -> None:
    p = only(
        write_app,
        """
        api = Container("api", ports=[Port("http", 8080)])
        app = App("web", labels={"app": "web"}, containers=[api], services=[
            Service("web", ports=[api.port("http").expose(node_port=30080)]),  # <-
        ])
    """,
    )
    assert p.field == "spec.ports[0].nodePort"
    assert p.message == "Forbidden: may not be used when `type` is 'ClusterIP'"


@pytest.mark.parametrize("node_port", [29999, 32768, 1, 0])
def test_node_port_in_range(write_app: Writer, node_port: int) -> None:
    p = only(
        write_app,
        f"""
        api = Container("api", ports=[Port("http", 8080)])
        app = App("web", labels={{"app": "web"}}, containers=[api], services=[
            Service("web", type="NodePort",
                    ports=[api.port("http").expose(node_port={node_port})]),  # <-
        ])
    """,
    )
    assert p.message == (
        f"Invalid value: {node_port}: provided port is not in the valid range. "
        "The range of valid ports is 30000-32767"
    )


def test_node_port_range_is_configurable(write_app: Writer) -> None:
    source = """
        api = Container("api", ports=[Port("http", 8080)])
        app = App("web", labels={"app": "web"}, containers=[api], services=[
            Service("web", type="NodePort", ports=[api.port("http").expose(node_port=20000)]),  # <-
        ])
    """
    assert problems(write_app, source, NodePortRange(20000, 22767)) == []
    assert "30000-32767" in only(write_app, source).message


def test_node_port_unique_per_protocol_in_a_service(write_app: Writer) -> None:
    p = only(
        write_app,
        """
        api = Container("api", ports=[Port("http", 8080), Port("admin", 9000)])
        app = App("web", labels={"app": "web"}, containers=[api], services=[
            Service("web", type="NodePort", ports=[
                api.port("http").expose(node_port=30080),
                api.port("admin").expose(node_port=30080),  # <-
            ]),
        ])
    """,
    )
    assert p.message == "Duplicate value: 30080"


def test_node_port_shared_by_same_port_siblings_only(write_app: Writer) -> None:
    source_ok = """
        dns = Container("dns", ports=[Port("dns", 53, "UDP"), Port("dns-tcp", 53)])
        app = App("dns", labels={"app": "dns"}, containers=[dns], services=[
            Service("dns", type="NodePort", ports=[dns.port("dns").expose(node_port=30053),
                                                    dns.port("dns-tcp").expose(node_port=30053)]),
        ])
    """
    assert problems(write_app, source_ok) == []
    p = only(
        write_app,
        """
        dns = Container("dns", ports=[Port("dns", 53, "UDP"), Port("http", 8080)])
        app = App("dns", labels={"app": "dns"}, containers=[dns], services=[
            Service("dns", type="NodePort",
                    ports=[dns.port("dns").expose(node_port=30053),
                           dns.port("http").expose(node_port=30053)]),  # <-
        ])
    """,
    )
    assert "provided port is already allocated" in p.message


def test_node_port_unique_across_services_names_both_owners(write_app: Writer) -> None:
    source = """
        api = Container("api", ports=[Port("http", 8080)])
        one = App("one", labels={"app": "one"}, containers=[api], services=[
            Service("one", type="NodePort", ports=[api.port("http").expose(node_port=30080)]),
        ])
        other = Container("other", ports=[Port("http", 8080)])
        two = App("two", namespace="b", labels={"app": "two"}, containers=[other], services=[
            Service("two", type="LoadBalancer",
                    ports=[other.port("http").expose(node_port=30080)]),  # <-
        ])
    """
    p = only(write_app, source)
    assert 'already allocated to Service "one" port "http" (declared at app.py:5)' in p.message


def test_headless_only_for_cluster_ip(write_app: Writer) -> None:
    found = problems(
        write_app,
        """
        api = Container("api", ports=[Port("http", 8080)])
        app = App("web", labels={"app": "web"}, containers=[api], services=[
            Service("a", type="NodePort", headless=True,
                    ports=[api.port("http").expose(node_port=None)]),
            Service("b", type="LoadBalancer", headless=True,
                    ports=[api.port("http").expose(node_port=None)]),
            Service("c", type="ExternalName", headless=True, external_name="x.example.com"),
        ])
    """,
    )
    assert [(p.field, p.message) for p in found] == [
        (
            "spec.clusterIPs[0]",
            "Invalid value: \"None\": may not be set to 'None' for NodePort services",
        ),
        (
            "spec.clusterIPs[0]",
            "Invalid value: \"None\": may not be set to 'None' for LoadBalancer services",
        ),
        ("spec.clusterIPs", "Forbidden: may not be set for ExternalName services"),
    ]


def test_external_name_rules(write_app: Writer) -> None:
    found = problems(
        write_app,
        """
        api = Container("api", ports=[Port("http", 8080)])
        app = App("web", labels={"app": "web"}, containers=[api], services=[
            Service("a", type="ExternalName"),
            Service("b", type="ExternalName", external_name="Bad_Name.example.com"),
            Service("c", external_name="x.example.com", ports=[api.port("http").expose()]),
            Service("d", type="ExternalName", external_name="ok.example.com.",
                    ports=[api.port("http").expose(node_port=30001)]),
        ])
    """,
    )
    assert [(p.subject, p.field, p.message.split(":")[0]) for p in found] == [
        ('Service "a"', "spec.externalName", "Required value"),
        ('Service "b"', "spec.externalName", "Invalid value"),
        ('Service "c"', "spec.externalName", "Forbidden"),
        ('Service "d" port "http"', "spec.ports[0].nodePort", "Forbidden"),
    ]


def test_type_specific_fields(write_app: Writer) -> None:
    found = problems(
        write_app,
        """
        api = Container("api", ports=[Port("http", 8080)])
        app = App("web", labels={"app": "web"}, containers=[api], services=[
            Service("a", allocate_load_balancer_node_ports=False,
                    ports=[api.port("http").expose()]),
            Service("b", external_traffic_policy="Local", ports=[api.port("http").expose()]),
            Service("c", load_balancer_class="example.com/lb", ports=[api.port("http").expose()]),
            Service("d", load_balancer_source_ranges=["10.0.0.0/8"],
                    ports=[api.port("http").expose()]),
            Service("e", type="LoadBalancer",
                    load_balancer_source_ranges=["10.0.0.1", "10.0.0.0/8"],
                    ports=[api.port("http").expose(node_port=None)]),
        ])
    """,
    )
    assert [(p.subject, p.field) for p in found] == [
        ('Service "a"', "spec.allocateLoadBalancerNodePorts"),
        ('Service "b"', "spec.externalTrafficPolicy"),
        ('Service "c"', "spec.loadBalancerClass"),
        ('Service "d"', "spec.LoadBalancerSourceRanges"),
        ('Service "e"', "spec.LoadBalancerSourceRanges[0]"),
    ]
    assert (
        found[1].message
        == 'Invalid value: "Local": may only be set for externally-accessible services'
    )


def test_session_affinity(write_app: Writer) -> None:
    found = problems(
        write_app,
        """
        api = Container("api", ports=[Port("http", 8080)])
        app = App("web", labels={"app": "web"}, containers=[api], services=[
            Service("a", session_affinity="ClientIP", session_affinity_timeout=86401,
                    ports=[api.port("http").expose()]),
            Service("b", session_affinity_timeout=60, ports=[api.port("http").expose()]),
            Service("c", session_affinity="ClientIP", session_affinity_timeout=86400,
                    ports=[api.port("http").expose()]),
        ])
    """,
    )
    assert [(p.subject, p.field) for p in found] == [
        ('Service "a"', "spec.sessionAffinityConfig.clientIP.timeoutSeconds"),
        ('Service "b"', "spec.sessionAffinityConfig"),
    ]
    assert "must be greater than 0 and less than 86400" in found[0].message


def test_duplicate_service_names_per_namespace(write_app: Writer) -> None:
    found = problems(
        write_app,
        """
        api = Container("api", ports=[Port("http", 8080)])
        a = App("a", labels={"app": "a"}, containers=[api], services=[
            Service("web", ports=[api.port("http").expose()])])
        b = App("b", labels={"app": "b"}, containers=[api], services=[
            Service("web", ports=[api.port("http").expose()])])
        c = App("c", namespace="other", labels={"app": "c"}, containers=[api], services=[
            Service("web", ports=[api.port("http").expose()])])
    """,
    )
    assert len(found) == 1 and found[0].field == "metadata.name"
    assert "declared at app.py:5" in found[0].message


def test_port_of_a_foreign_container(write_app: Writer) -> None:
    p = only(
        write_app,
        """
        api = Container("api", ports=[Port("http", 8080)])
        other = Container("other", ports=[Port("http", 8080)])
        app = App("web", labels={"app": "web"}, containers=[api], services=[
            Service("web", ports=[other.port("http").expose()]),  # <-
        ])
    """,
    )
    assert 'not a container of App "web"' in p.message


def test_named_target_port_must_resolve_to_the_intended_container(write_app: Writer) -> None:
    p = only(
        write_app,
        """
        a = Container("a", ports=[Port("http", 8080)])
        b = Container("b", ports=[Port("http", 9090)])
        app = App("web", labels={"app": "web"}, containers=[a, b], services=[
            Service("a", ports=[a.port("http").expose(target_by="name")]),
            Service("b", ports=[b.port("http").expose(target_by="name")]),  # <-
            Service("c", ports=[b.port("http").expose()]),
        ])
    """,
    )
    assert 'would resolve to container "a"' in p.message


def test_every_problem_is_reported_at_once(write_app: Writer) -> None:
    found = problems(
        write_app,
        """
        api = Container("api", ports=[Port("HTTP", 8080), Port("x", 0)])
        app = App("Web App", labels={"app": "web"}, containers=[api], services=[
            Service("Web", ports=[api.port("HTTP").expose(node_port=30000)]),
        ])
    """,
    )
    assert len(found) >= 5
    assert {p.location.line for p in found if p.location} == {3, 4, 5}


def test_workload_rules(write_app: Writer) -> None:
    found = problems(
        write_app,
        """
        api = Container("api", ports=[Port("http", 8080)])
        a = App("a", labels={"app": "a"}, pod_labels={"app": "b", "Bad Key": "x"},
                workload="Deployment", replicas=-1, containers=[api],
                services=[Service("a", ports=[api.port("http").expose()])])
        s = App("s", labels={"app": "s"}, workload="StatefulSet",
                containers=[Container("c", image="x")])
    """,
    )
    assert [(p.subject, p.field) for p in found] == [
        ('App "a"', "pod_labels"),
        ('App "a"', "pod_labels[app]"),
        ('container "api" of App "a"', "spec.template.spec.containers[0].image"),
        ('App "a"', "spec.replicas"),
        ('App "s"', "spec.serviceName"),
    ]


def test_with_workloads_checks_images_and_named_targets(write_app: Writer) -> None:
    path = write_app("""
        a = Container("a", ports=[Port("http", 8080)])
        b = Container("b", image="b", ports=[Port("http", 9090)])
        app = App("web", labels={"app": "web"}, containers=[a, b], services=[
            Service("web", ports=[b.port("http").expose()])])
    """)
    apps = load_apps([str(path)])
    assert validate(apps) == []
    found = validate(apps, with_workloads=True)
    assert [p.field for p in found] == [
        "spec.template.spec.containers[0].image",
        "spec.ports[0].targetPort",
    ]


def test_inherited_port_names_are_checked_once(write_app: Writer) -> None:
    found = problems(
        write_app,
        """
        a = Container("a", ports=[Port("http", 8080)])
        b = Container("b", ports=[Port("http", 9090), Port("Bad", 7070)])
        app = App("web", labels={"app": "web"}, containers=[a, b], services=[
            Service("web", ports=[a.port("http").expose(),
                                  b.port("http").expose(81, target_by="number"),
                                  b.port("Bad").expose(82)])])
    """,
    )
    assert [(p.subject.split(",")[0], p.field, p.message.split(":")[0]) for p in found] == [
        ('container "b" of App "web"', "name", "Invalid value"),  # the container port, once
        ('Service "web" port "http"', "spec.ports[1].name", "Duplicate value"),
    ]


def test_health_check_node_port_pins(write_app: Writer) -> None:
    found = problems(
        write_app,
        """
        c = Container("c", ports=[Port("https", 8443), Port("http", 8080)])
        app = App("web", labels={"app": "web"}, containers=[c], services=[
            Service("a", type="LoadBalancer", external_traffic_policy="Local",
                    health_check_node_port=30100,
                    ports=[c.port("https").expose(node_port=30100)]),
            Service("b", type="NodePort", health_check_node_port=30200,
                    ports=[c.port("http").expose()]),
        ])
    """,
    )
    assert [(p.subject, p.field, p.message.split(":")[0]) for p in found] == [
        ('Service "a" healthCheckNodePort', "spec.healthCheckNodePort", "Invalid value"),
        ('Service "b"', "spec.healthCheckNodePort", "Invalid value"),
    ]
    assert 'already allocated to Service "a" port "https"' in found[0].message
    assert "may only be set when `type` is 'LoadBalancer'" in found[1].message


def test_apps_of_one_container_shape_each_get_their_own_port_problems(write_app: Writer) -> None:
    """Container-port checks run once per shape of ports; every App still gets its problem at its
    line."""
    found = problems(
        write_app,
        """
        apps = []
        for name in ("one", "two"):
            api = Container("api", ports=[Port("http", 8080), Port("http", 8081)])  # <-
            apps.append(App(name, labels={"app": name}, containers=[api],
                            services=[Service(name, ports=[api.port("http").expose()])]))
        side = Container("api", ports=[Port("http", 8080), Port("admin", 8081)])
        three = App("three", labels={"app": "three"}, containers=[side],
                    services=[Service("three", ports=[side.port("http").expose()])])
    """,
    )
    (line,) = marked_lines("""
        apps = []
        for name in ("one", "two"):
            api = Container("api", ports=[Port("http", 8080), Port("http", 8081)])  # <-
    """)
    assert [(p.subject, p.field, p.location.line if p.location else None) for p in found] == [
        ('container "api" of App "one", port "http"', "name", line),
        ('container "api" of App "two", port "http"', "name", line),
    ]
    assert all('Duplicate value: "http"' in p.message for p in found)


UNNAMED = """
api = Container("api", image="api:1",
                ports=[Port(number=8080), Port(number=9090), Port("admin", 9000)])
"""


def test_unnamed_container_ports_are_valid_and_only_names_are_unique(write_app: Writer) -> None:
    found = problems(
        write_app,
        UNNAMED
        + """
app = App("web", labels={"app": "web"}, containers=[api], workload="Deployment", services=[
    Service("web", ports=[api.port(8080).expose(80)]),
    Service("all", ports=[api.port(8080).expose(80, name="http"),
                          api.port(9090).expose(name="metrics"),
                          api.port("admin").expose()]),
])
""",
    )
    assert found == []


def test_an_unnamed_port_repeated_in_a_pod_is_the_api_servers_warning(write_app: Writer) -> None:
    found = problems(
        write_app,
        """
api = Container("api", ports=[Port(number=8080), Port(number=8080)])
app = App("web", labels={"app": "web"}, containers=[api],
          services=[Service("web", ports=[api.port(8080).expose()])])
""",
    )
    assert [(p.severity, p.subject, p.field) for p in found] == [
        ("warning", 'container "api" of App "web", port 8080', "number")
    ]
    assert (
        "duplicate port definition with spec.template.spec.containers[0].ports[0]"
        in found[0].message
    )


def test_target_by_name_of_an_unnamed_port_is_an_error_with_the_fix(write_app: Writer) -> None:
    p = only(
        write_app,
        UNNAMED
        + """
app = App("web", labels={"app": "web"}, containers=[api], services=[
    Service("web", ports=[
        api.port(8080).expose(80, target_by="name")])])  # <-
""",
    )
    assert (p.subject, p.field, p.message, p.hint) == (
        'Service "web" port 80',
        "spec.ports[0].targetPort",
        'target_by="name", but container "api" port 8080 has no name',
        'give the port a name, Port("NAME", 8080), or drop target_by (it is then written by '
        "number)",
    )


def test_a_service_of_several_ports_needs_a_name_for_each_unnamed_one(write_app: Writer) -> None:
    p = only(
        write_app,
        UNNAMED
        + """
app = App("web", labels={"app": "web"}, containers=[api], services=[
    Service("web", ports=[api.port("admin").expose(),
                          api.port(8080).expose(80)])])  # <-
""",
    )
    assert (p.subject, p.field, p.message, p.hint) == (
        'Service "web" port 80',
        "spec.ports[1].name",
        "Required value",
        "every port of a Service with several ports needs its own name: expose(..., name=...)",
    )


def test_host_ports_follow_the_api_servers_rules_at_the_ports_line(write_app: Writer) -> None:
    found = problems(
        write_app,
        """
api = Container("api", ports=[Port("http", 8080, host_port=80), Port(number=9090, host_port=80),
                              Port("big", 9091, host_port=70000),
                              Port(number=9092, host_ip="10.0.0.1")])
app = App("web", labels={"app": "web"}, containers=[api],
          services=[Service("web", ports=[api.port("http").expose()])])
""",
    )
    assert [(p.severity, p.subject, p.field, p.message, p.hint) for p in found] == [
        (
            "error",
            'container "api" of App "web", port 9090',
            "host_port",
            'Duplicate value: "TCP//80"',
            "a host port is bound once per protocol and host IP in a pod: give each its own "
            "host_port",
        ),
        (
            "error",
            'container "api" of App "web", port "big"',
            "host_port",
            "Invalid value: 70000: must be between 1 and 65535, inclusive",
            "use a host port 1-65535, or leave host_port unset",
        ),
        (
            "warning",
            'container "api" of App "web", port 9092',
            "number",
            "hostIP set without hostPort",
            "give the port a host_port too, or drop host_ip",
        ),
    ]
    assert [p.location.line if p.location else None for p in found] == [
        3,
        4,
        5,
    ]  # each port's own line


def _with_host_port(
    name: str,
    init: bool,
    init_port_names: tuple[str, ...] = ("side",),
    init_host_port: int = 9000,
) -> App:
    from svcgen import Pod

    main = Container("main", image="x", ports=[Port("http", 8081, host_port=9000)])
    side = Container(
        "side",
        image="y",
        restart_policy="Always",
        ports=[
            Port(n, 8080 + i, host_port=init_host_port - i) for i, n in enumerate(init_port_names)
        ],
    )
    return App(
        name,
        labels={"app": name},
        containers=[main],
        pod=Pod(init_containers=[side]) if init else None,
        services=[Service(name, ports=[main.port("http").expose(80)])],
    )


def test_the_pod_port_checks_of_one_app_are_never_another_apps_whatever_the_order() -> None:
    """Init containers are part of a pod's port shape: an App with one and an App without are
    checked
    apart."""
    clash = (
        'container "main" of App "a", port "http"',
        "host_port",
        'Duplicate value: "TCP//9000"',
    )
    for apps in (
        [_with_host_port("a", True), _with_host_port("b", False)],
        [_with_host_port("b", False), _with_host_port("a", True)],
    ):
        found = validate(apps, with_workloads=True)
        assert [(p.subject, p.field, p.message) for p in found if p.severity == "error"] == [clash]


def test_an_init_containers_port_problem_is_said_on_the_init_container() -> None:
    found = validate([_with_host_port("a", True, ("m", "m"), 7000)], with_workloads=True)
    assert [(p.subject, p.field, p.message) for p in found if p.severity == "error"] == [
        ('container "side" of App "a", port "m"', "name", 'Duplicate value: "m"')
    ]
