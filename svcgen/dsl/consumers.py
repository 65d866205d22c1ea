"""What else refers to a port, declared by reference: Ingress, HTTPRoute, monitors, NetworkPolicy.

Each refers to ports by object: ``service.port("http")`` for a Service port, ``container.port(
"metrics")`` for a container port. Renaming or renumbering a port therefore changes every
consumer, and a consumer of a port that no rendered Service or container has is a declaration
error at the user's line. Pass them to ``App(..., consumers=[...])``; they are rendered with the
App, in its namespace.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal

from pydantic import Field, InstanceOf, StrictStr

from svcgen.dsl.model import Consumer, PortRef, ServicePortRef, _Declaration, _map, _seq

__all__ = [
    "GatewayRef",
    "HTTPRoute",
    "Ingress",
    "IngressRule",
    "IngressTLS",
    "NetworkPolicy",
    "PodMonitor",
    "RouteRule",
    "ServiceMonitor",
]

PathType = Literal["Prefix", "Exact", "ImplementationSpecific"]


class IngressRule(_Declaration):
    """The paths of one host (``None``: every host) and the Service port each one goes to."""

    host: StrictStr | None = None
    paths: dict[StrictStr, InstanceOf[ServicePortRef]] = Field(default_factory=dict)
    path_type: PathType = "Prefix"

    def __init__(self, host: str | None = None, *, paths: Mapping[str, ServicePortRef] | None = None,
                 path_type: PathType = "Prefix") -> None:
        self._init(f'Ingress rule "{host or "*"}"', host=host, paths=_map(paths), path_type=path_type)


class IngressTLS(_Declaration):
    """TLS for some hosts, with the certificate in a Secret."""

    hosts: tuple[StrictStr, ...] = ()
    secret_name: StrictStr

    def __init__(self, *, hosts: Iterable[str] = (), secret_name: str) -> None:
        self._init("Ingress TLS", hosts=_seq(hosts), secret_name=secret_name)


class Ingress(Consumer):
    """A ``networking.k8s.io/v1`` Ingress whose backends are Service ports (``svc.port("http")``)."""

    rules: tuple[IngressRule, ...] = ()
    default_backend: InstanceOf[ServicePortRef] | None = None
    tls: tuple[IngressTLS, ...] = ()
    ingress_class: StrictStr | None = None

    def __init__(self, name: str, *, rules: Iterable[IngressRule] = (), default_backend: ServicePortRef | None = None,
                 tls: Iterable[IngressTLS] = (), ingress_class: str | None = None,
                 labels: Mapping[str, str] | None = None, annotations: Mapping[str, str] | None = None) -> None:
        self._init(f'Ingress "{name}"', name=name, rules=_seq(rules), default_backend=default_backend, tls=_seq(tls),
                   ingress_class=ingress_class, labels=_map(labels), annotations=_map(annotations))

    def backends(self) -> list[tuple[str, ServicePortRef]]:
        """(where, backend) of every backend, for checks and pictures."""
        found = [("default backend", self.default_backend)] if self.default_backend is not None else []
        found.extend((f"{rule.host or '*'}{path}", backend)
                     for rule in self.rules for path, backend in rule.paths.items())
        return found


class GatewayRef(_Declaration):
    """The Gateway (and listener) a route attaches to."""

    name: StrictStr
    namespace: StrictStr | None = None
    section_name: StrictStr | None = None

    def __init__(self, name: str, *, namespace: str | None = None, section_name: str | None = None) -> None:
        self._init(f'Gateway "{name}"', name=name, namespace=namespace, section_name=section_name)


class RouteRule(_Declaration):
    """Requests whose path starts with ``path_prefix`` go to ``backends`` (Service ports)."""

    path_prefix: StrictStr = "/"
    backends: tuple[InstanceOf[ServicePortRef], ...] = ()

    def __init__(self, path_prefix: str = "/", *, backends: Iterable[ServicePortRef] = ()) -> None:
        self._init(f'route rule "{path_prefix}"', path_prefix=path_prefix, backends=_seq(backends))


class HTTPRoute(Consumer):
    """A Gateway API ``HTTPRoute`` (v1) whose backends are Service ports."""

    parents: tuple[GatewayRef, ...] = ()
    hostnames: tuple[StrictStr, ...] = ()
    rules: tuple[RouteRule, ...] = ()

    def __init__(self, name: str, *, parents: Iterable[GatewayRef] = (), hostnames: Iterable[str] = (),
                 rules: Iterable[RouteRule] = (), labels: Mapping[str, str] | None = None,
                 annotations: Mapping[str, str] | None = None) -> None:
        self._init(f'HTTPRoute "{name}"', name=name, parents=_seq(parents), hostnames=_seq(hostnames),
                   rules=_seq(rules), labels=_map(labels), annotations=_map(annotations))

    def backends(self) -> list[tuple[str, ServicePortRef]]:
        return [(f"{host}{rule.path_prefix}", backend) for rule in self.rules for backend in rule.backends
                for host in (self.hostnames or ("*",))]


class ServiceMonitor(Consumer):
    """A Prometheus operator ``ServiceMonitor`` scraping a Service port (``svc.port("metrics")``).

    It selects the Service by the Service's own labels, so the Service needs some. ``path`` unset:
    Prometheus' default, ``/metrics``.
    """

    port: InstanceOf[ServicePortRef]
    path: StrictStr | None = None
    interval: StrictStr | None = None

    def __init__(self, name: str, *, port: ServicePortRef, path: str | None = None, interval: str | None = None,
                 labels: Mapping[str, str] | None = None, annotations: Mapping[str, str] | None = None) -> None:
        self._init(f'ServiceMonitor "{name}"', name=name, port=port, path=path, interval=interval,
                   labels=_map(labels), annotations=_map(annotations))


class PodMonitor(Consumer):
    """A Prometheus operator ``PodMonitor`` scraping a container port (``container.port("metrics")``)."""

    port: InstanceOf[PortRef]
    path: StrictStr | None = None
    interval: StrictStr | None = None

    def __init__(self, name: str, *, port: PortRef, path: str | None = None, interval: str | None = None,
                 labels: Mapping[str, str] | None = None, annotations: Mapping[str, str] | None = None) -> None:
        self._init(f'PodMonitor "{name}"', name=name, port=port, path=path, interval=interval,
                   labels=_map(labels), annotations=_map(annotations))


class NetworkPolicy(Consumer):
    """Allow traffic to the App's pods on some of their container ports, from pods or namespaces by label.

    With neither ``from_pods`` nor ``from_namespaces``, traffic from anywhere is allowed on the ports.
    """

    ports: tuple[InstanceOf[PortRef], ...] = ()
    from_pods: dict[StrictStr, StrictStr] = Field(default_factory=dict)
    from_namespaces: dict[StrictStr, StrictStr] = Field(default_factory=dict)

    def __init__(self, name: str, *, ports: Iterable[PortRef] = (), from_pods: Mapping[str, str] | None = None,
                 from_namespaces: Mapping[str, str] | None = None, labels: Mapping[str, str] | None = None,
                 annotations: Mapping[str, str] | None = None) -> None:
        self._init(f'NetworkPolicy "{name}"', name=name, ports=_seq(ports), from_pods=_map(from_pods),
                   from_namespaces=_map(from_namespaces), labels=_map(labels), annotations=_map(annotations))
