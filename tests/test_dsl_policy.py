"""The decisions the DSL makes for the user, each in one place."""

from __future__ import annotations

import pytest

from svcgen import App, Container, Port, Service
from svcgen.dsl.policy import (
    emits_workload,
    health_check_key,
    needs_health_check,
    needs_node_ports,
    port_key,
    service_subject,
    stateful_service_name,
    target_port,
)
from svcgen.nodeports.lock import PortKey

api = Container("api", ports=[Port("http", 8080), Port("dns", 53, "UDP")])


@pytest.mark.parametrize(
    ("target_by", "named_targets", "expected"),
    [
        ("name", False, "http"),
        ("name", True, "http"),
        ("number", True, 8080),
        ("number", False, 8080),
        (None, True, "http"),  # the workload is emitted: the name is sure to exist
        (None, False, 8080),
    ],
)
def test_target_port_by_name_or_number(
    target_by: str | None, named_targets: bool, expected: str | int
) -> None:
    sp = api.port("http").expose(target_by=target_by)  # type: ignore[arg-type]
    assert target_port(sp, named_targets) == expected


def test_subjects_keys_and_workloads() -> None:
    sp = api.port("dns").expose(name="dns-udp")
    service = Service("dns", type="LoadBalancer", external_traffic_policy="Local", ports=[sp])
    app = App(
        "dns", namespace="kube-system", labels={"app": "dns"}, containers=[api], services=[service]
    )
    assert service_subject(app, service) == 'Service "kube-system/dns"'
    assert port_key(app, service, sp) == PortKey("kube-system", "dns", "dns-udp", "UDP")
    assert health_check_key(app, service) == PortKey("kube-system", "dns", "", "healthCheck")
    assert needs_health_check(service) and needs_node_ports(service)
    assert not emits_workload(app, False) and emits_workload(app, True)
    assert emits_workload(App("x", workload="Deployment"), False)


def test_which_services_need_node_ports() -> None:
    assert needs_node_ports(Service("a", type="NodePort"))
    assert not needs_node_ports(
        Service("a", type="LoadBalancer", allocate_load_balancer_node_ports=False)
    )
    assert not needs_node_ports(Service("a"))
    assert not needs_health_check(
        Service("a", type="LoadBalancer", external_traffic_policy="Cluster")
    )


def test_the_service_a_stateful_set_names() -> None:
    client = Service("db")
    headless = Service("db-peers", headless=True)
    assert stateful_service_name(App("db", services=[client, headless])) == "db-peers"
    assert stateful_service_name(App("db", services=[client])) == "db"
    assert stateful_service_name(App("db")) is None


def test_the_owner_of_a_service_or_container_is_the_app_that_declares_it() -> None:
    from svcgen.dsl.policy import Owners

    api = Container("api", ports=[Port("http", 8080)])
    web = Service("web", ports=[api.port("http").expose()])
    first = App("first", labels={"app": "a"}, containers=[api], services=[])
    second = App("second", labels={"app": "b"}, containers=[api], services=[web])
    owners = Owners([first, second])
    assert owners.service(web) is second
    assert owners.container(api) is first  # the first App that runs it
    assert Owners([first]).service(web) is None
    twin = Service("web", ports=[api.port("http").expose()])
    assert owners.service(twin) is None  # a look-alike declared elsewhere is not rendered
