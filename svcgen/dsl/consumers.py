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
    "Peer",
    "PodMonitor",
    "PolicyRule",
    "RouteRule",
    "ServiceMonitor",
]

PathType = Literal["Prefix", "Exact", "ImplementationSpecific"]
PortsBy = Literal["name", "number"]


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
    """A ``networking.k8s.io/v1`` Ingress whose backends are Service ports (``svc.port("http")``).

    ``ports_by``: the backends' Service ports are written by their ``"name"`` (default; a port
    whose name an Ingress does not take is written by its number) or their ``"number"``.
    """

    rules: tuple[IngressRule, ...] = ()
    default_backend: InstanceOf[ServicePortRef] | None = None
    tls: tuple[IngressTLS, ...] = ()
    ingress_class: StrictStr | None = None
    ports_by: PortsBy = "name"

    def __init__(self, name: str, *, rules: Iterable[IngressRule] = (), default_backend: ServicePortRef | None = None,
                 tls: Iterable[IngressTLS] = (), ingress_class: str | None = None, ports_by: PortsBy = "name",
                 labels: Mapping[str, str] | None = None, annotations: Mapping[str, str] | None = None) -> None:
        self._init(f'Ingress "{name}"', name=name, rules=_seq(rules), default_backend=default_backend, tls=_seq(tls),
                   ingress_class=ingress_class, ports_by=ports_by, labels=_map(labels), annotations=_map(annotations))

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


class Peer(_Declaration):
    """Where traffic may come from: pods by labels, namespaces by labels, or both (pods of those namespaces).

    ``{}`` means any: ``Peer(namespaces={})`` is every pod of every namespace.
    """

    pods: dict[StrictStr, StrictStr] | None = None
    namespaces: dict[StrictStr, StrictStr] | None = None

    def __init__(self, *, pods: Mapping[str, str] | None = None, namespaces: Mapping[str, str] | None = None) -> None:
        self._init("NetworkPolicy peer", pods=None if pods is None else _map(pods),
                   namespaces=None if namespaces is None else _map(namespaces))


class PolicyRule(_Declaration):
    """Traffic to some container ports from some peers (none: from anywhere).

    ``ports_by``: the ports are written by their ``"name"`` (default) or their ``"number"``.
    """

    ports: tuple[InstanceOf[PortRef], ...] = ()
    peers: tuple[Peer, ...] = ()
    ports_by: PortsBy = "name"

    def __init__(self, *, ports: Iterable[PortRef] = (), peers: Iterable[Peer] = (),
                 ports_by: PortsBy = "name") -> None:
        self._init("NetworkPolicy rule", ports=_seq(ports), peers=_seq(peers), ports_by=ports_by)


class NetworkPolicy(Consumer):
    """Allow traffic to the App's pods on some of their container ports, from pods or namespaces by label.

    The short form is one rule: ``ports`` from ``from_pods`` and/or ``from_namespaces`` (neither:
    from anywhere). For several rules, or several peers in a rule, give ``rules=[PolicyRule(...)]``
    instead.
    """

    ports: tuple[InstanceOf[PortRef], ...] = ()
    from_pods: dict[StrictStr, StrictStr] = Field(default_factory=dict)
    from_namespaces: dict[StrictStr, StrictStr] = Field(default_factory=dict)
    rules: tuple[PolicyRule, ...] = ()

    def __init__(self, name: str, *, ports: Iterable[PortRef] = (), from_pods: Mapping[str, str] | None = None,
                 from_namespaces: Mapping[str, str] | None = None, rules: Iterable[PolicyRule] = (),
                 labels: Mapping[str, str] | None = None, annotations: Mapping[str, str] | None = None) -> None:
        self._init(f'NetworkPolicy "{name}"', name=name, ports=_seq(ports), from_pods=_map(from_pods),
                   from_namespaces=_map(from_namespaces), rules=_seq(rules), labels=_map(labels),
                   annotations=_map(annotations))

    @property
    def short_form(self) -> bool:
        """Whether the one-rule arguments (ports, from_pods, from_namespaces) are used."""
        return bool(self.ports or self.from_pods or self.from_namespaces)

    def all_rules(self) -> list[PolicyRule]:
        """Every rule: the short form's, then ``rules``."""
        found = list(self.rules)
        if self.short_form:
            peers: tuple[Peer, ...] = ()
            if self.from_pods or self.from_namespaces:
                peers = (Peer.model_construct(pods=dict(self.from_pods) or None,
                                              namespaces=dict(self.from_namespaces) or None, location=self.location),)
            found.insert(0, PolicyRule.model_construct(ports=self.ports, peers=peers, ports_by="name",
                                                       location=self.location))
        return found
