"""Lint every consumer of a port: what refers to a Service port or a container port must find it.

The API server accepts all of these with a dangling reference; traffic or scraping then fails
later, quietly. Across all the files given:

- **Ingress** (``networking.k8s.io/v1``; the older ``extensions``/``v1beta1`` form too): each
  backend Service is among the files (a warning when not: it may live elsewhere) and has the
  named or numbered port (an error).
- **Gateway API routes** (HTTPRoute, GRPCRoute, TCPRoute, TLSRoute, UDPRoute): each ``backendRefs``
  entry to a Service names one that exists, a ``port`` it has, with the route's protocol.
- **Probes** (liveness, readiness, startup) and lifecycle handlers: a named port is a port of the
  same container (init and sidecar containers too).
- **NetworkPolicy**: a named port of an ingress rule is a port of a pod the policy selects.
- **ServiceMonitor / PodMonitor**: ``endpoints[].port`` is a port name of a selected Service,
  ``podMetricsEndpoints[].port`` a container port name of a selected pod.
- **Endpoints / EndpointSlice** of a Service without a selector: their port names and protocols
  are the Service's (kube-proxy matches them by name).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Iterator, Sequence
from typing import Any, TypeVar

from svcgen.errors import QUOTE_LIMIT, Problem, shorten
from svcgen.kube import rules
from svcgen.kube.objects import (
    CONTROLLER_LABELS,
    KubeObject,
    Path,
    is_int,
    label_selector_matches,
    mapping,
)
from svcgen.lint.index import ANY, LabelIndex
from svcgen.lint.services import service_ports

__all__ = ["consumer_problems"]

_T = TypeVar("_T")
_ROUTES = {
    "HTTPRoute": "TCP",
    "GRPCRoute": "TCP",
    "TCPRoute": "TCP",
    "TLSRoute": "TCP",
    "UDPRoute": "UDP",
}
_PROBES = ("livenessProbe", "readinessProbe", "startupProbe")


def _group(obj: KubeObject) -> str:
    return obj.api_version.split("/")[0] if "/" in obj.api_version else ""


def _same_namespace(a: str, b: str) -> bool:
    return not a or not b or a == b


def _describe(ports: Sequence[dict[str, Any]]) -> str:
    shown = [
        shorten(f"{p.get('name') or '(unnamed)'} ({p.get('port')}/{p.get('protocol') or 'TCP'})")
        for p in ports
    ]
    return ", ".join(shown) or "none"


def _nearest(wanted: str, names: Sequence[str], fallback: str) -> str:
    """A "did you mean" among ``names``; none for names too long to be a port's.

    Comparing is quadratic, so such names are not compared.
    """
    import difflib  # only for a finding: a clean lint never loads it

    short = [n for n in names if len(n) <= QUOTE_LIMIT]
    near = (
        difflib.get_close_matches(wanted, short, n=1, cutoff=0.6)
        if len(wanted) <= QUOTE_LIMIT
        else []
    )
    return f'did you mean "{shorten(near[0])}"?' if near else fallback


class _Selectable:
    """Objects found by name or by label selector: Services by labels, workloads by their pods'.

    Indexed once (by namespace and name, and by each label: :class:`~svcgen.lint.index.LabelIndex`),
    so that a thousand monitors and policies over a thousand Services cost about what one does,
    not a million selector matches, even when every object carries one shared label.
    """

    def __init__(
        self,
        items: Sequence[KubeObject],
        labels_of: Callable[[KubeObject], dict[str, Any]],
        *,
        controller_labels: bool = False,
    ) -> None:
        self.items = [(obj, labels_of(obj)) for obj in items]
        self.controller_labels = controller_labels
        added: Callable[[KubeObject], Collection[str]] = (
            (lambda o: CONTROLLER_LABELS.get(o.kind, {})) if controller_labels else (lambda o: ())
        )
        self.index = LabelIndex((obj.namespace, labels, added(obj)) for obj, labels in self.items)
        self.by_name: dict[
            tuple[str, str], int
        ] = {}  # (namespace, name) -> the first such object, in the files
        self.first_named: dict[
            str, int
        ] = {}  # name -> the first object of that name, in any namespace
        for i, (obj, _) in enumerate(self.items):
            self.by_name.setdefault((obj.namespace, obj.name), i)
            self.first_named.setdefault(obj.name, i)

    def find(self, namespace: str, name: str) -> KubeObject | None:
        """The first object named ``name`` in ``namespace`` or without one.

        In any namespace, for no ``namespace``.
        """
        if not namespace:
            found = self.first_named.get(name)
        else:
            found = min(
                (
                    i
                    for i in (self.by_name.get((namespace, name)), self.by_name.get(("", name)))
                    if i is not None
                ),
                default=None,
            )
        return None if found is None else self.items[found][0]

    def select(self, selector: Any, namespaces: set[str] | None) -> list[KubeObject]:
        """What a label selector selects, in ``namespaces`` (None: any), in the files' order.

        Workloads' pods also carry the labels their controller adds (a StatefulSet pod's
        ``statefulset.kubernetes.io/pod-name``): a matchLabels selector on those is matched as
        a Service selector is (:meth:`KubeObject.may_select`).
        """
        candidates = self.index.candidates(_requirements(selector), namespaces)
        return self.index.remembered(
            lambda: _key(selector, namespaces),
            lambda: self._select(selector, namespaces, candidates),
            None if candidates is None else len(candidates),
        )

    def of_selected(
        self, selector: Any, namespaces: set[str] | None, summary: Callable[[list[KubeObject]], _T]
    ) -> _T:
        """``summary`` of what :meth:`select` selects.

        Once per selector: many objects may repeat one.
        """
        selected = self.select(selector, namespaces)
        return self.index.remembered(
            lambda: (_key(selector, namespaces), summary), lambda: summary(selected), len(selected)
        )

    def _select(
        self, selector: Any, namespaces: set[str] | None, candidates: Sequence[int] | None
    ) -> list[KubeObject]:
        raw = selector.get("matchLabels") if isinstance(selector, dict) else None
        match: dict[str, Any] = raw if isinstance(raw, dict) else {}
        plain = isinstance(raw, dict) and all(isinstance(v, str) for v in match.values())
        controller = plain and self.controller_labels and any(k in _CONTROLLER_KEYS for k in match)
        if candidates is None:
            candidates = range(len(self.items))
        found = []
        for i in candidates:
            obj, labels = self.items[i]
            if namespaces is not None and obj.namespace and obj.namespace not in namespaces:
                continue
            if label_selector_matches(selector, labels) is True or (
                controller and set(selector) <= {"matchLabels"} and obj.may_select(match)
            ):
                found.append(obj)
        return found


def _key(selector: Any, namespaces: set[str] | None) -> Hashable:
    """What a selection depends on, hashable.

    The repr: a selector may hold lists; equal reprs select alike.
    """
    return repr(selector), None if namespaces is None else tuple(sorted(namespaces))


def _requirements(selector: Any) -> list[list[tuple[str, Any]]]:
    """What an object must carry to be selected, for :meth:`LabelIndex.candidates`.

    A matchLabels entry: the label, or (for a workload) the key as one its controller adds. An
    ``In`` expression: one of its values. Other expressions, and malformed parts, narrow nothing.
    """
    if not isinstance(selector, dict):
        return []
    raw = selector.get("matchLabels")
    found = (
        [[(k, v), (k, ANY)] for k, v in raw.items() if isinstance(k, str) and isinstance(v, str)]
        if isinstance(raw, dict)
        else []
    )
    expressions = selector.get("matchExpressions")
    for expression in expressions if isinstance(expressions, list) else []:
        key, values = mapping(expression).get("key"), mapping(expression).get("values")
        if (
            mapping(expression).get("operator") == "In"
            and isinstance(key, str)
            and isinstance(values, list)
            and all(isinstance(v, str) for v in values)
        ):
            found.append([(key, v) for v in values])
    return found


_CONTROLLER_KEYS = {key for labels in CONTROLLER_LABELS.values() for key in labels}


def _service_labels(service: KubeObject) -> dict[str, Any]:
    return mapping(service.metadata.get("labels"))


def _pod_labels(workload: KubeObject) -> dict[str, Any]:
    return workload.pod_labels()


def _port_ref(
    services: _Selectable,
    obj: KubeObject,
    path: Path,
    namespace: str,
    name: Any,
    port: Any,
    protocol: str | None,
    rule: str,
) -> Iterator[Problem]:
    """A reference to port ``port`` (a name or a number) of Service ``name``."""
    if not isinstance(name, str) or not name:
        return
    service = services.find(namespace, name)
    if service is None:
        yield obj.problem(
            path,
            "warning",
            f"{rule}-service",
            f'backend Service "{shorten(name)}" is not among these files (it may be declared '
            "elsewhere)",
            "lint the Service's manifest too, or check the name",
        )
        return
    ports = [p for _, p in service_ports(service)]
    if is_int(port):
        found = [p for p in ports if p.get("port") == port]
        what = f"port {port}"
    elif isinstance(port, str):
        found = [p for p in ports if p.get("name") == port]
        what = f'port named "{shorten(port)}"'
    else:
        return
    if not found:
        names = [str(p.get("name")) for p in ports if p.get("name")]
        hint = (
            _nearest(port, names, "name one of its ports")
            if isinstance(port, str)
            else "use one of its ports (the Service's port, not the targetPort)"
        )
        yield obj.problem(
            path,
            "error",
            f"{rule}-port",
            f'Service "{shorten(name)}" ({service.where()}) has no '
            f"{what}: its ports are {_describe(ports)}",
            hint,
        )
    elif protocol is not None and all((p.get("protocol") or "TCP") != protocol for p in found):
        yield obj.problem(
            path,
            "error",
            f"{rule}-protocol",
            f'Service "{shorten(name)}" port {shorten(str(port))} is '
            f"{shorten(str(found[0].get('protocol') or 'TCP'))}, but a "
            f"{obj.kind} carries {protocol}",
            f"reference a {protocol} port of the Service",
        )


def _ingress(obj: KubeObject, services: _Selectable) -> Iterator[Problem]:
    spec = obj.spec
    backends: list[tuple[Path, dict[str, Any]]] = []
    if "defaultBackend" in spec or "backend" in spec:
        key = "defaultBackend" if "defaultBackend" in spec else "backend"
        backends.append((("spec", key), mapping(spec.get(key))))
    rules_ = spec.get("rules")
    for i, rule in enumerate(rules_ if isinstance(rules_, list) else []):
        paths = mapping(mapping(rule).get("http")).get("paths")
        for j, item in enumerate(paths if isinstance(paths, list) else []):
            backend = mapping(mapping(item).get("backend"))
            backends.append((("spec", "rules", i, "http", "paths", j, "backend"), backend))
    for path, backend in backends:
        if "service" in backend:  # networking.k8s.io/v1
            service = mapping(backend.get("service"))
            port = mapping(service.get("port"))
            value = port.get("name") if port.get("name") else port.get("number")
            yield from _port_ref(
                services,
                obj,
                (*path, "service"),
                obj.namespace,
                service.get("name"),
                value,
                None,
                "ingress",
            )
        elif "serviceName" in backend:  # extensions/v1beta1, networking.k8s.io/v1beta1
            yield from _port_ref(
                services,
                obj,
                (*path, "serviceName"),
                obj.namespace,
                backend.get("serviceName"),
                backend.get("servicePort"),
                None,
                "ingress",
            )


def _route(obj: KubeObject, services: _Selectable) -> Iterator[Problem]:
    protocol = _ROUTES[obj.kind]
    rules_ = obj.spec.get("rules")
    for i, rule in enumerate(rules_ if isinstance(rules_, list) else []):
        refs = mapping(rule).get("backendRefs")
        for j, ref in enumerate(refs if isinstance(refs, list) else []):
            ref = mapping(ref)
            if ref.get("group") not in (None, "") or ref.get("kind") not in (None, "Service"):
                continue
            path: Path = ("spec", "rules", i, "backendRefs", j)
            if "port" not in ref:
                yield obj.problem(
                    path,
                    "error",
                    "route-port",
                    "a backendRef to a Service needs a port",
                    "add port: the Service's port number",
                )
                continue
            namespace = (
                str(ref["namespace"]) if isinstance(ref.get("namespace"), str) else obj.namespace
            )
            yield from _port_ref(
                services,
                obj,
                (*path, "port"),
                namespace,
                ref.get("name"),
                ref.get("port"),
                protocol,
                "route",
            )


def _container_port_names(container: dict[str, Any]) -> list[str]:
    ports = container.get("ports")
    return [
        p["name"]
        for p in (ports if isinstance(ports, list) else [])
        if isinstance(p, dict) and isinstance(p.get("name"), str)
    ]


def _handlers(container: dict[str, Any]) -> Iterator[tuple[Path, Any]]:
    """(path, port) of every probe and lifecycle handler of a container."""
    for probe in _PROBES:
        handler = mapping(container.get(probe))
        for action in ("httpGet", "tcpSocket", "grpc"):
            if isinstance(handler.get(action), dict) and "port" in handler[action]:
                yield (probe, action, "port"), handler[action]["port"]
    lifecycle = mapping(container.get("lifecycle"))
    for hook in ("postStart", "preStop"):
        handler = mapping(lifecycle.get(hook))
        for action in ("httpGet", "tcpSocket"):
            if isinstance(handler.get(action), dict) and "port" in handler[action]:
                yield ("lifecycle", hook, action, "port"), handler[action]["port"]


def _probes(obj: KubeObject) -> Iterator[Problem]:
    """Probes and lifecycle handlers of the containers and sidecars (KubeObject.containers).

    The API server refuses probes and lifecycle hooks on the other init containers.
    """
    for where, container in obj.containers():
        names = _container_port_names(container)
        for path, port in _handlers(container):
            if not isinstance(port, str):
                continue
            full = (*where, *path)
            details = rules.port_name(port)
            if details:
                yield obj.problem(
                    full,
                    "error",
                    "probe-port",
                    f'Invalid value: "{shorten(port)}": {details[0]}',
                    "a probe's port is a number, or the name of a port of this container",
                )
            elif port not in names:
                cname = shorten(str(container.get("name")))
                yield obj.problem(
                    full,
                    "error",
                    "probe-port",
                    f'"{shorten(port)}" is not a port of container "{cname}" (its named ports: '
                    f"{', '.join(map(shorten, names)) or 'none'}): the probe can never succeed",
                    _nearest(port, names, "name a port this container declares, or use a number"),
                )


def _network_policy(obj: KubeObject, workloads: _Selectable) -> Iterator[Problem]:
    if not workloads.items:
        return  # no workload among these files: nothing to check the named ports against
    namespaces = {obj.namespace} if obj.namespace else None
    selected = workloads.select(obj.spec.get("podSelector"), namespaces)
    available = workloads.of_selected(obj.spec.get("podSelector"), namespaces, _pod_ports)
    rules_ = obj.spec.get("ingress")
    for i, rule in enumerate(rules_ if isinstance(rules_, list) else []):
        ports = mapping(rule).get("ports")
        for j, port in enumerate(ports if isinstance(ports, list) else []):
            name, protocol = mapping(port).get("port"), str(mapping(port).get("protocol") or "TCP")
            if not isinstance(name, str) or (name, protocol) in available:
                continue
            whose = (
                ", ".join(shorten(f"{w.kind}/{w.name}") for w in selected)
                or "none among these files"
            )
            yield obj.problem(
                ("spec", "ingress", i, "ports", j, "port"),
                "warning",
                "networkpolicy-port",
                f'named port "{shorten(name)}" ({shorten(protocol)}) is a port of none of the pods '
                "the policy selects "
                f"({whose}): the rule admits nothing through it",
                _nearest(
                    name,
                    sorted({n for n, _ in available}),
                    "name a port of the selected pods, or lint their workloads too",
                ),
            )


def _namespaces(obj: KubeObject) -> set[str] | None:
    """A monitor's namespaceSelector: any namespace (None), the names listed, or its own."""
    selector = mapping(obj.spec.get("namespaceSelector"))
    if selector.get("any") is True:
        return None
    names = selector.get("matchNames")
    if isinstance(names, list) and names:
        return {str(n) for n in names}
    return {obj.namespace} if obj.namespace else None


def _monitor(
    obj: KubeObject,
    index: _Selectable,
    what: str,
    endpoints_key: str,
    rule: str,
    names_of: Callable[[list[KubeObject]], list[str]],
    port_hint: str,
) -> Iterator[Problem]:
    """A ServiceMonitor (``what``: "Service") or a PodMonitor ("pod") and its endpoints.

    Each endpoint's port must be a port name of what the monitor's selector selects.
    """
    if not index.items:
        # nothing of the kind among these files: what it selects is linted elsewhere (as for a
        # NetworkPolicy)
        return
    namespaces = _namespaces(obj)
    selected = index.select(obj.spec.get("selector"), namespaces)
    if not selected:
        yield obj.problem(
            ("spec", "selector"),
            "warning",
            f"{rule}-selector",
            f"selects no {what} among these files: unless one is made elsewhere (by an operator, "
            "say), nothing is scraped",
            f"check the selector against the {what}s' labels (and namespaceSelector)",
        )
        return
    names = index.of_selected(obj.spec.get("selector"), namespaces, names_of)
    endpoints = obj.spec.get(endpoints_key)
    for k, endpoint in enumerate(endpoints if isinstance(endpoints, list) else []):
        port = mapping(endpoint).get("port")
        if isinstance(port, str) and port not in names:
            whose = (
                f"selected {what} ({', '.join(shorten(f'{s.kind}/{s.name}') for s in selected)})"
            )
            yield obj.problem(
                ("spec", endpoints_key, k, "port"),
                "error",
                f"{rule}-port",
                f'no {whose} has a port named "{shorten(port)}" (their port names: '
                f"{', '.join(map(shorten, names)) or 'none'}): nothing would be scraped",
                _nearest(port, names, port_hint),
            )


def _service_port_names(services: list[KubeObject]) -> list[str]:
    return sorted(
        {str(p.get("name")) for s in services for _, p in service_ports(s) if p.get("name")}
    )


def _pod_ports(workloads: list[KubeObject]) -> set[tuple[str, str]]:
    return {(p.name, p.protocol) for w in workloads for p in w.container_ports() if p.name}


def _pod_port_names(workloads: list[KubeObject]) -> list[str]:
    return sorted({p.name for w in workloads for p in w.container_ports() if p.name})


def _endpoint_ports(obj: KubeObject) -> Iterator[tuple[Path, dict[str, Any]]]:
    if obj.kind == "EndpointSlice":
        ports = obj.value.get("ports")
        for j, port in enumerate(ports if isinstance(ports, list) else []):
            yield ("ports", j), mapping(port)
        return
    subsets = obj.value.get("subsets")
    for i, subset in enumerate(subsets if isinstance(subsets, list) else []):
        ports = mapping(subset).get("ports")
        for j, port in enumerate(ports if isinstance(ports, list) else []):
            yield ("subsets", i, "ports", j), mapping(port)


def _endpoints(obj: KubeObject, services: _Selectable) -> Iterator[Problem]:
    """Endpoints or an EndpointSlice of a selector-less Service: same port names and protocols."""
    name = (
        mapping(obj.metadata.get("labels")).get("kubernetes.io/service-name")
        if obj.kind == "EndpointSlice"
        else obj.name
    )
    service = services.find(obj.namespace, name) if isinstance(name, str) else None
    if service is None or mapping(service.spec.get("selector")):
        return
    wanted = {
        (str(p.get("name") or ""), str(p.get("protocol") or "TCP"))
        for _, p in service_ports(service)
    }
    have = {
        (str(p.get("name") or ""), str(p.get("protocol") or "TCP")): path
        for path, p in _endpoint_ports(obj)
    }
    if not have:
        return
    for port_name, protocol in sorted(wanted - set(have)):
        yield obj.problem(
            next(iter(have.values()))[:-1],
            "error",
            "endpoints-port",
            f'Service "{shorten(service.name)}" port "{shorten(port_name) or "(unnamed)"}" '
            f"({shorten(protocol)}) has no port of "
            "that name and protocol here: kube-proxy matches them by name, so its traffic goes "
            "nowhere",
            _nearest(port_name, [n for n, _ in have], "give the port the Service port's name"),
        )
    for key in sorted(set(have) - wanted):
        yield obj.problem(
            have[key],
            "warning",
            "endpoints-unused-port",
            f'port "{shorten(key[0]) or "(unnamed)"}" ({shorten(key[1])}) is no port of Service '
            f'"{shorten(service.name)}": '
            "nothing sends traffic to it",
            "name it as the Service port it serves, or remove it",
        )


def consumer_problems(
    others: Sequence[KubeObject], services: Sequence[KubeObject], workloads: Sequence[KubeObject]
) -> Iterator[Problem]:
    """Every dangling reference to a port, across the files (see the module docstring)."""
    index = _Selectable(services, _service_labels)
    pods = _Selectable(workloads, _pod_labels, controller_labels=True)
    for obj in others:
        group = _group(obj)
        if obj.kind == "Ingress" and group in ("networking.k8s.io", "extensions", ""):
            yield from _ingress(obj, index)
        elif obj.kind in _ROUTES and group == "gateway.networking.k8s.io":
            yield from _route(obj, index)
        elif obj.kind == "NetworkPolicy" and group == "networking.k8s.io":
            yield from _network_policy(obj, pods)
        elif obj.kind == "ServiceMonitor" and group == "monitoring.coreos.com":
            yield from _monitor(
                obj,
                index,
                "Service",
                "endpoints",
                "servicemonitor",
                _service_port_names,
                "use the Service port's name (not the container port's)",
            )
        elif obj.kind == "PodMonitor" and group == "monitoring.coreos.com":
            yield from _monitor(
                obj,
                pods,
                "pod",
                "podMetricsEndpoints",
                "podmonitor",
                _pod_port_names,
                "use a container port's name",
            )
        elif (obj.kind, group) in (("Endpoints", ""), ("EndpointSlice", "discovery.k8s.io")):
            yield from _endpoints(obj, index)
    for workload in workloads:
        yield from _probes(workload)
