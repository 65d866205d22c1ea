"""The nodePorts a set of Apps needs: one :class:`~svcgen.nodeports.allocate.Request` per group.

A Service port gets a nodePort when its Service needs them (NodePort, or LoadBalancer unless
``allocate_load_balancer_node_ports=False``) or when the user pins one. Ports of one Service
with the same port number (53/TCP and 53/UDP) share one nodePort, as the API server does
(``initNodePorts``). A LoadBalancer with ``external_traffic_policy="Local"`` also needs a
healthCheckNodePort unless the user leaves it to the cluster.
"""

from __future__ import annotations

from collections.abc import Sequence

from svcgen.dsl.model import AUTO, App, Service
from svcgen.dsl.policy import (
    health_check_key,
    needs_health_check,
    needs_node_ports,
    port_key,
    service_subject,
)
from svcgen.nodeports.allocate import Request

__all__ = ["node_port_requests"]


def node_port_requests(apps: Sequence[App]) -> list[Request]:
    """Every nodePort the Apps need, pinned or to be allocated, in declaration order."""
    requests: list[Request] = []
    for app in apps:
        for service in app.services:
            if service.type in ("NodePort", "LoadBalancer"):
                requests.extend(_service_requests(app, service))
    return requests


def _service_requests(app: App, service: Service) -> list[Request]:
    requests: list[Request] = []
    auto = needs_node_ports(service)
    groups: dict[int, list[int]] = {}
    for p, sp in enumerate(service.ports):
        groups.setdefault(sp.service_port, []).append(p)
    for members in groups.values():
        by_pin: dict[int | None, list[int]] = {}
        for p in members:
            node_port = service.ports[p].node_port
            if isinstance(node_port, int):
                by_pin.setdefault(node_port, []).append(p)
        auto_members = [p for p in members if auto and service.ports[p].node_port == AUTO]
        if auto_members:
            # Unpinned siblings share the group's first pin, or one allocated port.
            first_pin = next(iter(by_pin), None)
            by_pin.setdefault(first_pin, []).extend(auto_members)
        for pin, chosen in by_pin.items():
            chosen.sort()
            first = service.ports[chosen[0]]
            requests.append(
                Request(
                    keys=tuple(port_key(app, service, service.ports[p]) for p in chosen),
                    pinned=pin,
                    subject=f"{service_subject(app, service)} port {first.label}",
                    location=first.location,
                )
            )
    hcnp = service.health_check_node_port
    if needs_health_check(service) and hcnp is not None:
        requests.append(
            Request(
                keys=(health_check_key(app, service),),
                pinned=hcnp if isinstance(hcnp, int) else None,
                subject=f"{service_subject(app, service)} healthCheckNodePort",
                location=service.location,
            )
        )
    return requests
