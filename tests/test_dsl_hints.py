"""Each way of breaking a rule gets its own fix, in the DSL's words."""

from __future__ import annotations

import pytest

from svcgen import App, Container, Port, Service, validate
from svcgen.dsl.hints import container_port_hint, service_hint
from svcgen.kube.apiserver import FieldError
from svcgen.kube.portrange import NodePortRange


def _hint(service: Service, container: Container | None = None) -> str:
    c = container or Container("api", ports=[Port("http", 8080)])
    problems = [
        p
        for p in validate([App("a", labels={"app": "a"}, containers=[c], services=[service])])
        if p.severity == "error"
    ]
    assert problems
    return problems[0].hint


api = Container("api", ports=[Port("http", 8080), Port("admin", 9000)])


def test_a_health_check_port_out_of_range_is_fixed_by_a_port_in_range() -> None:
    lb = Service(
        "lb",
        type="LoadBalancer",
        external_traffic_policy="Local",
        health_check_node_port=40000,
        ports=[api.port("http").expose()],
    )
    assert (
        _hint(lb, api)
        == "pin a port in 30000-32767, or leave health_check_node_port unset (AUTO) to have one "
        "allocated"
    )


def test_load_balancer_values_get_value_fixes_not_the_type_fix() -> None:
    bad_class = Service(
        "lb", type="LoadBalancer", load_balancer_class="a/b/c", ports=[api.port("http").expose()]
    )
    assert _hint(bad_class, api).startswith("a load balancer class is NAME or PREFIX/NAME")
    bad_range = Service(
        "lb",
        type="LoadBalancer",
        load_balancer_source_ranges=["10.0.0.1"],
        ports=[api.port("http").expose()],
    )
    assert _hint(bad_range, api).startswith("give CIDRs such as 10.0.0.0/8")
    on_cluster_ip = Service(
        "lb", load_balancer_class="example.com/lb", ports=[api.port("http").expose()]
    )
    assert (
        _hint(on_cluster_ip, api) == 'use type="LoadBalancer", or drop the LoadBalancer-only option'
    )


def test_a_bad_port_name_on_a_one_port_service_is_about_its_syntax() -> None:
    one = Service("web", ports=[api.port("http").expose(name="HTTP")])
    assert _hint(one, api).startswith("Service port names are at most 63")


@pytest.mark.parametrize(
    ("error", "hint"),
    [
        (
            FieldError(("spec",), 'Duplicate value: "http"', "container-port-name"),
            "port names are unique within",
        ),
        (
            FieldError(("spec",), 'Invalid value: "HTTP": x', "container-port-name"),
            "container port names are IANA",
        ),
        (
            FieldError(
                ("spec",),
                "Invalid value: 70000: must be between 1 and 65535, inclusive",
                "container-port",
            ),
            "use the number the process listens on, 1-65535",
        ),
        (
            FieldError(("spec",), "duplicate port definition with x", "container-port", "warning"),
            "the containers of a pod share one network namespace",
        ),
    ],
)
def test_container_port_hints_follow_the_kind_of_error(error: FieldError, hint: str) -> None:
    assert container_port_hint(error).startswith(hint)


def test_node_port_range_hint_names_the_range() -> None:
    error = FieldError(("spec", "ports", 0, "nodePort"), "Invalid value: 1: x", "node-port-range")
    assert service_hint(error, NodePortRange(20000, 20999)).startswith("pin a port in 20000-20999")


def test_the_topology_annotations_get_the_manifests_fixes() -> None:
    # Declared with annotations=, they are annotations in the DSL too: the fixes lint gives.
    web = Service(
        "web",
        annotations={
            "service.kubernetes.io/topology-aware-hints": "Auto",
            "service.kubernetes.io/topology-mode": "Disabled",
        },
        ports=[api.port("http").expose()],
    )
    problems = validate([App("a", labels={"app": "a"}, containers=[api], services=[web])])
    assert [p.hint for p in problems] == [
        "give both topology annotations the same value, or keep only topology-mode",
        "use the annotation Kubernetes names instead",
    ]
