"""Which Service ports get which nodePort.

A Service port gets a nodePort when its Service needs them (NodePort, or LoadBalancer unless
``allocate_load_balancer_node_ports=False``) or when the user pins one. Ports of one Service
with the same port number (53/TCP and 53/UDP) share one nodePort, as the API server does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from svcgen.errors import Problem, SourceLocation
from svcgen.model import AUTO, App, Service, service_subject

__all__ = ["Assignment", "PortIndex", "PortKey", "Request", "assign_node_ports", "node_port_requests"]

PortIndex = tuple[int, int, int]
"""(app, service, port) positions of a Service port in the rendered set of Apps."""

Assignment = dict[PortIndex, int]
"""The nodePort of every Service port that has one."""


@dataclass(frozen=True, order=True)
class PortKey:
    """The stable identity of a Service port: namespace, Service, port name, protocol."""

    namespace: str
    service: str
    port: str
    protocol: str

    def __str__(self) -> str:
        return f"{self.namespace or '-'}/{self.service}/{self.port}/{self.protocol}"


@dataclass(frozen=True)
class Request:
    """A group of Service ports (same Service, same port number) that needs one nodePort."""

    indexes: tuple[PortIndex, ...]
    keys: tuple[PortKey, ...]
    pinned: int | None
    subject: str
    location: SourceLocation | None


def _needs_node_ports(service: Service) -> bool:
    if service.type == "NodePort":
        return True
    return service.type == "LoadBalancer" and service.allocate_load_balancer_node_ports is not False


def node_port_requests(apps: Sequence[App]) -> list[Request]:
    """Every nodePort the Apps need, pinned or to be allocated, in declaration order."""
    requests: list[Request] = []
    for a, app in enumerate(apps):
        for s, service in enumerate(app.services):
            if service.type not in ("NodePort", "LoadBalancer"):
                continue
            auto = _needs_node_ports(service)
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
                    requests.append(Request(
                        indexes=tuple((a, s, p) for p in chosen),
                        keys=tuple(PortKey(app.namespace or "", service.name,
                                           service.ports[p].port_name, service.ports[p].protocol)
                                   for p in chosen),
                        pinned=pin,
                        subject=f'{service_subject(app, service)} port "{first.port_name}"',
                        location=first.location,
                    ))
    return requests


def assign_node_ports(apps: Sequence[App]) -> tuple[Assignment, list[Problem]]:
    """Assign pinned nodePorts; report every port that would need one allocated.

    Automatic allocation is not available yet: an unpinned port that needs a nodePort is a
    problem that says how to pin one or leave the choice to the cluster.
    """
    assignment: Assignment = {}
    problems: list[Problem] = []
    for request in node_port_requests(apps):
        if request.pinned is not None:
            for index in request.indexes:
                assignment[index] = request.pinned
            continue
        problems.append(Problem(
            request.subject, "node_port",
            "needs a nodePort, and automatic nodePort allocation is not available in this version",
            "pin one with expose(..., node_port=30080), or pass node_port=None to let the cluster "
            "pick a random one at apply time",
            request.location,
        ))
    return assignment, problems
