"""``svcgen import``: existing Service (+ workload) YAML into the equivalent DSL, nodePorts into the lock.

Pure: texts in; the generated ``app.py`` text, the lock entries and warnings out. Rendering the
generated declarations gives back the same Services (compared after v1 defaulting); their
nodePorts come from the lock, so adopting svcgen moves no port. Workloads are read for their
labels and container ports; svcgen does not take them over (``workload`` stays unset).
"""

from __future__ import annotations

import json
import keyword
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from svcgen import rules
from svcgen.apiserver import default_service, pod_spec
from svcgen.errors import SvcgenError
from svcgen.lock import HEALTH_CHECK, Lock, PortKey
from svcgen.yamldoc import load_documents

__all__ = ["ImportError_", "Imported", "import_manifests"]

_SUPPORTED_SPEC = {
    "type", "ports", "selector", "clusterIP", "clusterIPs", "externalName", "allocateLoadBalancerNodePorts",
    "externalTrafficPolicy", "internalTrafficPolicy", "sessionAffinity", "sessionAffinityConfig",
    "loadBalancerClass", "loadBalancerSourceRanges", "ipFamilies", "ipFamilyPolicy", "healthCheckNodePort",
}


class ImportError_(SvcgenError):  # named so as not to shadow the builtin ImportError
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
    warnings: list[str]


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


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


def _workload_app(obj: dict[str, Any], spec: dict[str, Any]) -> _App:
    meta = _mapping(obj.get("metadata"))
    template_labels: dict[str, str] = {}
    if obj.get("kind") == "Pod":
        template_labels = _str_map(meta.get("labels"))
    else:
        template = (obj.get("spec") or {}).get("template") if obj.get("kind") != "CronJob" else None
        if isinstance(template, dict) and isinstance(template.get("metadata"), dict):
            template_labels = _str_map(template["metadata"].get("labels"))
    containers = []
    for group in ("containers", "initContainers"):
        for c in spec.get(group) or []:
            if not isinstance(c, dict) or (group == "initContainers" and c.get("restartPolicy") != "Always"):
                continue
            ports = []
            for p in c.get("ports") or []:
                if isinstance(p, dict) and isinstance(p.get("containerPort"), int):
                    protocol = str(p.get("protocol") or "TCP")
                    name = str(p["name"]) if isinstance(p.get("name"), str) else ""
                    ports.append(_Port(name, p["containerPort"], protocol))
            containers.append(_Container(str(c.get("name") or "main"), c.get("image") if isinstance(
                c.get("image"), str) else None, ports))
    return _App(str(meta.get("name") or "app"), meta.get("namespace"), template_labels, {}, containers)


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


def import_manifests(sources: Sequence[tuple[str, str]]) -> Imported:
    """Turn Services (and the workloads they select) into DSL source; see the module docstring."""
    warnings: list[str] = []
    workloads: list[_App] = []
    services: list[tuple[str, dict[str, Any]]] = []
    for file, text in sources:
        for doc in load_documents(text):
            if doc.error is not None:
                raise ImportError_(f"{file}:{(doc.error.position or doc.position)[0]}: error: {doc.error.message}")
            value = doc.value
            items = value.get("items") if isinstance(value, dict) else None
            objects = items if isinstance(items, list) else [value]
            for obj in objects:
                if not isinstance(obj, dict):
                    continue
                if obj.get("kind") == "Service":
                    services.append((file, obj))
                elif (found := pod_spec(obj)) is not None:
                    app = _workload_app(obj, found[1])
                    app.source = f"{obj.get('kind')} {file}"
                    workloads.append(app)
    apps: list[_App] = []
    lock: dict[PortKey, int] = {}
    for file, raw in services:
        service = default_service(raw)
        meta = _mapping(service.get("metadata"))
        spec = _mapping(service.get("spec"))
        name, namespace = str(meta.get("name", "")), meta.get("namespace")
        selector = _str_map(spec.get("selector"))
        dropped = sorted(k for k, v in spec.items() if k not in _SUPPORTED_SPEC and v not in (None, "", [], {}))
        if spec.get("clusterIP") not in (None, "", "None"):
            dropped.append("clusterIP")
        if dropped:
            warnings.append(f'{file}: Service "{name}": not carried over (set by the cluster or not part of the '
                            f"DSL): {', '.join(dropped)}")
        if spec.get("type") == "ExternalName" or not selector:
            if spec.get("type") != "ExternalName":
                warnings.append(f'{file}: Service "{name}" has no selector (its endpoints are managed by hand); '
                                "skipped")
                continue
            app = _App(name, namespace, {}, {}, [])
            apps.append(app)
        else:
            owners = [w for w in workloads if _selects(w, namespace, selector)]
            if owners:
                app = owners[0]
                if len(owners) > 1:
                    warnings.append(f'{file}: Service "{name}" selects {len(owners)} workloads; declared with '
                                    f'"{app.name}"')
                if app not in apps:
                    app.pod_labels = {k: v for k, v in app.labels.items() if k not in selector}
                    app.labels = dict(selector)
                    apps.append(app)
                elif app.labels != selector:
                    warnings.append(f'{file}: Service "{name}" selects with {selector}, the App "{app.name}" '
                                    f"with {app.labels}: it will select with the App's labels")
            else:
                app = _App(name, namespace, dict(selector), {}, [_Container(name, None)])
                apps.append(app)
                warnings.append(f'{file}: Service "{name}": no workload in these files matches its selector; '
                                f'declared a container "{name}" with the ports it targets (add its image)')
        app.services.append(_service_context(app, service, name, namespace, lock, warnings, file))
    if not apps:
        names = ", ".join(name for name, _ in sources) or "the input"
        raise ImportError_(f"{names}: error: no Service to import (Services with a selector, or ExternalName)"
                           + ("".join(f"\n  {w}" for w in warnings)))
    return Imported(_source(apps), Lock(lock), warnings)


def _service_context(app: _App, service: dict[str, Any], name: str, namespace: Any, lock: dict[PortKey, int],
                     warnings: list[str], file: str) -> dict[str, Any]:
    meta = _mapping(service.get("metadata"))
    spec = _mapping(service.get("spec"))
    kind = spec.get("type", "ClusterIP")
    allocate = spec.get("allocateLoadBalancerNodePorts")
    ports = []
    raw_ports = spec.get("ports")
    for p in raw_ports if isinstance(raw_ports, list) else []:
        if not isinstance(p, dict) or not isinstance(p.get("port"), int):
            continue
        protocol = str(p.get("protocol") or "TCP")
        target = p.get("targetPort", p["port"])
        container, port = _find_target(app, target, protocol, str(p.get("name") or ""), p["port"])
        if container is None or port is None:
            warnings.append(f'{file}: Service "{name}": port {p["port"]} could not be mapped; skipped')
            continue
        service_name = str(p.get("name") or "")
        node_port = p.get("nodePort") if isinstance(p.get("nodePort"), int) else None
        if node_port is None:
            np_literal = "None" if kind in ("NodePort", "LoadBalancer") and allocate is not False else ""
        elif kind == "LoadBalancer" and allocate is False:
            np_literal = str(node_port)  # only pins get nodePorts on such a LoadBalancer
        else:
            np_literal = ""  # allocated by svcgen: the lock keeps the existing number
            lock[PortKey(namespace or "", name, service_name, protocol)] = node_port
        args = []
        if p["port"] != port.number:
            args.append(str(p["port"]))
        if service_name != port.name:
            args.append(f"name={json.dumps(service_name)}")
        if np_literal:
            args.append(f"node_port={np_literal}")
        args.append(f'target_by="{"name" if isinstance(target, str) else "number"}"')
        if isinstance(p.get("appProtocol"), str):
            args.append(f"app_protocol={json.dumps(p['appProtocol'])}")
        ports.append({"container": container.var or container.name, "port": port.name, "args": ", ".join(args),
                      "_container": container})
    options = []
    if kind != "ClusterIP":
        options.append(f"type={json.dumps(kind)}")
    if spec.get("clusterIP") == "None" or (spec.get("clusterIPs") or [None])[0] == "None":
        options.append("headless=True")
    if kind == "ExternalName":
        options.append(f"external_name={json.dumps(spec.get('externalName'))}")
    for key, arg in (("labels", "labels"), ("annotations", "annotations")):
        if isinstance(meta.get(key), dict) and meta[key]:
            options.append(f"{arg}={json.dumps(_str_map(meta[key]))}")
    raw_spec = spec
    if kind == "LoadBalancer" and allocate is False:
        options.append("allocate_load_balancer_node_ports=False")
    for key, arg in (("externalTrafficPolicy", "external_traffic_policy"),
                     ("internalTrafficPolicy", "internal_traffic_policy"),
                     ("loadBalancerClass", "load_balancer_class")):
        default = "Cluster" if key.endswith("TrafficPolicy") else None
        if isinstance(raw_spec.get(key), str) and raw_spec[key] != default:
            options.append(f"{arg}={json.dumps(raw_spec[key])}")
    if raw_spec.get("sessionAffinity") == "ClientIP":
        options.append('session_affinity="ClientIP"')
        timeout = ((raw_spec.get("sessionAffinityConfig") or {}).get("clientIP") or {}).get("timeoutSeconds")
        if isinstance(timeout, int) and timeout != 10800:
            options.append(f"session_affinity_timeout={timeout}")
    if isinstance(raw_spec.get("loadBalancerSourceRanges"), list):
        options.append(f"load_balancer_source_ranges={json.dumps(raw_spec['loadBalancerSourceRanges'])}")
    health_check = raw_spec.get("healthCheckNodePort")
    if isinstance(health_check, int) and health_check > 0 and kind == "LoadBalancer" \
            and raw_spec.get("externalTrafficPolicy") == "Local":
        lock[PortKey(namespace or "", name, "", HEALTH_CHECK)] = health_check
    return {"name": name, "options": options, "ports": ports}


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
    from svcgen.scaffold import render_template

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
