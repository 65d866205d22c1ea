"""Check a set of Apps against the Kubernetes API server's rules, all problems at once.

Field rules come from :mod:`svcgen.rules` (one implementation each, shared with the linter);
this module knows where they apply in the DSL, adds the cross-object rules (uniqueness, type
constraints, references) and reports every problem at the line of the declaration at fault.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from svcgen import rules
from svcgen.errors import Problem, SourceLocation
from svcgen.model import (
    App,
    Container,
    Port,
    Service,
    ServicePort,
    emits_workload,
    service_subject,
    stateful_service_name,
    target_by_name,
)
from svcgen.portrange import DEFAULT_NODE_PORT_RANGE, NodePortRange

__all__ = ["validate"]


class _Checker:
    def __init__(self, node_port_range: NodePortRange) -> None:
        self.range = node_port_range
        self.problems: list[Problem] = []
        self.with_workloads = False

    def add(
        self,
        subject: str,
        field: str,
        message: str,
        hint: str = "",
        location: SourceLocation | None = None,
        *,
        warning: bool = False,
    ) -> None:
        self.problems.append(Problem(subject, field, message, hint, location, "warning" if warning else "error"))

    def rule(
        self,
        check: Callable[[str], list[str]],
        value: str,
        subject: str,
        field: str,
        hint: str,
        location: SourceLocation | None,
    ) -> None:
        """Apply one string rule; each error detail becomes a problem quoting the value."""
        for detail in check(value):
            self.add(subject, field, f'Invalid value: "{value}": {detail}', hint, location)

    def labels(
        self, labels: Mapping[str, str], subject: str, field: str, location: SourceLocation | None
    ) -> None:
        for key, value in labels.items():
            self.rule(
                rules.qualified_name, key, subject, field,
                "label keys are NAME or PREFIX/NAME, e.g. app or example.com/tier", location,
            )
            self.rule(
                rules.label_value, value, subject, f"{field}[{key}]",
                "label values are at most 63 of A-Z a-z 0-9 - _ . starting and ending alphanumeric",
                location,
            )

    def annotations(
        self, annotations: Mapping[str, str], subject: str, location: SourceLocation | None
    ) -> None:
        for key in annotations:
            for detail in rules.qualified_name(key.lower()):
                self.add(
                    subject, "metadata.annotations", f'Invalid value: "{key}": {detail}',
                    "annotation keys are NAME or PREFIX/NAME, e.g. example.com/owner", location,
                )
        for detail in rules.annotations_size(annotations):
            self.add(subject, "metadata.annotations", f"Too long: {detail}",
                     "move large data out of annotations", location)


def validate(
    apps: Sequence[App], node_port_range: NodePortRange = DEFAULT_NODE_PORT_RANGE, *, with_workloads: bool = False
) -> list[Problem]:
    """Return every problem in ``apps`` (errors and warnings), in declaration order.

    ``with_workloads``: the workloads are emitted too (so their rules apply, and targetPorts
    left open are written by name).
    """
    check = _Checker(node_port_range)
    check.with_workloads = with_workloads
    workloads: dict[tuple[str, str], App] = {}
    services: dict[tuple[str, str], Service] = {}
    pinned: dict[int, tuple[str, SourceLocation | None, int]] = {}
    for app in apps:
        _check_app(check, app, workloads)
        for service in app.services:
            key = (app.namespace or "", service.name)
            if key in services:
                other = services[key]
                check.add(
                    service_subject(app, service), "metadata.name",
                    f'Duplicate value: "{service.name}": another Service of that name in the same '
                    f"namespace is declared at {other.location or 'an unknown place'}",
                    "give one of them another name, or put it in another namespace",
                    service.location,
                )
            else:
                services[key] = service
            _check_service(check, app, service, pinned)
    return check.problems


def _check_app(check: _Checker, app: App, workloads: dict[tuple[str, str], App]) -> None:
    subject = f'App "{app.name}"'
    check.rule(rules.dns1123_subdomain, app.name, subject, "name",
               "use lower case letters, digits, '-' and '.', e.g. my-app", app.location)
    key = (app.namespace or "", app.name)
    if key in workloads:
        check.add(subject, "name", f'Duplicate value: "{app.name}": another App of that name in the '
                  f"same namespace is declared at {workloads[key].location or 'an unknown place'}",
                  "give each App its own name", app.location)
    else:
        workloads[key] = app
    if app.namespace is not None:
        check.rule(rules.dns1123_label, app.namespace, subject, "metadata.namespace",
                   "use at most 63 lower case letters, digits and '-', e.g. shop", app.location)
    check.labels(app.labels, subject, "labels", app.location)
    if not app.labels and any(s.type != "ExternalName" for s in app.services):
        check.add(subject, "labels", "Required value: the pod labels are every Service's selector; "
                  "with none, the Services select no pods",
                  'give the App its pod labels, e.g. labels={"app": "' + app.name + '"}', app.location)
    names: dict[str, Container] = {}
    for container in app.containers:
        csubject = f'container "{container.name}" of App "{app.name}"'
        check.rule(rules.dns1123_label, container.name, csubject, "name",
                   "use at most 63 lower case letters, digits and '-', e.g. api", container.location)
        if container.name in names:
            check.add(csubject, "name", f'Duplicate value: "{container.name}": container names are '
                      f"unique in a pod (first declared at {names[container.name].location})",
                      "rename one of the containers", container.location)
        else:
            names[container.name] = container
        _check_container_ports(check, container, csubject)
    _check_port_clashes(check, app)
    check.labels(app.pod_labels, subject, "pod_labels", app.location)
    for label, value in app.pod_labels.items():
        if label in app.labels and app.labels[label] != value:
            check.add(subject, f"pod_labels[{label}]",
                      f'conflicts with labels[{label}] ("{app.labels[label]}" there, "{value}" here)',
                      "a pod label is either a selector label (labels) or an extra one (pod_labels)", app.location)
    if emits_workload(app, check.with_workloads):
        _check_workload(check, app, subject)


def _check_workload(check: _Checker, app: App, subject: str) -> None:
    """Rules that apply only when svcgen also writes the App's Deployment or StatefulSet."""
    if not app.labels:
        return  # already reported: the pod labels are the workload's selector too
    if not app.containers:
        check.add(subject, "spec.template.spec.containers", "Required value: a workload needs a container",
                  "declare containers=[Container(...)]", app.location)
    for i, container in enumerate(app.containers):
        if not container.image:
            check.add(f'container "{container.name}" of App "{app.name}"',
                      f"spec.template.spec.containers[{i}].image",
                      "Required value: the workload is emitted, so the container needs an image",
                      'pass image="registry/name:tag" to Container(...)', container.location)
    if app.replicas is not None and app.replicas < 0:
        check.add(subject, "spec.replicas", f"Invalid value: {app.replicas}: must be greater than or equal to 0",
                  "use 0 or more replicas", app.location)
    if app.workload == "StatefulSet" and stateful_service_name(app) is None:
        check.add(subject, "spec.serviceName", "Required value: a StatefulSet names the Service that governs it",
                  "add a headless Service: Service(NAME, headless=True, ports=[...])", app.location)


def _check_container_ports(check: _Checker, container: Container, csubject: str) -> None:
    seen: set[str] = set()
    for port in container.ports:
        subject = f'{csubject}, port "{port.name}"'
        before = len(check.problems)
        check.rule(rules.port_name, port.name, subject, "name",
                   "container port names are IANA service names: at most 15 of a-z 0-9 '-', with a "
                   "letter, no '--', e.g. http or metrics-2", port.location)
        if len(check.problems) == before:
            if port.name in seen:
                check.add(subject, "name", f'Duplicate value: "{port.name}": port names are unique '
                          "within a container", "rename one of the ports", port.location)
            seen.add(port.name)
        for detail in rules.port_number(port.number):
            check.add(subject, "number", f"Invalid value: {port.number}: {detail}",
                      "use the number the process listens on", port.location)


def _check_port_clashes(check: _Checker, app: App) -> None:
    """Two declarations of one (number, protocol) in a pod: the API server's warning."""
    first: dict[tuple[int, str], tuple[Container, Port]] = {}
    for container in app.containers:
        for port in container.ports:
            key = (port.number, port.protocol)
            if key in first:
                other_container, other = first[key]
                check.add(
                    f'container "{container.name}" of App "{app.name}", port "{port.name}"', "number",
                    f"duplicate port definition with {other.number}/{other.protocol} "
                    f'(container "{other_container.name}", port "{other.name}", at {other.location}): '
                    "the containers of a pod share one network namespace",
                    "declare each listening port once", port.location, warning=True,
                )
            else:
                first[key] = (container, port)


def _owns(app: App, sp: ServicePort) -> bool:
    return any(c is sp.container for c in app.containers) and any(p is sp.target for p in sp.container.ports)


def _check_service(
    check: _Checker, app: App, service: Service, pinned: dict[int, tuple[str, SourceLocation | None, int]]
) -> None:
    subject = service_subject(app, service)
    loc = service.location
    check.rule(rules.dns1035_label, service.name, subject, "metadata.name",
               "Service names are at most 63 of a-z 0-9 '-', starting with a letter, e.g. web-api", loc)
    check.labels(service.labels, subject, "metadata.labels", loc)
    check.annotations(service.annotations, subject, loc)
    _check_type_fields(check, service, subject)

    if not service.ports and not service.headless and service.type != "ExternalName":
        check.add(subject, "spec.ports", "Required value: a Service needs at least one port "
                  "(only headless and ExternalName Services may have none)",
                  "add ports=[container.port(NAME).expose()]", loc)
    names: set[str] = set()
    numbers: dict[tuple[int, str], int] = {}
    node_ports: dict[tuple[str, int], int] = {}
    node_port_owner: dict[int, int] = {}
    many = len(service.ports) > 1
    for i, sp in enumerate(service.ports):
        path = f"spec.ports[{i}]"
        psubject = f'{subject} port "{sp.port_name}"'
        where = sp.location
        if not _owns(app, sp):
            check.add(psubject, f"{path}.targetPort",
                      f'points at container "{sp.container.name}" port "{sp.target.name}", which is not '
                      f'a container of App "{app.name}"',
                      f'add the container to App "{app.name}" or expose one of its own containers', where)
        name = sp.port_name
        if not name:
            if many:
                check.add(psubject, f"{path}.name", "Required value: every port needs a name when a "
                          "Service has more than one", "leave name unset to use the container port's "
                          "name, or pass name=...", where)
        else:
            if sp.name is not None:
                # An inherited name is the container port's: it is checked (once) there, and every
                # valid container port name is a valid Service port name.
                check.rule(rules.dns1123_label, name, psubject, f"{path}.name",
                           "Service port names are at most 63 of a-z 0-9 '-', e.g. http", where)
            if name in names:
                check.add(psubject, f"{path}.name", f'Duplicate value: "{name}"',
                          "give each port of the Service its own name (name=...)", where)
            names.add(name)
        number = sp.service_port
        for detail in rules.port_number(number):
            check.add(psubject, f"{path}.port", f"Invalid value: {number}: {detail}",
                      "pass the Service port as expose(PORT)", where)
        key = (number, sp.protocol)
        if key in numbers:
            check.add(psubject, path, f"Duplicate value: port {number}/{sp.protocol} is already "
                      f"exposed by spec.ports[{numbers[key]}]",
                      "expose each (port, protocol) once, or pick another Service port", where)
        else:
            numbers[key] = i
        if sp.app_protocol is not None:
            check.rule(rules.qualified_name, sp.app_protocol, psubject, f"{path}.appProtocol",
                       "use a protocol name such as http, h2c, grpc or example.com/proto", where)
        if target_by_name(sp, emits_workload(app, check.with_workloads)):
            _check_named_target(check, app, sp, psubject, f"{path}.targetPort")
        if isinstance(sp.node_port, int):
            _check_pinned_node_port(check, service, sp, i, subject, psubject,
                                    node_ports, node_port_owner, pinned)


def _check_named_target(check: _Checker, app: App, sp: ServicePort, subject: str, field: str) -> None:
    """A named targetPort resolves to the first container port with that name and protocol."""
    for container in app.containers:
        for port in container.ports:
            if port.name == sp.target.name and port.protocol == sp.protocol:
                if port is not sp.target:
                    check.add(subject, field,
                              f'targetPort "{port.name}" would resolve to container "{container.name}" '
                              f'(declared at {port.location}), not to container "{sp.container.name}": '
                              "Kubernetes takes the first container port with that name and protocol",
                              'rename one of the two ports, or use target_by="number"', sp.location)
                return


def _check_pinned_node_port(
    check: _Checker,
    service: Service,
    sp: ServicePort,
    i: int,
    subject: str,
    psubject: str,
    node_ports: dict[tuple[str, int], int],
    node_port_owner: dict[int, int],
    pinned: dict[int, tuple[str, SourceLocation | None, int]],
) -> None:
    node_port = sp.node_port
    assert isinstance(node_port, int)
    field = f"spec.ports[{i}].nodePort"
    where = sp.location
    if service.type == "ClusterIP":
        check.add(psubject, field, "Forbidden: may not be used when `type` is 'ClusterIP'",
                  'use type="NodePort" or "LoadBalancer", or drop node_port', where)
        return
    if service.type == "ExternalName":
        check.add(psubject, field, "Forbidden: an ExternalName Service has no nodePorts",
                  "drop node_port", where)
        return
    if node_port not in check.range:
        check.add(psubject, field, f"Invalid value: {node_port}: {check.range.not_in_range_message()}",
                  f"pin a port in {check.range}, or leave node_port unset to have one allocated", where)
        return
    key = (sp.protocol, node_port)
    if key in node_ports:
        check.add(psubject, field, f"Duplicate value: {node_port}",
                  "give each port its own nodePort", where)
        return
    node_ports[key] = i
    same = node_port_owner.get(node_port)
    if same is not None and service.ports[same].service_port != sp.service_port:
        check.add(psubject, field, f"Invalid value: {node_port}: provided port is already allocated "
                  f"(to spec.ports[{same}], which has another port number; only entries with the same "
                  "port, like 53/TCP and 53/UDP, may share a nodePort)",
                  "give this port its own nodePort", where)
        return
    node_port_owner.setdefault(node_port, i)
    owner = pinned.get(node_port)
    if owner is not None and owner[2] != id(service):
        check.add(psubject, field, f"Invalid value: {node_port}: provided port is already allocated "
                  f"to {owner[0]} (declared at {owner[1]})",
                  "pin another nodePort, or leave node_port unset to have a free one allocated", where)
        return
    pinned.setdefault(node_port, (f"{subject} port \"{sp.port_name}\"", where, id(service)))


def _check_type_fields(check: _Checker, service: Service, subject: str) -> None:
    loc = service.location
    kind = service.type
    if service.headless and kind in ("NodePort", "LoadBalancer"):
        check.add(subject, "spec.clusterIPs[0]",
                  f"Invalid value: \"None\": may not be set to 'None' for {kind} services",
                  'headless Services are type="ClusterIP"; drop headless=True or change the type', loc)
    if kind == "ExternalName":
        if service.headless:
            check.add(subject, "spec.clusterIPs", "Forbidden: may not be set for ExternalName services",
                      "drop headless=True", loc)
        if not service.external_name:
            check.add(subject, "spec.externalName", "Required value",
                      'pass external_name="db.example.com"', loc)
        else:
            check.rule(rules.external_name, service.external_name, subject, "spec.externalName",
                       "use a DNS name such as db.example.com", loc)
    elif service.external_name is not None:
        check.add(subject, "spec.externalName",
                  "Forbidden: may only be used when `type` is 'ExternalName'",
                  'use type="ExternalName", or drop external_name', loc)
    if service.allocate_load_balancer_node_ports is not None and kind != "LoadBalancer":
        check.add(subject, "spec.allocateLoadBalancerNodePorts",
                  "Forbidden: may only be used when `type` is 'LoadBalancer'",
                  "drop allocate_load_balancer_node_ports", loc)
    if service.external_traffic_policy is not None and kind not in ("NodePort", "LoadBalancer"):
        check.add(subject, "spec.externalTrafficPolicy",
                  f'Invalid value: "{service.external_traffic_policy}": may only be set for '
                  "externally-accessible services",
                  'use type="NodePort" or "LoadBalancer", or drop external_traffic_policy', loc)
    if service.session_affinity_timeout is not None:
        if service.session_affinity != "ClientIP":
            check.add(subject, "spec.sessionAffinityConfig",
                      "Forbidden: must not be set when session affinity is None",
                      'pass session_affinity="ClientIP", or drop session_affinity_timeout', loc)
        for detail in rules.session_affinity_timeout(service.session_affinity_timeout):
            check.add(subject, "spec.sessionAffinityConfig.clientIP.timeoutSeconds",
                      f"Invalid value: {service.session_affinity_timeout}: {detail}",
                      "use 1 to 86400 seconds", loc)
    if service.load_balancer_class is not None:
        if kind != "LoadBalancer":
            check.add(subject, "spec.loadBalancerClass",
                      "Forbidden: may only be used when service type is 'LoadBalancer'",
                      "drop load_balancer_class", loc)
        check.rule(rules.qualified_name, service.load_balancer_class, subject,
                   "spec.loadBalancerClass", "use a name such as example.com/internal-vip", loc)
    if service.load_balancer_source_ranges:
        if kind != "LoadBalancer":
            check.add(subject, "spec.LoadBalancerSourceRanges",
                      "Forbidden: may only be used when `type` is 'LoadBalancer'",
                      "drop load_balancer_source_ranges", loc)
        bad = [r for r in service.load_balancer_source_ranges if rules.ip_cidr(r)]
        if bad:
            check.add(subject, "spec.LoadBalancerSourceRanges",
                      f"Invalid value: {_quoted(bad)}: " + rules.ip_cidr(bad[0])[0].strip(),
                      "write each range as ADDRESS/PREFIX", loc)


def _quoted(values: Iterable[str]) -> str:
    return ", ".join(f'"{v}"' for v in values)
