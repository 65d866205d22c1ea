"""``svcgen lint``: check existing manifests as the API server would, and across documents.

Pure: takes (name, text) pairs and returns problems; the CLI reads the files. Per object:
:mod:`svcgen.apiserver` (v1 defaulting, then ``ValidateService``; container ports of Pods and
workloads). Across every document given: a nodePort or healthCheckNodePort used by two Services,
a named targetPort that no selected container port (same name and protocol) provides, and a
selector that selects no workload of the set.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from svcgen.apiserver import FieldError, Path, format_path, pod_spec, validate_pod_ports, validate_service
from svcgen.errors import one_line
from svcgen.portrange import DEFAULT_NODE_PORT_RANGE, NodePortRange
from svcgen.yamldoc import Document, load_documents

__all__ = ["LintProblem", "lint_texts"]


@dataclass(frozen=True)
class LintProblem:
    """One finding, located in a file (1-based line and column) and a document (0-based)."""

    file: str
    line: int
    column: int
    document: int
    kind: str
    namespace: str
    name: str
    field: str
    severity: str
    rule: str
    message: str

    def __str__(self) -> str:
        obj = "/".join(p for p in (self.kind, self.namespace, self.name) if p) or "-"
        field = f"{self.field}: " if self.field else ""
        return one_line(f"{self.file}:{self.line}:{self.column}: {self.severity}: {obj}: {field}{self.message}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _Object:
    """A Kubernetes object found in a document (a List's items are objects of their own)."""

    file: str
    doc: Document
    prefix: Path
    value: dict[str, Any]

    @property
    def kind(self) -> str:
        return str(self.value.get("kind") or "")

    @property
    def metadata(self) -> dict[str, Any]:
        meta = self.value.get("metadata")
        return meta if isinstance(meta, dict) else {}

    @property
    def namespace(self) -> str:
        ns = self.metadata.get("namespace")
        return ns if isinstance(ns, str) else ""

    @property
    def name(self) -> str:
        name = self.metadata.get("name")
        return name if isinstance(name, str) else ""

    def problem(self, path: Path, severity: str, rule: str, message: str) -> LintProblem:
        line, column = self.doc.where((*self.prefix, *path))
        return LintProblem(self.file, line, column, self.doc.index, self.kind, self.namespace, self.name,
                           format_path(path), severity, rule, message)

    def where(self, path: Path = ()) -> str:
        line, _ = self.doc.where((*self.prefix, *path))
        return f"{self.file}:{line}"


def _objects(file: str, documents: Iterable[Document]) -> Iterator[_Object | LintProblem]:
    for doc in documents:
        if doc.error is not None:
            line, column = doc.error.position or doc.position
            yield LintProblem(file, line, column, doc.index, "", "", "", "", "error", "yaml", doc.error.message)
            continue
        value = doc.value
        if value is None:
            continue
        if not isinstance(value, dict):
            yield LintProblem(file, doc.position[0], doc.position[1], doc.index, "", "", "", "", "warning",
                              "not-an-object", "not a Kubernetes object (a mapping with apiVersion and kind); skipped")
            continue
        items = value.get("items")
        if str(value.get("kind", "")).endswith("List") and isinstance(items, list):
            for i, item in enumerate(items):
                if isinstance(item, dict):
                    yield _Object(file, doc, ("items", i), item)
        else:
            yield _Object(file, doc, (), value)


def lint_texts(
    sources: Sequence[tuple[str, str]], node_port_range: NodePortRange = DEFAULT_NODE_PORT_RANGE
) -> list[LintProblem]:
    """Lint YAML texts (``(name, text)`` pairs, in order) as one set of manifests."""
    problems: list[LintProblem] = []
    services: list[_Object] = []
    workloads: list[_Object] = []
    for file, text in sources:
        for found in _objects(file, load_documents(text)):
            if isinstance(found, LintProblem):
                problems.append(found)
                continue
            if found.kind == "Service":
                services.append(found)
                problems.extend(_field_problems(found, validate_service(found.value, node_port_range)))
            elif pod_spec(found.value) is not None:
                workloads.append(found)
                problems.extend(_field_problems(found, validate_pod_ports(found.value)))
    problems.extend(_node_port_collisions(services))
    problems.extend(_selector_problems(services, workloads))
    return problems


def _field_problems(obj: _Object, errors: Iterable[FieldError]) -> Iterator[LintProblem]:
    for error in errors:
        yield obj.problem(error.path, error.severity, error.rule, error.message)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _ports(obj: _Object) -> list[tuple[int, dict[str, Any]]]:
    spec = obj.value.get("spec")
    ports = spec.get("ports") if isinstance(spec, dict) else None
    return [(i, p) for i, p in enumerate(ports) if isinstance(p, dict)] if isinstance(ports, list) else []


def _node_port_collisions(services: list[_Object]) -> Iterator[LintProblem]:
    """A nodePort (or healthCheckNodePort) held by two Services: the second is refused at apply time."""
    owners: dict[int, tuple[_Object, Path]] = {}
    for obj in services:
        spec = obj.value.get("spec")
        if not isinstance(spec, dict) or spec.get("type") not in ("NodePort", "LoadBalancer"):
            continue
        used: list[tuple[int, Path]] = [(n, ("spec", "ports", i, "nodePort"))
                                        for i, p in _ports(obj) if (n := _int(p.get("nodePort")))]
        if hcnp := _int(spec.get("healthCheckNodePort")):
            used.append((hcnp, ("spec", "healthCheckNodePort")))
        for number, path in used:
            owner = owners.get(number)
            if owner is None:
                owners[number] = (obj, path)
            elif owner[0] is not obj or "healthCheckNodePort" in (path[-1], owner[1][-1]):
                # Another Service, or this Service's own healthCheckNodePort: one bitmap holds both.
                other, other_path = owner
                ns = f"{other.namespace}/" if other.namespace else ""
                yield obj.problem(path, "error", "node-port-collision",
                                  f"Invalid value: {number}: provided port is already allocated: Service "
                                  f'"{ns}{other.name}" ({other.where(other_path)}) uses it as '
                                  f"{format_path(other_path)}")


def _pod_labels(obj: _Object) -> dict[str, Any]:
    found = pod_spec(obj.value)
    if found is None:
        return {}
    path = found[0]
    if obj.kind == "Pod":
        labels = obj.metadata.get("labels")
        return labels if isinstance(labels, dict) else {}
    node: Any = obj.value
    for part in path[:-1]:  # the template: .../template
        node = node.get(part) if isinstance(node, dict) else None
    meta = node.get("metadata") if isinstance(node, dict) else None
    labels = meta.get("labels") if isinstance(meta, dict) else None
    return labels if isinstance(labels, dict) else {}


def _container_ports(obj: _Object) -> Iterator[tuple[str, str]]:
    """(name, protocol) of every named port a Service can target: containers, then sidecars."""
    found = pod_spec(obj.value)
    if found is None:
        return
    spec = found[1]
    for group in ("containers", "initContainers"):
        containers = spec.get(group)
        for container in containers if isinstance(containers, list) else []:
            if not isinstance(container, dict):
                continue
            if group == "initContainers" and container.get("restartPolicy") != "Always":
                continue
            ports = container.get("ports")
            for port in ports if isinstance(ports, list) else []:
                if isinstance(port, dict) and isinstance(port.get("name"), str):
                    protocol = port.get("protocol") or "TCP"
                    yield port["name"], str(protocol)


class _Workloads:
    """Workloads indexed by pod label, so selecting is a lookup, not a scan."""

    def __init__(self, workloads: list[_Object]) -> None:
        self.items = workloads
        self.labels = [_pod_labels(w) for w in workloads]
        self.ports = [set(_container_ports(w)) for w in workloads]
        self.by_label: dict[tuple[str, Any], list[int]] = {}
        for i, labels in enumerate(self.labels):
            for key, value in labels.items():
                if isinstance(value, (str, int, float, bool)) or value is None:
                    self.by_label.setdefault((str(key), value), []).append(i)

    def select(self, namespace: str, selector: dict[str, Any]) -> list[int]:
        first = next(iter(selector.items()))
        if not (isinstance(first[1], (str, int, float, bool)) or first[1] is None):
            return []
        return [i for i in self.by_label.get((str(first[0]), first[1]), [])
                if (not namespace or not self.items[i].namespace or self.items[i].namespace == namespace)
                and all(self.labels[i].get(k) == v for k, v in selector.items())]


def _selector_problems(services: list[_Object], workloads: list[_Object]) -> Iterator[LintProblem]:
    index = _Workloads(workloads)
    for obj in services:
        spec = obj.value.get("spec")
        if not isinstance(spec, dict) or spec.get("type") == "ExternalName":
            continue
        selector = spec.get("selector")
        if not isinstance(selector, dict) or not selector:
            continue
        selected = index.select(obj.namespace, selector)
        if not selected:
            if workloads:
                yield obj.problem(("spec", "selector"), "warning", "selector",
                                  "selects no Pod or workload in these files: the Service will have no endpoints")
            continue
        available = set().union(*(index.ports[i] for i in selected))
        for i, port in _ports(obj):
            target = port.get("targetPort")
            if not isinstance(target, str) or not target:
                continue
            protocol = str(port.get("protocol") or "TCP")
            if (target, protocol) not in available:
                names = ", ".join(sorted({f"{n}/{p}" for n, p in available})) or "none"
                kinds = ", ".join(f"{index.items[w].kind}/{index.items[w].name}" for w in selected)
                yield obj.problem(("spec", "ports", i, "targetPort"), "error", "target-port-resolves",
                                  f'named targetPort "{target}" ({protocol}) matches no container port of the '
                                  f"selected workloads ({kinds}; named ports: {names}): traffic to this port "
                                  "would be dropped")
