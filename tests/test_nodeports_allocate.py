"""nodePort requests and allocation: pins, the lock, the static band, reservations, exhaustion."""

from __future__ import annotations

import pytest

from svcgen import App, Container, DeclarationError, Port, Service
from svcgen.dsl.nodeport_requests import node_port_requests
from svcgen.kube.portrange import NodePortRange
from svcgen.nodeports.allocate import Allocation
from svcgen.nodeports.allocate import allocate_node_ports as allocate_requests
from svcgen.nodeports.lock import Lock, PortKey
from svcgen.nodeports.reserve import Reservation

dns = Container("dns", ports=[Port("dns", 53, "UDP"), Port("dns-tcp", 53), Port("metrics", 9153)])


def _app(*services: Service, namespace: str = "ns") -> App:
    return App(
        "dns", namespace=namespace, labels={"app": "dns"}, containers=[dns], services=list(services)
    )


def _web(
    name: str, *node_ports: int | str | None, namespace: str = "ns", kind: str = "NodePort"
) -> App:
    ports = [Port(f"p{i}", 8000 + i) for i in range(len(node_ports))]
    c = Container("c", ports=ports)
    return App(
        name,
        namespace=namespace,
        labels={"app": name},
        containers=[c],
        services=[
            Service(
                name,
                type=kind,  # type: ignore[arg-type]
                ports=[
                    c.port(p.name).expose(node_port=n)  # type: ignore[arg-type]
                    for p, n in zip(ports, node_ports, strict=True)
                ],
            )
        ],
    )


def allocate_node_ports(
    apps: list[App],
    lock: Lock | None = None,
    reserved: list[Reservation] | None = None,
    node_port_range: NodePortRange | None = None,
    lock_name: str = "the lock file",
) -> Allocation:
    return allocate_requests(
        node_port_requests(apps),
        lock,
        reserved or [],
        node_port_range or NodePortRange(),
        lock_name=lock_name,
    )


def key(service: str, port: str, namespace: str = "ns", protocol: str = "TCP") -> PortKey:
    return PortKey(namespace, service, port, protocol)


def test_cluster_ip_and_external_name_need_none() -> None:
    app = _app(
        Service("a", ports=[dns.port("dns").expose()]),
        Service("b", type="ExternalName", external_name="x.example.com"),
    )
    assert allocate_node_ports([app]).allocated == []


def test_siblings_share_a_pin() -> None:
    app = _app(
        Service(
            "a",
            type="NodePort",
            ports=[
                dns.port("dns").expose(node_port=30053),
                dns.port("dns-tcp").expose(),
                dns.port("metrics").expose(node_port=30153),
            ],
        )
    )
    allocation = allocate_node_ports([app])
    assert allocation.assignment == {
        key("a", "dns", protocol="UDP"): 30053,
        key("a", "dns-tcp"): 30053,
        key("a", "metrics"): 30153,
    }
    assert [a.source for a in allocation.allocated] == ["pinned", "pinned"]
    assert dict(allocation.lock.entries) == {
        key("a", "dns", protocol="UDP"): 30053,
        key("a", "dns-tcp"): 30053,
        key("a", "metrics"): 30153,
    }


def test_siblings_share_one_allocated_port() -> None:
    app = _app(
        Service(
            "a", type="LoadBalancer", ports=[dns.port("dns").expose(), dns.port("dns-tcp").expose()]
        )
    )
    allocation = allocate_node_ports([app])
    assert allocation.assignment == {
        key("a", "dns", protocol="UDP"): 30000,
        key("a", "dns-tcp"): 30000,
    }


def test_node_port_none_means_the_cluster_decides() -> None:
    allocation = allocate_node_ports([_web("a", None)])
    assert allocation.assignment == {} and len(allocation.lock) == 0


def test_load_balancer_without_node_ports_keeps_only_pins() -> None:
    app = _app(
        Service(
            "a",
            type="LoadBalancer",
            allocate_load_balancer_node_ports=False,
            ports=[dns.port("dns").expose(), dns.port("metrics").expose(node_port=30153)],
        )
    )
    assert allocate_node_ports([app]).assignment == {key("a", "metrics"): 30153}


def test_new_ports_come_from_the_bottom_of_the_static_band_in_key_order() -> None:
    allocation = allocate_node_ports([_web("b", "auto", "auto"), _web("a", "auto")])
    assert allocation.assignment == {
        key("a", "p0"): 30000,
        key("b", "p0"): 30001,
        key("b", "p1"): 30002,
    }
    assert all(a.source == "new" for a in allocation.allocated)


def test_locked_ports_never_move_and_stale_entries_stay_reserved() -> None:
    lock = Lock({key("a", "p0"): 30005, key("gone", "http"): 30000})
    allocation = allocate_node_ports([_web("a", "auto", "auto")], lock)
    assert allocation.assignment == {key("a", "p0"): 30005, key("a", "p1"): 30001}
    assert [a.source for a in allocation.allocated] == ["lock", "new"]
    assert allocation.lock.get(key("gone", "http")) == 30000


def test_a_pin_wins_over_the_lock_and_updates_it() -> None:
    lock = Lock({key("a", "p0"): 30005})
    allocation = allocate_node_ports([_web("a", 30100)], lock)
    assert allocation.assignment == {key("a", "p0"): 30100}
    assert allocation.lock.get(key("a", "p0")) == 30100


def test_a_pin_on_another_keys_lock_entry_is_a_conflict() -> None:
    lock = Lock({key("other", "http"): 30100})
    with pytest.raises(DeclarationError) as info:
        allocate_node_ports([_web("a", 30100)], lock, lock_name="svcgen.lock")
    (problem,) = info.value.problems
    assert problem.message == (
        "Invalid value: 30100: provided port is already allocated to "
        "ns/other/http/TCP in svcgen.lock"
    )
    assert "svcgen lock prune" in problem.hint
    assert problem.location is not None


def test_reserved_ports_are_skipped_and_pins_on_them_fail() -> None:
    reserved = [
        Reservation(30000, "kube-system", "ingress", "cluster.yaml"),
        Reservation(30001, "other", "x", "cluster.yaml"),
    ]
    assert allocate_node_ports([_web("a", "auto")], reserved=reserved).assignment == {
        key("a", "p0"): 30002
    }
    with pytest.raises(
        DeclarationError,
        match=r'already allocated to Service "kube-system/ingress" in cluster.yaml',
    ):
        allocate_node_ports([_web("a", 30000)], reserved=reserved)


def test_a_reservation_of_the_same_service_is_not_a_conflict() -> None:
    # A dump of the cluster includes what svcgen rendered before.
    reserved = [Reservation(30100, "ns", "a", "cluster.yaml")]
    lock = Lock({key("a", "p1"): 30101})
    assert allocate_node_ports([_web("a", 30100, "auto")], lock, reserved).assignment == {
        key("a", "p0"): 30100,
        key("a", "p1"): 30101,
    }


def test_a_lock_entry_colliding_with_a_reservation_is_reported() -> None:
    reserved = [Reservation(30005, "ns", "b", "cluster.yaml")]
    with pytest.raises(DeclarationError, match="delete that entry"):
        allocate_node_ports([_web("a", "auto")], Lock({key("a", "p0"): 30005}), reserved)


def test_static_band_full_warns_and_continues_above_it() -> None:
    small = NodePortRange(30000, 30099)  # 100 ports: static band of 16
    allocation = allocate_node_ports([_web("a", *["auto"] * 17)], node_port_range=small)
    assert sorted(allocation.assignment.values()) == list(range(30000, 30017))
    (warning,) = allocation.warnings
    assert warning.severity == "warning" and "static band 30000-30015 is full" in warning.message


def test_range_exhausted_says_how_many() -> None:
    tiny = NodePortRange(30000, 30002)
    lock = Lock({key("x", "http"): 30000})
    with pytest.raises(DeclarationError) as info:
        allocate_node_ports([_web("a", "auto", "auto", "auto")], lock, node_port_range=tiny)
    assert (
        info.value.problems[0].message
        == "range is full: 3 nodePorts to allocate, 2 free in 30000-30002"
    )


def test_split_siblings_keep_one_number_and_the_other_gets_a_new_one() -> None:
    # dns and dns-tcp shared 30053; after a change they no longer share a port number.
    lock = Lock({key("a", "dns", protocol="UDP"): 30053, key("a", "dns-tcp"): 30053})
    c = Container("dns", ports=[Port("dns", 53, "UDP"), Port("dns-tcp", 5353)])
    app = App(
        "dns",
        namespace="ns",
        labels={"app": "dns"},
        containers=[c],
        services=[
            Service(
                "a", type="NodePort", ports=[c.port("dns").expose(), c.port("dns-tcp").expose()]
            )
        ],
    )
    allocation = allocate_node_ports([app], lock)
    assert allocation.assignment == {
        key("a", "dns", protocol="UDP"): 30053,
        key("a", "dns-tcp"): 30000,
    }


def test_same_input_same_result() -> None:
    apps = [_web("b", "auto", 30010), _web("a", "auto", "auto")]
    assert allocate_node_ports(apps) == allocate_node_ports(apps)


def _lb(name: str, health_check: int | str | None = "auto", policy: str | None = "Local") -> App:
    c = Container("c", ports=[Port("https", 8443)])
    return App(
        name,
        namespace="ns",
        labels={"app": name},
        containers=[c],
        services=[
            Service(
                name,
                type="LoadBalancer",
                external_traffic_policy=policy,  # type: ignore[arg-type]
                health_check_node_port=health_check,  # type: ignore[arg-type]
                ports=[c.port("https").expose(443)],
            )
        ],
    )


def test_health_check_node_ports_are_allocated_and_locked() -> None:
    allocation = allocate_node_ports([_lb("a")])
    # New ports go in key order: the healthCheck key ("a//healthCheck") sorts before "a/https/TCP".
    assert allocation.assignment == {
        PortKey.health_check("ns", "a"): 30000,
        key("a", "https"): 30001,
    }
    assert allocation.lock.get(PortKey("ns", "a", "", "healthCheck")) == 30000
    again = allocate_node_ports([_lb("a")], allocation.lock)
    assert again.assignment == allocation.assignment and [i.source for i in again.allocated] == [
        "lock",
        "lock",
    ]


def test_health_check_only_for_local_load_balancers_and_none_leaves_it_to_the_cluster() -> None:
    assert allocate_node_ports([_lb("a", policy="Cluster")]).assignment == {
        key("a", "https"): 30000
    }
    assert allocate_node_ports([_lb("a", policy=None)]).assignment == {key("a", "https"): 30000}
    assert allocate_node_ports([_lb("a", health_check=None)]).assignment == {
        key("a", "https"): 30000
    }
    assert allocate_node_ports([_lb("a", health_check=30500)]).assignment == {
        key("a", "https"): 30000,
        PortKey.health_check("ns", "a"): 30500,
    }


def test_a_pinned_health_check_port_conflicts_like_a_node_port() -> None:
    with pytest.raises(DeclarationError, match="already allocated to ns/b/https/TCP"):
        allocate_node_ports(
            [_lb("a", health_check=30000)], Lock({PortKey("ns", "b", "https", "TCP"): 30000})
        )


def test_new_ports_come_only_from_the_teams_band() -> None:
    band = NodePortRange(30100, 30102)
    lock = Lock({key("a", "p0"): 30005})  # a lock entry may lie anywhere in the cluster's range
    allocation = allocate_requests(
        node_port_requests([_web("a", "auto", "auto", 31000)]),
        lock,
        node_port_range=NodePortRange(),
        band=band,
    )
    assert allocation.assignment == {
        key("a", "p0"): 30005,
        key("a", "p1"): 30100,
        key("a", "p2"): 31000,
    }
    assert allocation.warnings == []
    with pytest.raises(DeclarationError) as info:
        allocate_requests(
            node_port_requests([_web("b", *["auto"] * 4)]),
            node_port_range=NodePortRange(),
            band=band,
        )
    (problem,) = info.value.problems
    assert problem.message == (
        "range is full: 4 nodePorts to allocate, 3 free in the band 30100-30102 (allocate-from)"
    )
    assert "allocate-from" in problem.hint
