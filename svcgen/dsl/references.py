"""Check the consumers of ports: probes, Ingresses, HTTPRoutes, monitors and NetworkPolicies.

A consumer refers to a port by object, so the port exists by construction; what can still be
wrong is *where* it is: a probe of another container's port, an Ingress backend Service that is
not rendered or lives in another namespace, a route to a UDP port, a monitor of a Service with no
labels to select it by. Names, paths and hosts follow the API server's (and the Gateway API
CRD's) rules. Each problem is reported at the consumer's own line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cached_property, partial
from typing import TYPE_CHECKING

from svcgen.dsl.checker import Checker
from svcgen.dsl.model import App, Consumer, Container, Probe, Service, ServicePortRef
from svcgen.dsl.policy import Owners, emits_workload, same_port, service_subject
from svcgen.errors import Problem, SourceLocation
from svcgen.kube import rules

if TYPE_CHECKING:  # loaded when an App has consumers: a project without any does not pay for it
    from svcgen.dsl.consumers import HTTPRoute, Ingress, NetworkPolicy, PodMonitor, ServiceMonitor

__all__ = ["consumer_problems", "monitor_interval"]

_DURATION = re.compile(r"0|([0-9]+y)?([0-9]+w)?([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?([0-9]+ms)?")


def monitor_interval(interval: str) -> list[str]:
    """A Prometheus duration, as the ServiceMonitor/PodMonitor CRD pattern has it.

    For example ``30s`` or ``1m30s``.
    """
    if interval and _DURATION.fullmatch(interval):
        return []
    return ["must be a Prometheus duration: units y w d h m s ms in that order, e.g. 30s or 1m30s"]


class _Report(Checker):
    """The problems found, and indexes of the rendered Apps.

    Each index is made when a consumer first needs it.
    """

    def __init__(self, apps: Sequence[App]) -> None:
        super().__init__()
        self.apps = apps

    @cached_property
    def owners(self) -> Owners:
        return Owners(self.apps)

    @cached_property
    def labelled(self) -> dict[tuple[str, str, str], list[tuple[App, Service]]]:
        """The rendered Services by namespace and label."""
        found: dict[tuple[str, str, str], list[tuple[App, Service]]] = {}
        for app in self.apps:
            for service in app.services:
                for key, value in service.labels.items():
                    found.setdefault((app.namespace or "", key, value), []).append((app, service))
        return found

    def selected(self, namespace: str | None, labels: dict[str, str]) -> list[tuple[App, Service]]:
        """The rendered Services of ``namespace`` whose labels include all of ``labels``.

        ``labels`` is not empty.
        """
        candidates = min(
            (self.labelled.get((namespace or "", k, v), []) for k, v in labels.items()), key=len
        )
        return [(app, s) for app, s in candidates if labels.items() <= s.labels.items()]


def consumer_problems(apps: Sequence[App], *, with_workloads: bool = False) -> list[Problem]:
    """Every problem of every probe and consumer of the rendered ``apps``, in declaration order."""
    report = _Report(apps)
    for app in apps:
        for container in app.containers:
            _probes(report, app, container, emits_workload(app, with_workloads))
        seen: dict[tuple[str, str], Consumer] = {}
        for consumer in app.consumers:
            _consumer(report, app, consumer, seen)
    return report.problems


def _probes(report: _Report, app: App, container: Container, emitted: bool) -> None:
    if container.liveness is None and container.readiness is None and container.startup is None:
        return
    subject = f'container "{container.name}" of App "{app.name}"'
    for use, probe in container.probes.items():
        if probe.port is None:  # an exec probe
            if not probe.command:
                report.add(
                    subject,
                    f"{use}.command",
                    "Required value: an exec probe runs a command",
                    'Probe.exec(["CMD", "ARG"...])',
                    probe.location,
                )
        elif not any(same_port(probe.port, port) for port in container.ports):
            names = ", ".join(p.label for p in container.ports) or "none"
            number = f" ({probe.port.number})" if probe.port.name is not None else ""
            report.add(
                subject,
                use,
                f"{probe.kind} probe of port {probe.port.label}{number}, which "
                f"is not a port of this container (its ports: {names})",
                "probe one of the container's own Port objects, or add the port to its ports",
                probe.location,
            )
        elif probe.port.protocol != "TCP":
            report.add(
                subject,
                use,
                f"{probe.kind} probe of {probe.port.protocol} port {probe.port.label}: "
                "probes connect over TCP",
                "probe a TCP port",
                probe.location,
            )
        elif probe.port_by == "name" and probe.port.name is None and probe.kind in ("http", "tcp"):
            report.add(
                subject,
                f"{use}.port_by",
                f'port_by="name", but port {probe.port.number} has no name',
                f"drop port_by (a port without a name is probed by number), or name the port: "
                f'Port("NAME", {probe.port.number})',
                probe.location,
            )
        if probe.path is not None and not probe.path.startswith(
            "/"
        ):  # accepted: the kubelet adds the "/"
            report.add(
                subject,
                f"{use}.path",
                f'"{probe.path}" is requested as "/{probe.path}"',
                'start it with "/", e.g. "/healthz"',
                probe.location,
                warning=True,
            )
        _probe_timing(report, subject, use, probe)
        if not emitted:
            report.add(
                subject,
                use,
                "the probe is not written: the App's workload is not emitted (only its "
                "Services are)",
                'set workload="Deployment" on the App, or render with --with-workloads',
                probe.location,
                warning=True,
            )


def _probe_timing(report: _Report, subject: str, use: str, probe: Probe) -> None:
    """``ValidateNonnegativeField`` on each timing field of ``probe``.

    The API server defaults 0 (or unset) itself.
    """
    for field in (
        "initial_delay_seconds",
        "period_seconds",
        "timeout_seconds",
        "failure_threshold",
        "success_threshold",
        "termination_grace_period_seconds",
    ):
        value = getattr(probe, field)
        if value is not None and value < 0:
            report.add(
                subject,
                f"{use}.{field}",
                f"Invalid value: {value}: must be greater than or equal to 0",
                "leave it unset for the Kubernetes default",
                probe.location,
            )


def _consumer(
    report: _Report, app: App, consumer: Consumer, seen: dict[tuple[str, str], Consumer]
) -> None:
    from svcgen.dsl.consumers import HTTPRoute, Ingress, NetworkPolicy, PodMonitor, ServiceMonitor

    kind = next(
        cls.__name__
        for cls in (Ingress, HTTPRoute, ServiceMonitor, PodMonitor, NetworkPolicy)
        if isinstance(consumer, cls)
    )  # each consumer class is named after the kind it writes
    subject = f'{kind} "{consumer.name}" of App "{app.name}"'
    report.rule(
        rules.dns1123_subdomain,
        consumer.name,
        subject,
        "name",
        "use lower case letters, digits, '-' and '.', e.g. web",
        consumer.location,
    )
    report.labels(dict(consumer.labels), subject, "labels", consumer.location)
    for (
        key
    ) in consumer.annotations:  # ValidateAnnotations: keys are qualified names (case-insensitive)
        for detail in rules.qualified_name(key.lower()):
            report.add(
                subject,
                "annotations",
                f'Invalid value: "{key}": {detail}',
                "annotation keys are NAME or PREFIX/NAME",
                consumer.location,
            )
    for detail in rules.annotations_size(consumer.annotations):
        report.add(
            subject,
            "annotations",
            f"Too long: {detail}",
            "keep annotations under 256 KiB",
            consumer.location,
        )
    earlier = seen.setdefault((kind, consumer.name), consumer)
    if earlier is not consumer:
        report.add(
            subject,
            "name",
            f'Duplicate value: "{consumer.name}": another {kind} of that name is '
            f"declared at {earlier.location}",
            f"give each {kind} its own name",
            consumer.location,
        )
    if isinstance(consumer, Ingress):
        _ingress(report, app, consumer, subject)
    elif isinstance(consumer, HTTPRoute):
        _route(report, app, consumer, subject)
    elif isinstance(consumer, ServiceMonitor):
        _service_monitor(report, app, consumer, subject)
    elif isinstance(consumer, PodMonitor):
        _pod_monitor(report, app, consumer, subject)
    elif isinstance(consumer, NetworkPolicy):
        _network_policy(report, app, consumer, subject)


def _rendered(
    report: _Report, ref: ServicePortRef, subject: str, field: str, location: SourceLocation | None
) -> App | None:
    """The App that renders ``ref``'s Service; a problem if no rendered App declares it."""
    owner = report.owners.service(ref.service)
    if owner is None:
        report.add(
            subject,
            field,
            f'Service "{ref.service.name}" is not rendered: no App given to this render '
            "declares it",
            "render the App that declares the Service together with this one",
            location,
        )
    return owner


def _ingress(report: _Report, app: App, ingress: Ingress, subject: str) -> None:
    if not ingress.rules and ingress.default_backend is None:
        report.add(
            subject,
            "rules",
            "Required value: either `defaultBackend` or `rules` must be specified",
            "give it rules=[IngressRule(...)] or a default_backend",
            ingress.location,
        )
    for where, ref in ingress.backends():
        owner = _rendered(report, ref, subject, f"backend {where}", ingress.location)
        if owner is not None and owner.namespace != app.namespace:
            report.add(
                subject,
                f"backend {where}",
                f"{service_subject(owner, ref.service)} is in another namespace "
                "than the Ingress: an Ingress reaches only Services in its own namespace",
                "declare the Ingress in an App of the Service's namespace",
                ingress.location,
            )
        if ref.port.protocol != "TCP":
            report.add(
                subject,
                f"backend {where}",
                f'port {ref.port.label} of Service "{ref.service.name}" '
                f"is {ref.port.protocol}: Ingress controllers proxy HTTP over TCP",
                "use a TCP port",
                ingress.location,
            )
        if ref.service.type == "ExternalName":
            report.add(
                subject,
                f"backend {where}",
                f'Service "{ref.service.name}" is an ExternalName '
                "Service: many Ingress controllers do not route to one",
                "check your controller supports it",
                ingress.location,
                warning=True,
            )
    for rule in ingress.rules:
        if rule.host:
            report.rule(
                rules.ingress_host,
                rule.host,
                subject,
                "rules.host",
                "use a DNS name, e.g. shop.example.com",
                rule.location,
            )
        if not rule.paths:
            report.add(
                subject,
                f"rules[{rule.host or '*'}].paths",
                "Required value: a rule needs at least one path",
                'give it paths={"/": service.port("http")}',
                rule.location,
            )
        check = (
            rules.http_path
            if rule.path_type != "ImplementationSpecific"
            else rules.implementation_specific_path
        )
        for path in rule.paths:
            report.rule(
                check,
                path,
                subject,
                f"rules[{rule.host or '*'}].paths",
                'paths are absolute, e.g. "/api"',
                rule.location,
            )
    for tls in ingress.tls:
        if (
            tls.secret_name
        ):  # validateTLSSecretName: an empty name is the controller's default certificate
            report.rule(
                rules.dns1123_subdomain,
                tls.secret_name,
                subject,
                "tls.secret_name",
                "name the Secret with lower case letters, digits, '-' and '.'",
                tls.location,
            )
        for host in tls.hosts:
            report.rule(
                rules.tls_host,
                host,
                subject,
                "tls.hosts",
                "use a DNS name, e.g. shop.example.com",
                tls.location,
            )
    if ingress.ingress_class is not None:
        report.rule(
            rules.dns1123_subdomain,
            ingress.ingress_class,
            subject,
            "ingress_class",
            "name an IngressClass, e.g. nginx",
            ingress.location,
        )


def _route(report: _Report, app: App, route: HTTPRoute, subject: str) -> None:
    if not route.parents:
        report.add(
            subject,
            "parents",
            "the route attaches to no Gateway, so no traffic reaches it",
            'give it parents=[GatewayRef("my-gateway")]',
            route.location,
            warning=True,
        )
    for host in route.hostnames:
        report.rule(
            rules.ingress_host,
            host,
            subject,
            "hostnames",
            "use a DNS name, e.g. shop.example.com",
            route.location,
        )
    for rule in route.rules:
        report.rule(
            partial(rules.http_path, route=True),
            rule.path_prefix,
            subject,
            "rules.path_prefix",
            'path prefixes are absolute, e.g. "/api"',
            rule.location,
        )
        if not rule.backends:
            report.add(
                subject,
                f'rules["{rule.path_prefix}"].backends',
                "no backends: requests get a 500 answer",
                'give the rule backends=[service.port("http")]',
                rule.location,
                warning=True,
            )
        for ref in rule.backends:
            where = f'rules["{rule.path_prefix}"].backends'
            owner = _rendered(report, ref, subject, where, rule.location)
            if ref.port.protocol != "TCP":
                report.add(
                    subject,
                    where,
                    f'port {ref.port.label} of Service "{ref.service.name}" is '
                    f"{ref.port.protocol}: an HTTPRoute carries HTTP over TCP",
                    "route to a TCP port",
                    rule.location,
                )
            if owner is not None:
                _unnamed_namespace(report, app, owner, subject, where, rule.location)
            if owner is not None and owner.namespace != app.namespace:
                report.add(
                    subject,
                    where,
                    f"{service_subject(owner, ref.service)} is in another namespace: the "
                    "backend needs a ReferenceGrant in that namespace",
                    "add a ReferenceGrant there, or declare the route in the Service's namespace",
                    rule.location,
                    warning=True,
                )


def _service_monitor(report: _Report, app: App, monitor: ServiceMonitor, subject: str) -> None:
    ref = monitor.port
    owner = _rendered(report, ref, subject, "port", monitor.location)
    _scrape(report, subject, monitor.path, monitor.interval, monitor.location)
    if not ref.port.port_name:
        report.add(
            subject,
            "port",
            f'port {ref.port.label} of Service "{ref.service.name}" has no name: a '
            "ServiceMonitor scrapes a Service port by name",
            'name the Service port: expose(name="metrics"), or name the container port it exposes',
            monitor.location,
        )
    if not ref.service.labels:
        report.add(
            subject,
            "port",
            f'Service "{ref.service.name}" has no labels: a ServiceMonitor selects '
            "Services by their labels",
            'give the Service labels, e.g. labels={"app": "web"}',
            monitor.location,
        )
        return
    if owner is None:
        return
    _unnamed_namespace(report, app, owner, subject, "port", monitor.location)
    for other_app, other in report.selected(owner.namespace, dict(ref.service.labels)):
        if other is not ref.service and ref.port.port_name not in {
            sp.port_name for sp in other.ports
        }:
            report.add(
                subject,
                "port",
                f'its selector (the labels of Service "{ref.service.name}") also '
                f"selects {service_subject(other_app, other)}, which has no port "
                f'"{ref.port.port_name}": nothing is scraped there',
                "give the Services distinct labels",
                monitor.location,
                warning=True,
            )


def _pod_monitor(report: _Report, app: App, monitor: PodMonitor, subject: str) -> None:
    owner = report.owners.container(monitor.port.container)
    if owner is not None:
        _unnamed_namespace(report, app, owner, subject, "port", monitor.location)
    _scrape(report, subject, monitor.path, monitor.interval, monitor.location)
    if owner is None:
        report.add(
            subject,
            "port",
            f'container "{monitor.port.container.name}" is not rendered: no App given to '
            "this render runs it",
            "render the App whose container it is together with this one",
            monitor.location,
        )
    elif not owner.labels:
        report.add(
            subject,
            "port",
            f'App "{owner.name}" has no labels: a PodMonitor selects pods by their labels',
            "give the App labels",
            monitor.location,
        )


def _unnamed_namespace(
    report: _Report, app: App, owner: App, subject: str, field: str, location: SourceLocation | None
) -> None:
    """Warn of a reference across Apps of which one has a namespace and the other none.

    svcgen writes "default" for the missing one, which is a guess.
    """
    if (app.namespace is None) == (owner.namespace is None):
        return
    named, unnamed = (app, owner) if app.namespace is not None else (owner, app)
    report.add(
        subject,
        field,
        f'App "{unnamed.name}" has no namespace while App "{named.name}" is in '
        f'"{named.namespace}": svcgen writes "default" for the missing one, which is wrong '
        "wherever the kubectl context is another namespace",
        f'give App "{unnamed.name}" its namespace',
        location,
        warning=True,
    )


def _scrape(
    report: _Report,
    subject: str,
    path: str | None,
    interval: str | None,
    location: SourceLocation | None,
) -> None:
    if path is not None and not path.startswith("/"):
        report.add(
            subject,
            "path",
            f'Invalid value: "{path}": must be an absolute path',
            'start it with "/", e.g. "/metrics"',
            location,
        )
    if interval is not None:
        report.rule(monitor_interval, interval, subject, "interval", "e.g. 30s", location)


def _network_policy(report: _Report, app: App, policy: NetworkPolicy, subject: str) -> None:
    if not app.labels:
        report.add(
            subject,
            "ports",
            f'App "{app.name}" has no labels: the policy selects its pods by them, and an '
            "empty selector would select every pod of the namespace",
            "give the App labels",
            policy.location,
        )
    if policy.short_form and policy.rules:
        report.add(
            subject,
            "rules",
            "both the one-rule form (ports, from_pods, from_namespaces) and rules are given",
            "move the one rule into rules=[PolicyRule(...)]",
            policy.location,
        )
    if not policy.short_form and not policy.rules:
        report.add(
            subject,
            "ports",
            "Required value: no ports: the policy would allow no traffic at all, or with "
            "an empty rule every port",
            'name the ports it allows, e.g. ports=[api.port("http")]',
            policy.location,
        )
    for r, rule in enumerate(policy.all_rules()):
        where = "ports" if policy.short_form and r == 0 else f"rules[{r - policy.short_form}].ports"
        if not rule.ports:
            report.add(
                subject,
                where,
                "Required value: no ports: the rule would admit every port",
                'name the ports it admits, e.g. ports=[api.port("http")]',
                rule.location,
            )
        for i, ref in enumerate(rule.ports):
            if not any(
                c is ref.container and any(same_port(ref.port, p) for p in c.ports)
                for c in app.containers
            ):
                report.add(
                    subject,
                    f"{where}[{i}]",
                    f'port {ref.port.label} of container "{ref.container.name}" '
                    f'is not a port of App "{app.name}": the policy admits traffic to this App\'s '
                    "pods only",
                    "declare the NetworkPolicy in the App whose container has the port",
                    rule.location,
                )
        for peer in rule.peers:
            if peer.pods is None and peer.namespaces is None:
                report.add(
                    subject,
                    "peers",
                    "a peer with neither pods nor namespaces selects nothing",
                    "give it pods={...} and/or namespaces={...} ({} for any)",
                    peer.location,
                )
    report.labels(dict(policy.from_pods), subject, "from_pods", policy.location)
    report.labels(dict(policy.from_namespaces), subject, "from_namespaces", policy.location)
    for rule in policy.rules:
        for peer in rule.peers:
            report.labels(dict(peer.pods or {}), subject, "peers.pods", peer.location)
            report.labels(dict(peer.namespaces or {}), subject, "peers.namespaces", peer.location)
