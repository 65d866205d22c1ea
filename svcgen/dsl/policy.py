"""Decisions the DSL makes on the user's behalf, each in one function.

How a Service is named in messages, whether an App's workload is emitted, whether a targetPort
is written by name or by number, which Service a StatefulSet names, which Services need
nodePorts or a healthCheckNodePort, and the lock key of each Service port. The manifest
builder, the validator, ``explain`` and ``ports`` all ask here, so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Sequence

from svcgen.dsl.model import (
    App,
    Container,
    DaemonSet,
    Port,
    Probe,
    Service,
    ServicePort,
    StatefulSet,
)
from svcgen.nodeports.lock import PortKey

__all__ = [
    "Owners",
    "declares_workload_fields",
    "emits_workload",
    "health_check_key",
    "needs_health_check",
    "needs_node_ports",
    "plain_container",
    "port_key",
    "probe_port",
    "same_port",
    "service_subject",
    "stateful_service_name",
    "target_port",
    "workload_kind",
    "workload_replicas",
]


def service_subject(app: App, service: Service) -> str:
    """How messages name a Service: ``Service "ns/name"``, or ``Service "name"`` if no namespace."""
    prefix = f"{app.namespace}/" if app.namespace else ""
    return f'Service "{prefix}{service.name}"'


def emits_workload(app: App, with_workloads: bool) -> bool:
    """Whether the App's workload is emitted: it asks for one, or the render does."""
    return app.workload is not None or with_workloads


def target_port(sp: ServicePort, named_targets: bool) -> str | int:
    """The targetPort of a Service port: the container port's name, or its number.

    By name when the user asked for it (``target_by="name"``), or left it open and the workload
    is emitted too (``named_targets``: the name is then sure to exist); by number otherwise, and
    for a container port without a name (``target_by="name"`` on one is an error: validate).
    """
    by_name = sp.target_by == "name" or (sp.target_by is None and named_targets)
    return sp.target.name if by_name and sp.target.name is not None else sp.target.number


def probe_port(probe: Probe, port: Port) -> str | int:
    """The port of an HTTP or TCP probe, as written: its name or its number.

    By name when ``port_by`` is unset or ``"name"``; by number otherwise, or for a port without a
    name.
    """
    return port.name if probe.port_by != "number" and port.name is not None else port.number


def workload_kind(app: App) -> str:
    """The kind of the App's workload: as declared, a Deployment when unset."""
    if app.workload is None:
        return "Deployment"
    return app.workload if isinstance(app.workload, str) else type(app.workload).__name__


def workload_replicas(app: App) -> int | None:
    """The replica count: ``App(replicas=...)`` or the workload's (a DaemonSet has none)."""
    if (
        app.replicas is not None
        or isinstance(app.workload, (str, DaemonSet))
        or app.workload is None
    ):
        return app.replicas
    return app.workload.replicas


_PLAIN = frozenset({"location", "name", "image", "ports", "liveness", "readiness", "startup"})


def plain_container(container: Container) -> bool:
    """Whether a container declares no more than svcgen always wrote: name, image, ports, probes.

    Most containers do. The builder and the checks skip the other fields of such a container, so
    that 10,000 of them cost what they did before containers had every Kubernetes field.
    """
    if not container.model_fields_set <= _PLAIN:
        return False
    probes = (container.liveness, container.readiness, container.startup)
    return not any(probe is not None and probe.http_headers for probe in probes)  # a pass-through


def declares_workload_fields(app: App) -> bool:
    """Whether the App declares any field of its pods or workload beyond svcgen's own.

    svcgen's own are names, ports and probes.
    """
    return (
        app.pod is not None
        or not (app.workload is None or isinstance(app.workload, str))
        or not all(plain_container(c) for c in app.containers)
    )


def stateful_service_name(app: App) -> str | None:
    """The Service a StatefulSet names (``serviceName``), or None when the App has no Service.

    As declared, else the App's first headless Service, else its first.
    """
    if isinstance(app.workload, StatefulSet) and app.workload.service is not None:
        service = app.workload.service
        return service if isinstance(service, str) else service.name
    headless = [s for s in app.services if s.headless]
    chosen = headless or list(app.services)
    return chosen[0].name if chosen else None


def needs_health_check(service: Service) -> bool:
    """``NeedsHealthCheck``: whether the Service has a healthCheckNodePort.

    A LoadBalancer with externalTrafficPolicy Local has one.
    """
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


class Owners:
    """Which App declares each Service and runs each container (this very object), found in O(1).

    Built once per render: a consumer refers to a Service or a container by object, and a scan of
    every App per reference made 4,000 Apps with an Ingress each take 20 s to check.
    """

    def __init__(self, apps: Sequence[App]) -> None:
        self.apps = apps
        self._services: dict[int, App] = {}
        self._containers: dict[int, App] = {}
        for app in apps:  # the first App that declares it
            for service in app.services:
                self._services.setdefault(id(service), app)
            for container in app.containers:
                self._containers.setdefault(id(container), app)

    def service(self, service: Service) -> App | None:
        """The App that declares ``service``, if it is rendered."""
        return self._services.get(id(service))

    def container(self, container: Container) -> App | None:
        """The App whose pods run ``container``, if it is rendered."""
        return self._containers.get(id(container))


def same_port(a: Port, b: Port) -> bool:
    """The same container port: name, number and protocol.

    Where each was declared does not matter.
    """
    return (a.name, a.number, a.protocol) == (b.name, b.number, b.protocol)
