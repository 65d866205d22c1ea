"""``svcgen import``: existing Service (+ workload) YAML into the equivalent DSL, nodePorts into the lock.

Pure: texts in; the generated ``app.py`` text, the lock entries and warnings out. Manifests are
read by the one reader (:mod:`svcgen.kube.objects`). Rendering the generated declarations gives
back the same Services (compared after v1 defaulting); their nodePorts come from the lock, so
adopting svcgen moves no port. Workloads are read for their labels and container ports; svcgen
does not take them over (``workload`` stays unset). Every value enters the generated code
through the template's literal filter (:mod:`svcgen.templating`).
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from svcgen.errors import InputError, Problem
from svcgen.kube import rules
from svcgen.kube.apiserver import default_service
from svcgen.kube.objects import KubeObject, is_int, mapping, read_objects
from svcgen.nodeports.lock import Lock, PortKey

__all__ = ["ImportError_", "Imported", "import_manifests"]

_SUPPORTED_SPEC = {
    "type", "ports", "selector", "clusterIP", "clusterIPs", "externalName", "allocateLoadBalancerNodePorts",
    "externalTrafficPolicy", "internalTrafficPolicy", "sessionAffinity", "sessionAffinityConfig",
    "loadBalancerClass", "loadBalancerSourceRanges", "ipFamilies", "ipFamilyPolicy", "healthCheckNodePort",
}


class ImportError_(InputError):  # named so as not to shadow the builtin ImportError
    """The manifests cannot be imported (unreadable YAML)."""


@dataclass
class _Port:
    name: str
    number: int
    protocol: str


@dataclass
class _Container:
    name: str
    image: str | None
    ports: list[_Port] = field(default_factory=list)
    var: str = ""


@dataclass
class _App:
    name: str
    namespace: str | None
    labels: dict[str, str]
    pod_labels: dict[str, str]
    containers: list[_Container]
    services: list[dict[str, Any]] = field(default_factory=list)
    source: str = ""


@dataclass
class Imported:
    """The result: the DSL source, the lock entries for existing nodePorts, and what was not carried over."""

    source: str
    lock: Lock
    warnings: list[Problem]


def _str_map(value: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def _identifier(name: str, taken: set[str]) -> str:
    base = re.sub(r"\W", "_", name) or "c"
    if base[0].isdigit():
        base = f"c_{base}"
    var, n = base, 2
    while var in taken or var in {"App", "Container", "Port", "Service", "AUTO"} or keyword.iskeyword(var) \
            or keyword.issoftkeyword(var):
        var, n = f"{base}_{n}", n + 1
    taken.add(var)
    return var


def _workload_app(obj: KubeObject) -> _App:
    """The App a workload (or Pod) stands for: its pod labels and the ports of its containers."""
    containers: dict[str, _Container] = {}
    for _, raw in obj.containers():
        name = raw.get("name")
        image = raw.get("image")
        containers.setdefault(str(name or "main"), _Container(str(name or "main"),
                                                               image if isinstance(image, str) else None))
    for port in obj.container_ports():
        if port.number is not None:
            containers[port.container or "main"].ports.append(_Port(port.name, port.number, port.protocol))
    return _App(obj.name or "app", obj.namespace or None, _str_map(obj.pod_labels()), {}, list(containers.values()),
                source=f"{obj.kind} {obj.file}")


def _selects(app: _App, namespace: str | None, selector: dict[str, str]) -> bool:
    same_ns = not namespace or not app.namespace or app.namespace == namespace
    return same_ns and bool(selector) and all(app.labels.get(k) == v for k, v in selector.items())


def _port_name(wanted: str, container: _Container) -> str:
    """A valid IANA port name, unique in the container."""
    name = wanted if wanted and not rules.port_name(wanted) else ""
    if not name:
        cleaned = re.sub(r"[^a-z0-9-]", "-", wanted.lower()).strip("-")
        cleaned = re.sub("-+", "-", cleaned)[:15].strip("-")
        name = cleaned if cleaned and not rules.port_name(cleaned) else "port"
    taken = {p.name for p in container.ports}
    base, n = name, 2
    while name in taken:
        suffix = f"-{n}"
        name, n = base[: 15 - len(suffix)] + suffix, n + 1
    return name


def _read(sources: Sequence[tuple[str, str]]) -> tuple[list[KubeObject], list[_App]]:
    """The Services and the workloads of the sources; unreadable YAML is an error."""
    services: list[KubeObject] = []
    workloads: list[_App] = []
    for found in read_objects(sources):
        if isinstance(found, Problem):
            if found.severity == "error":
                raise ImportError_(f"{found.location}: error: {found.message}")
            continue
        if found.kind == "Service":
            services.append(found)
        elif found.pod_spec() is not None:
            workloads.append(_workload_app(found))
    return services, workloads


def import_manifests(sources: Sequence[tuple[str, str]]) -> Imported:
    """Turn Services (and the workloads they select) into DSL source; see the module docstring."""
    services, workloads = _read(sources)
    warnings: list[Problem] = []
    apps: list[_App] = []
    lock: dict[PortKey, int] = {}
    for obj in services:
        service = default_service(obj.value)
        spec = mapping(service.get("spec"))
        name, namespace = obj.name, obj.namespace or None
        selector = _str_map(spec.get("selector"))

        def warn(message: str, path: tuple[Any, ...] = ("spec",), obj: KubeObject = obj) -> None:
            warnings.append(obj.problem(path, "warning", "import", message))

        dropped = sorted(k for k, v in spec.items() if k not in _SUPPORTED_SPEC and v not in (None, "", [], {}))
        if spec.get("clusterIP") not in (None, "", "None"):
            dropped.append("clusterIP")
        if dropped:
            warn(f"not carried over (set by the cluster or not part of the DSL): {', '.join(dropped)}")
        if spec.get("type") == "ExternalName" or not selector:
            if spec.get("type") != "ExternalName":
                warn("has no selector (its endpoints are managed by hand); skipped")
                continue
            app = _App(name, namespace, {}, {}, [])
            apps.append(app)
        else:
            app = _owner(apps, workloads, name, namespace, selector, warn)
        app.services.append(_service_context(app, obj, service, lock, warn))
    if not apps:
        names = ", ".join(name for name, _ in sources) or "the input"
        raise ImportError_(f"{names}: error: no Service to import (Services with a selector, or ExternalName)"
                           + "".join(f"\n  {w}" for w in warnings))
    return Imported(_source(apps), Lock(lock), warnings)


def _owner(apps: list[_App], workloads: list[_App], name: str, namespace: str | None, selector: dict[str, str],
           warn: Any) -> _App:
    """The App a Service with ``selector`` belongs to: the workload it selects, or a new one."""
    owners = [w for w in workloads if _selects(w, namespace, selector)]
    if not owners:
        app = _App(name, namespace, dict(selector), {}, [_Container(name, None)])
        apps.append(app)
        warn(f'no workload in these files matches its selector; declared a container "{name}" with the ports it '
             "targets (add its image)", ("spec", "selector"))
        return app
    app = owners[0]
    if len(owners) > 1:
        warn(f'selects {len(owners)} workloads; declared with "{app.name}"', ("spec", "selector"))
    if app not in apps:
        app.pod_labels = {k: v for k, v in app.labels.items() if k not in selector}
        app.labels = dict(selector)
        apps.append(app)
    elif app.labels != selector:
        warn(f'selects with {selector}, the App "{app.name}" with {app.labels}: it will select with the App\'s '
             "labels", ("spec", "selector"))
    return app


Arg = tuple[str | None, Any]
"""One argument of a generated call: (keyword, or None for a positional one; the value)."""


def _service_context(app: _App, obj: KubeObject, service: dict[str, Any], lock: dict[PortKey, int],
                     warn: Any) -> dict[str, Any]:
    """The template's view of one Service: its name, its options and its ports."""
    spec = mapping(service.get("spec"))
    namespace = obj.namespace
    ports = []
    raw_ports = spec.get("ports")
    for i, p in enumerate(raw_ports if isinstance(raw_ports, list) else []):
        if not isinstance(p, dict) or not is_int(p.get("port")):
            continue
        protocol = str(p.get("protocol") or "TCP")
        target = p.get("targetPort", p["port"])
        container, port = _find_target(app, target, protocol, str(p.get("name") or ""), p["port"])
        if container is None or port is None:
            warn(f"port {p['port']} could not be mapped; skipped", ("spec", "ports", i))
            continue
        args, node_port = _port_args(spec, p, port, target)
        if node_port is not None:
            lock[PortKey(namespace, obj.name, str(p.get("name") or ""), protocol)] = node_port
        ports.append({"container": container.var or container.name, "port": port.name, "args": args,
                      "_container": container})
    health_check = spec.get("healthCheckNodePort")
    if is_int(health_check) and health_check > 0 and spec.get("type") == "LoadBalancer" \
            and spec.get("externalTrafficPolicy") == "Local":
        lock[PortKey.health_check(namespace, obj.name)] = health_check
    return {"name": obj.name, "options": _service_options(obj.metadata, spec), "ports": ports}


def _port_args(spec: dict[str, Any], p: dict[str, Any], port: _Port, target: Any) -> tuple[list[Arg], int | None]:
    """The ``expose(...)`` arguments of a Service port, and the nodePort the lock must keep (if any)."""
    kind = spec.get("type", "ClusterIP")
    allocate = spec.get("allocateLoadBalancerNodePorts")
    service_name = str(p.get("name") or "")
    node_port = p.get("nodePort") if is_int(p.get("nodePort")) else None
    args: list[Arg] = []
    if p["port"] != port.number:
        args.append((None, p["port"]))
    if service_name != port.name:
        args.append(("name", service_name))
    locked = None
    if node_port is None:
        if kind in ("NodePort", "LoadBalancer") and allocate is not False:
            args.append(("node_port", None))
    elif kind == "LoadBalancer" and allocate is False:
        args.append(("node_port", node_port))  # only pins get nodePorts on such a LoadBalancer
    else:
        locked = node_port  # allocated by svcgen: the lock keeps the existing number
    args.append(("target_by", "name" if isinstance(target, str) else "number"))
    if isinstance(p.get("appProtocol"), str):
        args.append(("app_protocol", p["appProtocol"]))
    return args, locked


def _service_options(meta: dict[str, Any], spec: dict[str, Any]) -> list[Arg]:
    """The ``Service(...)`` keyword arguments of a (defaulted) Service spec."""
    kind = spec.get("type", "ClusterIP")
    options: list[Arg] = []
    if kind != "ClusterIP":
        options.append(("type", kind))
    if spec.get("clusterIP") == "None" or (spec.get("clusterIPs") or [None])[0] == "None":
        options.append(("headless", True))
    if kind == "ExternalName":
        options.append(("external_name", spec.get("externalName")))
    for key in ("labels", "annotations"):
        if isinstance(meta.get(key), dict) and meta[key]:
            options.append((key, _str_map(meta[key])))
    if kind == "LoadBalancer" and spec.get("allocateLoadBalancerNodePorts") is False:
        options.append(("allocate_load_balancer_node_ports", False))
    for key, arg in (("externalTrafficPolicy", "external_traffic_policy"),
                     ("internalTrafficPolicy", "internal_traffic_policy"),
                     ("loadBalancerClass", "load_balancer_class")):
        default = "Cluster" if key.endswith("TrafficPolicy") else None
        if isinstance(spec.get(key), str) and spec[key] != default:
            options.append((arg, spec[key]))
    if spec.get("sessionAffinity") == "ClientIP":
        options.append(("session_affinity", "ClientIP"))
        timeout = mapping(mapping(spec.get("sessionAffinityConfig")).get("clientIP")).get("timeoutSeconds")
        if is_int(timeout) and timeout != 10800:
            options.append(("session_affinity_timeout", timeout))
    if isinstance(spec.get("loadBalancerSourceRanges"), list):
        options.append(("load_balancer_source_ranges", [str(r) for r in spec["loadBalancerSourceRanges"]]))
    return options


def _find_target(app: _App, target: Any, protocol: str, service_port_name: str,
                 service_port: int) -> tuple[_Container | None, _Port | None]:
    for container in app.containers:
        for port in container.ports:
            if port.protocol != protocol:
                continue
            if (isinstance(target, str) and port.name == target) or (isinstance(target, int)
                                                                      and port.number == target):
                if not port.name:
                    port.name = _port_name(service_port_name or f"port-{port.number}", container)
                return container, port
    if not app.containers:
        app.containers.append(_Container(app.name, None))
    container = app.containers[0]
    if isinstance(target, str):
        port = _Port(target if not rules.port_name(target) else _port_name(target, container), service_port, protocol)
    else:
        port = _Port(_port_name(service_port_name or f"port-{target}", container), int(target), protocol)
    container.ports.append(port)
    return container, port


def _source(apps: list[_App]) -> str:
    from svcgen.templating import render_template

    taken: set[str] = set()
    for app in apps:
        for container in app.containers:
            container.var = _identifier(f"{app.name}_{container.name}" if len(apps) > 1 else container.name, taken)
        for service in app.services:
            for port in service["ports"]:
                port["container"] = port.pop("_container").var
        app.containers = [c for c in app.containers if c.ports or c.image]
    app_vars = [_identifier(a.name, taken) for a in apps]
    return render_template("import/app.py.jinja", {"apps": list(zip(app_vars, apps, strict=True))})
