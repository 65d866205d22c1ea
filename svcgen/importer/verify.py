"""``svcgen import`` checks itself: render the code it is about to write and compare every Service.

The generated source is run in-process, its Apps rendered with the lock that will be written, and
each rendered Service compared with its original after v1 defaulting
(:func:`svcgen.kube.apiserver.canonical_service`), each declared workload after defaulting
(:func:`svcgen.importer.workloads.canonical_workload`). Every difference is a problem at the
original's line, naming the field and both values. :func:`workload_differences` runs first, App
by App: a workload that would not come back exactly is kept as YAML instead.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from svcgen.dsl.model import App
from svcgen.errors import DeclarationError, Problem, Severity
from svcgen.importer.plan import AppPlan
from svcgen.importer.workloads import canonical_workload
from svcgen.kube.apiserver import canonical_service
from svcgen.kube.objects import KubeObject, Path
from svcgen.kube.portrange import NodePortRange
from svcgen.kube.releases import KubeVersion
from svcgen.nodeports.lock import Lock
from svcgen.render import render_manifests

__all__ = ["differences", "verify", "workload_differences"]


def _apps(source: str) -> list[App]:
    namespace: dict[str, Any] = {"__name__": "svcgen_import_check"}
    exec(compile(source, "app.py", "exec"), namespace)  # the code svcgen itself just generated
    return [value for value in namespace.values() if isinstance(value, App)]


def differences(original: Any, rendered: Any, path: Path = ()) -> Iterator[tuple[Path, Any, Any]]:
    """Every path where two JSON-like values differ, with the two values (``None``: absent)."""
    if isinstance(original, dict) and isinstance(rendered, dict):
        for key in dict.fromkeys([*original, *rendered]):
            yield from differences(original.get(key), rendered.get(key), (*path, key))
    elif isinstance(original, list) and isinstance(rendered, list) and len(original) == len(rendered):
        for i, (a, b) in enumerate(zip(original, rendered, strict=True)):
            yield from differences(a, b, (*path, i))
    elif original != rendered or type(original) is not type(rendered):
        yield path, original, rendered


def verify(source: str, originals: Sequence[KubeObject], lock: Lock, node_port_range: NodePortRange,
           version: KubeVersion, severity: Severity) -> list[Problem]:
    """Problems (of ``severity``) for every Service that would not come back as it was."""
    try:
        rendered = render_manifests(_apps(source), lock=lock, node_port_range=node_port_range,
                                    kubernetes_version=version)
    except DeclarationError as exc:
        return [_declaration_problem(p, originals) for p in exc.problems if p.severity == "error"]
    by_name = {(m["kind"], str(m["metadata"].get("namespace", "")), m["metadata"]["name"]): m
               for m in rendered.manifests}
    problems = []
    for obj in originals:
        mine = by_name.get((obj.kind, obj.namespace, obj.name))
        if mine is None:
            problems.append(obj.problem((), severity, "import-check", "is missing from the declarations svcgen "
                                        "would write"))
            continue
        canonical = canonical_service if obj.kind == "Service" else \
            canonical_workload if obj.pod_spec() is not None else _declared
        for path, before, after in differences(canonical(obj.value), canonical(mine)):
            problems.append(obj.problem(path, severity, "import-check",
                                        f"would not come back as it was: {_show(before)} in the manifest, "
                                        f"{_show(after)} once rendered",
                                        "pass --allow-changes to accept the difference" if severity == "error"
                                        else ""))
    return problems


def workload_differences(source: str, apps: Sequence[AppPlan], lock: Lock, node_port_range: NodePortRange,
                         version: KubeVersion) -> dict[int, list[str]]:
    """Why each declared workload would not come back as it was, by ``id`` of its App's plan.

    None for a workload that would come back as it was. Each App is rendered alone (without its
    consumers), so that one App's problem keeps only its own workload out; each difference is
    named with its field and both values.
    """
    by_name = {(plan.name, plan.namespace): plan for plan in apps if plan.declared is not None}
    found: dict[int, list[str]] = {}
    for app in _apps(source):
        plan = by_name.get((app.name, app.namespace))
        if plan is None or plan.source is None or app.workload is None:
            continue
        try:
            rendered = render_manifests([app.model_copy(update={"consumers": ()})], lock=lock,
                                        node_port_range=node_port_range, kubernetes_version=version)
        except DeclarationError as exc:
            found[id(plan)] = [f"{p.field + ': ' if p.field else ''}{p.message}" for p in exc.problems
                               if p.severity == "error"]
            continue
        mine = next(m for m in rendered.manifests if m["kind"] == plan.source.kind)
        found[id(plan)] = [f"{_path(path)}: {_show(before)} in the manifest, {_show(after)} once rendered"
                           for path, before, after in differences(canonical_workload(plan.source.value),
                                                                  canonical_workload(mine))]
    return {key: reasons for key, reasons in found.items() if reasons}


def _path(path: Path) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


def _declaration_problem(problem: Problem, originals: Sequence[KubeObject]) -> Problem:
    """A problem of the code svcgen would write, at the original object it came from.

    The DSL names its object ``Kind "name"`` (``Service "ns/name"``); the original of that kind and
    name is where the user can act. Nothing was written, so no line of app.py is shown.
    """
    where = f"{problem.field}: " if problem.field else ""
    message = f"the declarations svcgen would write do not render: {problem.subject}: {where}{problem.message}"
    kind, _, rest = problem.subject.partition(" ")
    name = rest.split('"')[1] if rest.count('"') >= 2 else ""
    for obj in originals:
        if obj.kind == kind and name in (obj.name, f"{obj.namespace}/{obj.name}"):
            return obj.problem((), "error", "import-check", message,
                               "fix the manifest (lint shows the API server's own checks), or keep this object as "
                               "YAML out of the import")
    first = originals[0] if originals else None
    return Problem(first.ref.kind if first else "", "", message,
                   location=first.location() if first else None, rule="import-check")


def _declared(value: dict[str, Any]) -> dict[str, Any]:
    """An object as declared: what the cluster sets (status, server metadata) left out."""
    metadata = value.get("metadata") or {}
    kept = {key: metadata[key] for key in ("name", "namespace", "labels", "annotations") if metadata.get(key)}
    return {"apiVersion": value.get("apiVersion"), "kind": value.get("kind"), "metadata": kept,
            "spec": value.get("spec")}


def _show(value: Any) -> str:
    return "absent" if value is None else repr(value)
