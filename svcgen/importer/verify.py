"""``svcgen import`` checks itself: render the code it is about to write and compare every Service.

The generated source is run in-process, its Apps rendered with the lock that will be written, and
each rendered Service compared with its original after v1 defaulting
(:func:`svcgen.kube.apiserver.canonical_service`), each declared workload after defaulting
(:func:`svcgen.importer.workloads.canonical_workload`). Every difference is a problem at the
original's line, naming the field and both values. :func:`workload_differences` runs first, App
by App: a workload that would not come back exactly is kept as YAML instead.

The generated code runs in pieces of whole top-level statements (each compiled alone, with its
lines in app.py, in one namespace: the same run; :func:`_statements`). CPython finds a frame's line
by
scanning its code object's line table from the start, and the DSL asks for its caller's line at
each declaration: as one code object, an app.py of 30,000 lines made the check quadratic (2x the
Services, 3.5x the time). The pieces are compiled from the text, not from a syntax tree of the
whole file (which took a third more memory than the whole import had needed).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from types import CodeType
from typing import Any

from svcgen.dsl.model import App
from svcgen.errors import DeclarationError, Problem, Severity
from svcgen.gcpause import paused_gc
from svcgen.importer.plan import AppPlan
from svcgen.importer.workloads import canonical_workload
from svcgen.kube.apiserver import canonical_service
from svcgen.kube.objects import KubeObject, Path
from svcgen.kube.portrange import NodePortRange
from svcgen.kube.releases import KubeVersion
from svcgen.nodeports.lock import Lock
from svcgen.render import RenderOptions, render_manifests

__all__ = ["differences", "verify", "workload_differences"]


def _apps(source: str) -> list[App]:
    """The Apps of the code svcgen itself just generated, run statement by statement.

    Why statement by statement: see the module docstring.
    """
    namespace: dict[str, Any] = {"__name__": "svcgen_import_check"}
    with paused_gc():  # declarations: many objects, no cycle (svcgen.gcpause)
        for code in _statements(source):
            exec(code, namespace)
    return [value for value in namespace.values() if isinstance(value, App)]


def _statements(source: str) -> list[CodeType]:
    """``source`` compiled in pieces of whole top-level statements, with their lines in ``source``.

    A piece ends before a line that starts with a name or a quote, unless it does not compile
    alone (a docstring's line, a line of a call...): then it takes the next one too. Pieces that
    compile alone make the same program run one after the other (the generated code has no
    ``if``/``else`` or ``try`` whose second part could stand alone, nor ``from __future__``), and
    if the last piece does not compile, the source is compiled whole (so a syntax error is said
    as ``compile`` says it).
    """
    lines = source.splitlines(keepends=True)
    ends = [
        i
        for i, line in enumerate(lines)
        if i and (line[:1].isidentifier() or line.startswith(('"', "'")))
    ]
    pieces, begin = [], 0
    for end in [*ends, len(lines)]:
        try:
            code = compile("".join(lines[begin:end]), "app.py", "exec")
        except SyntaxError:
            continue
        pieces.append(_moved(code, begin))
        begin = end
    return pieces if begin == len(lines) else [compile(source, "app.py", "exec")]


def _moved(code: CodeType, lines: int) -> CodeType:
    """``code`` with its line numbers (and those of the code inside it) ``lines`` further down."""
    inner = tuple(_moved(c, lines) if isinstance(c, CodeType) else c for c in code.co_consts)
    return code.replace(co_firstlineno=code.co_firstlineno + lines, co_consts=inner)


def differences(original: Any, rendered: Any, path: Path = ()) -> Iterator[tuple[Path, Any, Any]]:
    """Every path where two JSON-like values differ, with the two values (``None``: absent)."""
    if isinstance(original, dict) and isinstance(rendered, dict):
        for key in dict.fromkeys([*original, *rendered]):
            yield from differences(original.get(key), rendered.get(key), (*path, key))
    elif (
        isinstance(original, list) and isinstance(rendered, list) and len(original) == len(rendered)
    ):
        for i, (a, b) in enumerate(zip(original, rendered, strict=True)):
            yield from differences(a, b, (*path, i))
    elif original != rendered or type(original) is not type(rendered):
        yield path, original, rendered


def verify(
    source: str,
    originals: Sequence[KubeObject],
    lock: Lock,
    node_port_range: NodePortRange,
    version: KubeVersion,
    severity: Severity,
) -> list[Problem]:
    """Problems (of ``severity``) for every Service that would not come back as it was."""
    try:
        rendered = render_manifests(
            _apps(source),
            RenderOptions(lock, node_port_range=node_port_range, kubernetes_version=version),
        )
    except DeclarationError as exc:
        named: dict[
            tuple[str, str], KubeObject
        ] = {}  # by kind and name or namespace/name: the first of each
        for obj in originals:
            named.setdefault((obj.kind, obj.name), obj)
            named.setdefault((obj.kind, f"{obj.namespace}/{obj.name}"), obj)
        return [
            _declaration_problem(p, originals, named) for p in exc.problems if p.severity == "error"
        ]
    by_name = {
        (m["kind"], str(m["metadata"].get("namespace", "")), m["metadata"]["name"]): m
        for m in rendered.manifests
    }
    problems = []
    for obj in originals:
        mine = by_name.get((obj.kind, obj.namespace, obj.name))
        if mine is None:
            problems.append(
                obj.problem(
                    (),
                    severity,
                    "import-check",
                    "is missing from the declarations svcgen would write",
                )
            )
            continue
        canonical = (
            canonical_service
            if obj.kind == "Service"
            else canonical_workload
            if obj.pod_spec() is not None
            else _declared
        )
        for path, before, after in differences(canonical(obj.value), canonical(mine)):
            problems.append(
                obj.problem(
                    path,
                    severity,
                    "import-check",
                    f"would not come back as it was: {_show(before)} in the manifest, "
                    f"{_show(after)} once rendered",
                    "pass --allow-changes to accept the difference" if severity == "error" else "",
                )
            )
    return problems


def workload_differences(
    source: str,
    apps: Sequence[AppPlan],
    lock: Lock,
    node_port_range: NodePortRange,
    version: KubeVersion,
) -> dict[int, list[str]]:
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
            options = RenderOptions(
                lock, node_port_range=node_port_range, kubernetes_version=version
            )
            rendered = render_manifests([app.model_copy(update={"consumers": ()})], options)
        except DeclarationError as exc:
            found[id(plan)] = [
                f"{p.field + ': ' if p.field else ''}{p.message}"
                for p in exc.problems
                if p.severity == "error"
            ]
            continue
        mine = next(m for m in rendered.manifests if m["kind"] == plan.source.kind)
        found[id(plan)] = [
            f"{_path(path)}: {_show(before)} in the manifest, {_show(after)} once rendered"
            for path, before, after in differences(
                canonical_workload(plan.source.value), canonical_workload(mine)
            )
        ]
    return {key: reasons for key, reasons in found.items() if reasons}


def _path(path: Path) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


def _declaration_problem(
    problem: Problem, originals: Sequence[KubeObject], named: dict[tuple[str, str], KubeObject]
) -> Problem:
    """A problem of the code svcgen would write, at the original object it came from.

    The DSL names its object ``Kind "name"`` (``Service "ns/name"``); the original of that kind and
    name is where the user can act. Nothing was written, so no line of app.py is shown.
    """
    where = f"{problem.field}: " if problem.field else ""
    message = (
        f"the declarations svcgen would write do not render: {problem.subject}: "
        f"{where}{problem.message}"
    )
    kind, _, rest = problem.subject.partition(" ")
    name = rest.split('"')[1] if rest.count('"') >= 2 else ""
    obj = named.get((kind, name))
    if obj is not None:
        return obj.problem(
            (),
            "error",
            "import-check",
            message,
            "fix the manifest (lint shows the API server's own checks), or keep this object as "
            "YAML out of the import",
        )
    first = originals[0] if originals else None
    return Problem(
        first.ref.kind if first else "",
        "",
        message,
        location=first.location() if first else None,
        rule="import-check",
    )


def _declared(value: dict[str, Any]) -> dict[str, Any]:
    """An object as declared: what the cluster sets (status, server metadata) left out."""
    metadata = value.get("metadata") or {}
    kept = {
        key: metadata[key]
        for key in ("name", "namespace", "labels", "annotations")
        if metadata.get(key)
    }
    return {
        "apiVersion": value.get("apiVersion"),
        "kind": value.get("kind"),
        "metadata": kept,
        "spec": value.get("spec"),
    }


def _show(value: Any) -> str:
    return "absent" if value is None else repr(value)
