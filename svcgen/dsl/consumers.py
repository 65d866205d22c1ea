"""What else refers to a port, declared by reference: Ingress, HTTPRoute, monitors, NetworkPolicy.

Each refers to ports by object: ``service.port("http")`` for a Service port, ``container.port(
"metrics")`` for a container port. Renaming or renumbering a port therefore changes every
consumer, and a consumer of a port that no rendered Service or container has is a declaration
error at the user's line. Pass them to ``App(..., consumers=[...])``; they are rendered with the
App, in its namespace.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import InstanceOf, StrictStr

from svcgen.dsl.fields import Accepts, Items, Labels, arg
from svcgen.dsl.model import Consumer, PortRef, PortsBy, ServicePortRef, _Declaration

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


class IngressRule(_Declaration, subject='Ingress rule "{host or "*"}"'):
    """The paths of one host (``None``: every host) and the Service port each one goes to."""

    host: StrictStr | None = arg(default=None, kw_only=False)
    paths: Accepts[
        Mapping[str, ServicePortRef] | None, dict[StrictStr, InstanceOf[ServicePortRef]]
    ] = arg(default_factory=dict)
    path_type: PathType = "Prefix"


class IngressTLS(_Declaration, subject="Ingress TLS"):
    """TLS for some hosts, with the certificate in a Secret."""

    hosts: Items[StrictStr] = arg(default=())
    secret_name: StrictStr


class Ingress(Consumer, subject='Ingress "{name}"'):
    """A ``networking.k8s.io/v1`` Ingress whose backends are Service ports (``svc.port("http")``).

    ``ports_by``: the backends' Service ports are written by their ``"name"`` (default; a port
    whose name an Ingress does not take is written by its number) or their ``"number"``.
    """

    rules: Items[IngressRule] = arg(default=())
    default_backend: InstanceOf[ServicePortRef] | None = None
    tls: Items[IngressTLS] = arg(default=())
    ingress_class: StrictStr | None = None
    ports_by: PortsBy = "name"

    def backends(self) -> list[tuple[str, ServicePortRef]]:
        """(where, backend) of every backend, for checks and pictures."""
        found = (
            [("default backend", self.default_backend)] if self.default_backend is not None else []
        )
        found.extend(
            (f"{rule.host or '*'}{path}", backend)
            for rule in self.rules
            for path, backend in rule.paths.items()
        )
        return found


class GatewayRef(_Declaration, subject='Gateway "{name}"'):
    """The Gateway (and listener) a route attaches to."""

    name: StrictStr = arg(kw_only=False)
    namespace: StrictStr | None = None
    section_name: StrictStr | None = None


class RouteRule(_Declaration, subject='route rule "{path_prefix}"'):
    """Requests whose path starts with ``path_prefix`` go to ``backends`` (Service ports)."""

    path_prefix: StrictStr = arg(default="/", kw_only=False)
    backends: Items[InstanceOf[ServicePortRef]] = arg(default=())


class HTTPRoute(Consumer, subject='HTTPRoute "{name}"'):
    """A Gateway API ``HTTPRoute`` (v1) whose backends are Service ports."""

    parents: Items[GatewayRef] = arg(default=())
    hostnames: Items[StrictStr] = arg(default=())
    rules: Items[RouteRule] = arg(default=())

    def backends(self) -> list[tuple[str, ServicePortRef]]:
        return [
            (f"{host}{rule.path_prefix}", backend)
            for rule in self.rules
            for backend in rule.backends
            for host in (self.hostnames or ("*",))
        ]


class ServiceMonitor(Consumer, subject='ServiceMonitor "{name}"'):
    """A Prometheus operator ``ServiceMonitor`` scraping a Service port (``svc.port("metrics")``).

    It selects the Service by the Service's own labels, so the Service needs some. ``path`` unset:
    Prometheus' default, ``/metrics``.
    """

    port: InstanceOf[ServicePortRef]
    path: StrictStr | None = None
    interval: StrictStr | None = None


class PodMonitor(Consumer, subject='PodMonitor "{name}"'):
    """A Prometheus operator ``PodMonitor`` scraping a container port.

    The port is given as ``container.port("metrics")``. A port without a name is scraped by its
    number: ``portNumber``, a field of the PodMonitor CRD since prometheus-operator added it in late
    2024 (prometheus-operator PR #7150; an older CRD does not know it, so name the port for an older
    operator).
    """

    port: InstanceOf[PortRef]
    path: StrictStr | None = None
    interval: StrictStr | None = None


class Peer(_Declaration, subject="NetworkPolicy peer"):
    """Where traffic may come from: pods by labels, namespaces by labels, or both.

    Both: those pods of those namespaces. ``{}`` means any: ``Peer(namespaces={})`` is every pod of
    every namespace.
    """

    pods: Accepts[Mapping[str, str] | None, dict[StrictStr, StrictStr] | None] = arg(default=None)
    namespaces: Accepts[Mapping[str, str] | None, dict[StrictStr, StrictStr] | None] = arg(
        default=None
    )


class PolicyRule(_Declaration, subject="NetworkPolicy rule"):
    """Traffic to some container ports from some peers (none: from anywhere).

    ``ports_by``: the ports are written by their ``"name"`` (default; a port without a name
    is written by its number) or their ``"number"``.
    """

    ports: Items[InstanceOf[PortRef]] = arg(default=())
    peers: Items[Peer] = arg(default=())
    ports_by: PortsBy = "name"


class NetworkPolicy(Consumer, subject='NetworkPolicy "{name}"'):
    """Allow traffic to some container ports of the App's pods, from pods or namespaces by label.

    The short form is one rule: ``ports`` from ``from_pods`` and/or ``from_namespaces`` (neither:
    from anywhere). For several rules, or several peers in a rule, give ``rules=[PolicyRule(...)]``
    instead.
    """

    ports: Items[InstanceOf[PortRef]] = arg(default=())
    from_pods: Labels = arg(default_factory=dict)
    from_namespaces: Labels = arg(default_factory=dict)
    rules: Items[PolicyRule] = arg(default=())

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
                peers = (
                    Peer.model_construct(
                        pods=dict(self.from_pods) or None,
                        namespaces=dict(self.from_namespaces) or None,
                        location=self.location,
                    ),
                )
            found.insert(
                0,
                PolicyRule.model_construct(
                    ports=self.ports, peers=peers, ports_by="name", location=self.location
                ),
            )
        return found
