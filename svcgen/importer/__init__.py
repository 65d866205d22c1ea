"""``svcgen import``: Service (+ workload) YAML into the equivalent DSL, nodePorts into the lock.

Owns: :mod:`.plan` (what to declare, faithfully or refused by name), :mod:`.workloads` (the
workloads, declared whole or kept as YAML by reason), :mod:`.consumer_calls` (the
Ingresses, routes, monitors and NetworkPolicies that use the imported ports, as references, or
kept as YAML by name), :mod:`.app_source` (the ``app.py`` text, through the template's literal
filter)
and :mod:`.verify` (render what would be written and compare every object with its original).
Manifests are read by the one reader (:mod:`svcgen.kube.objects`) and checked by lint first: what
the API server would refuse is refused here too, at its input line. The workloads the Services
select are declared whole (:mod:`.workloads`: ``workload=``, ``pod=`` and every container field),
or, where the DSL cannot say a field or the declaration would not render back exactly, kept as
YAML beside app.py (``workloads.yaml``) with each reason in a warning. A dump of a live
cluster imports as well as manifests do: what the cluster set is dropped with a warning, and the
Services that are not svcgen's to declare (``default/kubernetes``, selector-less, owned by a
controller) are left out with a warning while the others are imported. An imported nodePort that
is reserved for another Service (a shared registry, reserve files) is refused.

The import takes time in proportion to its input: every lookup across objects goes through an
index (the workloads a Service selects, the lock entries of a Service or a nodePort, the Apps and
Services a consumer refers to), and the generated code is checked one statement at a time
(:mod:`.verify` says why).

May import: errors, gcpause, kube, nodeports, lint, templating, and (to check itself) dsl and
render.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from svcgen.errors import InputError, Problem, count_errors, plural, sorted_problems
from svcgen.importer.app_source import app_source
from svcgen.importer.consumer_calls import plan_consumers
from svcgen.importer.plan import finish, plan_import
from svcgen.importer.verify import verify, workload_differences
from svcgen.importer.workloads import KEPT_FILE, declare_workloads, kept_yaml, undeclare
from svcgen.kube.objects import KubeObject, Path, is_int, mapping, read_objects
from svcgen.kube.portrange import DEFAULT_NODE_PORT_RANGE, NodePortRange
from svcgen.kube.releases import PORTABLE, KubeVersion
from svcgen.lint import lint_texts
from svcgen.nodeports.lock import Lock, PortKey
from svcgen.nodeports.reserve import Reservation

__all__ = ["ImportRefusedError", "Imported", "import_manifests"]


class ImportRefusedError(InputError):  # named so as not to shadow the builtin ImportError
    """The manifests cannot be imported as given; ``problems`` says why, each at its input line."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in sorted_problems(self.problems)))

    def report(self, debug: bool = False) -> list[str]:
        return [
            *(str(p) for p in sorted_problems(self.problems)),
            f"svcgen import: {plural(count_errors(self.problems), 'error')}; nothing was written.",
        ]


def _held_elsewhere(
    services: Sequence[KubeObject], reserved: Sequence[Reservation]
) -> list[Problem]:
    """The nodePorts of ``services`` that another Service holds in ``reserved``, as problems.

    Each at its input line. A reserved nodePort of the same Service is no conflict (a dump of
    what is imported).
    """
    taken: dict[int, list[Reservation]] = {}
    for reservation in reserved:
        taken.setdefault(reservation.node_port, []).append(reservation)
    problems = []
    for obj in services:
        key = PortKey(obj.namespace, obj.name, "", "")
        ports = obj.spec.get("ports")
        found: list[tuple[Path, Any]] = [
            (("spec", "ports", i, "nodePort"), mapping(p).get("nodePort"))
            for i, p in enumerate(ports if isinstance(ports, list) else [])
        ]
        found.append((("spec", "healthCheckNodePort"), obj.spec.get("healthCheckNodePort")))
        for path, port in found:
            other = (
                next((r for r in taken.get(port, ()) if not r.held_by(key)), None)
                if is_int(port)
                else None
            )
            if other is not None:
                problems.append(
                    obj.problem(
                        path,
                        "error",
                        "import-reserved",
                        f"nodePort {port} is already allocated "
                        f"to {other.owner()}: one nodePort is one Service port's",
                        "if that Service is gone, free its nodePort there (svcgen lock prune in "
                        "its project, or edit the reserve file); else this Service must move: "
                        "remove the nodePort from this manifest",
                    )
                )
    return problems


@dataclass
class Imported:
    """What an import gives: the DSL source, the lock to write, and warnings.

    The lock is the given one plus the manifests' nodePorts.
    """

    source: str
    lock: Lock
    warnings: list[Problem]
    kept: str | None = None
    """The text of the workloads kept as YAML (:data:`svcgen.importer.workloads.KEPT_FILE`), if
    any."""


def import_manifests(
    sources: Sequence[tuple[str, str]],
    *,
    lock: Lock | None = None,
    node_port_range: NodePortRange = DEFAULT_NODE_PORT_RANGE,
    allow_changes: bool = False,
    declare_missing_ports: bool = False,
    kubernetes_version: KubeVersion = PORTABLE,
    reserved: Sequence[Reservation] = (),
) -> Imported:
    """Turn Services (and the workloads they select) into DSL source; see the package docstring.

    Args:
        sources: ``(name, text)`` pairs of YAML or JSON.
        lock: the project's lock so far; the manifests' nodePorts are added to it.
        node_port_range: the cluster's nodePort range.
        allow_changes: report Services that would not come back exactly as warnings, not errors.
        declare_missing_ports: declare named targetPorts that no container provides (with the
            Service port's number, and a warning) instead of refusing them.
        kubernetes_version: the cluster's version, whose API server rules apply.
        reserved: nodePorts held elsewhere (other projects of a shared registry, --reserve files):
            an imported Service port that holds one of them is refused, as render would refuse it.

    Raises:
        ImportRefusedError: with every problem found, each at its input line; nothing to write.
    """
    problems = [
        p
        for p in lint_texts(sources, node_port_range, kubernetes_version)
        if p.severity == "error"
        and not (declare_missing_ports and p.rule == "target-port-resolves")
    ]
    objects = [o for o in read_objects(sources) if isinstance(o, KubeObject)]
    services = [o for o in objects if o.is_service]
    workloads = [o for o in objects if o.pod_spec() is not None]
    plan = plan_import(services, workloads, declare_missing_ports=declare_missing_ports)
    problems.extend(plan.problems)
    current = lock or Lock()
    locked: dict[tuple[str, str], list[tuple[PortKey, int]]] = {}  # the plan's nodePorts by Service
    for key, port in plan.lock.items():
        locked.setdefault((key.namespace, key.service), []).append((key, port))
    holding: dict[
        int, dict[PortKey, int]
    ] = {}  # the lock's entries by nodePort, to find a holder without a scan
    for key, port in current.entries.items():
        holding.setdefault(port, {})[key] = port
    for obj in plan.planned:
        for key, port in locked.get((obj.namespace, obj.name), ()):
            holder = Lock(holding.get(port, {})).holder(key, port)
            if current.get(key) not in (None, port):
                problems.append(
                    obj.problem(
                        ("spec",),
                        "error",
                        "import-lock",
                        f"nodePort {port} of {key} is {current.get(key)} in the lock file",
                        "import into another project, or delete that lock entry",
                    )
                )
            elif holder is not None:
                problems.append(
                    obj.problem(
                        ("spec",),
                        "error",
                        "import-lock",
                        f"nodePort {port} of {key} is {holder}'s in the lock file: the cluster "
                        "would refuse the second Service (provided port is already allocated)",
                        "give one of them another nodePort, or delete that lock entry",
                    )
                )
    problems.extend(_held_elsewhere(plan.planned, reserved))
    if not plan.apps and not count_errors(problems):
        names = ", ".join(name for name, _ in sources) or "the input"
        what = (
            "no Service left to import (each was left out, as said above)"
            if services
            else "no Service to import"
        )
        problems.append(Problem("", "", f"{names}: {what}", rule="import-nothing"))
    if count_errors(problems) or not plan.apps:
        raise ImportRefusedError(problems)
    kept = declare_workloads(plan.apps, plan.selected)
    finish(plan)
    known = len(plan.problems)
    consumers = plan_consumers(objects, plan)
    problems.extend(plan.problems[known:])
    merged = Lock({**current.entries, **plan.lock})
    reasons_of = {
        id(obj): reasons for obj, reasons in reversed(kept)
    }  # the first, if one were kept twice
    for app in plan.apps:
        app.kept = reasons_of.get(id(app.source), []) if app.source is not None else []
    source = app_source(plan)
    differing = workload_differences(source, plan.apps, merged, node_port_range, kubernetes_version)
    for app in plan.apps:
        if id(app) in differing and app.source is not None:
            undeclare(app)
            app.kept = differing[id(app)]
            kept.append((app.source, app.kept))
    if differing:
        source = app_source(plan)
    declared = [
        app.source for app in plan.apps if app.declared is not None and app.source is not None
    ]
    problems.extend(
        verify(
            source,
            [*plan.planned, *declared, *consumers],
            merged,
            node_port_range,
            kubernetes_version,
            "warning" if allow_changes else "error",
        )
    )
    problems.extend(
        obj.problem(
            (),
            "warning",
            "import-workload-kept",
            f"kept as YAML in {KEPT_FILE}, not declared: {'; '.join(reasons)}",
            "apply it with the manifests svcgen renders, rendered without --with-workloads",
        )
        for obj, reasons in kept
    )
    if count_errors(problems):
        raise ImportRefusedError(problems)
    return Imported(source, merged, problems, kept_yaml(kept) if kept else None)
