"""What ``svcgen import`` declares of the objects that use ports: Ingresses, routes, monitors...

The objects are Ingress, HTTPRoute, monitors and NetworkPolicy.

Each string reference (a backend's Service and port, a monitor's port name, a policy's named port)
becomes a reference to the imported Service or container port, so it can no longer dangle. An
object is declared only when the DSL can say all of it; otherwise it stays YAML, with a warning
that names the field in the way (nothing is dropped silently). What is declared is checked by
rendering it and comparing it with the original (:mod:`.verify`).

Each object finds the Service or App it refers to, and the App it is declared with, in an index
by name, by labels and by namespace (:class:`_Index`): a search of every App per object made
the import grow with objects x Apps.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from svcgen.importer.plan import AppPlan, ContainerPlan, Plan, as_declared
from svcgen.kube.objects import KubeObject, Path, is_int, mapping
from svcgen.kube.rules import port_name

__all__ = ["CONSUMER_KINDS", "Call", "Ref", "plan_consumers"]

CONSUMER_KINDS = {
    ("networking.k8s.io/v1", "Ingress"),
    ("gateway.networking.k8s.io/v1", "HTTPRoute"),
    ("monitoring.coreos.com/v1", "ServiceMonitor"),
    ("monitoring.coreos.com/v1", "PodMonitor"),
    ("networking.k8s.io/v1", "NetworkPolicy"),
}


@dataclass
class Ref:
    """A port by reference in the generated code, to a Service port or a container port.

    ``service.port("http")`` or ``container.port("http")``.
    """

    owner: dict[str, Any] | ContainerPlan
    """The planned Service (its template dict) or container."""
    port: str | int
    """Its name, or its number when it has none."""


@dataclass
class Call:
    """A constructor call in the generated code.

    E.g. ``IngressRule("a.example.com", paths={...})``.
    """

    name: str
    args: list[tuple[str | None, Any]] = field(default_factory=list)


class _Kept(Exception):
    """The object stays YAML: ``path`` is the field the DSL cannot say, ``reason`` says why."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(reason)
        self.path, self.reason = path, reason


def _only(value: Any, allowed: set[str], path: Path) -> dict[str, Any]:
    """``value`` as a mapping whose keys are all ``allowed`` (else the object stays YAML)."""
    if not isinstance(value, dict):
        raise _Kept(path, "is not a mapping")
    for key in value:
        if key not in allowed:
            raise _Kept((*path, key), f'"{key}" has no counterpart in svcgen\'s DSL')
    return value


def _str(value: Any, path: Path) -> str:
    if not isinstance(value, str):
        raise _Kept(path, f"is not a string ({type(value).__name__})")
    return value


def _strs(value: Any, path: Path) -> list[str]:
    if not isinstance(value, list):
        raise _Kept(path, "is not a list")
    return [_str(item, (*path, i)) for i, item in enumerate(value)]


def _list(value: Any, path: Path) -> list[Any]:
    """A list field (absent: empty); anything else keeps the object as YAML."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise _Kept(path, "is not a list")
    return value


def _labels(value: Any, path: Path) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise _Kept(path, "is not a mapping of strings to strings")
    return dict(value)


def _match_labels(selector: Any, path: Path) -> dict[str, str]:
    """A label selector with matchLabels only (the DSL selects by labels)."""
    return _labels(
        _only(selector if selector is not None else {}, {"matchLabels"}, path).get("matchLabels"),
        (*path, "matchLabels"),
    )


Labels = frozenset[tuple[Any, Any]]


def _labelled(namespace: str, labels: dict[str, Any]) -> tuple[str, Labels]:
    """A key equal for two label maps of a namespace exactly when the maps are equal."""
    return namespace, frozenset(labels.items())


class _Index:
    """The imported Services and Apps, to turn names into references.

    Filed by name, by labels and by namespace, so that each object finds what it refers to
    without a search of every App or Service.
    """

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.order = {id(app): i for i, app in enumerate(plan.apps)}
        self.services: dict[tuple[str, str], tuple[AppPlan, dict[str, Any], KubeObject]] = {}
        self.apps_in: dict[str, list[AppPlan]] = {}
        self.apps_by_labels: dict[tuple[str, Labels], list[AppPlan]] = {}
        self.services_by_labels: dict[tuple[str, Labels], list[tuple[AppPlan, dict[str, Any]]]] = {}
        originals = {(o.namespace, o.name): o for o in plan.planned}
        for app in plan.apps:
            namespace = app.namespace or ""
            self.apps_in.setdefault(namespace, []).append(app)
            self.apps_by_labels.setdefault(_labelled(namespace, app.labels), []).append(app)
            for service in app.services:
                key = (namespace, service["name"])
                if key in originals:
                    self.services[key] = (app, service, originals[key])
        for (namespace, _), (app, service, original) in self.services.items():
            labels = mapping(original.metadata.get("labels"))
            self.services_by_labels.setdefault(_labelled(namespace, labels), []).append(
                (app, service)
            )

    def service_port(
        self, namespace: str, name: Any, port: Any, path: Path, by: str = "name or number"
    ) -> tuple[AppPlan, Ref]:
        found = self.services.get((namespace, name)) if isinstance(name, str) else None
        if found is None:
            raise _Kept(
                path,
                f'Service "{name}" is not among the imported Services: the reference would dangle',
            )
        app, service, original = found
        for raw in original.spec.get("ports") or []:
            raw = mapping(raw)
            if (isinstance(port, str) and raw.get("name") == port) or (
                is_int(port) and raw.get("port") == port
            ):
                if by == "number" and str(raw.get("protocol") or "TCP") != "TCP":
                    raise _Kept(path, f'port {port} of Service "{name}" is not TCP')
                return app, Ref(service, str(raw["name"]) if raw.get("name") else raw["port"])
        raise _Kept(path, f'Service "{name}" has no port {port!r}: the reference would dangle')

    def app_in(self, namespace: str, after: Sequence[AppPlan]) -> AppPlan | None:
        """The first App of ``namespace`` declared after every App of ``after``.

        So that their names exist.
        """
        last = max((self.order[id(a)] for a in after), default=-1)
        apps = self.apps_in.get(namespace, [])
        first = bisect.bisect_left(apps, last, key=lambda a: self.order[id(a)])
        return apps[first] if first < len(apps) else None


def plan_consumers(objects: Sequence[KubeObject], plan: Plan) -> list[KubeObject]:
    """Attach every consumer the DSL can say to an App of ``plan``; return those objects.

    They are returned for the check (:mod:`.verify`).
    """
    index = _Index(plan)
    planned = []
    seen: set[tuple[str, str, str]] = set()
    for obj in objects:
        if (obj.api_version, obj.kind) not in CONSUMER_KINDS:
            continue
        obj, note = as_declared(obj)
        try:
            if (obj.kind, obj.namespace, obj.name) in seen:
                raise _Kept(
                    ("metadata", "name"),
                    f"another {obj.kind} of this name and namespace is declared above",
                )
            app, call = _consumer(index, obj)
        except _Kept as kept:
            plan.problems.append(
                obj.problem(
                    kept.path,
                    "warning",
                    "import-consumer-kept",
                    f"kept as YAML, not declared: {kept.reason}",
                    "keep this file beside app.py",
                )
            )
            continue
        app.consumers.append(call)
        planned.append(obj)
        seen.add((obj.kind, obj.namespace, obj.name))
        if note is not None:
            plan.problems.append(note)
    return planned


def _consumer(index: _Index, obj: KubeObject) -> tuple[AppPlan, Call]:
    meta = obj.metadata
    for key in meta:
        if key not in ("name", "namespace", "labels", "annotations") and meta[key] not in (
            None,
            [],
            {},
            "",
        ):
            raise _Kept(("metadata", key), f"metadata.{key} cannot be declared in svcgen's DSL")
    _only(obj.value, {"apiVersion", "kind", "metadata", "spec"}, ())
    if not isinstance(meta.get("name"), str) or not meta["name"]:
        raise _Kept(("metadata", "name"), "has no name")
    builders = {
        "Ingress": _ingress,
        "HTTPRoute": _route,
        "ServiceMonitor": _service_monitor,
        "PodMonitor": _pod_monitor,
        "NetworkPolicy": _network_policy,
    }
    app, args = builders[obj.kind](index, obj)
    for key in ("labels", "annotations"):
        values = _labels(meta.get(key), ("metadata", key))
        if values:
            args.append((key, values))
    return app, Call(obj.kind, [(None, obj.name), *args])


def _ingress_backend(
    index: _Index,
    obj: KubeObject,
    backend: Any,
    path: Path,
    by_number: list[tuple[bool, bool, Path]],
) -> tuple[AppPlan, Ref]:
    """The Service port of a backend, and how the original refers to it (added to ``by_number``).

    ``by_number`` gets: whether the original refers by number, whether svcgen would by default,
    and where.
    """
    service = _only(
        _only(backend, {"service"}, path).get("service"), {"name", "port"}, (*path, "service")
    )
    port = _only(service.get("port"), {"name", "number"}, (*path, "service", "port"))
    if len(port) != 1:
        raise _Kept((*path, "service", "port"), "names neither one port name nor one number")
    wanted = port.get("name", port.get("number"))
    app, ref = index.service_port(obj.namespace, service.get("name"), wanted, (*path, "service"))
    by_default = not isinstance(ref.port, str) or bool(
        port_name(ref.port)
    )  # by number: unnamed, or not IANA
    by_number.append(("number" in port, by_default, (*path, "service", "port")))
    return app, ref


def _ports_by(by_number: list[tuple[bool, bool, Path]]) -> list[tuple[str | None, Any]]:
    """The Ingress's ``ports_by`` argument, if one is needed.

    None when every backend is written as svcgen writes it by default.
    """
    if all(original == default for original, default, _ in by_number):
        return []
    if all(original for original, _, _ in by_number):
        return [("ports_by", "number")]
    path = next(path for original, default, path in by_number if original and not default)
    raise _Kept(
        path,
        "refers to this Service port, which has a name, by number, and to others by name (svcgen "
        "writes an Ingress's backend ports one way)",
    )


def _ingress(index: _Index, obj: KubeObject) -> tuple[AppPlan, list[tuple[str | None, Any]]]:
    spec = _only(obj.spec, {"ingressClassName", "defaultBackend", "rules", "tls"}, ("spec",))
    if not spec.get("rules") and spec.get("defaultBackend") is None:
        raise _Kept(("spec",), "has neither rules nor a defaultBackend (the API server refuses it)")
    args: list[tuple[str | None, Any]] = []
    apps: list[AppPlan] = []
    rules = []
    by_number: list[tuple[bool, bool, Path]] = []
    for i, rule in enumerate(_list(spec.get("rules"), ("spec", "rules"))):
        where: Path = ("spec", "rules", i)
        rule = _only(rule, {"host", "http"}, where)
        paths = _list(
            _only(rule.get("http"), {"paths"}, (*where, "http")).get("paths"),
            (*where, "http", "paths"),
        )
        refs: dict[str, Ref] = {}
        kinds = set()
        for j, item in enumerate(paths):
            at: Path = (*where, "http", "paths", j)
            item = _only(item, {"path", "pathType", "backend"}, at)
            if not isinstance(item.get("path"), str) or item["path"] in refs:
                raise _Kept(
                    at, "a path svcgen cannot key on (absent, or the same path twice in a rule)"
                )
            app, ref = _ingress_backend(
                index, obj, item.get("backend"), (*at, "backend"), by_number
            )
            apps.append(app)
            refs[item["path"]] = ref
            kinds.add(item.get("pathType"))
        if len(kinds) != 1 or not kinds <= {"Prefix", "Exact", "ImplementationSpecific"}:
            raise _Kept(
                where,
                "its paths do not share one pathType of Prefix, Exact or ImplementationSpecific "
                "(svcgen sets it per rule)",
            )
        if rule.get("host") == "":
            raise _Kept(
                (*where, "host"), "an empty host (svcgen leaves the host out for every host)"
            )
        rule_args: list[tuple[str | None, Any]] = (
            [(None, _str(rule["host"], (*where, "host")))] if rule.get("host") is not None else []
        )
        rule_args.append(("paths", refs))
        if kinds != {"Prefix"}:
            rule_args.append(("path_type", kinds.pop()))
        rules.append(Call("IngressRule", rule_args))
    if spec.get("defaultBackend") is not None:
        app, ref = _ingress_backend(
            index, obj, spec["defaultBackend"], ("spec", "defaultBackend"), by_number
        )
        apps.append(app)
        args.append(("default_backend", ref))
    if rules:
        args.append(("rules", rules))
    tls = []
    for i, item in enumerate(_list(spec.get("tls"), ("spec", "tls"))):
        item = _only(item, {"hosts", "secretName"}, ("spec", "tls", i))
        secret = _str(item.get("secretName"), ("spec", "tls", i, "secretName"))
        hosts = _strs(item["hosts"], ("spec", "tls", i, "hosts")) if "hosts" in item else None
        if hosts == []:
            raise _Kept(("spec", "tls", i, "hosts"), "an empty list (svcgen leaves hosts out)")
        tls.append(
            Call("IngressTLS", [*((("hosts", hosts),) if hosts else ()), ("secret_name", secret)])
        )
    if tls:
        args.append(("tls", tls))
    if spec.get("ingressClassName") is not None:
        args.append(("ingress_class", _str(spec["ingressClassName"], ("spec", "ingressClassName"))))
    args.extend(_ports_by(by_number))
    return _home(index, obj, apps), args


def _home(index: _Index, obj: KubeObject, apps: Sequence[AppPlan]) -> AppPlan:
    """The App the object is declared with: of its namespace, after every App it refers to."""
    home = index.app_in(obj.namespace, apps)
    if home is None:
        raise _Kept(
            (), "no imported App of its namespace is declared after the Services it refers to"
        )
    return home


def _route(index: _Index, obj: KubeObject) -> tuple[AppPlan, list[tuple[str | None, Any]]]:
    spec = _only(obj.spec, {"parentRefs", "hostnames", "rules"}, ("spec",))
    args: list[tuple[str | None, Any]] = []
    parents = []
    for i, parent in enumerate(_list(spec.get("parentRefs"), ("spec", "parentRefs"))):
        parent = _only(parent, {"name", "namespace", "sectionName"}, ("spec", "parentRefs", i))
        ref_at: Path = ("spec", "parentRefs", i)
        parents.append(
            Call(
                "GatewayRef",
                [
                    (None, _str(parent.get("name"), (*ref_at, "name"))),
                    *(
                        (key, _str(parent[wire], (*ref_at, wire)))
                        for key, wire in (
                            ("namespace", "namespace"),
                            ("section_name", "sectionName"),
                        )
                        if wire in parent
                    ),
                ],
            )
        )
    if parents:
        args.append(("parents", parents))
    if "hostnames" in spec:
        hostnames = _strs(spec["hostnames"], ("spec", "hostnames"))
        if not hostnames:
            raise _Kept(("spec", "hostnames"), "an empty list (svcgen leaves hostnames out)")
        args.append(("hostnames", hostnames))
    apps: list[AppPlan] = []
    rules = []
    for i, rule in enumerate(_list(spec.get("rules"), ("spec", "rules"))):
        where: Path = ("spec", "rules", i)
        rule = _only(rule, {"matches", "backendRefs"}, where)
        if not rule.get("backendRefs"):
            raise _Kept(
                (*where, "backendRefs"), "has no backends (svcgen writes a rule's backends)"
            )
        matches = rule.get("matches")
        if not isinstance(matches, list) or len(matches) != 1:
            raise _Kept((*where, "matches"), "svcgen declares exactly one path match per rule")
        match = _only(
            _only(matches[0], {"path"}, (*where, "matches", 0)).get("path"),
            {"type", "value"},
            (*where, "matches", 0, "path"),
        )
        if match.get("type") != "PathPrefix" or not isinstance(match.get("value"), str):
            raise _Kept((*where, "matches", 0, "path"), "svcgen declares PathPrefix matches only")
        refs = []
        for j, backend in enumerate(_list(rule.get("backendRefs"), (*where, "backendRefs"))):
            at: Path = (*where, "backendRefs", j)
            backend = _only(backend, {"name", "namespace", "port"}, at)
            if backend.get("namespace") == obj.namespace:
                raise _Kept(
                    (*at, "namespace"),
                    "names the route's own namespace (svcgen writes it only for another namespace)",
                )
            app, ref = index.service_port(
                str(backend.get("namespace") or obj.namespace),
                backend.get("name"),
                backend.get("port"),
                at,
                by="number",
            )
            apps.append(app)  # a backend in another namespace too: its App must be declared first
            refs.append(ref)
        rules.append(Call("RouteRule", [(None, match["value"]), ("backends", refs)]))
    if rules:
        args.append(("rules", rules))
    return _home(index, obj, apps), args


def _scrape_args(endpoint: dict[str, Any], where: Path) -> list[tuple[str | None, Any]]:
    return [
        (key, _str(endpoint[key], (*where, key))) for key in ("path", "interval") if key in endpoint
    ]


def _monitor_endpoint(obj: KubeObject, key: str) -> tuple[dict[str, str], dict[str, Any]]:
    """A monitor's matchLabels selector and its one endpoint, under ``key``.

    ``key``: ``endpoints`` or ``podMetricsEndpoints``.
    """
    spec = _only(obj.spec, {"selector", key, "namespaceSelector"}, ("spec",))
    selector = _match_labels(spec.get("selector"), ("spec", "selector"))
    endpoints = spec.get(key)
    if not isinstance(endpoints, list) or len(endpoints) != 1:
        raise _Kept(("spec", key), f"svcgen declares one endpoint per {obj.kind}")
    fields = {"port", "path", "interval"} | ({"portNumber"} if obj.kind == "PodMonitor" else set())
    endpoint = _only(endpoints[0], fields, ("spec", key, 0))
    _no_namespace_selector(spec)
    return selector, endpoint


def _service_monitor(
    index: _Index, obj: KubeObject
) -> tuple[AppPlan, list[tuple[str | None, Any]]]:
    selector, endpoint = _monitor_endpoint(obj, "endpoints")
    labelled = (
        index.services_by_labels.get(_labelled(obj.namespace, selector), []) if selector else []
    )
    for _, service in labelled:
        try:
            app, ref = index.service_port(
                obj.namespace, service["name"], endpoint.get("port"), ("spec", "endpoints")
            )
        except _Kept:
            continue
        return _home(index, obj, [app]), [
            ("port", ref),
            *_scrape_args(endpoint, ("spec", "endpoints", 0)),
        ]
    raise _Kept(
        ("spec", "selector"),
        f"selects no imported Service of its namespace by all of that Service's labels "
        f"(as svcgen writes the selector) with a port named {endpoint.get('port')!r}",
    )


def _no_namespace_selector(spec: dict[str, Any]) -> None:
    """A monitor that sets a namespaceSelector stays YAML: svcgen writes that field itself.

    svcgen writes it for another namespace only.
    """
    if "namespaceSelector" in spec:
        raise _Kept(
            ("spec", "namespaceSelector"),
            "svcgen writes the namespaceSelector itself (only when what is "
            "scraped lives in another namespace)",
        )


def _pod_monitor(index: _Index, obj: KubeObject) -> tuple[AppPlan, list[tuple[str | None, Any]]]:
    selector, endpoint = _monitor_endpoint(obj, "podMetricsEndpoints")
    if "port" in endpoint and "portNumber" in endpoint:
        raise _Kept(
            ("spec", "podMetricsEndpoints", 0, "portNumber"),
            "names a port and a number (the port wins)",
        )
    # A port by name; by number (portNumber) only one without a name: svcgen writes a named one by
    # name.
    wanted = endpoint.get("port", endpoint.get("portNumber"))
    for app in index.apps_by_labels.get(_labelled(obj.namespace, selector), []) if selector else []:
        for container in app.containers:
            if isinstance(wanted, (str, int)) and any(
                (p.name == wanted) if "port" in endpoint else (not p.name and p.number == wanted)
                for p in container.ports
            ):
                return _home(index, obj, [app]), [
                    ("port", Ref(container, wanted)),
                    *_scrape_args(endpoint, ("spec", "podMetricsEndpoints", 0)),
                ]
    what = f"named {wanted!r}" if "port" in endpoint else f"{wanted!r} without a name"
    raise _Kept(
        ("spec", "selector"),
        f"selects no imported App of its namespace by exactly its labels (as svcgen "
        f"writes the selector) with a port {what}",
    )


def _policy_ports(app: AppPlan, rule: dict[str, Any], where: Path) -> tuple[list[Ref], str]:
    """A rule's ports as references to the App's container ports, and whether by name or number."""
    refs, forms = [], set()
    for j, port in enumerate(_list(rule.get("ports"), (*where, "ports"))):
        at: Path = (*where, "ports", j)
        port = _only(port, {"port", "protocol"}, at)
        wanted, protocol = port.get("port"), port.get("protocol", "TCP")
        found = next(
            (
                (c, p)
                for c in app.containers
                for p in c.ports
                if p.protocol == protocol
                and (
                    p.name == wanted
                    if isinstance(wanted, str)
                    else is_int(wanted) and p.number == wanted
                )
            ),
            None,
        )
        if found is None:
            raise _Kept(
                at, f'port {wanted!r} ({protocol}) is no container port of App "{app.name}"'
            )
        if "protocol" not in port:
            raise _Kept(at, "leaves protocol to its default (svcgen writes it)")
        refs.append(Ref(found[0], found[1].name or found[1].number))
        forms.add("name" if isinstance(wanted, str) else "number")
    if not refs:
        raise _Kept(where, "admits every port (svcgen declares the ports a policy admits)")
    if len(forms) > 1:
        raise _Kept(
            (*where, "ports"), "mixes port names and numbers (svcgen writes a rule's ports one way)"
        )
    return refs, forms.pop()


def _peer(peer: Any, where: Path) -> Call:
    peer = _only(peer, {"podSelector", "namespaceSelector"}, where)
    args: list[tuple[str | None, Any]] = []
    for key, arg in (("podSelector", "pods"), ("namespaceSelector", "namespaces")):
        if key in peer:
            selector = peer[key]
            if selector not in ({}, None) and _match_labels(selector, (*where, key)) == {}:
                raise _Kept((*where, key), "an empty matchLabels (svcgen writes {} for any)")
            args.append((arg, _match_labels(selector, (*where, key))))
    if not args:
        raise _Kept(where, "an empty peer")
    return Call("Peer", args)


def _network_policy(index: _Index, obj: KubeObject) -> tuple[AppPlan, list[tuple[str | None, Any]]]:
    spec = _only(obj.spec, {"podSelector", "policyTypes", "ingress"}, ("spec",))
    selector = _match_labels(spec.get("podSelector"), ("spec", "podSelector"))
    if spec.get("policyTypes") != ["Ingress"]:
        raise _Kept(
            ("spec", "policyTypes"),
            'svcgen declares ingress policies (policyTypes: ["Ingress"]) only',
        )
    rules = spec.get("ingress")
    if not isinstance(rules, list) or not rules:
        raise _Kept(("spec", "ingress"), "has no ingress rule (it denies all traffic to its pods)")
    app = next(iter(index.apps_by_labels.get(_labelled(obj.namespace, selector), [])), None)
    if app is None or not selector:
        raise _Kept(
            ("spec", "podSelector"), "selects pods by labels that are no imported App's labels"
        )
    calls = []
    for i, rule in enumerate(rules):
        where: Path = ("spec", "ingress", i)
        rule = _only(rule, {"from", "ports"}, where)
        refs, form = _policy_ports(app, rule, where)
        args: list[tuple[str | None, Any]] = [("ports", refs)]
        peers = rule.get("from")
        if peers is not None:
            if not _list(peers, (*where, "from")):
                raise _Kept((*where, "from"), "an empty list of peers")
            args.append(
                ("peers", [_peer(peer, (*where, "from", j)) for j, peer in enumerate(peers)])
            )
        if form == "number":
            args.append(("ports_by", "number"))
        calls.append(Call("PolicyRule", args))
    if len(calls) == 1 and all(key in ("ports", "peers") for key, _ in calls[0].args):
        short: list[tuple[str | None, Any]] = [("ports", calls[0].args[0][1])]
        peers = dict(calls[0].args).get("peers") or []
        if not peers:
            return app, short
        if len(peers) == 1 and all(value for _, value in peers[0].args):
            names = {"pods": "from_pods", "namespaces": "from_namespaces"}
            return app, short + [(names[str(key)], value) for key, value in peers[0].args]
    return app, [("rules", calls)]
