"""``svcgen import``: existing Service (+ workload) YAML into the equivalent DSL, nodePorts into the lock.

Owns: :mod:`.plan` (what to declare, faithfully or refused by name), :mod:`.consumers` (the
Ingresses, routes, monitors and NetworkPolicies that use the imported ports, as references, or
kept as YAML by name), :mod:`.code` (the ``app.py`` text, through the template's literal filter)
and :mod:`.verify` (render what would be written and compare every object with its original).
Manifests are read by the one reader (:mod:`svcgen.kube.objects`) and checked by lint first: what
the API server would refuse is refused here too, at its input line. Workloads stay the user's:
svcgen reads their labels and container ports (``workload`` stays unset).

May import: errors, kube, nodeports, lint, templating, and (to check itself) dsl and render.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from svcgen.errors import InputError, Problem, count_errors
from svcgen.importer.code import app_source
from svcgen.importer.consumers import plan_consumers
from svcgen.importer.plan import finish, plan_import
from svcgen.importer.verify import verify
from svcgen.kube.objects import KubeObject, read_objects
from svcgen.kube.portrange import DEFAULT_NODE_PORT_RANGE, NodePortRange
from svcgen.kube.version import CURRENT, KubeVersion
from svcgen.lint import lint_texts
from svcgen.nodeports.lock import Lock

__all__ = ["ImportError_", "Imported", "import_manifests"]


class ImportError_(InputError):  # named so as not to shadow the builtin ImportError
    """The manifests cannot be imported as they are; ``problems`` says why, each at its input line."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def report(self, debug: bool = False) -> list[str]:
        count = count_errors(self.problems)
        return [*(str(p) for p in self.problems),
                f"svcgen import: {count} error{'s' if count != 1 else ''}; nothing was written."]


@dataclass
class Imported:
    """The DSL source, the lock to write (the given one plus the manifests' nodePorts), and warnings."""

    source: str
    lock: Lock
    warnings: list[Problem]


def import_manifests(
    sources: Sequence[tuple[str, str]],
    *,
    lock: Lock | None = None,
    node_port_range: NodePortRange = DEFAULT_NODE_PORT_RANGE,
    allow_changes: bool = False,
    declare_missing_ports: bool = False,
    kubernetes_version: KubeVersion = CURRENT,
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

    Raises:
        ImportError_: with every problem found, each at its input line; nothing to write.
    """
    problems = [p for p in lint_texts(sources, node_port_range, kubernetes_version) if p.severity == "error"
                and not (declare_missing_ports and p.rule == "target-port-resolves")]
    objects = [o for o in read_objects(sources) if isinstance(o, KubeObject)]
    services = [o for o in objects if o.is_service]
    workloads = [o for o in objects if o.pod_spec() is not None]
    plan = plan_import(services, workloads, declare_missing_ports=declare_missing_ports)
    problems.extend(plan.problems)
    current = lock or Lock()
    for obj in plan.planned:
        for key, port in plan.lock.items():
            if (key.namespace, key.service) != (obj.namespace, obj.name):
                continue
            holder = current.holder(key, port)
            if current.get(key) not in (None, port):
                problems.append(obj.problem(("spec",), "error", "import-lock",
                                            f"nodePort {port} of {key} is {current.get(key)} in the lock file",
                                            "import into another project, or delete that lock entry"))
            elif holder is not None:
                problems.append(obj.problem(("spec",), "error", "import-lock",
                                            f"nodePort {port} of {key} is {holder}'s in the lock file: the cluster "
                                            "would refuse the second Service (provided port is already allocated)",
                                            "give one of them another nodePort, or delete that lock entry"))
    if not services and not count_errors(problems):
        names = ", ".join(name for name, _ in sources) or "the input"
        problems.append(Problem("", "", f"{names}: no Service to import", rule="import-nothing"))
    if count_errors(problems) or not plan.apps:
        raise ImportError_(problems)
    finish(plan)
    known = len(plan.problems)
    consumers = plan_consumers(objects, plan)
    problems.extend(plan.problems[known:])
    source = app_source(plan)
    merged = Lock({**current.entries, **plan.lock})
    problems.extend(verify(source, [*plan.planned, *consumers], merged, node_port_range, kubernetes_version,
                           "warning" if allow_changes else "error"))
    if count_errors(problems):
        raise ImportError_(problems)
    return Imported(source, merged, problems)
