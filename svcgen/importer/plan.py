"""What ``svcgen import`` declares: the Apps, their containers and ports, each Service's options.

Pure: Kubernetes objects in, a :class:`Plan` out. Each Service is planned faithfully, refused
with a problem at its input line, or left out with a warning (what is not svcgen's to declare);
what the cluster set is dropped with a warning (:func:`as_declared`); nothing is invented
silently. The App of a workload selects with the labels that all its Services share; each
Service adds the rest as its ``extra_selector``, so every selector stays exactly as it was.

A Service finds the workloads it selects through an index by namespace and pod label
(:class:`_Selectable`), not by trying every workload: trying them all made planning grow with
Services x workloads.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from svcgen.errors import Problem
from svcgen.kube import rules
from svcgen.kube.apiserver import SERVICE_PORT_FIELDS, SERVICE_SPEC_FIELDS, default_service
from svcgen.kube.objects import CONTROLLER_LABELS, KubeObject, Path, is_int, mapping
from svcgen.nodeports.lock import PortKey

__all__ = [
    "LAST_APPLIED",
    "SERVER_METADATA",
    "AppPlan",
    "ContainerPlan",
    "Plan",
    "PortPlan",
    "as_declared",
    "from_cluster",
    "plan_import",
]

Arg = tuple[str | None, Any]
"""One argument of a generated call: (keyword, or None for a positional one; the value)."""

# Metadata the cluster sets: a dump of a live cluster has it, and it is not part of a declaration.
SERVER_METADATA = {
    "uid",
    "resourceVersion",
    "creationTimestamp",
    "generation",
    "managedFields",
    "selfLink",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
}
_DECLARED_METADATA = {"name", "namespace", "labels", "annotations"}
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
"""kubectl's copy of what was last applied: a record of the cluster's, never part of a
declaration."""
_CLUSTER_FINALIZERS = {"service.kubernetes.io/load-balancer-cleanup"}
"""Finalizers the cluster's controllers add (the service controller, to every LoadBalancer)."""
_ADDON_LABELS = {"kubernetes.io/cluster-service": "true", "addonmanager.kubernetes.io/mode": None}
"""The labels of a cluster add-on's objects (kube-dns...), with their value (None: any)."""
_ALLOCATED = ("clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy")
"""Service fields the API server fills in when a Service is created (its allocations and
defaults)."""


@dataclass
class PortPlan:
    name: str
    """Its name; ``""``: none (``Port(number=...)``)."""
    number: int
    protocol: str
    host_port: Any = None
    """Its ``hostPort`` and ``hostIP`` as the manifest has them (None: unset)."""
    host_ip: Any = None
    var: str = ""
    """Its variable in app.py, when a probe refers to it."""


@dataclass
class ContainerPlan:
    name: str
    image: str | None
    ports: list[PortPlan] = field(default_factory=list)
    var: str = ""
    path: Path = ()
    """Where the container is in its workload (``containers`` or a sidecar's ``initContainers``)."""
    fields: list[Arg] = field(default_factory=list)
    """Its other fields, when its workload is declared (:mod:`svcgen.importer.workloads`)."""


@dataclass
class AppPlan:
    name: str
    namespace: str | None
    labels: dict[str, str]
    pod_labels: dict[str, str]
    containers: list[ContainerPlan]
    services: list[dict[str, Any]] = field(default_factory=list)
    var: str = ""
    workload: bool = False
    """Made from a workload in the files (so lint has checked its named targetPorts)."""
    consumers: list[Any] = field(default_factory=list)
    """Calls (:class:`svcgen.importer.consumer_calls.Call`) of the Ingresses, routes... declared
    with
    it."""
    source: KubeObject | None = None
    """The workload it was made from."""
    declared: Any = None
    """The ``Deployment(...)`` (or other kind) call when the workload is declared, else None."""
    pod: Any = None
    """The ``Pod(...)`` call of a declared workload, if it has pod fields."""
    kept: list[str] = field(default_factory=list)
    """Why its workload is kept as YAML (none: declared, or not a workload)."""


@dataclass
class Plan:
    """The Apps to declare, the nodePorts the lock must keep, and what was found on the way."""

    apps: list[AppPlan] = field(default_factory=list)
    lock: dict[PortKey, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    planned: list[KubeObject] = field(default_factory=list)
    """The Services that were planned (the others were refused with an error)."""
    selected: list[KubeObject] = field(default_factory=list)
    """Every workload a planned Service selects, once each."""


Warn = Callable[[Path, str, str, str], None]


def _strings(obj: KubeObject, value: Any, path: Path, plan: Plan) -> dict[str, str] | None:
    """A label map of strings, or None after an error (the API server would refuse other types)."""
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        bad = next((k for k, v in mapping(value).items() if not isinstance(v, str)), None)
        where = (*path, bad) if bad is not None else path
        plan.problems.append(
            obj.problem(
                where,
                "error",
                "import-type",
                "labels and annotations map strings to "
                "strings; the API server would refuse this value",
                "quote the value",
            )
        )
        return None
    return dict(value)


def from_cluster(obj: KubeObject) -> bool:
    """Whether ``obj`` was read back from a cluster (``kubectl get -o yaml``).

    It was when it holds what only the cluster writes.
    """
    return "status" in obj.value or any(key in obj.metadata for key in SERVER_METADATA)


def _applied_spec(obj: KubeObject) -> dict[str, Any]:
    """The spec kubectl last applied, or {}: what the user asked for.

    Read from its last-applied-configuration annotation.
    """
    text = mapping(obj.metadata.get("annotations")).get(LAST_APPLIED)
    if not isinstance(text, str):
        return {}
    import json  # only for a dump that holds the annotation

    try:
        applied = json.loads(text)
    except ValueError:
        return {}
    return mapping(mapping(applied).get("spec"))


def _allocated(spec: dict[str, Any], key: str, applied: dict[str, Any]) -> bool:
    """Whether ``spec[key]`` of a Service read back from a cluster is the cluster's choice.

    What kubectl last applied is the user's; a headless Service's ``None`` is always the user's;
    a dual-stack policy is never the API server's default.
    """
    value = spec.get(key)
    if key not in spec or key in applied:
        return False
    if key in ("clusterIP", "clusterIPs"):
        first = value[0] if isinstance(value, list) and value else value
        return first != "None"
    return key != "ipFamilyPolicy" or value in ("SingleStack", None)


def as_declared(obj: KubeObject) -> tuple[KubeObject, Problem | None]:
    """``obj`` without what the cluster set, and a warning that names each field left out.

    The warning is None when nothing was left out. Always left out: the server's metadata,
    ``status`` and kubectl's last-applied-configuration. Of a Service read back from a cluster
    (:func:`from_cluster`), also the cluster's allocations (``clusterIP``, ``ipFamilies``... see
    :func:`_allocated`) and its controllers' finalizers: in a hand-written manifest a clusterIP is
    the user's choice, and is kept.
    """
    value, meta = dict(obj.value), dict(obj.metadata)
    dropped = [f"metadata.{key}" for key in meta if key in SERVER_METADATA]
    for key in SERVER_METADATA:
        meta.pop(key, None)
    annotations = meta.get("annotations")
    if isinstance(annotations, dict) and LAST_APPLIED in annotations:
        dropped.append(f"metadata.annotations[{LAST_APPLIED}]")
        meta["annotations"] = {k: v for k, v in annotations.items() if k != LAST_APPLIED}
    if obj.is_service and from_cluster(obj):
        spec, applied = dict(obj.spec), _applied_spec(obj)
        for key in _ALLOCATED:
            if _allocated(spec, key, applied):
                allocated = spec.pop(key)
                shown = (
                    ", ".join(map(str, allocated))
                    if isinstance(allocated, list)
                    else str(allocated)
                )
                dropped.append(f"spec.{key} ({shown if len(shown) <= 60 else shown[:57] + '...'})")
        if isinstance(value.get("spec"), dict):
            value["spec"] = spec
        finalizers = meta.get("finalizers")
        if isinstance(finalizers, list):
            cluster = [f for f in finalizers if isinstance(f, str) and f in _CLUSTER_FINALIZERS]
            dropped.extend(f"metadata.finalizers[{f}]" for f in cluster)
            meta["finalizers"] = [f for f in finalizers if f not in cluster]
    if "status" in value:
        dropped.append("status")
        del value["status"]
    if not dropped:
        return obj, None
    value["metadata"] = meta
    return obj._replace(value=value), obj.problem(
        (),
        "warning",
        "import-server-field",
        f"set by the cluster, not part of a declaration: not carried over: {', '.join(dropped)}",
    )


def _workload_app(obj: KubeObject, plan: Plan) -> AppPlan | None:
    """The App a workload (or Pod) stands for: its pod labels and the ports of its containers."""
    labels = _strings(
        obj,
        obj.pod_labels(),
        ("metadata", "labels") if obj.kind == "Pod" else ("spec", "template", "metadata", "labels"),
        plan,
    )
    if labels is None:
        return None
    containers: dict[Path, ContainerPlan] = {}
    names: set[str] = set()
    for path, raw in obj.containers():
        name, image = raw.get("name"), raw.get("image")
        if not isinstance(name, str) or not name or name in names:
            why = (
                "has no name"
                if not isinstance(name, str) or not name
                else f'repeats the name "{name}"'
            )
            name = _free_container_name(f"container-{len(containers) + 1}", names)
            plan.problems.append(
                obj.problem(
                    (*path, "name"),
                    "warning",
                    "import-container",
                    f"this container {why} (the API server would refuse it); declared as "
                    f'Container("{name}")',
                    "name each container of the pod once",
                )
            )
        names.add(name)
        if image is not None and not isinstance(image, str):
            plan.problems.append(
                obj.problem(
                    (*path, "image"),
                    "warning",
                    "import-container",
                    "the image is not a string: not carried over",
                    "quote the image",
                )
            )
        containers[path] = ContainerPlan(name, image if isinstance(image, str) else None, path=path)
    for port in obj.container_ports():
        if (
            port.number is not None
        ):  # a port without a name is declared without one, as Port(number=...)
            raw = obj.value
            for key in port.path:
                raw = raw[key]
            containers[port.path[:-2]].ports.append(
                PortPlan(
                    port.name or "",
                    port.number,
                    port.protocol,
                    raw.get("hostPort"),
                    raw.get("hostIP"),
                )
            )
    return AppPlan(
        obj.name or "app",
        obj.namespace or None,
        labels,
        {},
        list(containers.values()),
        workload=True,
        source=obj,
    )


def _free_container_name(wanted: str, taken: set[str]) -> str:
    name, n = wanted, 2
    while name in taken:
        name, n = f"{wanted}-{n}", n + 1
    return name


class _Selectable:
    """The workloads by namespace and pod label: those a Service selector may select, found fast.

    Found without trying each workload. A workload that a selector selects carries each of its
    labels in its pod template, or lacks it and its controller adds it (:data:`CONTROLLER_LABELS`).
    So the workloads that may answer are those filed under one label of the selector (the one
    filed with the fewest), each then tried with :meth:`KubeObject.may_select` and given in input
    order, as a scan of every workload would give them.
    """

    ANY = None
    """The group of every workload that has a namespace."""

    def __init__(self, workloads: Sequence[KubeObject]) -> None:
        self._workloads = list(workloads)
        self._all: dict[str | None, list[int]] = {}
        self._labelled: dict[
            tuple[str | None, str, str], list[int]
        ] = {}  # the template sets the label
        self._added: dict[
            tuple[str | None, str], list[int]
        ] = {}  # the template lacks it, the controller adds it
        for i, workload in enumerate(self._workloads):
            labels = workload.pod_labels()
            for group in (workload.namespace, *((self.ANY,) if workload.namespace else ())):
                self._all.setdefault(group, []).append(i)
                for key, value in labels.items():
                    if isinstance(key, str) and isinstance(value, str):
                        self._labelled.setdefault((group, key, value), []).append(i)
                for key in CONTROLLER_LABELS.get(workload.kind, {}):
                    if key not in labels:
                        self._added.setdefault((group, key), []).append(i)

    def select(self, selector: dict[str, str], group: str | None) -> list[KubeObject]:
        """The workloads of ``group`` whose pods ``selector`` may select.

        ``group``: a namespace, or :attr:`ANY`.
        """
        candidates = self._all.get(group, [])
        for key, value in selector.items():
            filed = [
                *self._labelled.get((group, key, value), ()),
                *self._added.get((group, key), ()),
            ]
            if len(filed) < len(candidates):
                candidates = sorted(filed)
        return [self._workloads[i] for i in candidates if self._workloads[i].may_select(selector)]


def plan_import(
    services: Sequence[KubeObject],
    workloads: Sequence[KubeObject],
    *,
    declare_missing_ports: bool = False,
) -> Plan:
    """Plan the declaration of ``services`` (with the ``workloads`` they select)."""
    plan = Plan()
    selectable = _Selectable(workloads)
    selected: set[int] = set()  # ids of plan.selected
    apps_of: dict[int, list[AppPlan]] = {}
    names: set[tuple[str | None, str]] = set()
    seen: dict[tuple[str, str], KubeObject] = {}
    for obj in services:
        key = (obj.namespace, obj.name)
        if key in seen:
            plan.problems.append(
                obj.problem(
                    ("metadata", "name"),
                    "error",
                    "import-duplicate",
                    f'Duplicate value: Service "{obj.name}" is also declared at '
                    f"{seen[key].where()}",
                    "import each Service once",
                )
            )
            continue
        seen[key] = obj
        if _left_out(obj, plan):
            continue
        obj, note = as_declared(obj)
        if note is not None:
            plan.problems.append(note)
        if not _importable(obj, plan):
            continue
        app = _app_for(obj, selectable, selected, apps_of, names, plan)
        if app is None:
            continue
        service = _service(app, obj, plan, declare_missing_ports)
        if service is not None:
            app.services.append(service)
            plan.planned.append(obj)
    plan.apps = [a for a in plan.apps if a.services]
    return plan


def _left_out(obj: KubeObject, plan: Plan) -> bool:
    """Leave out, with a warning, a Service that is not svcgen's to declare.

    The API server's own ``default/kubernetes``, a cluster add-on's (kube-dns), a Service a
    controller owns (``ownerReferences``), and a Service without a selector (its endpoints are
    managed outside Kubernetes' selection).
    Their nodePorts are not recorded: the warning says how to keep svcgen from handing them out.
    The other Services are imported all the same.
    """
    spec = mapping(default_service(obj.value).get("spec"))
    references = obj.metadata.get("ownerReferences")
    owners = [
        o for o in (references if isinstance(references, list) else []) if isinstance(o, dict)
    ]
    if owners:
        path: Path = ("metadata", "ownerReferences")
        managers = ", ".join(f"{o.get('kind')}/{o.get('name')}" for o in owners)
        why, hint = f"is managed by {managers}", "leave it to its owner"
    elif (obj.namespace, obj.name) == ("default", "kubernetes"):
        path, why, hint = (
            ("metadata", "name"),
            "the API server's own Service",
            "nothing to do: the cluster manages it",
        )
    elif addon := next(
        (
            key
            for key, value in mapping(obj.metadata.get("labels")).items()
            if key in _ADDON_LABELS and _ADDON_LABELS[key] in (None, value)
        ),
        None,
    ):
        path, why = ("metadata", "labels", addon), f"a cluster add-on's Service (label {addon})"
        hint = "nothing to do: the cluster manages it"
    elif spec.get("type") == "ExternalName" or mapping(spec.get("selector")):
        return False
    else:
        path, why = (
            ("spec",),
            (
                "has no selector: its endpoints are managed outside Kubernetes' selection, and "
                "svcgen declares Services in front of the pods they select"
            ),
        )
        hint = "keep this Service (and its EndpointSlices) as YAML"
    ports = spec.get("ports")
    node_ports = [
        str(p["nodePort"])
        for p in (ports if isinstance(ports, list) else [])
        if isinstance(p, dict) and is_int(p.get("nodePort")) and p["nodePort"]
    ]
    if node_ports:
        many = len(node_ports) > 1
        hint += (
            f"; its nodePort{'s' if many else ''} {', '.join(node_ports)} "
            f"{'are' if many else 'is'} not recorded: list its manifest in [tool.svcgen] reserve "
            f"so that svcgen never hands {'them' if many else 'it'} out"
        )
    plan.problems.append(obj.problem(path, "warning", "import-left-out", f"left out: {why}", hint))
    return True


def _importable(obj: KubeObject, plan: Plan) -> bool:
    """Refuse what the DSL cannot say, by name.

    The cluster's fields are gone: :func:`as_declared`.
    """
    ok = True
    for key in obj.metadata:
        if key not in _DECLARED_METADATA and obj.metadata[key] not in (None, [], {}, ""):
            plan.problems.append(
                obj.problem(
                    ("metadata", key),
                    "error",
                    "import-unsupported",
                    f"metadata.{key} cannot be declared in svcgen's DSL",
                    "remove it from the manifest, or keep this Service out of svcgen",
                )
            )
            ok = False
    for key in obj.spec:
        if key not in SERVICE_SPEC_FIELDS:
            plan.problems.append(
                obj.problem(
                    ("spec", key),
                    "error",
                    "import-unknown-field",
                    f'unknown field "spec.{key}" of a v1 Service',
                    "fix its spelling, or remove it",
                )
            )
            ok = False
    ports = obj.spec.get("ports")
    for i, port in enumerate(ports if isinstance(ports, list) else []):
        for key in mapping(port):
            if key not in SERVICE_PORT_FIELDS:
                plan.problems.append(
                    obj.problem(
                        ("spec", "ports", i, key),
                        "error",
                        "import-unknown-field",
                        f'unknown field "{key}" of a v1 ServicePort',
                        "fix its spelling, or remove it",
                    )
                )
                ok = False
    return (
        ok
        and _strings(obj, obj.metadata.get("labels"), ("metadata", "labels"), plan) is not None
        and _strings(obj, obj.metadata.get("annotations"), ("metadata", "annotations"), plan)
        is not None
        and _strings(obj, obj.spec.get("selector"), ("spec", "selector"), plan) is not None
    )


def _namespace_mismatch(obj: KubeObject, workload: KubeObject) -> Problem:
    """The error for a Service and the workload it selects when only one of them has a namespace."""

    def where(o: KubeObject) -> str:
        return f'is in "{o.namespace}"' if o.namespace else "has no namespace"

    other = workload.namespace or obj.namespace
    return obj.problem(
        ("metadata", "namespace") if obj.namespace else ("metadata", "name"),
        "error",
        "import-namespace",
        f"this Service {where(obj)} and {workload.kind}/{workload.name}, whose pods its selector "
        f"matches, {where(workload)}: the namespaces differ, as no namespace means the kubectl "
        f'context\'s namespace when applied, which may not be "{other}"',
        f"set metadata.namespace on both (namespace: {other} if that is where they run)",
    )


def _unique_name(name: str, namespace: str | None, names: set[tuple[str | None, str]]) -> str:
    """An App name not taken yet in the namespace.

    Apps are named after their workload or Service.
    """
    candidate, n = name, 2
    while (namespace, candidate) in names:
        candidate, n = f"{name}-{n}", n + 1
    names.add((namespace, candidate))
    return candidate


def _app_for(
    obj: KubeObject,
    workloads: _Selectable,
    selected: set[int],
    apps_of: dict[int, list[AppPlan]],
    names: set[tuple[str | None, str]],
    plan: Plan,
) -> AppPlan | None:
    """The App whose containers the Service points at.

    Its workload's App (shared with the Services that select it with common labels), or a new one.
    """
    spec = mapping(default_service(obj.value).get("spec"))
    namespace = obj.namespace or None
    if spec.get("type") == "ExternalName":
        app = AppPlan(_unique_name(obj.name, namespace, names), namespace, {}, {}, [])
        plan.apps.append(app)
        return app
    selector = {str(k): str(v) for k, v in mapping(spec.get("selector")).items()}
    owners = workloads.select(selector, obj.namespace)
    if not owners and (
        elsewhere := workloads.select(selector, "" if obj.namespace else workloads.ANY)
    ):
        plan.problems.append(_namespace_mismatch(obj, elsewhere[0]))
        return None
    if not owners:
        app = AppPlan(
            _unique_name(obj.name, namespace, names),
            namespace,
            dict(selector),
            {},
            [ContainerPlan(obj.name, None)],
        )
        plan.apps.append(app)
        plan.problems.append(
            obj.problem(
                ("spec", "selector"),
                "warning",
                "import-no-workload",
                f"no workload in these files matches its selector; declared a container "
                f'"{obj.name}" with the ports it targets',
                "import the workload's manifest too, or add the container's image",
            )
        )
        return app
    if len(owners) > 1:
        listed = ", ".join(f"{w.kind}/{w.name}" for w in owners)
        plan.problems.append(
            obj.problem(
                ("spec", "selector"),
                "warning",
                "import-many-workloads",
                f"selects {len(owners)} workloads ({listed}); its ports are declared on "
                f"the containers of the first, {owners[0].kind}/{owners[0].name}",
            )
        )
    for workload in owners:
        if id(workload) not in selected:
            selected.add(id(workload))
            plan.selected.append(workload)
    owner = owners[0]
    groups = apps_of.setdefault(id(owner), [])
    for app in groups:
        common = {k: v for k, v in app.labels.items() if selector.get(k) == v}
        if common:
            app.labels = common
            return app
    new = _workload_app(owner, plan)
    if new is None:
        return None
    new.name = _unique_name(new.name, namespace, names)
    new.pod_labels, new.labels = new.labels, dict(selector)  # the template's labels, until finish()
    groups.append(new)
    plan.apps.append(new)
    return new


def finish(plan: Plan) -> None:
    """Split each App's selection: the labels all its Services share, and each Service's extras."""
    for app in plan.apps:
        app.pod_labels = {k: v for k, v in app.pod_labels.items() if k not in app.labels}
        for service in app.services:
            extra = {k: v for k, v in service.pop("_selector").items() if k not in app.labels}
            if extra:
                service["options"].append(("extra_selector", extra))


def _service(
    app: AppPlan, obj: KubeObject, plan: Plan, declare_missing_ports: bool
) -> dict[str, Any] | None:
    """The template's view of one Service: its name, options and ports (None: refused)."""
    spec = mapping(default_service(obj.value).get("spec"))
    ports = []
    ok = True
    raw_ports = spec.get("ports")
    for i, p in enumerate(raw_ports if isinstance(raw_ports, list) else []):
        found = _target(app, obj, i, mapping(p), plan, declare_missing_ports)
        if found is None:
            ok = False
            continue
        container, port = found
        args, locked = _port_args(spec, mapping(p), port)
        if locked is not None:
            plan.lock[PortKey(obj.namespace, obj.name, str(p.get("name") or ""), port.protocol)] = (
                locked
            )
        ports.append(
            {
                "port": port.name or port.number,
                "protocol": _protocol_arg(container, port),
                "args": args,
                "_container": container,
            }
        )
    if not ok:
        return None
    health_check = spec.get("healthCheckNodePort")
    options = _service_options(obj.metadata, spec)
    if spec.get("type") == "LoadBalancer" and spec.get("externalTrafficPolicy") == "Local":
        if is_int(health_check) and health_check > 0:
            plan.lock[PortKey.health_check(obj.namespace, obj.name)] = health_check
        else:  # the original leaves it to the cluster: so does the declaration
            options.append(("health_check_node_port", None))
    selector = {str(k): str(v) for k, v in mapping(spec.get("selector")).items()}
    return {"name": obj.name, "options": options, "ports": ports, "_selector": selector}


def _protocol_arg(container: ContainerPlan, port: PortPlan) -> str | None:
    """The protocol ``container.port(NUMBER, PROTOCOL)`` needs, else None.

    Only an unnamed port whose number has two protocols needs one.
    """
    same = [p for p in container.ports if p.number == port.number and p.protocol != port.protocol]
    return port.protocol if not port.name and same else None


def _target(
    app: AppPlan,
    obj: KubeObject,
    i: int,
    p: dict[str, Any],
    plan: Plan,
    declare_missing_ports: bool,
) -> tuple[ContainerPlan, PortPlan] | None:
    """The container port a Service port targets (by name or number, with its protocol)."""
    protocol = str(p.get("protocol") or "TCP")
    number = p.get("port")
    target = p.get("targetPort", number)
    if not is_int(number) or not (is_int(target) or isinstance(target, str)):
        return None  # the API server's checks (lint's) report it
    for container in app.containers:
        for port in container.ports:
            matches = port.name == target if isinstance(target, str) else port.number == target
            if port.protocol == protocol and matches:
                return container, port
    if not app.containers:
        app.containers.append(ContainerPlan(app.name, None))
    container = app.containers[0]
    path = ("spec", "ports", i, "targetPort")
    if is_int(target):
        port = PortPlan("", target, protocol)
        container.ports.append(port)  # a workload need not declare the port (Kubernetes allows it)
        extra = "" if protocol == "TCP" else f', protocol="{protocol}"'
        plan.problems.append(
            obj.problem(
                path,
                "warning",
                "import-undeclared-port",
                f'targetPort {target} is not declared by a container of "{app.name}" in '
                f'these files; declared it on container "{container.name}" as '
                f"Port(number={target}{extra}), without a name",
            )
        )
        return container, port
    assert isinstance(target, str)
    if not declare_missing_ports:
        if app.workload:
            return None  # lint's target-port-resolves error says it, at this line
        plan.problems.append(
            obj.problem(
                path,
                "error",
                "import-target-port",
                f'named targetPort "{target}" ({protocol}) matches no container port of '
                f'"{app.name}" in these files: svcgen would have to invent its number',
                "import the workload's manifest too, fix the name, or pass "
                "--declare-missing-ports to declare it with the Service port's number",
            )
        )
        return None
    if rules.port_name(target):
        return None  # an invalid name: the API server's checks (lint's) report it
    port = PortPlan(target, number, protocol)
    container.ports.append(port)
    plan.problems.append(
        obj.problem(
            path,
            "warning",
            "import-target-port",
            f'named targetPort "{target}" ({protocol}) matches no container port in these '
            f'files; declared Port("{target}", {number}) on container "{container.name}" '
            "(--declare-missing-ports): check its number",
        )
    )
    return container, port


def _port_args(
    spec: dict[str, Any], p: dict[str, Any], port: PortPlan
) -> tuple[list[Arg], int | None]:
    """A Service port's ``expose(...)`` arguments, and the nodePort the lock must keep (if any)."""
    kind = spec.get("type", "ClusterIP")
    allocate = spec.get("allocateLoadBalancerNodePorts")
    name = str(p.get("name") or "")
    node_port = p.get("nodePort") if is_int(p.get("nodePort")) and p.get("nodePort") else None
    args: list[Arg] = []
    if p["port"] != port.number:
        args.append((None, p["port"]))
    if name != port.name:
        args.append(("name", name))
    locked = None
    if node_port is None:
        if kind in ("NodePort", "LoadBalancer") and allocate is not False:
            args.append(("node_port", None))
    elif kind not in ("NodePort", "LoadBalancer") or allocate is False:
        args.append(("node_port", node_port))  # only pins get nodePorts there
    else:
        locked = node_port  # allocated by svcgen: the lock keeps the existing number
    if port.name:  # a port without a name is always targeted by number
        args.append(("target_by", "name" if isinstance(p.get("targetPort"), str) else "number"))
    if p.get("appProtocol") is not None:
        args.append(("app_protocol", p["appProtocol"]))
    return args, locked


_OPTIONS = (  # spec field, DSL argument, the value that means "unset" (not written)
    ("externalName", "external_name", None),
    ("externalIPs", "external_ips", None),
    ("ipFamilies", "ip_families", None),
    ("ipFamilyPolicy", "ip_family_policy", None),
    ("loadBalancerIP", "load_balancer_ip", None),
    ("loadBalancerClass", "load_balancer_class", None),
    ("loadBalancerSourceRanges", "load_balancer_source_ranges", None),
    ("externalTrafficPolicy", "external_traffic_policy", "Cluster"),
    ("internalTrafficPolicy", "internal_traffic_policy", "Cluster"),
    ("publishNotReadyAddresses", "publish_not_ready_addresses", False),
    ("trafficDistribution", "traffic_distribution", None),
)


def _service_options(meta: dict[str, Any], spec: dict[str, Any]) -> list[Arg]:
    """The ``Service(...)`` keyword arguments of a (defaulted) Service spec."""
    kind = spec.get("type", "ClusterIP")
    options: list[Arg] = []
    if kind != "ClusterIP":
        options.append(("type", kind))
    ips = spec.get("clusterIPs") or ([spec["clusterIP"]] if spec.get("clusterIP") else [])
    if ips[:1] == ["None"]:
        options.append(("headless", True))
    elif ips:
        options.append(("cluster_ip", ips[0] if len(ips) == 1 else list(ips)))
    for key in ("labels", "annotations"):
        if meta.get(key):
            options.append((key, dict(meta[key])))
    if kind == "LoadBalancer" and spec.get("allocateLoadBalancerNodePorts") is False:
        options.append(("allocate_load_balancer_node_ports", False))
    for key, arg, unset in _OPTIONS:
        value = spec.get(key)
        if value is not None and value != unset and value not in ("", []):
            options.append((arg, value))
    if spec.get("sessionAffinity") == "ClientIP":
        options.append(("session_affinity", "ClientIP"))
        timeout = mapping(mapping(spec.get("sessionAffinityConfig")).get("clientIP")).get(
            "timeoutSeconds"
        )
        if is_int(timeout) and timeout != 10800:
            options.append(("session_affinity_timeout", timeout))
    return options
