"""Which Service ports need a nodePort, grouped as the API server groups them."""

from __future__ import annotations

from svcgen import App, Container, Port, Service
from svcgen.dsl.nodeport_requests import node_port_requests
from svcgen.nodeports.lock import PortKey

dns = Container("dns", ports=[Port("dns", 53, "UDP"), Port("dns-tcp", 53), Port("metrics", 9153)])


def _app(*services: Service) -> App:
    return App(
        "dns", namespace="ns", labels={"app": "dns"}, containers=[dns], services=list(services)
    )


def test_cluster_ip_and_external_name_need_none() -> None:
    app = _app(
        Service("a", ports=[dns.port("dns").expose()]),
        Service("b", type="ExternalName", external_name="x.example.com"),
    )
    assert node_port_requests([app]) == []


def test_same_number_ports_form_one_request() -> None:
    app = _app(
        Service(
            "a",
            type="NodePort",
            ports=[
                dns.port("dns").expose(),
                dns.port("dns-tcp").expose(),
                dns.port("metrics").expose(node_port=30153),
            ],
        )
    )
    first, second = node_port_requests([app])
    assert first.keys == (PortKey("ns", "a", "dns", "UDP"), PortKey("ns", "a", "dns-tcp", "TCP"))
    assert first.pinned is None and first.subject == 'Service "ns/a" port "dns"'
    assert second.keys == (PortKey("ns", "a", "metrics", "TCP"),) and second.pinned == 30153
    assert first.location is not None


def test_an_unpinned_sibling_shares_its_siblings_pin_and_unset_ones_are_left_to_the_cluster() -> (
    None
):
    app = _app(
        Service(
            "a",
            type="NodePort",
            ports=[
                dns.port("dns").expose(node_port=30053),
                dns.port("dns-tcp").expose(),
                dns.port("metrics").expose(node_port=None),
            ],
        )
    )
    (only,) = node_port_requests([app])
    assert only.pinned == 30053 and len(only.keys) == 2


def test_a_load_balancer_without_node_ports_asks_only_for_pins() -> None:
    app = _app(
        Service(
            "a",
            type="LoadBalancer",
            allocate_load_balancer_node_ports=False,
            ports=[dns.port("dns").expose(), dns.port("metrics").expose(node_port=30153)],
        )
    )
    assert [(r.keys[0].port, r.pinned) for r in node_port_requests([app])] == [("metrics", 30153)]


def test_a_local_load_balancer_asks_for_a_health_check_port() -> None:
    service = Service(
        "a",
        type="LoadBalancer",
        external_traffic_policy="Local",
        ports=[dns.port("metrics").expose()],
    )
    *_, health = node_port_requests([_app(service)])
    assert health.keys == (PortKey.health_check("ns", "a"),) and health.pinned is None
    assert health.subject == 'Service "ns/a" healthCheckNodePort'
    pinned = service.model_copy(update={"health_check_node_port": 30500})
    assert node_port_requests([_app(pinned)])[-1].pinned == 30500
    unset = service.model_copy(update={"health_check_node_port": None})
    assert len(node_port_requests([_app(unset)])) == 1
