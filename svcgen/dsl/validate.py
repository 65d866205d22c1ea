"""Check a set of Apps against the Kubernetes API server's rules, all problems at once.

Each Service is checked by building the object svcgen would write and running the API server's
own checks on it (:func:`svcgen.kube.apiserver.validate_service`, the same code ``svcgen lint``
runs):
one implementation per rule. Container ports, labels and names use :mod:`svcgen.kube.rules`
directly.
This module adds what only the DSL knows (references between objects, pins across Services,
named targetPorts that would resolve to another container) and reports every problem at the
line of the declaration at fault, with a fix in the DSL's words.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from svcgen.dsl.checker import Checker
from svcgen.dsl.hints import container_port_hint, service_hint
from svcgen.dsl.manifests import build_service, build_workload
from svcgen.dsl.model import App, Container, Service, ServicePort
from svcgen.dsl.policy import (
    declares_workload_fields,
    emits_workload,
    service_subject,
    stateful_service_name,
    target_port,
    workload_kind,
)
from svcgen.dsl.references import consumer_problems
from svcgen.dsl.workloads import check_workload
from svcgen.errors import Problem, SourceLocation
from svcgen.kube import rules
from svcgen.kube.apiserver import FieldError, validate_pod_ports, validate_service
from svcgen.kube.objects import CONTROLLER_LABELS, format_path
from svcgen.kube.portrange import DEFAULT_NODE_PORT_RANGE, NodePortRange
from svcgen.kube.releases import PORTABLE, KubeVersion

__all__ = ["validate"]


_PortShape = tuple[str | None, int, str, int | None, str | None]
"""A container port as the pod port checks see it: name, number, protocol, host port, host IP."""


class _Checker(Checker):
    def __init__(self, node_port_range: NodePortRange, version: KubeVersion) -> None:
        super().__init__()
        self.range = node_port_range
        self.version = version
        self.with_workloads = False
        self.pod_port_errors: dict[
            tuple[tuple[tuple[_PortShape, ...], ...], ...], list[FieldError]
        ] = {}
        self.built: dict[int, dict[str, Any]] = {}


def validate(
    apps: Sequence[App],
    node_port_range: NodePortRange = DEFAULT_NODE_PORT_RANGE,
    *,
    with_workloads: bool = False,
    kubernetes_version: KubeVersion = PORTABLE,
    built: dict[int, dict[str, Any]] | None = None,
) -> list[Problem]:
    """Return every problem in ``apps`` (errors and warnings), in declaration order.

    ``with_workloads``: the workloads are emitted too (so their rules apply, and targetPorts
    left open are written by name). ``kubernetes_version``: whose API server rules apply.
    ``built``: filled with the workload manifests the checks built, by ``id(app)``, for
    :func:`~svcgen.dsl.manifests.build_manifests` to write instead of building them again.
    """
    check = _Checker(node_port_range, kubernetes_version)
    check.with_workloads = with_workloads
    if built is not None:
        check.built = built
    workloads: dict[tuple[str, str], App] = {}
    services: dict[tuple[str, str], Service] = {}
    pinned: dict[int, tuple[str, SourceLocation | None, object]] = {}
    for app in apps:
        _check_app(check, app, workloads)
        for service in app.services:
            key = (app.namespace or "", service.name)
            if key in services:
                other = services[key]
                check.add(
                    service_subject(app, service),
                    "metadata.name",
                    f'Duplicate value: "{service.name}": another Service of that name in the same '
                    f"namespace is declared at {other.location or 'an unknown place'}",
                    "give one of them another name, or put it in another namespace",
                    service.location,
                )
            else:
                services[key] = service
            _check_service(check, app, service, pinned)
    return check.problems + consumer_problems(apps, with_workloads=with_workloads)


def _check_app(check: _Checker, app: App, workloads: dict[tuple[str, str], App]) -> None:
    subject = f'App "{app.name}"'
    check.rule(
        rules.dns1123_subdomain,
        app.name,
        subject,
        "name",
        "use lower case letters, digits, '-' and '.', e.g. my-app",
        app.location,
    )
    key = (app.namespace or "", app.name)
    if key in workloads:
        check.add(
            subject,
            "name",
            f'Duplicate value: "{app.name}": another App of that name in the '
            f"same namespace is declared at {workloads[key].location or 'an unknown place'}",
            "give each App its own name",
            app.location,
        )
    else:
        workloads[key] = app
    if app.namespace is not None:
        check.rule(
            rules.dns1123_label,
            app.namespace,
            subject,
            "metadata.namespace",
            "use at most 63 lower case letters, digits and '-', e.g. shop",
            app.location,
        )
    check.labels(app.labels, subject, "labels", app.location)
    if not app.labels and any(s.type != "ExternalName" for s in app.services):
        check.add(
            subject,
            "labels",
            "Required value: the pod labels are every Service's selector; "
            "with none, the Services select no pods",
            'give the App its pod labels, e.g. labels={"app": "' + app.name + '"}',
            app.location,
        )
    names: dict[str, Container] = {}
    for container in app.containers:
        csubject = f'container "{container.name}" of App "{app.name}"'
        check.rule(
            rules.dns1123_label,
            container.name,
            csubject,
            "name",
            "use at most 63 lower case letters, digits and '-', e.g. api",
            container.location,
        )
        if container.name in names:
            check.add(
                csubject,
                "name",
                f'Duplicate value: "{container.name}": container names are '
                f"unique in a pod (first declared at {names[container.name].location})",
                "rename one of the containers",
                container.location,
            )
        else:
            names[container.name] = container
    _check_pod_ports(check, app)
    check.labels(app.pod_labels, subject, "pod_labels", app.location)
    for label, value in app.pod_labels.items():
        if label in app.labels and app.labels[label] != value:
            check.add(
                subject,
                f"pod_labels[{label}]",
                f'conflicts with labels[{label}] ("{app.labels[label]}" there, "{value}" here)',
                "a pod label is either a selector label (labels) or an extra one (pod_labels)",
                app.location,
            )
    if emits_workload(app, check.with_workloads):
        _check_workload(check, app, subject)


def _check_workload(check: _Checker, app: App, subject: str) -> None:
    """Rules that apply only when svcgen also writes the App's Deployment or StatefulSet."""
    if not app.labels:
        return  # already reported: the pod labels are the workload's selector too
    if not app.containers:
        check.add(
            subject,
            "spec.template.spec.containers",
            "Required value: a workload needs a container",
            "declare containers=[Container(...)]",
            app.location,
        )
    for i, container in enumerate(app.containers):
        if not container.image:
            check.add(
                f'container "{container.name}" of App "{app.name}"',
                f"spec.template.spec.containers[{i}].image",
                "Required value: the workload is emitted, so the container needs an image",
                'pass image="registry/name:tag" to Container(...)',
                container.location,
            )
    if app.replicas is not None and app.replicas < 0:
        check.add(
            subject,
            "spec.replicas",
            f"Invalid value: {app.replicas}: must be greater than or equal to 0",
            "use 0 or more replicas",
            app.location,
        )
    if workload_kind(app) == "StatefulSet" and stateful_service_name(app) is None:
        check.add(
            subject,
            "spec.serviceName",
            "Required value: a StatefulSet names the Service that governs it",
            "add a headless Service: Service(NAME, headless=True, ports=[...])",
            app.location,
        )
    if declares_workload_fields(app):
        check.built[id(app)] = check_workload(check, app, check.version)


_PORT_FIELDS = {
    "name": "name",
    "containerPort": "number",
    "protocol": "protocol",
    "hostPort": "host_port",
    "hostIP": "host_ip",
}


def _check_pod_ports(check: _Checker, app: App) -> None:
    """The API server's container-port checks (the code lint runs) on the App's pod template.

    Their result depends on the ports of the pod's containers alone (init containers and app
    containers: name, number, protocol, host port and IP, in order), so it is computed once per
    such shape: 10,000 Apps of one container shape are checked once.
    """
    groups = {
        "containers": app.containers,
        "initContainers": app.pod.init_containers if app.pod else (),
    }
    shape = tuple(
        tuple(
            tuple((p.name, p.number, p.protocol, p.host_port, p.host_ip) for p in c.ports)
            for c in containers
        )
        for containers in groups.values()
    )
    errors = check.pod_port_errors.get(shape)
    if errors is None:
        errors = check.pod_port_errors[shape] = validate_pod_ports(build_workload(app))
    for error in errors:
        # path: spec, template, spec, containers (or initContainers), i, ports, j[, field]
        containers = groups.get(str(error.path[3]), ()) if len(error.path) > 3 else ()
        i, j = (error.path[4], error.path[6]) if len(error.path) > 6 else (None, None)
        if (
            not isinstance(i, int)
            or not isinstance(j, int)
            or i >= len(containers)
            or j >= len(containers[i].ports)
        ):
            continue
        container, port = containers[i], containers[i].ports[j]
        field = (
            _PORT_FIELDS.get(str(error.path[7]), format_path(error.path))
            if len(error.path) > 7
            else "number"
        )
        check.add(
            f'container "{container.name}" of App "{app.name}", port {port.label}',
            field,
            error.message,
            container_port_hint(error),
            port.location,
            warning=error.severity == "warning",
        )


def _owns(app: App, sp: ServicePort) -> bool:
    return any(c is sp.container for c in app.containers) and any(
        p is sp.target for p in sp.container.ports
    )


_HEALTH_CHECK = "healthCheckNodePort"
# Rules whose value comes from a container port when the Service port does not override it:
# reported once, on the container port.
_FROM_CONTAINER_PORT = {"target-port"}


def _check_service(
    check: _Checker,
    app: App,
    service: Service,
    pinned: dict[int, tuple[str, SourceLocation | None, object]],
) -> None:
    """The API server's own checks on the Service svcgen would write, then the DSL's own rules."""
    subject = service_subject(app, service)
    named = emits_workload(app, check.with_workloads)
    pins = [sp.node_port if isinstance(sp.node_port, int) else None for sp in service.ports]
    health_check_pin = (
        service.health_check_node_port if isinstance(service.health_check_node_port, int) else None
    )
    manifest = build_service(app, service, pins, health_check_pin, named_targets=named)
    flagged_node_ports: set[int | str] = set()
    for error in validate_service(manifest, check.range, check.version):
        path = error.path
        if (
            path[:2] in (("metadata", "namespace"), ("spec", "selector"))
            or error.rule in _FROM_CONTAINER_PORT
        ):
            # the App's namespace and labels, and container ports, are checked (once) on the App
            continue
        where, who, hint = service.location, subject, service_hint(error, check.range)
        if (
            path[:2] == ("spec", "ports")
            and len(path) > 2
            and isinstance(path[2], int)
            and path[2] < len(service.ports)
        ):
            sp = service.ports[path[2]]
            inherited_name = (
                error.rule == "port-name"
                and sp.name is None
                and error.message.startswith("Invalid")
            )
            if inherited_name or (error.rule == "port-range" and sp.port is None):
                # inherited from the container port, which is checked (and reported) itself
                continue
            where, who = sp.location, f"{subject} port {sp.label}"
            if path[3:] == ("nodePort",):
                flagged_node_ports.add(path[2])
        elif path == ("spec", "healthCheckNodePort"):
            flagged_node_ports.add(_HEALTH_CHECK)
        check.add(who, format_path(path), error.message, hint, where)
    _check_dsl_only(check, app, service, subject, named)
    if service.type not in ("NodePort", "LoadBalancer"):
        return
    for p, sp in enumerate(service.ports):
        if isinstance(sp.node_port, int) and p not in flagged_node_ports:
            _check_pin_across_services(
                check,
                sp.node_port,
                f"{subject} port {sp.label}",
                f"spec.ports[{p}].nodePort",
                sp.location,
                id(service),
                pinned,
            )
    health_check = service.health_check_node_port
    if isinstance(health_check, int) and _HEALTH_CHECK not in flagged_node_ports:
        _check_pin_across_services(
            check,
            health_check,
            f"{subject} healthCheckNodePort",
            "spec.healthCheckNodePort",
            service.location,
            (id(service), "healthCheck"),
            pinned,
        )


def _check_dsl_only(check: _Checker, app: App, service: Service, subject: str, named: bool) -> None:
    """What the API server accepts but svcgen refuses.

    It would be ignored, or point at the wrong pod.
    """
    loc = service.location
    for i, sp in enumerate(service.ports):
        psubject = f"{subject} port {sp.label}"
        if not _owns(app, sp):
            check.add(
                psubject,
                f"spec.ports[{i}].targetPort",
                f'points at container "{sp.container.name}" port {sp.target.label}, which is not '
                f'a container of App "{app.name}"',
                f'add the container to App "{app.name}" or expose one of its own containers',
                sp.location,
            )
        elif sp.target_by == "name" and sp.target.name is None:
            check.add(
                psubject,
                f"spec.ports[{i}].targetPort",
                f'target_by="name", but container "{sp.container.name}" port {sp.target.number} '
                "has no name",
                f'give the port a name, Port("NAME", {sp.target.number}), or drop target_by (it '
                "is then written by number)",
                sp.location,
            )
        elif isinstance(target_port(sp, named), str):
            _check_named_target(check, app, sp, psubject, f"spec.ports[{i}].targetPort")
        if service.type == "ExternalName" and isinstance(sp.node_port, int):
            check.add(
                psubject,
                f"spec.ports[{i}].nodePort",
                "Forbidden: an ExternalName Service has no nodePorts",
                "drop node_port",
                sp.location,
            )
        elif sp.node_port == 0 and service.type in ("NodePort", "LoadBalancer"):
            # 0 means "unset" on the wire; as a pin it is a mistake.
            check.add(
                psubject,
                f"spec.ports[{i}].nodePort",
                f"Invalid value: 0: {check.range.not_in_range_message()}",
                f"pin a port in {check.range}, or leave node_port unset to have one allocated",
                sp.location,
            )
    if service.type != "ExternalName" and service.external_name is not None:
        check.add(
            subject,
            "spec.externalName",
            "Forbidden: may only be used when `type` is 'ExternalName'",
            'use type="ExternalName", or drop external_name',
            loc,
        )
    if service.session_affinity_timeout is not None and service.session_affinity != "ClientIP":
        check.add(
            subject,
            "spec.sessionAffinityConfig",
            "Forbidden: must not be set when session affinity is None (Kubernetes would drop it)",
            'pass session_affinity="ClientIP", or drop session_affinity_timeout',
            loc,
        )
    if service.headless and service.cluster_ip is not None:
        check.add(
            subject,
            "spec.clusterIP",
            "Forbidden: a headless Service has no cluster IP (clusterIP: None)",
            "drop cluster_ip, or headless=True",
            loc,
        )
    _check_extra_selector(check, app, service, subject)


def _check_extra_selector(check: _Checker, app: App, service: Service, subject: str) -> None:
    """A Service's extra selector narrows the App's selector to some of its pods, not elsewhere."""
    loc = service.location
    check.labels(service.extra_selector, subject, "extra_selector", loc)
    for key, value in service.extra_selector.items():
        field = f"extra_selector[{key}]"
        if key in app.labels:
            check.add(
                subject,
                field,
                f'"{key}" is one of the App\'s labels ("{app.labels[key]}"), which every '
                "Service selects on already",
                f"drop {key} from extra_selector",
                loc,
            )
        elif key in app.pod_labels and app.pod_labels[key] != value:
            check.add(
                subject,
                field,
                f'selects {key}="{value}", but the App\'s pods carry {key}='
                f'"{app.pod_labels[key]}": the Service would select none of them',
                "select a value the pods carry, or change pod_labels",
                loc,
            )
        elif key not in app.pod_labels and key not in _CONTROLLER_LABELS:
            check.add(
                subject,
                field,
                f'the App\'s pods do not carry the label "{key}": the Service would select '
                "none of them",
                "declare it in the App's pod_labels, or drop it from extra_selector",
                loc,
                warning=True,
            )


# Labels that controllers add to their pods (a Service may select on them); see kube.objects.
_CONTROLLER_LABELS = {key for labels in CONTROLLER_LABELS.values() for key in labels}


def _check_named_target(
    check: _Checker, app: App, sp: ServicePort, subject: str, field: str
) -> None:
    """A named targetPort resolves to the first container port with that name and protocol."""
    for container in app.containers:
        for port in container.ports:
            if port.name == sp.target.name and port.protocol == sp.protocol:
                if port is not sp.target:
                    check.add(
                        subject,
                        field,
                        f'targetPort "{port.name}" would resolve to container "{container.name}" '
                        f'(declared at {port.location}), not to container "{sp.container.name}": '
                        "Kubernetes takes the first container port with that name and protocol",
                        'rename one of the two ports, or use target_by="number"',
                        sp.location,
                    )
                return


def _check_pin_across_services(
    check: _Checker,
    node_port: int,
    owner: str,
    field: str,
    location: SourceLocation | None,
    token: object,
    pinned: dict[int, tuple[str, SourceLocation | None, object]],
) -> None:
    """The cluster's allocator is keyed on the number alone: a pin belongs to one owner.

    ``token`` identifies the owner: the ports of one Service share theirs (53/TCP and 53/UDP may
    share a pin); a healthCheckNodePort has one of its own.
    """
    other = pinned.get(node_port)
    if other is not None and other[2] != token:
        check.add(
            owner,
            field,
            f"Invalid value: {node_port}: provided port is already allocated to {other[0]} "
            f"(declared at {other[1]})",
            "pin another nodePort, or leave it unset to have a free one allocated",
            location,
        )
        return
    pinned.setdefault(node_port, (owner, location, token))
