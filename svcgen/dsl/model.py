"""The svcgen DSL: containers, their named ports, the Services that expose them, and Apps.

The models describe intent in svcgen's own words (``number``, ``node_port``, ``headless``);
only :mod:`svcgen.dsl.manifests` knows the Kubernetes field names. Constructors check types
(a wrong type raises :class:`~svcgen.errors.DeclarationError` at the user's line); the
Kubernetes rules (names, ranges, uniqueness, type constraints) are checked all at once by
:func:`svcgen.dsl.validate.validate`, which reports each problem at the line that declared it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Final, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
)

from svcgen.dsl.callsite import caller_location
from svcgen.dsl.typeerrors import LIST_FIELDS, lone_objects, type_problems
from svcgen.errors import DeclarationError, Problem

__all__ = [
    "AUTO",
    "App",
    "Consumer",
    "Container",
    "IPFamily",
    "IPFamilyPolicy",
    "NodePort",
    "Port",
    "PortRef",
    "Probe",
    "Protocol",
    "Service",
    "ServicePort",
    "ServicePortRef",
    "ServiceType",
    "TargetBy",
    "TrafficPolicy",
    "WorkloadKind",
]

Protocol = Literal["TCP", "UDP", "SCTP"]
ServiceType = Literal["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"]
TrafficPolicy = Literal["Cluster", "Local"]
SessionAffinity = Literal["None", "ClientIP"]
TargetBy = Literal["number", "name"]
IPFamily = Literal["IPv4", "IPv6"]
IPFamilyPolicy = Literal["SingleStack", "PreferDualStack", "RequireDualStack"]
WorkloadKind = Literal["Deployment", "StatefulSet"]

AUTO: Final = "auto"
"""``node_port=AUTO`` (the default): svcgen allocates a nodePort when the Service type needs one."""

NodePort = StrictInt | Literal["auto"] | None
"""A nodePort request: a pinned number, ``"auto"`` (allocate when needed) or ``None`` (never set)."""


class _Declaration(BaseModel):
    """Base of every DSL object: frozen, strict about unknown fields, remembers its source line."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    location: Any = Field(default=None, exclude=True, repr=False)
    """The file and line of the user's code that created this object (a SourceLocation)."""

    def _init(self, subject: str, **fields: Any) -> None:
        location = caller_location()
        defaults, list_fields = _plan(type(self))
        for name in list_fields:
            if isinstance(fields.get(name), BaseModel):  # pydantic would report each of the object's fields
                raise DeclarationError(lone_objects(subject, fields, location, type(self).__name__))
        # Arguments left at their default are not passed: pydantic keeps a set of the fields it was
        # given on every object, and with every field given that set was most of a large project's memory.
        given: dict[str, Any] = {"location": location}
        for name, value in fields.items():
            default = defaults.get(name, _REQUIRED)
            if value is default or (type(value) is type(default) and type(value) in _COMPARED and value == default):
                continue  # the default itself (of its type too: 0 is not False, and must meet the type check)
            given[name] = value
        try:  # what BaseModel.__init__ does, without repacking the arguments (DSL models have no validators)
            self.__pydantic_validator__.validate_python(given, self_instance=self)
        except ValidationError as exc:
            raise DeclarationError(type_problems(subject, exc, location, type(self).__name__)) from None


# Defaults compared by value; any other default is left out only when given as the object itself.
_COMPARED = (tuple, dict, str)
_REQUIRED = object()  # a required field has no default


@cache
def _plan(cls: type[BaseModel]) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The default of each optional field of a DSL class, and its fields that take a list."""
    found = {}
    for name, info in cls.model_fields.items():
        if info.default_factory is not None:
            found[name] = info.default_factory()  # type: ignore[call-arg]
        elif not info.is_required():
            found[name] = info.default
    return found, tuple(name for name in cls.model_fields if name in LIST_FIELDS)


class Port(_Declaration):
    """A port a container listens on.

    Args:
        name: the port's name, an IANA service name (at most 15 characters, lower case
            letters, digits and single hyphens, at least one letter), e.g. ``"http"``.
        number: the port number the process listens on, 1-65535.
        protocol: ``"TCP"`` (default), ``"UDP"`` or ``"SCTP"``.
    """

    name: StrictStr
    number: StrictInt
    protocol: Protocol = "TCP"

    def __init__(self, name: str, number: int, protocol: Protocol = "TCP") -> None:
        self._init(f'port "{name}"', name=name, number=number, protocol=protocol)


ProbeKind = Literal["http", "tcp", "grpc"]


class Probe(_Declaration):
    """A health check of a container against one of its own ports (a ``Port`` object, never a string).

    Make one with :meth:`http`, :meth:`tcp` or :meth:`grpc`; pass it to ``Container(liveness=...,
    readiness=..., startup=...)``. It is written with the port's name when the workload is emitted.
    """

    kind: ProbeKind
    port: Port
    path: StrictStr | None = None
    scheme: Literal["HTTP", "HTTPS"] | None = None
    grpc_service: StrictStr | None = None
    initial_delay_seconds: StrictInt | None = None
    period_seconds: StrictInt | None = None
    timeout_seconds: StrictInt | None = None
    failure_threshold: StrictInt | None = None

    def __init__(self, kind: ProbeKind, port: Port, *, path: str | None = None,
                 scheme: Literal["HTTP", "HTTPS"] | None = None, grpc_service: str | None = None,
                 initial_delay_seconds: int | None = None, period_seconds: int | None = None,
                 timeout_seconds: int | None = None, failure_threshold: int | None = None) -> None:
        self._init(f"{kind} probe", kind=kind, port=port, path=path, scheme=scheme, grpc_service=grpc_service,
                   initial_delay_seconds=initial_delay_seconds, period_seconds=period_seconds,
                   timeout_seconds=timeout_seconds, failure_threshold=failure_threshold)

    @classmethod
    def http(cls, port: Port, path: str = "/", *, scheme: Literal["HTTP", "HTTPS"] | None = None,
             initial_delay_seconds: int | None = None, period_seconds: int | None = None,
             timeout_seconds: int | None = None, failure_threshold: int | None = None) -> Probe:
        """An HTTP GET of ``path`` on ``port``."""
        return cls("http", port, path=path, scheme=scheme, initial_delay_seconds=initial_delay_seconds,
                   period_seconds=period_seconds, timeout_seconds=timeout_seconds, failure_threshold=failure_threshold)

    @classmethod
    def tcp(cls, port: Port, *, initial_delay_seconds: int | None = None, period_seconds: int | None = None,
            timeout_seconds: int | None = None, failure_threshold: int | None = None) -> Probe:
        """A TCP connection to ``port``."""
        return cls("tcp", port, initial_delay_seconds=initial_delay_seconds, period_seconds=period_seconds,
                   timeout_seconds=timeout_seconds, failure_threshold=failure_threshold)

    @classmethod
    def grpc(cls, port: Port, service: str | None = None, *, initial_delay_seconds: int | None = None,
             period_seconds: int | None = None, timeout_seconds: int | None = None,
             failure_threshold: int | None = None) -> Probe:
        """A gRPC health check on ``port`` (Kubernetes writes its number)."""
        return cls("grpc", port, grpc_service=service, initial_delay_seconds=initial_delay_seconds,
                   period_seconds=period_seconds, timeout_seconds=timeout_seconds, failure_threshold=failure_threshold)


class Container(_Declaration):
    """A container of the workload, with the ports it exposes.

    Args:
        name: the container's name (a DNS-1123 label).
        image: the container image (used when svcgen also emits the workload).
        ports: the container's ports; names must be unique, and so must (number, protocol).
        liveness: a probe (``Probe.http(port, "/healthz")``...) of one of this container's ports;
            ``readiness`` and ``startup`` alike.
    """

    name: StrictStr
    image: StrictStr | None = None
    ports: tuple[Port, ...] = ()
    liveness: Probe | None = None
    readiness: Probe | None = None
    startup: Probe | None = None

    def __init__(self, name: str, *, image: str | None = None, ports: Iterable[Port] = (),
                 liveness: Probe | None = None, readiness: Probe | None = None, startup: Probe | None = None) -> None:
        self._init(f'container "{name}"', name=name, image=image, ports=_seq(ports), liveness=liveness,
                   readiness=readiness, startup=startup)

    @property
    def probes(self) -> dict[str, Probe]:
        """The probes that are set, by kind (liveness, readiness, startup)."""
        found = {"liveness": self.liveness, "readiness": self.readiness, "startup": self.startup}
        return {kind: probe for kind, probe in found.items() if probe is not None}

    def port(self, name: str) -> PortRef:
        """Refer to one of this container's ports by name, to expose it in a Service."""
        for port in self.ports:
            if port.name == name:
                return PortRef(self, port)
        known = ", ".join(f'"{p.name}"' for p in self.ports) or "none"
        raise DeclarationError([Problem(f'container "{self.name}"', "port",
                                        f'has no port named "{name}" (its ports: {known})',
                                        _missing_port_hint(self, name, sys._getframe(1)), caller_location())])


@dataclass(frozen=True)
class PortRef:
    """A container port, as referred to by ``container.port(name)``."""

    container: Container
    port: Port

    def expose(
        self,
        port: int | None = None,
        *,
        name: str | None = None,
        node_port: NodePort = AUTO,
        target_by: TargetBy | None = None,
        app_protocol: str | None = None,
    ) -> ServicePort:
        """Expose this container port through a Service.

        Args:
            port: the port the Service listens on; defaults to the container port's number.
            name: the Service port's name; defaults to the container port's name.
            node_port: a pinned nodePort number, ``AUTO`` (default: svcgen allocates one when
                the Service type needs it) or ``None`` (none written; the cluster decides).
            target_by: write the targetPort as the container port's ``"number"`` or its
                ``"name"`` (keeps working when the container port is renumbered). Unset: the
                name when svcgen also emits the workload (the name is then sure to exist),
                the number otherwise.
            app_protocol: the application protocol hint (``appProtocol``), e.g. ``"http"``.
        """
        return ServicePort(
            self.container,
            self.port,
            port=port,
            name=name,
            node_port=node_port,
            target_by=target_by,
            app_protocol=app_protocol,
        )


class ServicePort(_Declaration):
    """One port of a Service, pointing at a container port (made by ``PortRef.expose``)."""

    container: Container
    target: Port
    port: StrictInt | None = None
    name: StrictStr | None = None
    node_port: NodePort = AUTO
    target_by: TargetBy | None = None
    app_protocol: StrictStr | None = None

    def __init__(
        self,
        container: Container,
        target: Port,
        *,
        port: int | None = None,
        name: str | None = None,
        node_port: NodePort = AUTO,
        target_by: TargetBy | None = None,
        app_protocol: str | None = None,
    ) -> None:
        self._init(
            f'port "{name or getattr(target, "name", target)}"',
            container=container,
            target=target,
            port=port,
            name=name,
            node_port=node_port,
            target_by=target_by,
            app_protocol=app_protocol,
        )

    @property
    def service_port(self) -> int:
        """The port the Service listens on (the container port's number unless given)."""
        return self.target.number if self.port is None else self.port

    @property
    def port_name(self) -> str:
        """The Service port's name (the container port's name unless given)."""
        return self.target.name if self.name is None else self.name

    @property
    def protocol(self) -> Protocol:
        """The protocol, always the container port's: a Service port cannot disagree with it."""
        return self.target.protocol


@dataclass(frozen=True)
class ServicePortRef:
    """A port of a Service, as referred to by ``service.port(name)`` (for Ingresses, routes, monitors)."""

    service: Service
    port: ServicePort


class Consumer(_Declaration):
    """Base of the objects that refer to ports: Ingress, HTTPRoute, monitors... (:mod:`svcgen.dsl.consumers`).

    Each has a name, and may have labels and annotations (its own metadata, not a selector).
    """

    name: StrictStr
    labels: dict[StrictStr, StrictStr] = Field(default_factory=dict)
    annotations: dict[StrictStr, StrictStr] = Field(default_factory=dict)


class Service(_Declaration):
    """A Kubernetes Service in front of the App's pods.

    Args:
        name: the Service's name (a DNS-1035 label: starts with a letter).
        type: ``"ClusterIP"`` (default), ``"NodePort"``, ``"LoadBalancer"`` or ``"ExternalName"``.
        ports: the exposed ports, from ``container.port(name).expose(...)``.
        headless: a headless Service (``clusterIP: None``); ClusterIP only.
        external_name: the DNS name an ExternalName Service points at.
        labels: extra labels for the Service object itself.
        annotations: annotations for the Service object.
        allocate_load_balancer_node_ports: LoadBalancer only; ``False`` means no nodePorts
            except pinned ones. Unset means the Kubernetes default (``True``).
        external_traffic_policy: ``"Cluster"`` or ``"Local"``; NodePort and LoadBalancer only.
        internal_traffic_policy: ``"Cluster"`` or ``"Local"``.
        session_affinity: ``"None"`` or ``"ClientIP"``.
        session_affinity_timeout: seconds of ClientIP affinity, 1-86400 (Kubernetes: 10800).
        load_balancer_class: the load balancer implementation; LoadBalancer only.
        load_balancer_source_ranges: client IP ranges allowed in; LoadBalancer only.
        health_check_node_port: the healthCheckNodePort of a LoadBalancer with
            ``external_traffic_policy="Local"``: ``AUTO`` (default: svcgen allocates it and keeps it
            in the lock, like a nodePort), a pinned number, or ``None`` (the cluster picks one).
        extra_selector: labels this Service selects on beyond the App's labels (a refinement:
            only some of the App's pods, e.g. ``{"role": "admin"}`` or a StatefulSet pod's
            ``{"statefulset.kubernetes.io/pod-name": "db-0"}``).
        cluster_ip: a fixed virtual IP (``"10.0.0.10"``), or one per IP family for dual-stack
            (``["10.0.0.10", "fd00::10"]``); unset: the cluster picks one.
        ip_families: the IP families, in order (``["IPv6", "IPv4"]``); unset: the cluster's.
        ip_family_policy: ``"SingleStack"``, ``"PreferDualStack"`` or ``"RequireDualStack"``.
        external_ips: IPs outside the cluster that route to this Service.
        load_balancer_ip: the load balancer IP asked for (deprecated in Kubernetes, kept for
            existing manifests).
        publish_not_ready_addresses: publish endpoints of pods that are not ready (StatefulSet
            peer discovery needs it).
        traffic_distribution: how traffic is spread over endpoints, e.g. ``"PreferClose"``.
    """

    name: StrictStr
    type: ServiceType = "ClusterIP"
    ports: tuple[ServicePort, ...] = ()
    headless: StrictBool = False
    external_name: StrictStr | None = None
    labels: dict[StrictStr, StrictStr] = Field(default_factory=dict)
    annotations: dict[StrictStr, StrictStr] = Field(default_factory=dict)
    allocate_load_balancer_node_ports: StrictBool | None = None
    external_traffic_policy: TrafficPolicy | None = None
    internal_traffic_policy: TrafficPolicy | None = None
    session_affinity: SessionAffinity | None = None
    session_affinity_timeout: StrictInt | None = None
    load_balancer_class: StrictStr | None = None
    load_balancer_source_ranges: tuple[StrictStr, ...] = ()
    health_check_node_port: NodePort = AUTO
    extra_selector: dict[StrictStr, StrictStr] = Field(default_factory=dict)
    cluster_ip: StrictStr | tuple[StrictStr, ...] | None = None
    ip_families: tuple[IPFamily, ...] = ()
    ip_family_policy: IPFamilyPolicy | None = None
    external_ips: tuple[StrictStr, ...] = ()
    load_balancer_ip: StrictStr | None = None
    publish_not_ready_addresses: StrictBool | None = None
    traffic_distribution: StrictStr | None = None

    def __init__(
        self,
        name: str,
        *,
        type: ServiceType = "ClusterIP",  # noqa: A002 - the user-facing word is "type"
        ports: Iterable[ServicePort] = (),
        headless: bool = False,
        external_name: str | None = None,
        labels: Mapping[str, str] | None = None,
        annotations: Mapping[str, str] | None = None,
        allocate_load_balancer_node_ports: bool | None = None,
        external_traffic_policy: TrafficPolicy | None = None,
        internal_traffic_policy: TrafficPolicy | None = None,
        session_affinity: SessionAffinity | None = None,
        session_affinity_timeout: int | None = None,
        load_balancer_class: str | None = None,
        load_balancer_source_ranges: Iterable[str] = (),
        health_check_node_port: NodePort = AUTO,
        extra_selector: Mapping[str, str] | None = None,
        cluster_ip: str | Iterable[str] | None = None,
        ip_families: Iterable[IPFamily] = (),
        ip_family_policy: IPFamilyPolicy | None = None,
        external_ips: Iterable[str] = (),
        load_balancer_ip: str | None = None,
        publish_not_ready_addresses: bool | None = None,
        traffic_distribution: str | None = None,
    ) -> None:
        self._init(
            f'Service "{name}"',
            name=name,
            type=type,
            ports=_seq(ports),
            headless=headless,
            external_name=external_name,
            labels=_map(labels),
            annotations=_map(annotations),
            allocate_load_balancer_node_ports=allocate_load_balancer_node_ports,
            external_traffic_policy=external_traffic_policy,
            internal_traffic_policy=internal_traffic_policy,
            session_affinity=session_affinity,
            session_affinity_timeout=session_affinity_timeout,
            load_balancer_class=load_balancer_class,
            load_balancer_source_ranges=_seq(load_balancer_source_ranges),
            health_check_node_port=health_check_node_port,
            extra_selector=_map(extra_selector),
            cluster_ip=cluster_ip if cluster_ip is None or isinstance(cluster_ip, str) else _seq(cluster_ip),
            ip_families=_seq(ip_families),
            ip_family_policy=ip_family_policy,
            external_ips=_seq(external_ips),
            load_balancer_ip=load_balancer_ip,
            publish_not_ready_addresses=publish_not_ready_addresses,
            traffic_distribution=traffic_distribution,
        )


    def port(self, name: str) -> ServicePortRef:
        """Refer to one of this Service's ports by name (an Ingress backend, a route, a monitor)."""
        for sp in self.ports:
            if sp.port_name == name:
                return ServicePortRef(self, sp)
        names = [sp.port_name for sp in self.ports]
        import difflib  # only for a mistake's suggestion

        near = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
        hint = f'did you mean "{near[0]}"?' if near else "refer to one of its ports (by the Service port's name)"
        known = ", ".join(f'"{n}"' for n in names) or "none"
        raise DeclarationError([Problem(f'Service "{self.name}"', "port", f'has no port named "{name}" (its ports: '
                                        f"{known})", hint, caller_location())])


class App(_Declaration):
    """A workload (its pod labels and containers) and the Services in front of it.

    Args:
        name: the workload's name (a DNS-1123 subdomain).
        labels: the labels that identify the pods: every Service's selector (and the workload's
            ``matchLabels``) is exactly these labels, so they can never disagree.
        containers: the containers of the pod.
        services: the Services exposing the containers' ports.
        namespace: the namespace of every object; unset means "from the kubectl context".
        pod_labels: more labels for the pods only (a version, say), not used to select them.
        workload: also emit the workload, a ``"Deployment"`` or a ``"StatefulSet"``; unset
            means only with ``render(with_workloads=True)`` / ``--with-workloads`` (as a Deployment).
        replicas: the workload's replica count (unset: the Kubernetes default, 1).
        consumers: what else refers to the App's ports, rendered with it in its namespace:
            ``Ingress``, ``HTTPRoute``, ``ServiceMonitor``, ``PodMonitor`` and ``NetworkPolicy``
            (from :mod:`svcgen.dsl.consumers`), each referring to ports by object.
    """

    name: StrictStr
    labels: dict[StrictStr, StrictStr] = Field(default_factory=dict)
    containers: tuple[Container, ...] = ()
    services: tuple[Service, ...] = ()
    namespace: StrictStr | None = None
    pod_labels: dict[StrictStr, StrictStr] = Field(default_factory=dict)
    workload: WorkloadKind | None = None
    replicas: StrictInt | None = None
    consumers: tuple[Consumer, ...] = ()

    def __init__(
        self,
        name: str,
        *,
        labels: Mapping[str, str] | None = None,
        containers: Iterable[Container] = (),
        services: Iterable[Service] = (),
        namespace: str | None = None,
        pod_labels: Mapping[str, str] | None = None,
        workload: WorkloadKind | None = None,
        replicas: int | None = None,
        consumers: Iterable[Consumer] = (),
    ) -> None:
        self._init(
            f'App "{name}"',
            name=name,
            labels=_map(labels),
            containers=_seq(containers),
            services=_seq(services),
            namespace=namespace,
            pod_labels=_map(pod_labels),
            workload=workload,
            replicas=replicas,
            consumers=_seq(consumers),
        )
        if new_app_hook is not None:
            new_app_hook(self)


new_app_hook: Callable[[App], object] | None = None
"""Called with every App made; the loader sets it while the user's files run, to find the Apps nobody kept."""


def _missing_port_hint(container: Container, name: str, frame: Any) -> str:
    """The fix for ``container.port(name)``: the nearest name, or the sibling container that has it."""
    # The caller's names: the container's own variable, and containers declared beside it.
    scope = {**frame.f_globals, **frame.f_locals} if frame is not None else {}
    own = next((var for var, value in scope.items() if value is container), "container")
    import difflib  # only for a mistake's suggestion

    near = difflib.get_close_matches(name, [p.name for p in container.ports], n=1, cutoff=0.6)
    if near:
        return f'did you mean "{near[0]}"? {own}.port("{near[0]}")'
    for var, value in scope.items():
        if isinstance(value, Container) and value is not container and any(p.name == name for p in value.ports):
            return f'container "{value.name}" has a port "{name}": {var}.port("{name}")'
    return f'refer to one of its ports, or declare Port("{name}", ...) on the container'


def _seq(items: Any) -> Any:
    """Turn any iterable (but not a string or a lone object) into a tuple; leave the rest to pydantic."""
    if isinstance(items, (list, tuple)):
        return tuple(items)
    if isinstance(items, (str, bytes, Mapping, BaseModel)) or not isinstance(items, Iterable):
        return items
    return tuple(items)


def _map(items: Any) -> Any:
    return {} if items is None else (dict(items) if isinstance(items, Mapping) else items)
