"""Who uses a port: the consumers that reach a Service port, and those that use a container port.

A query over declared Apps for ``svcgen explain``: an Ingress rule or a route that sends traffic
to a Service port, a ServiceMonitor that scrapes it; a probe, a PodMonitor or a NetworkPolicy
that uses a container port. Each use is said in a few words, outside in
(``https://api.example.com/ → Ingress shop/web``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from svcgen.dsl.consumers import (
    HTTPRoute,
    Ingress,
    NetworkPolicy,
    Peer,
    PodMonitor,
    PolicyRule,
    ServiceMonitor,
)
from svcgen.dsl.model import App, Container, Port, Probe, Service, ServicePort
from svcgen.dsl.policy import same_port

__all__ = ["PortUses", "Use", "container_port_uses", "service_port_uses"]


@dataclass(frozen=True)
class Use:
    """One use of a port: ``entry`` and the object that says so.

    ``entry`` is where the traffic comes from, or what the use does.
    """

    entry: str
    kind: str
    name: str = ""
    namespace: str | None = None
    via: str = ""
    outside: bool = False
    """Whether it brings traffic from outside the cluster: an Ingress rule, a route attached to a
    Gateway."""

    @property
    def by(self) -> str:
        """How the use names its object, e.g. ``Ingress shop/web`` or ``liveness probe``.

        A route attached to a Gateway names it too: ``HTTPRoute shop/web via Gateway edge``.
        """
        if not self.name:
            return self.kind
        return f"{self.kind} {self.namespace + '/' if self.namespace else ''}{self.name}{self.via}"


def _where(host_and_path: str, secure: bool) -> str:
    if host_and_path.startswith("*"):
        return f"<any host>{host_and_path[1:]}"
    return (
        f"{'https' if secure else 'http'}://{host_and_path}"
        if host_and_path != "default backend"
        else ("<any host and path not matched by a rule>")
    )


def _scrape(path: str | None, interval: str | None) -> str:
    return f"scrapes {path or '/metrics'}" + (f" every {interval}" if interval else "")


def _probe(probe: Probe) -> str:
    if probe.kind == "http":
        return f"GET {probe.path}" + (" over HTTPS" if probe.scheme == "HTTPS" else "")
    return "gRPC health check" if probe.kind == "grpc" else "TCP connect"


def _selection(labels: dict[str, str]) -> str:
    return ",".join(f"{k}={v}" for k, v in labels.items())


def _peer(peer: Peer) -> str:
    if peer.pods is not None and peer.namespaces is not None:
        pods = f"pods {_selection(peer.pods)}" if peer.pods else "all pods"
        return (
            f"{pods} of namespaces {_selection(peer.namespaces)}"
            if peer.namespaces
            else f"{pods} of any namespace"
        )
    if peer.pods is not None:
        return (
            f"pods {_selection(peer.pods)} of its namespace"
            if peer.pods
            else "all pods of its namespace"
        )
    return f"namespaces {_selection(peer.namespaces or {})}" if peer.namespaces else "any namespace"


def _peers(rule: PolicyRule) -> str:
    return "admits " + ("; ".join(_peer(p) for p in rule.peers) if rule.peers else "any source")


class PortUses:
    """Every use of every port of ``apps``, gathered in one pass over their consumers.

    :mod:`svcgen.explain` shows them.
    """

    def __init__(self, apps: Sequence[App]) -> None:
        self._service: dict[int, list[Use]] = {}  # by id of the ServicePort
        self._container: dict[int, list[tuple[Port, Use]]] = {}  # by id of the Container
        for app in apps:
            for consumer in app.consumers:
                self._gather(app, consumer)

    def _gather(self, app: App, consumer: object) -> None:
        if isinstance(consumer, Ingress):
            tls_hosts = {host for tls in consumer.tls for host in tls.hosts}
            secure_all = any(not tls.hosts for tls in consumer.tls)
            for where, ref in consumer.backends():
                secure = secure_all or where.split("/", 1)[0] in tls_hosts
                self._service.setdefault(id(ref.port), []).append(
                    Use(
                        _where(where, secure), "Ingress", consumer.name, app.namespace, outside=True
                    )
                )
        elif isinstance(consumer, HTTPRoute):
            gateways = ", ".join(
                f"{p.namespace + '/' if p.namespace else ''}{p.name}" for p in consumer.parents
            )
            via = f" via Gateway {gateways}" if gateways else " (attached to no Gateway)"
            for where, ref in consumer.backends():
                self._service.setdefault(id(ref.port), []).append(
                    Use(
                        where,
                        "HTTPRoute",
                        consumer.name,
                        app.namespace,
                        via,
                        outside=bool(consumer.parents),
                    )
                )
        elif isinstance(consumer, ServiceMonitor):
            self._service.setdefault(id(consumer.port.port), []).append(
                Use(
                    _scrape(consumer.path, consumer.interval),
                    "ServiceMonitor",
                    consumer.name,
                    app.namespace,
                )
            )
        elif isinstance(consumer, PodMonitor):
            self._container.setdefault(id(consumer.port.container), []).append(
                (
                    consumer.port.port,
                    Use(
                        _scrape(consumer.path, consumer.interval),
                        "PodMonitor",
                        consumer.name,
                        app.namespace,
                    ),
                )
            )
        elif isinstance(consumer, NetworkPolicy):
            for rule in consumer.all_rules():
                use = Use(_peers(rule), "NetworkPolicy", consumer.name, app.namespace)
                for container, port in dict.fromkeys((id(r.container), r.port) for r in rule.ports):
                    self._container.setdefault(container, []).append((port, use))

    def service_port(self, sp: ServicePort) -> list[Use]:
        """The Ingress rules and routes that send traffic to ``sp``, and its ServiceMonitors."""
        return list(self._service.get(id(sp), ()))

    def container_port(self, container: Container, port: Port) -> list[Use]:
        """The probes of ``container`` on ``port``, and the monitors and policies that name it.

        The monitors are PodMonitors, the policies NetworkPolicies.
        """
        uses = [
            Use(_probe(probe), f"{kind} probe")
            for kind, probe in container.probes.items()
            if probe.port is not None and same_port(probe.port, port)
        ]
        seen: set[int] = set()
        for other, use in self._container.get(id(container), ()):
            if same_port(other, port) and id(use) not in seen:
                seen.add(id(use))
                uses.append(use)
        return uses


def service_port_uses(apps: Sequence[App], service: Service, sp: ServicePort) -> list[Use]:
    """The Ingress rules, routes and ServiceMonitors that use ``sp`` of ``service``.

    The rules and routes send traffic to it; the ServiceMonitors scrape it.
    """
    return PortUses(apps).service_port(sp)


def container_port_uses(apps: Sequence[App], container: Container, port: Port) -> list[Use]:
    """The probes of ``container`` on ``port``, and the monitors and policies that name it.

    The monitors are PodMonitors, the policies NetworkPolicies.
    """
    return PortUses(apps).container_port(container, port)
