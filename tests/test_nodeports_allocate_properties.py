"""Property tests: random projects and random edits, re-rendered against the previous lock."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from svcgen import App, Container, Port, Service
from svcgen.dsl.nodeport_requests import node_port_requests
from svcgen.errors import DeclarationError
from svcgen.kube.portrange import NodePortRange
from svcgen.nodeports.allocate import allocate_node_ports
from svcgen.nodeports.lock import Lock, PortKey
from svcgen.nodeports.reserve import Reservation

RANGE = NodePortRange(30000, 30199)  # 200 ports, static band of 16: small enough to fill


@dataclass(frozen=True)
class PortSpec:
    name: str
    number: int
    protocol: str
    node_port: int | Literal["auto"] | None


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    namespace: str
    kind: str
    ports: tuple[PortSpec, ...] = field(default_factory=tuple)


def _apps(specs: list[ServiceSpec]) -> list[App]:
    apps = []
    for spec in specs:
        container = Container("c", ports=[Port(p.name, p.number, p.protocol) for p in spec.ports])  # type: ignore[call-overload]
        kind = "LoadBalancer" if spec.kind.startswith("LB") else spec.kind
        service = Service(
            spec.name,
            type=kind,  # type: ignore[arg-type]
            allocate_load_balancer_node_ports=False if spec.kind == "LB-noalloc" else None,
            ports=[container.port(p.name).expose(node_port=p.node_port) for p in spec.ports],
        )
        apps.append(
            App(
                spec.name,
                namespace=spec.namespace,
                labels={"app": spec.name},
                containers=[container],
                services=[service],
            )
        )
    return apps


names = st.sampled_from([f"s{i}" for i in range(12)])
port_names = st.sampled_from(["http", "https", "admin", "grpc", "metrics", "dns"])


@st.composite
def service_specs(draw: st.DrawFn, taken_pins: set[int]) -> ServiceSpec:
    count = draw(st.integers(1, 4))
    ports = []
    used_numbers: set[int] = set()
    for name in draw(st.lists(port_names, min_size=count, max_size=count, unique=True)):
        number = draw(st.integers(1, 200).filter(lambda n: n not in used_numbers))
        used_numbers.add(number)
        choice = draw(st.sampled_from(["auto", "auto", "auto", "pin", "none"]))
        node_port: int | Literal["auto"] | None = "auto" if choice == "auto" else None
        if choice == "pin":
            free = [p for p in range(RANGE.first, RANGE.last + 1) if p not in taken_pins]
            pin = draw(st.sampled_from(free))
            taken_pins.add(pin)
            node_port = pin
        ports.append(
            PortSpec(name, number, draw(st.sampled_from(["TCP", "UDP", "SCTP"])), node_port)
        )
    kind = draw(st.sampled_from(["NodePort", "NodePort", "LB", "LB-noalloc", "ClusterIP"]))
    if kind == "ClusterIP":
        ports = [replace(p, node_port="auto") for p in ports]
    return ServiceSpec(draw(names), draw(st.sampled_from(["a", "b"])), kind, tuple(ports))


def _check(specs: list[ServiceSpec], lock: Lock, reserved: list[Reservation]) -> Lock:
    apps = _apps(specs)
    try:
        allocation = allocate_node_ports(node_port_requests(apps), lock, reserved, RANGE)
    except DeclarationError as exc:
        # Only legitimate refusals: a full range, or a pin on a port held elsewhere.
        assert all(
            "range is full" in p.message or "already allocated" in p.message for p in exc.problems
        )
        return lock
    # Deterministic.
    assert allocation == allocate_node_ports(node_port_requests(apps), lock, reserved, RANGE)
    owners: dict[int, set[tuple[str, str]]] = {}
    reserved_ports = {r.node_port for r in reserved}
    for item in allocation.allocated:
        port = item.node_port
        assert port in RANGE
        key0 = item.request.keys[0]
        owners.setdefault(port, set()).add((key0.namespace, key0.service))
        if item.request.pinned is not None:
            assert port == item.request.pinned
        if item.source == "new":
            assert port not in reserved_ports and port not in lock.entries.values()
        if item.source == "lock":
            assert all(lock.get(k) in (None, port) for k in item.request.keys)
            assert lock.get(key0) == port or any(lock.get(k) == port for k in item.request.keys)
    # No nodePort in two places.
    assert all(len(o) == 1 for o in owners.values())
    assert len({i.node_port for i in allocation.allocated}) == len(allocation.allocated)
    # Static band first: a new port above it only once the band is full.
    band = range(RANGE.first, RANGE.first + RANGE.static_band_size)
    if any(i.source == "new" and i.node_port not in band for i in allocation.allocated):
        held = set(allocation.lock.entries.values()) | reserved_ports
        assert all(p in held for p in band)
    # Existing entries never move (these projects have no same-number siblings).
    for item in allocation.allocated:
        for k in item.request.keys:
            if item.request.pinned is None and lock.get(k) is not None:
                assert allocation.lock.get(k) == lock.get(k)
    # Entries of ports no longer rendered are kept.
    for k, v in lock.entries.items():
        if not any(k in i.request.keys for i in allocation.allocated):
            assert allocation.lock.get(k) == v
    return allocation.lock


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_projects_and_edits(data: st.DataObject) -> None:
    pins: set[int] = set()
    reserved = [
        Reservation(p, "ext", "x", "cluster.yaml")
        for p in data.draw(st.lists(st.integers(RANGE.first, RANGE.last), max_size=20, unique=True))
    ]
    pins.update(r.node_port for r in reserved)
    specs: dict[tuple[str, str], ServiceSpec] = {}
    for spec in data.draw(st.lists(service_specs(pins), max_size=6)):
        specs.setdefault((spec.namespace, spec.name), spec)
    lock = _check(list(specs.values()), Lock(), reserved)
    for _ in range(data.draw(st.integers(1, 6))):
        op = data.draw(st.sampled_from(["add", "remove", "rename", "renumber", "reorder", "again"]))
        keys = list(specs)
        if op == "add":
            spec = data.draw(service_specs(pins))
            specs.setdefault((spec.namespace, spec.name), spec)
        elif op == "remove" and keys:
            del specs[data.draw(st.sampled_from(keys))]
        elif op == "rename" and keys:
            old = data.draw(st.sampled_from(keys))
            new_name = data.draw(names)
            if (old[0], new_name) not in specs:
                specs[(old[0], new_name)] = replace(specs.pop(old), name=new_name)
        elif op == "renumber" and keys:
            key = data.draw(st.sampled_from(keys))
            spec = specs[key]
            used = frozenset(p.number for p in spec.ports)
            number = data.draw(st.sampled_from([n for n in range(201, 401) if n not in used]))
            specs[key] = replace(
                spec, ports=(replace(spec.ports[0], number=number), *spec.ports[1:])
            )
        elif op == "reorder":
            specs = dict(reversed(list(specs.items())))
        lock = _check(list(specs.values()), lock, reserved)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["TCP", "UDP", "SCTP"]), st.integers(1, 5)),
        min_size=1,
        max_size=8,
        unique=True,
    )
)
def test_same_number_siblings_share_exactly_one_port(ports: list[tuple[str, int]]) -> None:
    container = Container(
        "c",
        ports=[Port(f"p{i}", n, proto) for i, (proto, n) in enumerate(ports)],  # type: ignore[call-overload]
    )
    app = App(
        "x",
        labels={"app": "x"},
        containers=[container],
        services=[
            Service(
                "x",
                type="NodePort",
                ports=[container.port(f"p{i}").expose() for i in range(len(ports))],
            )
        ],
    )
    allocation = allocate_node_ports(node_port_requests([app]), node_port_range=RANGE)
    by_number: dict[int, set[int]] = {}
    for key, node_port in allocation.assignment.items():
        by_number.setdefault(ports[int(key.port[1:])][1], set()).add(node_port)
    assert all(len(v) == 1 for v in by_number.values())
    assert len({next(iter(v)) for v in by_number.values()}) == len(by_number)
    assert set(allocation.lock.entries) == {
        PortKey("", "x", f"p{i}", proto) for i, (proto, _) in enumerate(ports)
    }
