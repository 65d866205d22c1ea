"""Decisions the DSL makes on the user's behalf, each in one function.

How a Service is named in messages, whether an App's workload is emitted, whether a targetPort
is written by name or by number, which Service a StatefulSet names, which Services need
nodePorts or a healthCheckNodePort, and the lock key of each Service port. The manifest
builder, the validator, ``explain`` and ``ports`` all ask here, so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Sequence

from svcgen.dsl.model import App, Container, Port, Service, ServicePort
from svcgen.nodeports.lock import PortKey

__all__ = [
    "emits_workload",
    "health_check_key",
    "needs_health_check",
    "needs_node_ports",
    "owner_of_container",
    "owner_of_service",
    "port_key",
    "same_port",
    "service_subject",
    "stateful_service_name",
    "target_port",
]


def service_subject(app: App, service: Service) -> str:
    """How messages name a Service: ``Service "ns/name"`` (or ``Service "name"`` without namespace)."""
    prefix = f"{app.namespace}/" if app.namespace else ""
    return f'Service "{prefix}{service.name}"'


def emits_workload(app: App, with_workloads: bool) -> bool:
    """Whether the App's workload is emitted: it asks for one, or the render does."""
    return app.workload is not None or with_workloads


def target_port(sp: ServicePort, named_targets: bool) -> str | int:
    """The targetPort of a Service port: the container port's name, or its number.

    By name when the user asked for it (``target_by="name"``), or left it open and the workload
    is emitted too (``named_targets``: the name is then sure to exist); by number otherwise.
    """
    by_name = sp.target_by == "name" or (sp.target_by is None and named_targets)
    return sp.target.name if by_name else sp.target.number


def stateful_service_name(app: App) -> str | None:
    """The Service a StatefulSet names (``serviceName``): its first headless Service, else its first."""
    headless = [s for s in app.services if s.headless]
    chosen = headless or list(app.services)
    return chosen[0].name if chosen else None


def needs_health_check(service: Service) -> bool:
    """``NeedsHealthCheck``: a LoadBalancer with externalTrafficPolicy Local has a healthCheckNodePort."""
    return service.type == "LoadBalancer" and service.external_traffic_policy == "Local"


def needs_node_ports(service: Service) -> bool:
    """Whether the cluster gives the Service's ports nodePorts when none is pinned."""
    if service.type == "NodePort":
        return True
    return service.type == "LoadBalancer" and service.allocate_load_balancer_node_ports is not False


def port_key(app: App, service: Service, sp: ServicePort) -> PortKey:
    """The one identity of a Service port: its lock key."""
    return PortKey(app.namespace or "", service.name, sp.port_name, sp.protocol)


def health_check_key(app: App, service: Service) -> PortKey:
    """The lock key of a Service's healthCheckNodePort."""
    return PortKey.health_check(app.namespace or "", service.name)


def owner_of_service(apps: Sequence[App], service: Service) -> App | None:
    """The first of ``apps`` that declares ``service`` (this very object: a consumer refers by object)."""
    return next((app for app in apps if any(s is service for s in app.services)), None)


def owner_of_container(apps: Sequence[App], container: Container) -> App | None:
    """The first of ``apps`` whose pods run ``container`` (this very object)."""
    return next((app for app in apps if any(c is container for c in app.containers)), None)


def same_port(a: Port, b: Port) -> bool:
    """The same container port: name, number and protocol (where each was declared does not matter)."""
    return (a.name, a.number, a.protocol) == (b.name, b.number, b.protocol)
