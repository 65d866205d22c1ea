"""The svcgen DSL: containers, their named ports, the Services that expose them, and Apps.

The models describe intent in svcgen's own words (``number``, ``node_port``, ``headless``);
only :mod:`svcgen.dsl.manifests` knows the Kubernetes field names. Constructors check types
(a wrong type raises :class:`~svcgen.errors.DeclarationError` at the user's line); the
Kubernetes rules (names, ranges, uniqueness, type constraints) are checked all at once by
:func:`svcgen.dsl.validate.validate`, which reports each problem at the line that declared it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal, overload

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
)
from typing_extensions import dataclass_transform

from svcgen.dsl.callsite import caller_location
from svcgen.dsl.fields import (
    Accepts,
    Constructor,
    Items,
    Labels,
    arg,
    hide_inherited_defaults,
    share_defaults,
)
from svcgen.errors import DeclarationError, Problem

__all__ = [
    "AUTO",
    "App",
    "Consumer",
    "Container",
    "DaemonSet",
    "Deployment",
    "IPFamily",
    "IPFamilyPolicy",
    "NodePort",
    "Pod",
    "Port",
    "PortRef",
    "Probe",
    "Protocol",
    "Service",
    "ServicePort",
    "ServicePortRef",
    "ServiceType",
    "StatefulSet",
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
WorkloadKind = Literal["Deployment", "StatefulSet", "DaemonSet"]
PullPolicy = Literal["Always", "IfNotPresent", "Never"]

AUTO: Final = "auto"
"""``node_port=AUTO`` (the default): svcgen allocates a nodePort when the Service type needs one."""

NodePort = StrictInt | Literal["auto"] | None
"""A nodePort request: a pinned number, ``"auto"`` (allocate when needed) or ``None`` (never
set)."""

KubeObject = Accepts[Mapping[str, Any] | None, dict[StrictStr, Any] | None]
"""A pass-through: one Kubernetes-shaped object (wire field names, e.g. ``{"runAsNonRoot": True}``),
written as given and checked against the Kubernetes schema of the target version."""
WorkloadLabels = Accepts[Mapping[str, str] | None, dict[StrictStr, StrictStr] | None]
"""A workload object's own ``metadata.labels``: a mapping of strings (``{}``: none), or ``None``:
the pods' labels."""
KubeList = Items[dict[StrictStr, Any]]
"""A pass-through: a list of Kubernetes-shaped objects (``[{"name": "data", "emptyDir": {}}]``)."""
Env = Accepts[
    Mapping[str, Any] | Iterable[Mapping[str, Any]] | None,
    dict[StrictStr, Any] | tuple[dict[StrictStr, Any], ...],
]
"""Environment variables: a mapping of names to values (a string, or a Kubernetes-shaped
``valueFrom`` source such as ``{"secretKeyRef": {...}}``), or a list of Kubernetes EnvVar
objects."""


@dataclass_transform(kw_only_default=True, frozen_default=True, field_specifiers=(arg, Field))
class _Declaration(BaseModel):
    """Base of every DSL object: frozen, strict about unknown fields, remembers its source line.

    A subclass declares each field once (:mod:`svcgen.dsl.fields`); ``subject=`` (how messages
    name the object, an f-string over the arguments) gives it a constructor made from them.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    location: Any = Field(default=None, exclude=True, repr=False, init=False)
    """The file and line of the user's code that created this object (a SourceLocation)."""

    def __init_subclass__(cls, subject: str | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        hide_inherited_defaults(cls)

    @classmethod
    def __pydantic_init_subclass__(cls, subject: str | None = None, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        share_defaults(cls)
        if subject is not None:
            cls.__init__ = Constructor(cls, subject)  # type: ignore[assignment]
            # pydantic read this before the constructor existed: a dict given for a nested object
            # (Probe(port={...})) is passed to the constructor, as with a hand-written __init__.
            cls.__pydantic_custom_init__ = True

    # An object's __dict__ holds only the fields it was given (svcgen.dsl.fields.share_defaults):
    # these read every field, as pydantic's read every key of a full __dict__.
    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return super().__eq__(other)
        mine, theirs = self.__dict__, other.__dict__
        if mine == theirs:
            return True
        if mine.keys() == theirs.keys():  # given the same fields: the rest are the defaults
            return False
        values = type(self).__field_values__  # type: ignore[attr-defined]
        return bool(values(self) == values(other))

    def __hash__(self) -> int:
        return hash(type(self).__field_values__(self))  # type: ignore[attr-defined]

    def model_dump(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        _with_every_field(self)
        return super().model_dump(*args, **kwargs)

    def model_dump_json(self, *args: Any, **kwargs: Any) -> str:
        _with_every_field(self)
        return super().model_dump_json(*args, **kwargs)

    def __iter__(self) -> Iterator[tuple[str, Any]]:  # type: ignore[override]
        for name in type(self).__pydantic_fields__:
            yield name, getattr(self, name)

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        for name, info in type(self).__pydantic_fields__.items():
            if info.repr:
                yield name, getattr(self, name)


def _with_every_field(value: Any) -> None:
    """Put every field back in the ``__dict__`` of the DSL objects in ``value``.

    pydantic's serializer reads it. Dumping (rare: svcgen writes manifests itself) is worth no
    start-up cost, as a serializer on every class would be; the objects dumped keep their full
    ``__dict__``.
    """
    if isinstance(value, _Declaration):
        fields = type(value).__pydantic_fields__
        if len(value.__dict__) < len(fields):
            object.__setattr__(value, "__dict__", {name: getattr(value, name) for name in fields})
        value = value.__dict__
    items = (
        value.values()
        if isinstance(value, dict)
        else value
        if isinstance(value, (tuple, list))
        else ()
    )
    for item in items:
        _with_every_field(item)


class Port(
    _Declaration, subject="port {number if name is None else chr(34) + str(name) + chr(34)}"
):
    """A port a container listens on: ``Port("http", 8080)``, or unnamed, ``Port(number=8080)``.

    Args:
        name: the port's name, an IANA service name (at most 15 characters, lower case
            letters, digits and single hyphens, at least one letter), e.g. ``"http"``; or none
            (``None``, the default), as Kubernetes allows. What refers to an unnamed port
            writes its number: a Service's targetPort, a probe, a NetworkPolicy, a PodMonitor's
            ``portNumber``; a Service port that exposes it takes no name unless given one
            (``expose(name=...)``), and needs one when its Service has several ports.
        number: the port number the process listens on, 1-65535.
        protocol: ``"TCP"`` (default), ``"UDP"`` or ``"SCTP"``.
        host_port: the node's port that forwards to it (``hostPort``; few workloads need one: a
            node-level proxy, say); unset: none (on a ``host_network`` pod, Kubernetes sets it
            to ``number``). ``host_ip``: the node IP it binds (``hostIP``).
    """

    name: StrictStr | None = arg(default=None, kw_only=False)
    number: StrictInt = arg(kw_only=False)  # type: ignore[misc]  # after an optional name: see __init__ below
    protocol: Protocol = arg(default="TCP", kw_only=False)
    host_port: StrictInt | None = None
    host_ip: StrictStr | None = None

    if (
        TYPE_CHECKING
    ):  # the constructor is generated (svcgen.dsl.fields); a name is optional, a number is not

        @overload
        def __init__(
            self,
            name: str | None,
            number: int,
            protocol: Protocol = "TCP",
            *,
            host_port: int | None = None,
            host_ip: str | None = None,
        ) -> None: ...
        @overload
        def __init__(
            self,
            *,
            number: int,
            protocol: Protocol = "TCP",
            host_port: int | None = None,
            host_ip: str | None = None,
        ) -> None: ...
        def __init__(
            self,
            name: str | None = None,
            number: int = 0,
            protocol: Protocol = "TCP",
            *,
            host_port: int | None = None,
            host_ip: str | None = None,
        ) -> None: ...

    @property
    def label(self) -> str:
        """How messages name the port: ``"http"`` (quoted), or its number when it has no name."""
        return str(self.number) if self.name is None else f'"{self.name}"'


ProbeKind = Literal["http", "tcp", "grpc", "exec"]
PortsBy = Literal["name", "number"]
"""How a reference writes a port: by its ``"name"`` or its ``"number"``."""


class Probe(_Declaration, subject="{kind} probe"):
    """A health check of a container against one of its own ports (a ``Port``, never a string).

    Make one with :meth:`http`, :meth:`tcp`, :meth:`grpc` or :meth:`exec` (a command, no port);
    pass it to ``Container(liveness=..., readiness=..., startup=...)``. An HTTP or TCP probe is
    written with the port's name when the workload is emitted, or its number with
    ``port_by="number"`` (a gRPC probe always takes the number); a port without a name is
    written by number (``port_by="name"`` on it is an error). The rarer fields
    (``success_threshold``,
    ``termination_grace_period_seconds``, an HTTP probe's ``host`` and ``http_headers``) are
    keywords of ``Probe(kind, port, ...)`` itself.
    """

    kind: ProbeKind = arg(kw_only=False)
    port: Port | None = arg(kw_only=False)
    path: StrictStr | None = None
    scheme: Literal["HTTP", "HTTPS"] | None = None
    grpc_service: StrictStr | None = None
    initial_delay_seconds: StrictInt | None = None
    period_seconds: StrictInt | None = None
    timeout_seconds: StrictInt | None = None
    failure_threshold: StrictInt | None = None
    success_threshold: StrictInt | None = None
    termination_grace_period_seconds: StrictInt | None = None
    command: Items[StrictStr] = arg(default=())
    host: StrictStr | None = None
    http_headers: KubeList = arg(default=())
    port_by: PortsBy | None = None

    @classmethod
    def exec(
        cls,
        command: Iterable[str],
        *,
        initial_delay_seconds: int | None = None,
        period_seconds: int | None = None,
        timeout_seconds: int | None = None,
        failure_threshold: int | None = None,
    ) -> Probe:
        """A command run in the container (``["pg_isready"]``): the one probe that names no port."""
        return cls(
            "exec",
            None,
            command=command,
            initial_delay_seconds=initial_delay_seconds,
            period_seconds=period_seconds,
            timeout_seconds=timeout_seconds,
            failure_threshold=failure_threshold,
        )

    @classmethod
    def http(
        cls,
        port: Port,
        path: str = "/",
        *,
        scheme: Literal["HTTP", "HTTPS"] | None = None,
        initial_delay_seconds: int | None = None,
        period_seconds: int | None = None,
        timeout_seconds: int | None = None,
        failure_threshold: int | None = None,
        port_by: PortsBy | None = None,
    ) -> Probe:
        """An HTTP GET of ``path`` on ``port``, written by its name or its number (``port_by``).

        ``port_by`` is ``"name"`` or ``"number"``; unset: by name, or by number for a port without a
        name.
        """
        return cls(
            "http",
            port,
            path=path,
            scheme=scheme,
            initial_delay_seconds=initial_delay_seconds,
            period_seconds=period_seconds,
            timeout_seconds=timeout_seconds,
            failure_threshold=failure_threshold,
            port_by=port_by,
        )

    @classmethod
    def tcp(
        cls,
        port: Port,
        *,
        initial_delay_seconds: int | None = None,
        period_seconds: int | None = None,
        timeout_seconds: int | None = None,
        failure_threshold: int | None = None,
        port_by: PortsBy | None = None,
    ) -> Probe:
        """A TCP connection to ``port``, written by its name or its number (``port_by``).

        ``port_by`` is ``"name"`` or ``"number"``; unset: as for :meth:`http`.
        """
        return cls(
            "tcp",
            port,
            initial_delay_seconds=initial_delay_seconds,
            period_seconds=period_seconds,
            timeout_seconds=timeout_seconds,
            failure_threshold=failure_threshold,
            port_by=port_by,
        )

    @classmethod
    def grpc(
        cls,
        port: Port,
        service: str | None = None,
        *,
        initial_delay_seconds: int | None = None,
        period_seconds: int | None = None,
        timeout_seconds: int | None = None,
        failure_threshold: int | None = None,
    ) -> Probe:
        """A gRPC health check on ``port`` (Kubernetes writes its number)."""
        return cls(
            "grpc",
            port,
            grpc_service=service,
            initial_delay_seconds=initial_delay_seconds,
            period_seconds=period_seconds,
            timeout_seconds=timeout_seconds,
            failure_threshold=failure_threshold,
        )


class Container(_Declaration, subject='container "{name}"'):
    """A container of the workload, with the ports it exposes.

    Args:
        name: the container's name (a DNS-1123 label).
        image: the container image (used when svcgen also emits the workload).
        ports: the container's ports; names must be unique, and so must (number, protocol).
        liveness: a probe (``Probe.http(port, "/healthz")``...) of one of this container's ports;
            ``readiness`` and ``startup`` alike.

    The other fields are the Kubernetes container's, in snake case: ``command``, ``args``,
    ``working_dir``, ``env`` (a mapping ``{"NAME": "value"}``, or a list of EnvVar objects),
    ``image_pull_policy``, ``restart_policy`` (``"Always"`` on an init container: a sidecar),
    ``stdin``... Those that hold Kubernetes objects (``resources``, ``security_context``,
    ``lifecycle``, ``volume_mounts``, ``env_from``...) are pass-throughs: Kubernetes-shaped
    dicts, written as given and checked against the Kubernetes schema at this line.
    """

    name: StrictStr = arg(kw_only=False)
    image: StrictStr | None = None
    ports: Items[Port] = arg(default=())
    liveness: Probe | None = None
    readiness: Probe | None = None
    startup: Probe | None = None
    command: Items[StrictStr] = arg(default=())
    args: Items[StrictStr] = arg(default=())
    working_dir: StrictStr | None = None
    env: Env = arg(default=())
    env_from: KubeList = arg(default=())
    resources: KubeObject = arg(default=None)
    resize_policy: KubeList = arg(default=())
    restart_policy: Literal["Always", "Never", "OnFailure"] | None = None
    restart_policy_rules: KubeList = arg(default=())
    volume_mounts: KubeList = arg(default=())
    volume_devices: KubeList = arg(default=())
    lifecycle: KubeObject = arg(default=None)
    termination_message_path: StrictStr | None = None
    termination_message_policy: Literal["File", "FallbackToLogsOnError"] | None = None
    image_pull_policy: PullPolicy | None = None
    security_context: KubeObject = arg(default=None)
    stdin: StrictBool | None = None
    stdin_once: StrictBool | None = None
    tty: StrictBool | None = None

    @property
    def probes(self) -> dict[str, Probe]:
        """The probes that are set, by kind (liveness, readiness, startup)."""
        found = {"liveness": self.liveness, "readiness": self.readiness, "startup": self.startup}
        return {kind: probe for kind, probe in found.items() if probe is not None}

    def port(self, name: str | int, protocol: Protocol | None = None) -> PortRef:
        """Refer to one of this container's ports, to expose it in a Service: by name, or by number.

        ``container.port("http")``; ``container.port(8080)`` (a port without a name is referred
        to by its number); ``protocol`` picks one of two ports of one number (``port(53, "UDP")``).
        """
        found = [
            p
            for p in self.ports
            if (p.name == name if isinstance(name, str) else p.number == name)
            and protocol in (None, p.protocol)
        ]
        if found and (isinstance(name, str) or len({p.protocol for p in found}) == 1):
            return PortRef(
                self, found[0]
            )  # a repeated name, or number and protocol, is validate's to report
        known = ", ".join(_shown(p) for p in self.ports) or "none"
        if found:
            message = f"has {len(found)} ports {name} ({', '.join(p.protocol for p in found)})"
            hint = f'say which: .port({name}, "{found[-1].protocol}")'
        elif isinstance(name, str):
            message = (
                f'has no port named "{name}"'
                + (f"/{protocol}" if protocol else "")
                + f" (its ports: {known})"
            )
            hint = _missing_port_hint(self, name, sys._getframe(1))
        else:
            message = (
                f"has no port {name}"
                + (f"/{protocol}" if protocol else "")
                + f" (its ports: {known})"
            )
            hint = "refer to one of its ports, or declare Port(number=...) on the container"
        raise DeclarationError(
            [Problem(f'container "{self.name}"', "port", message, hint, caller_location())]
        )


def _shown(port: Port) -> str:
    """A port in a container's port list: its name, or its number (and protocol) if it has none."""
    return port.label + (
        "" if port.name is not None or port.protocol == "TCP" else f"/{port.protocol}"
    )


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
            name: the Service port's name; defaults to the container port's name (none for a
                port without one: a Service of several ports needs a name for each, ``""``
                leaves it unnamed).
            node_port: a pinned nodePort number, ``AUTO`` (default: svcgen allocates one when
                the Service type needs it) or ``None`` (none written; the cluster decides).
            target_by: write the targetPort as the container port's ``"number"`` or its
                ``"name"`` (keeps working when the container port is renumbered). Unset: the
                name when svcgen also emits the workload (the name is then sure to exist),
                the number otherwise, and always for a port without a name.
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


class ServicePort(
    _Declaration,
    subject='port {chr(34) + name + chr(34) if name else getattr(target, "label", target)}',
):
    """One port of a Service, pointing at a container port (made by ``PortRef.expose``)."""

    container: Container = arg(kw_only=False)
    target: Port = arg(kw_only=False)
    port: StrictInt | None = None
    name: StrictStr | None = None
    node_port: NodePort = AUTO
    target_by: TargetBy | None = None
    app_protocol: StrictStr | None = None

    @property
    def service_port(self) -> int:
        """The port the Service listens on (the container port's number unless given)."""
        return self.target.number if self.port is None else self.port

    @property
    def port_name(self) -> str:
        """The Service port's name: as given, else the container port's; ``""``: none."""
        return (self.target.name or "") if self.name is None else self.name

    @property
    def label(self) -> str:
        """How messages name the Service port: ``"http"`` (quoted), or its number if unnamed."""
        name = self.port_name
        return f'"{name}"' if name else str(self.service_port)

    @property
    def protocol(self) -> Protocol:
        """The protocol, always the container port's: a Service port cannot disagree with it."""
        return self.target.protocol


@dataclass(frozen=True)
class ServicePortRef:
    """A Service's port, referred to by ``service.port(name)`` (for Ingresses, routes, monitors)."""

    service: Service
    port: ServicePort


class Consumer(_Declaration, subject='consumer "{name}"'):
    """Base of the objects that refer to ports: Ingress, HTTPRoute, monitors...

    They are in :mod:`svcgen.dsl.consumers`. Each has a name, and may have labels and annotations
    (its own metadata, not a selector).
    """

    name: StrictStr = arg(kw_only=False)
    labels: Labels = arg(default_factory=dict)
    annotations: Labels = arg(default_factory=dict)


class Service(_Declaration, subject='Service "{name}"'):
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

    name: StrictStr = arg(kw_only=False)
    type: ServiceType = "ClusterIP"
    ports: Items[ServicePort] = arg(default=())
    headless: StrictBool = False
    external_name: StrictStr | None = None
    labels: Labels = arg(default_factory=dict)
    annotations: Labels = arg(default_factory=dict)
    allocate_load_balancer_node_ports: StrictBool | None = None
    external_traffic_policy: TrafficPolicy | None = None
    internal_traffic_policy: TrafficPolicy | None = None
    session_affinity: SessionAffinity | None = None
    session_affinity_timeout: StrictInt | None = None
    load_balancer_class: StrictStr | None = None
    load_balancer_source_ranges: Items[StrictStr] = arg(default=())
    health_check_node_port: NodePort = AUTO
    extra_selector: Labels = arg(default_factory=dict)
    cluster_ip: Accepts[str | Iterable[str] | None, StrictStr | tuple[StrictStr, ...] | None] = arg(
        default=None
    )
    ip_families: Items[IPFamily] = arg(default=())
    ip_family_policy: IPFamilyPolicy | None = None
    external_ips: Items[StrictStr] = arg(default=())
    load_balancer_ip: StrictStr | None = None
    publish_not_ready_addresses: StrictBool | None = None
    traffic_distribution: StrictStr | None = None

    def port(self, name: str | int) -> ServicePortRef:
        """Refer to one of this Service's ports, by name or by number.

        For an Ingress backend, a route or a monitor: ``service.port("http")``; ``service.port(80)``
        (the port the Service listens on, e.g. of a Service port without a name).
        """
        found = [
            sp
            for sp in self.ports
            if (sp.port_name == name if isinstance(name, str) else sp.service_port == name)
        ]
        if len(found) == 1 or (found and isinstance(name, str)):
            return ServicePortRef(self, found[0])
        known = ", ".join(sp.label for sp in self.ports) or "none"
        if found:
            raise DeclarationError(
                [
                    Problem(
                        f'Service "{self.name}"',
                        "port",
                        f"has {len(found)} ports {name} ({', '.join(sp.protocol for sp in found)})",
                        f"refer to one by its name: .port({found[-1].label})",
                        caller_location(),
                    )
                ]
            )
        if not isinstance(name, str):
            raise DeclarationError(
                [
                    Problem(
                        f'Service "{self.name}"',
                        "port",
                        f"has no port {name} (its ports: {known})",
                        "refer to one of its ports (by the port the Service listens on)",
                        caller_location(),
                    )
                ]
            )
        names = [sp.port_name for sp in self.ports if sp.port_name]
        import difflib  # only for a mistake's suggestion

        near = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
        hint = (
            f'did you mean "{near[0]}"?'
            if near
            else "refer to one of its ports (by the Service port's name)"
        )
        raise DeclarationError(
            [
                Problem(
                    f'Service "{self.name}"',
                    "port",
                    f'has no port named "{name}" (its ports: {known})',
                    hint,
                    caller_location(),
                )
            ]
        )


class Pod(_Declaration, subject="pod"):
    """What the App's pods share beyond their containers: volumes, identity, scheduling, security.

    Pass it as ``App(pod=Pod(...))``; it is written in the workload's pod template. Its fields
    are the Kubernetes PodSpec's in snake case; ``annotations`` are the pod template's, and so is
    ``template_name`` (its ``metadata.name``: Kubernetes keeps it, but names no pod by it), and
    ``service_account`` and ``image_pull_secrets`` take names. Those that hold Kubernetes objects
    (``volumes``, ``security_context``, ``affinity``, ``tolerations``, ``topology_spread``...)
    are pass-throughs: Kubernetes-shaped dicts, checked against the Kubernetes schema at this line.
    """

    annotations: Labels = arg(default_factory=dict)
    template_name: StrictStr | None = None
    init_containers: Items[Container] = arg(default=())
    volumes: KubeList = arg(default=())
    service_account: StrictStr | None = None
    automount_service_account_token: StrictBool | None = None
    security_context: KubeObject = arg(default=None)
    node_selector: Labels = arg(default_factory=dict)
    node_name: StrictStr | None = None
    affinity: KubeObject = arg(default=None)
    tolerations: KubeList = arg(default=())
    topology_spread: KubeList = arg(default=())
    image_pull_secrets: Items[StrictStr] = arg(default=())
    priority_class_name: StrictStr | None = None
    priority: StrictInt | None = None
    preemption_policy: Literal["PreemptLowerPriority", "Never"] | None = None
    termination_grace_period_seconds: StrictInt | None = None
    active_deadline_seconds: StrictInt | None = None
    restart_policy: Literal["Always", "OnFailure", "Never"] | None = None
    dns_policy: Literal["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"] | None = None
    dns_config: KubeObject = arg(default=None)
    host_network: StrictBool | None = None
    host_pid: StrictBool | None = None
    host_ipc: StrictBool | None = None
    host_users: StrictBool | None = None
    share_process_namespace: StrictBool | None = None
    hostname: StrictStr | None = None
    hostname_override: StrictStr | None = None
    subdomain: StrictStr | None = None
    set_hostname_as_fqdn: StrictBool | None = None
    host_aliases: KubeList = arg(default=())
    scheduler_name: StrictStr | None = None
    runtime_class_name: StrictStr | None = None
    enable_service_links: StrictBool | None = None
    readiness_gates: KubeList = arg(default=())
    scheduling_gates: KubeList = arg(default=())
    overhead: KubeObject = arg(default=None)
    os: KubeObject = arg(default=None)
    resource_claims: KubeList = arg(default=())
    resources: KubeObject = arg(default=None)
    scheduling_group: KubeObject = arg(default=None)


class Deployment(_Declaration, subject="Deployment"):
    """Emit the App's pods as a Deployment: ``App(..., workload=Deployment(replicas=3))``.

    ``strategy`` is a pass-through (a Kubernetes DeploymentStrategy, e.g. ``{"type": "Recreate"}``);
    ``annotations`` are the Deployment object's own, and so are ``labels`` (unset: the pods' labels,
    as in the pod template; ``{}``: none; the same on StatefulSet and DaemonSet). Unset fields are
    left to Kubernetes.
    """

    replicas: StrictInt | None = None
    strategy: KubeObject = arg(default=None)
    min_ready_seconds: StrictInt | None = None
    revision_history_limit: StrictInt | None = None
    progress_deadline_seconds: StrictInt | None = None
    paused: StrictBool | None = None
    annotations: Labels = arg(default_factory=dict)
    labels: WorkloadLabels = arg(default=None)


class StatefulSet(_Declaration, subject="StatefulSet"):
    """Emit the App's pods as a StatefulSet.

    For example ``App(..., workload=StatefulSet(service=db_headless))``: ``service`` is the Service
    that governs it (by object: one of the App's headless Services; or a name); unset, the App's
    first headless Service. ``volume_claim_templates`` (Kubernetes PersistentVolumeClaims),
    ``update_strategy``, ``persistent_volume_claim_retention_policy`` and ``ordinals`` are
    pass-throughs.
    """

    replicas: StrictInt | None = None
    service: Service | StrictStr | None = None
    volume_claim_templates: KubeList = arg(default=())
    pod_management_policy: Literal["OrderedReady", "Parallel"] | None = None
    update_strategy: KubeObject = arg(default=None)
    persistent_volume_claim_retention_policy: KubeObject = arg(default=None)
    ordinals: KubeObject = arg(default=None)
    min_ready_seconds: StrictInt | None = None
    revision_history_limit: StrictInt | None = None
    annotations: Labels = arg(default_factory=dict)
    labels: WorkloadLabels = arg(default=None)


class DaemonSet(_Declaration, subject="DaemonSet"):
    """Emit the App's pods as a DaemonSet, one per node: ``App(..., workload=DaemonSet())``."""

    update_strategy: KubeObject = arg(default=None)
    min_ready_seconds: StrictInt | None = None
    revision_history_limit: StrictInt | None = None
    annotations: Labels = arg(default_factory=dict)
    labels: WorkloadLabels = arg(default=None)


Workload = Deployment | StatefulSet | DaemonSet


class App(_Declaration, subject='App "{name}"'):
    """A workload (its pod labels and containers) and the Services in front of it.

    Args:
        name: the workload's name (a DNS-1123 subdomain).
        labels: the labels that identify the pods: every Service's selector (and the workload's
            ``matchLabels``) is exactly these labels, so they can never disagree.
        containers: the containers of the pod.
        services: the Services exposing the containers' ports.
        namespace: the namespace of every object; unset means "from the kubectl context".
        pod_labels: more labels for the pods only (a version, say), not used to select them.
        workload: also emit the workload: ``Deployment(...)``, ``StatefulSet(...)`` or
            ``DaemonSet(...)`` with its own fields (or just its kind, ``"Deployment"``...); unset
            means only with ``RenderOptions(with_workloads=True)`` / ``--with-workloads`` (as a
            Deployment).
        replicas: the workload's replica count (unset: the Kubernetes default, 1); or
            ``Deployment(replicas=...)``, not both.
        consumers: what else refers to the App's ports, rendered with it in its namespace:
            ``Ingress``, ``HTTPRoute``, ``ServiceMonitor``, ``PodMonitor`` and ``NetworkPolicy``
            (from :mod:`svcgen.dsl.consumers`), each referring to ports by object.
        pod: what the pods share beyond their containers (volumes, init containers, service
            account, security context, scheduling): ``Pod(...)``.
    """

    name: StrictStr = arg(kw_only=False)
    labels: Labels = arg(default_factory=dict)
    containers: Items[Container] = arg(default=())
    services: Items[Service] = arg(default=())
    namespace: StrictStr | None = None
    pod_labels: Labels = arg(default_factory=dict)
    workload: WorkloadKind | Deployment | StatefulSet | DaemonSet | None = None
    replicas: StrictInt | None = None
    consumers: Items[Consumer] = arg(default=())
    pod: Pod | None = None

    def model_post_init(self, context: Any, /) -> None:
        """Tell the loader (when it listens) about every App made, kept or not."""
        if new_app_hook is not None:
            new_app_hook(self)


new_app_hook: Callable[[App], object] | None = None
"""Called with every App made; the loader sets it while the user's files run, to find the Apps
nobody kept."""


def _missing_port_hint(container: Container, name: str, frame: Any) -> str:
    """The fix for ``container.port(name)``: the nearest name, or the sibling container with it."""
    # The caller's names: the container's own variable, and containers declared beside it.
    scope = {**frame.f_globals, **frame.f_locals} if frame is not None else {}
    own = next((var for var, value in scope.items() if value is container), "container")
    import difflib  # only for a mistake's suggestion

    near = difflib.get_close_matches(
        name, [p.name for p in container.ports if p.name], n=1, cutoff=0.6
    )
    if near:
        return f'did you mean "{near[0]}"? {own}.port("{near[0]}")'
    for var, value in scope.items():
        if (
            isinstance(value, Container)
            and value is not container
            and any(p.name == name for p in value.ports)
        ):
            return f'container "{value.name}" has a port "{name}": {var}.port("{name}")'
    return f'refer to one of its ports, or declare Port("{name}", ...) on the container'
