"""The workloads ``svcgen import`` declares: every field, or kept as YAML with the reasons.

A workload that the imported Services select is declared whole: ``workload=Deployment(...)``
(or ``StatefulSet``, ``DaemonSet``), ``pod=Pod(...)`` and every field of every container, its
probes by reference to the container's ports (``port_by="number"`` when the probe writes a
number). What the DSL cannot say (a bare Pod, a probe of a port the container does not
declare, a field svcgen has no argument for...) keeps the workload as
YAML beside app.py (:data:`KEPT_FILE`), with each such field named. The declarations are then
rendered and compared with the originals after defaulting (:func:`canonical_workload`): a
workload that would not come back exactly is kept as YAML too, naming each field that differs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from svcgen.importer.consumer_calls import Call
from svcgen.importer.plan import AppPlan, ContainerPlan, PortPlan, as_declared
from svcgen.kube.objects import KubeObject, Path, is_int, mapping

__all__ = [
    "KEPT_FILE",
    "PortVar",
    "ServiceVar",
    "canonical_workload",
    "declare_workloads",
    "kept_yaml",
    "port_args",
    "undeclare",
]

KEPT_FILE = "workloads.yaml"
"""The file beside app.py that holds the workloads import keeps as YAML."""

_KINDS = ("Deployment", "StatefulSet", "DaemonSet")


@dataclass
class PortVar:
    """A container port by its variable in the generated code (a probe's port)."""

    port: PortPlan


@dataclass
class ServiceVar:
    """A planned Service by its variable in the generated code.

    The Service that governs a StatefulSet.
    """

    service: dict[str, Any]


def _fields() -> tuple[dict[str, str], dict[str, str], dict[str, dict[str, str]]]:
    """The DSL name of each wire field: containers, pods, workload kinds (the DSL's own tables)."""
    from svcgen.dsl.manifests import CONTAINER_FIELDS, POD_FIELDS, WORKLOAD_FIELDS

    def inverse(fields: dict[str, str]) -> dict[str, str]:
        return {wire: attribute for attribute, wire in fields.items()}

    return (
        inverse(CONTAINER_FIELDS),
        inverse(POD_FIELDS),
        {k: inverse(v) for k, v in WORKLOAD_FIELDS.items()},
    )


_PROBE_HANDLERS = {
    "httpGet": (
        "http",
        {"path": "path", "scheme": "scheme", "host": "host", "httpHeaders": "http_headers"},
    ),
    "tcpSocket": ("tcp", {}),
    "grpc": ("grpc", {"service": "grpc_service"}),
    "exec": ("exec", {"command": "command"}),
}


def _where(path: Path) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


class _Refused(Exception):
    def __init__(self, reasons: list[str]) -> None:
        self.reasons = reasons
        super().__init__("; ".join(reasons))


def _probe(raw: Any, where: str, ports: Sequence[PortPlan], reasons: list[str]) -> Call | None:
    from svcgen.dsl.manifests import PROBE_TIMING  # the DSL's own table of a probe's timing fields

    probe = mapping(raw)
    handlers = [key for key in probe if key in _PROBE_HANDLERS]
    unknown = [key for key in probe if key not in _PROBE_HANDLERS and key not in PROBE_TIMING]
    if len(handlers) != 1 or unknown:
        reasons.append(
            f"{where}: {', '.join(unknown) or 'its handler'} cannot be declared on a Probe"
        )
        return None
    kind, options = _PROBE_HANDLERS[handlers[0]]
    handler = mapping(probe[handlers[0]])
    args: list[tuple[str | None, Any]] = [(None, kind)]
    if kind == "exec":
        args.append((None, None))
    else:
        port = handler.get("port")
        by_name = kind != "grpc" and not is_int(port)
        found = next((p for p in ports if (p.name == port if by_name else p.number == port)), None)
        if found is None:
            reasons.append(
                f"{where}.{handlers[0]}.port {port!r} is no {'named ' if by_name else ''}port of "
                "the container"
            )
            return None
        args.append((None, PortVar(found)))
        if (
            kind != "grpc" and not by_name and found.name
        ):  # a port without a name is probed by number anyway
            args.append(("port_by", "number"))
    for key, value in handler.items():
        if key == "port":
            continue
        if key not in options:
            reasons.append(f"{where}.{handlers[0]}.{key} cannot be declared on a Probe")
            return None
        args.append((options[key], value))
    args.extend((PROBE_TIMING[key], value) for key, value in probe.items() if key in PROBE_TIMING)
    return Call("Probe", args)


def _env(value: Any) -> Any:
    """``{"NAME": value}`` when every variable has a plain form, else the EnvVar list as it is."""
    items = value if isinstance(value, list) else []
    plain = all(
        isinstance(v, dict)
        and isinstance(v.get("name"), str)
        and len(v) == 2
        and (isinstance(v.get("value"), str) or isinstance(v.get("valueFrom"), dict))
        for v in items
    )
    if not plain or len({v["name"] for v in items}) != len(
        items
    ):  # names checked first: a list is no key
        return value
    return {v["name"]: v.get("value", v.get("valueFrom")) for v in items}


def _container_args(
    raw: dict[str, Any], where: str, ports: Sequence[PortPlan], reasons: list[str]
) -> list[tuple[str | None, Any]]:
    """The keyword arguments of a container's fields beyond its name, image and ports."""
    container_fields = _fields()[0]
    args: list[tuple[str | None, Any]] = []
    for key, value in raw.items():
        if key in ("name", "image", "ports") or value is None:
            continue
        attribute = container_fields.get(key)
        if attribute is None:
            reasons.append(f"{where}.{key} cannot be declared on a Container")
        elif attribute in ("liveness", "readiness", "startup"):
            probe = _probe(value, f"{where}.{key}", ports, reasons)
            if probe is not None:
                args.append((attribute, probe))
        else:
            args.append((attribute, _env(value) if key == "env" else value))
    for j, port in enumerate(raw.get("ports") or []):
        extra = [
            k
            for k in mapping(port)
            if k not in ("name", "containerPort", "protocol", "hostPort", "hostIP")
        ]
        if extra:
            reasons.append(f"{where}.ports[{j}].{extra[0]} cannot be declared on a Port")
    return args


def port_args(port: PortPlan) -> list[tuple[str | None, Any]]:
    """The arguments of ``Port(...)``: its name and number, then those not at their default.

    The name and number as ``"http", 8080`` or ``number=8080``. (The app.py template's
    ``port_call`` writes the same.)
    """
    args: list[tuple[str | None, Any]] = (
        [(None, port.name), (None, port.number)] if port.name else [("number", port.number)]
    )
    if port.protocol != "TCP":
        args.append(("protocol", port.protocol))
    args.extend(
        (key, value)
        for key, value in (("host_port", port.host_port), ("host_ip", port.host_ip))
        if value is not None
    )
    return args


def _inline_container(raw: Any, where: str, reasons: list[str]) -> Call:
    """An init container no Service reaches, declared in place: ``Container("migrate", ...)``."""
    item = mapping(raw)
    ports = [
        PortPlan(
            str(mapping(p).get("name") or ""),
            mapping(p).get("containerPort") or 0,
            str(mapping(p).get("protocol") or "TCP"),
            mapping(p).get("hostPort"),
            mapping(p).get("hostIP"),
        )
        for p in item.get("ports") or []
    ]
    args: list[tuple[str | None, Any]] = [(None, item.get("name"))]
    if item.get("image") is not None:
        args.append(("image", item["image"]))
    if ports:
        args.append(("ports", [Call("Port", port_args(p)) for p in ports]))
    args.extend(_container_args(item, where, ports, reasons))
    if any(isinstance(v, Call) and v.name == "Probe" for _, v in args):
        reasons.append(f"{where}: the probes of an init container cannot be declared by reference")
    return Call("Container", args)


def _pod(
    app: AppPlan,
    obj: KubeObject,
    spec: dict[str, Any],
    template: dict[str, Any],
    reasons: list[str],
) -> Call | None:
    pod_fields = _fields()[1]
    base = "spec.template.spec"
    by_path = {c.path: c for c in app.containers}
    args: list[tuple[str | None, Any]] = []
    annotations = mapping(mapping(template.get("metadata")).get("annotations"))
    if annotations:
        args.append(("annotations", dict(annotations)))
    for key in mapping(template.get("metadata")):
        if key == "name" and template["metadata"][key] is not None:
            args.append(("template_name", template["metadata"][key]))
        elif key not in ("labels", "annotations") and template["metadata"][key] is not None:
            reasons.append(f"spec.template.metadata.{key} cannot be declared")
    for key in template:
        if key not in ("metadata", "spec"):
            reasons.append(f"spec.template.{key} cannot be declared")
    for key, value in spec.items():
        if key == "containers" or value is None:
            continue
        attribute = pod_fields.get(key)
        if (
            key == "serviceAccount"
        ):  # the deprecated alias: the API server sets serviceAccountName from it
            named = spec.get("serviceAccountName")
            if named not in (None, "", value):
                reasons.append(
                    f"{base}.serviceAccount ({value!r}) differs from serviceAccountName "
                    f"({named!r}), "
                    "which the API server keeps"
                )
            elif not named:
                args.append(("service_account", value))
        elif attribute is None:
            reasons.append(f"{base}.{key} cannot be declared on a Pod")
        elif key == "initContainers":
            found = obj.pod_spec()
            path = (*found[0], "initContainers") if found else ()
            args.append(
                (
                    attribute,
                    [
                        by_path[(*path, i)]
                        if (*path, i) in by_path
                        else _inline_container(c, f"{base}.initContainers[{i}]", reasons)
                        for i, c in enumerate(value if isinstance(value, list) else [])
                    ],
                )
            )
        elif key == "imagePullSecrets":
            secrets = value if isinstance(value, list) else []
            if not all(isinstance(s, dict) and list(s) == ["name"] for s in secrets):
                reasons.append(f"{base}.imagePullSecrets: only names can be declared")
            args.append((attribute, [mapping(s).get("name") for s in secrets]))
        else:
            args.append((attribute, value))
    return Call("Pod", args) if args else None


def _declare(app: AppPlan, obj: KubeObject) -> list[str]:
    """Set the App's workload, pod and container fields from ``obj``.

    Returns the reasons it cannot be, if any.
    """
    if obj.kind not in _KINDS or obj.api_version != "apps/v1":
        return [
            f"a {obj.api_version} {obj.kind}: the DSL declares apps/v1 Deployments, StatefulSets "
            "and DaemonSets"
        ]
    reasons: list[str] = []
    obj = as_declared(obj)[
        0
    ]  # a dump of a live cluster: what the cluster set is not declared (nor kept)
    workload_fields = _fields()[2][obj.kind]
    spec, meta = obj.spec, obj.metadata
    template = mapping(spec.get("template"))
    pod_spec = mapping(template.get("spec"))
    pod_labels = mapping(mapping(template.get("metadata")).get("labels"))
    if meta.get("name") != app.name:
        reasons.append(
            f"metadata.name: another App is named {meta.get('name')!r} in this namespace"
        )
    for key in meta:
        if key not in ("name", "namespace", "labels", "annotations") and meta[key] is not None:
            reasons.append(f"metadata.{key} cannot be declared")
    selector = mapping(spec.get("selector"))
    match = mapping(selector.get("matchLabels"))
    if list(selector) != ["matchLabels"] or not match:
        reasons.append("spec.selector: only matchLabels can be declared")
    elif any(not all(s["_selector"].get(k) == v for k, v in match.items()) for s in app.services):
        reasons.append("spec.selector selects labels that one of its Services does not")
    else:
        app.labels = {str(k): str(v) for k, v in match.items()}
    args: list[tuple[str | None, Any]] = []
    for key, value in spec.items():
        if key in ("selector", "template") or value is None:
            continue
        if key == "replicas" and obj.kind != "DaemonSet":
            args.append(("replicas", value))
        elif key == "serviceName" and obj.kind == "StatefulSet":
            own = next(
                (s for s in app.services if s["name"] == value), None
            )  # by object when it is the App's
            args.append(("service", ServiceVar(own) if own is not None else value))
        elif key in workload_fields:
            args.append((workload_fields[key], value))
        else:
            reasons.append(f"spec.{key} cannot be declared on a {obj.kind}")
    if (
        mapping(meta.get("labels")) != pod_labels
    ):  # unset, svcgen gives the workload its pods' labels
        args.append(("labels", dict(mapping(meta.get("labels")))))
    if mapping(meta.get("annotations")):
        args.append(("annotations", dict(meta["annotations"])))
    for container in app.containers:
        index = container.path[-1] if container.path else None
        group = container.path[-2] if len(container.path) > 1 else "containers"
        where = f"spec.template.spec.{group}[{index}]"
        group_items = pod_spec.get(group)
        raw = mapping(group_items[index]) if is_int(index) and isinstance(group_items, list) else {}
        if raw.get("name") != container.name:
            reasons.append(f"{where}.name: no unique name (svcgen names every container)")
        container.fields = _container_args(raw, where, container.ports, reasons)
    app.pod = _pod(app, obj, pod_spec, template, reasons)
    app.declared = Call(obj.kind, args)
    if not reasons:
        reasons.extend(_constructed(app))
    return reasons


def _constructed(app: AppPlan) -> list[str]:
    """Why the declaration could not be written or would not construct: none if it can.

    E.g. a value of the wrong type. Each planned call is made here, as app.py would make it, so
    that one workload's mistake keeps only that workload as YAML.
    """
    import svcgen
    from svcgen.errors import DeclarationError

    def build(value: Any, where: str) -> Any:
        if isinstance(value, PortVar):
            return build(Call("Port", port_args(value.port)), where)
        if isinstance(value, ServiceVar):
            return value.service["name"]
        if isinstance(value, ContainerPlan):
            return build(_container_call(value), where)
        if isinstance(value, Call):
            built = [(key, build(arg, f"{where}.{key or value.name}")) for key, arg in value.args]
            return getattr(svcgen, value.name)(
                *[v for k, v in built if k is None], **{k: v for k, v in built if k}
            )
        if isinstance(value, list):
            return [build(item, where) for item in value]
        if isinstance(value, dict):
            if not all(isinstance(key, str) for key in value):
                raise _Refused([f"{where}: a key that is not a string cannot be written"])
            return {key: build(item, where) for key, item in value.items()}
        if value is not None and not isinstance(value, (str, int, bool)):
            raise _Refused(
                [f"{where}: a {type(value).__name__} value ({value!r}) cannot be written in app.py"]
            )
        return value

    try:
        for container in app.containers:
            build(container, f"container {container.name!r}")
        build([app.pod, app.declared], "the workload")
    except _Refused as refused:
        return refused.reasons
    except DeclarationError as exc:
        return [
            f"{p.subject}: {p.field + ': ' if p.field else ''}{p.message}" for p in exc.problems
        ]
    return []


def _container_call(container: ContainerPlan) -> Call:
    ports = [PortVar(p) for p in container.ports]
    image = [("image", container.image)] if container.image else []
    return Call("Container", [(None, container.name), *image, ("ports", ports), *container.fields])


def declare_workloads(
    apps: Sequence[AppPlan], sources: Sequence[KubeObject]
) -> list[tuple[KubeObject, list[str]]]:
    """Declare the workload of each App made from one; return the workloads kept as YAML.

    Each kept workload comes with its reasons. ``sources``: every workload a Service selects;
    those of no App (a Service's second workload) are kept too. Runs before
    :func:`svcgen.importer.plan.finish` (the App's labels may become the workload's selector).
    """
    kept: list[tuple[KubeObject, list[str]]] = []
    apps_of: dict[int, list[AppPlan]] = {}
    for app in apps:
        if app.source is not None:
            apps_of.setdefault(id(app.source), []).append(app)
    for obj in sources:
        mine = apps_of.get(id(obj), [])
        if not mine:
            kept.append(
                (
                    obj,
                    [
                        "its pods are selected by a Service together with another workload's, and "
                        "svcgen declares the first"
                    ],
                )
            )
        elif len(mine) > 1:
            kept.append(
                (
                    obj,
                    [
                        f"its Services select it with no label in common: declared as {len(mine)} "
                        "Apps"
                    ],
                )
            )
        else:
            reasons = _declare(mine[0], obj)
            if reasons:
                undeclare(mine[0])
                kept.append((obj, reasons))
    return kept


def undeclare(app: AppPlan) -> None:
    """Back to an App that only reads its workload's labels and ports."""
    app.declared = app.pod = None
    for container in app.containers:
        container.fields = []


def canonical_workload(value: dict[str, Any]) -> dict[str, Any]:
    """A workload as the API server keeps it, for comparison: defaults the DSL leaves out filled in.

    What the cluster sets (status, server metadata) is left out; ``null`` and empty lists are
    absent (Go's omitempty); a container port's protocol is TCP unless given, empty
    ``resources`` are absent, the deprecated ``serviceAccount`` equals ``serviceAccountName``
    (the API server sets the one from the other), and a ``hostNetwork`` pod's ports have a
    ``hostPort``, their own number unless given.
    """
    metadata = mapping(value.get("metadata"))
    kept = {
        key: metadata[key]
        for key in ("name", "namespace", "labels", "annotations")
        if metadata.get(key)
    }
    declared: dict[str, Any] = _clean(
        {
            "apiVersion": value.get("apiVersion"),
            "kind": value.get("kind"),
            "metadata": kept,
            "spec": value.get("spec"),
        }
    )
    pod = mapping(mapping(mapping(declared.get("spec")).get("template")).get("spec"))
    account = pod.get("serviceAccountName") or pod.get("serviceAccount")
    # the deprecated alias: written from serviceAccountName on every read
    # (pkg/apis/core/v1/conversion.go)
    if account:
        pod["serviceAccountName"] = pod["serviceAccount"] = account
    for group in ("containers", "initContainers"):
        for container in pod.get(group) or []:
            if isinstance(container, dict):
                if container.get("resources") == {}:
                    del container["resources"]
                for port in container.get("ports") or []:
                    if isinstance(port, dict):
                        port.setdefault("protocol", "TCP")
                        if pod.get("hostNetwork") is True and not port.get(
                            "hostPort"
                        ):  # defaultHostNetworkPorts
                            port["hostPort"] = port.get("containerPort")
    return declared


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if v is not None and v != []}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def kept_yaml(kept: Sequence[tuple[KubeObject, list[str]]]) -> str:
    """The text of :data:`KEPT_FILE`: each kept workload as declared.

    What the cluster set is left out.
    """
    from svcgen.kube.yamlwrite import to_yaml

    header = (
        "# Kept as YAML by svcgen import: the workloads app.py does not declare (the reasons are "
        "in\n# app.py and in the import's warnings). Apply this file with the manifests svcgen "
        "renders.\n"
    )
    return header + to_yaml([as_declared(obj)[0].value for obj, _ in kept])
