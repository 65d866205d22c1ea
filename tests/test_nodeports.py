"""Which ports need a nodePort, how same-port siblings share one, and the pre-allocator refusal."""

from __future__ import annotations

from svcgen import App, Container, Port, Service
from svcgen.nodeports import PortKey, assign_node_ports, node_port_requests

dns = Container("dns", ports=[Port("dns", 53, "UDP"), Port("dns-tcp", 53), Port("metrics", 9153)])


def _app(*services: Service) -> App:
    return App("dns", namespace="ns", labels={"app": "dns"}, containers=[dns], services=list(services))


def test_cluster_ip_and_external_name_need_none() -> None:
    app = _app(Service("a", ports=[dns.port("dns").expose()]),
               Service("b", type="ExternalName", external_name="x.example.com"))
    assert node_port_requests([app]) == []


def test_siblings_share_the_pin() -> None:
    app = _app(Service("a", type="NodePort", ports=[
        dns.port("dns").expose(node_port=30053), dns.port("dns-tcp").expose(), dns.port("metrics").expose(
            node_port=30153)]))
    assignment, problems = assign_node_ports([app])
    assert problems == []
    assert assignment == {(0, 0, 0): 30053, (0, 0, 1): 30053, (0, 0, 2): 30153}
    requests = node_port_requests([app])
    assert requests[0].keys == (PortKey("ns", "a", "dns", "UDP"), PortKey("ns", "a", "dns-tcp", "TCP"))


def test_node_port_none_means_the_cluster_decides() -> None:
    app = _app(Service("a", type="NodePort", ports=[dns.port("metrics").expose(node_port=None)]))
    assert assign_node_ports([app]) == ({}, [])


def test_load_balancer_without_node_ports_only_keeps_pins() -> None:
    app = _app(Service("a", type="LoadBalancer", allocate_load_balancer_node_ports=False, ports=[
        dns.port("dns").expose(), dns.port("metrics").expose(node_port=30153)]))
    assert assign_node_ports([app]) == ({(0, 0, 1): 30153}, [])


def test_unpinned_ports_that_need_one_are_refused_with_a_fix() -> None:
    app = _app(Service("a", type="LoadBalancer", ports=[dns.port("dns").expose(), dns.port("dns-tcp").expose()]))
    assignment, problems = assign_node_ports([app])
    assert assignment == {}
    assert len(problems) == 1  # one request: the two siblings share one nodePort
    assert problems[0].subject == 'Service "ns/a" port "dns"'
    assert "node_port=30080" in problems[0].hint and "node_port=None" in problems[0].hint
