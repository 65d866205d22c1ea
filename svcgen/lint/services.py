"""Lint across Services and workloads: shared nodePorts, selectors, named targetPorts.

A nodePort or healthCheckNodePort used by two Services, a named targetPort that no selected
container port (same name and protocol) provides, and a selector that selects no workload of
the set. :class:`Workloads` (the pods of the files, indexed by label) serves the other checks too.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from svcgen.errors import QUOTE_LIMIT, Problem, shorten
from svcgen.kube.objects import CONTROLLER_LABELS, KubeObject, Path, format_path, is_int
from svcgen.lint.index import ANY, LabelIndex, hashable_label

__all__ = ["Workloads", "node_port_collisions", "selector_problems", "service_ports"]


def _int(value: Any) -> int | None:
    return value if is_int(value) and value > 0 else None


def service_ports(obj: KubeObject) -> list[tuple[int, dict[str, Any]]]:
    spec = obj.value.get("spec")
    ports = spec.get("ports") if isinstance(spec, dict) else None
    return (
        [(i, p) for i, p in enumerate(ports) if isinstance(p, dict)]
        if isinstance(ports, list)
        else []
    )


def node_port_collisions(services: list[KubeObject]) -> Iterator[Problem]:
    """A nodePort held by two Services: the second is refused at apply time.

    A healthCheckNodePort counts as a nodePort here.
    """
    owners: dict[int, tuple[KubeObject, Path]] = {}
    for obj in services:
        spec = obj.value.get("spec")
        if not isinstance(spec, dict) or spec.get("type") not in ("NodePort", "LoadBalancer"):
            continue
        used: list[tuple[int, Path]] = [
            (n, ("spec", "ports", i, "nodePort"))
            for i, p in service_ports(obj)
            if (n := _int(p.get("nodePort")))
        ]
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
                yield obj.problem(
                    path,
                    "error",
                    "node-port-collision",
                    f"Invalid value: {number}: provided port is already allocated: Service "
                    f'"{shorten(ns + other.name)}" ({other.where(other_path)}) uses it as '
                    f"{format_path(other_path)}{_same_if_applied_in(obj, other)}",
                    "give one of them another nodePort, or leave it unset (the cluster picks one)",
                )


def _same_if_applied_in(obj: KubeObject, other: KubeObject) -> str:
    """A note for one name with and without a namespace.

    The two are the same Service when applied in that namespace.
    """
    if obj is other or obj.name != other.name or bool(obj.namespace) == bool(other.namespace):
        return ""
    namespace, bare = (obj.namespace, other) if obj.namespace else (other.namespace, obj)
    return (
        f' (if {bare.file} is applied in namespace "{shorten(namespace)}", the two are one '
        "Service and the later replaces the earlier)"
    )


class Workloads:
    """Workloads indexed by pod template label: selecting is a lookup.

    The index is a :class:`~svcgen.lint.index.LabelIndex`.
    """

    def __init__(self, workloads: list[KubeObject]) -> None:
        self.items = workloads
        self.ports = [
            {(p.name, p.protocol) for p in w.container_ports() if p.name} for w in workloads
        ]
        self.index = LabelIndex(
            (w.namespace, w.pod_labels(), CONTROLLER_LABELS.get(w.kind, {})) for w in workloads
        )

    def select(self, namespace: str, selector: dict[str, Any]) -> list[int]:
        """The workloads whose pods ``selector`` can select, in order.

        Controller-added labels included.
        """
        return self._selection(namespace, selector)[0]

    def named_ports(self, namespace: str, selector: dict[str, Any]) -> set[tuple[str, str]]:
        """The (name, protocol) of every named container port of the workloads found.

        Found by :meth:`select`.
        """
        return self._selection(namespace, selector)[1]

    def _selection(
        self, namespace: str, selector: dict[str, Any]
    ) -> tuple[list[int], set[tuple[str, str]]]:
        if not all(hashable_label(v) for v in selector.values()):
            return [], set()
        # A pod meets each selector label by its template's labels or as one its controller adds.
        candidates = self.index.candidates(
            [[(str(k), v), (str(k), ANY)] for k, v in selector.items()],
            {namespace} if namespace else None,
        )
        return self.index.remembered(
            lambda: (namespace, frozenset(selector.items())),
            lambda: self._select(namespace, selector, candidates),
            None if candidates is None else len(candidates),
        )

    def _select(
        self, namespace: str, selector: dict[str, Any], candidates: list[int] | None
    ) -> tuple[list[int], set[tuple[str, str]]]:
        if (
            candidates is None
        ):  # an empty selector: the pods of the controllers (a Service's selects nothing)
            candidates = [
                i
                for i, w in enumerate(self.items)
                if w.kind in CONTROLLER_LABELS
                and (not namespace or not w.namespace or w.namespace == namespace)
            ]
        selected = [i for i in candidates if self.items[i].may_select(selector)]
        return selected, set().union(*(self.ports[i] for i in selected))


def selector_problems(services: list[KubeObject], workloads: list[KubeObject]) -> Iterator[Problem]:
    index = Workloads(workloads)
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
                yield obj.problem(
                    ("spec", "selector"),
                    "warning",
                    "selector",
                    "selects no Pod or workload in these files: the Service will have no endpoints",
                    "check the selector against the pods' labels, or lint the workload's file too",
                )
            continue
        available = index.named_ports(obj.namespace, selector)
        for i, port in service_ports(obj):
            target = port.get("targetPort")
            if not isinstance(target, str) or not target:
                continue
            protocol = str(port.get("protocol") or "TCP")
            if (target, protocol) not in available:
                names = ", ".join(sorted({shorten(f"{n}/{p}") for n, p in available})) or "none"
                kinds = ", ".join(
                    shorten(f"{index.items[w].kind}/{index.items[w].name}") for w in selected
                )
                yield obj.problem(
                    ("spec", "ports", i, "targetPort"),
                    "error",
                    "target-port-resolves",
                    f'named targetPort "{shorten(target)}" ({shorten(protocol)}) matches no '
                    "container port of the "
                    f"selected workloads ({kinds}; named ports: {names}): traffic to this port "
                    "would be dropped",
                    _nearest_port_hint(target, {n for n, p in available if p == protocol}),
                )


def _nearest_port_hint(target: str, names: set[str]) -> str:
    import difflib  # only for a finding: a clean lint never loads it

    # Not among names too long to be a port's: comparing long strings is quadratic.
    short = sorted(n for n in names if len(n) <= QUOTE_LIMIT)
    near = (
        difflib.get_close_matches(target, short, n=1, cutoff=0.6)
        if len(target) <= QUOTE_LIMIT
        else []
    )
    if near:
        return f'did you mean "{shorten(near[0])}"?'
    return "name a port the containers declare (with the same protocol), or use its number"
