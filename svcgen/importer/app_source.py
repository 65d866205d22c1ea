"""The ``app.py`` that ``svcgen import`` writes: the plan through the import template.

The template is ``templates/import/app.py.jinja``.

Variable names are made unique by numbering (``web``, ``web_2``...); the next number of each
name is remembered, so that 1,000 Apps named alike (one per namespace) are numbered without
trying 1, 2, 3... again for each.
"""

from __future__ import annotations

import keyword
import re
from typing import Any

from svcgen.importer.consumer_calls import Call, Ref
from svcgen.importer.plan import AppPlan, ContainerPlan, Plan
from svcgen.importer.workloads import KEPT_FILE, PortVar, ServiceVar
from svcgen.templating import literal, render_template

__all__ = ["app_source", "expression", "layout"]

_RESERVED = {
    "App",
    "Container",
    "Port",
    "Service",
    "AUTO",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "Pod",
    "Probe",
    "Ingress",
    "IngressRule",
    "IngressTLS",
    "HTTPRoute",
    "RouteRule",
    "GatewayRef",
    "ServiceMonitor",
    "PodMonitor",
    "NetworkPolicy",
}


def _identifier(name: str, taken: set[str], tried: dict[str, int] | None = None) -> str:
    """A Python variable name for ``name``, not a keyword, not one of svcgen's names, not taken.

    ``tried``: per base name, the suffix to try next (the names before it are taken for good, as
    ``taken`` only grows): the same names as a search from the base name each time, without it.
    """
    base = re.sub(r"[^A-Za-z0-9_]", "_", name) or "c"
    if base[0].isdigit():
        base = f"c_{base}"
    resume = None if tried is None else tried.get(base)
    var, n = (base, 2) if resume is None else (f"{base}_{resume}", resume + 1)
    while var in taken or var in _RESERVED or keyword.iskeyword(var) or keyword.issoftkeyword(var):
        var, n = f"{base}_{n}", n + 1
    taken.add(var)
    if tried is not None:
        tried[base] = n
    return var


def expression(value: Any) -> str:
    """Python source for a planned value: a call, a port reference, or a literal (holding those)."""
    if isinstance(value, Ref):
        owner = value.owner.var if isinstance(value.owner, ContainerPlan) else value.owner["var"]
        return f"{owner}.port({literal(value.port)})"
    if isinstance(value, PortVar):
        return value.port.var
    if isinstance(value, ServiceVar):
        return str(value.service["var"])
    if isinstance(value, ContainerPlan):
        return value.var
    if isinstance(value, Call):
        args = ", ".join(
            f"{key}={expression(v)}" if key else expression(v) for key, v in value.args
        )
        return f"{value.name}({args})"
    if isinstance(value, list):
        return "[" + ", ".join(expression(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{literal(k)}: {expression(v)}" for k, v in value.items()) + "}"
    return literal(value)


_WIDTH = 110


def layout(value: Any, indent: int, column: int | None = None) -> str:
    """:func:`expression`, broken over lines (one argument or item per line) where it is too long.

    ``indent``: the indentation of the line the value is on; ``column``: where the value starts
    (after ``key=``), ``indent`` when not given.
    """
    flat = expression(value)
    if (indent if column is None else column) + len(flat) <= _WIDTH:
        return flat
    pad, inner = " " * indent, " " * (indent + 4)
    if isinstance(value, Call):
        args = [
            f"{key}={layout(v, indent + 4, indent + 4 + len(key) + 1)}"
            if key
            else layout(v, indent + 4)
            for key, v in value.args
        ]
        return f"{value.name}(\n" + "".join(f"{inner}{arg},\n" for arg in args) + f"{pad})"
    if isinstance(value, list):
        return "[\n" + "".join(f"{inner}{layout(v, indent + 4)},\n" for v in value) + f"{pad}]"
    if isinstance(value, dict):
        items = [
            f"{literal(k)}: {layout(v, indent + 4, indent + 4 + len(literal(k)) + 2)}"
            for k, v in value.items()
        ]
        return "{\n" + "".join(f"{inner}{item},\n" for item in items) + f"{pad}}}"
    return flat


def _referenced(value: Any, found: dict[int, dict[str, Any]], kinds: set[str]) -> None:
    """Collect the Services a planned value refers to, and the classes it calls.

    The Services by ``id``, in the order met.
    """
    owner = (
        value.owner
        if isinstance(value, Ref)
        else value.service
        if isinstance(value, ServiceVar)
        else None
    )
    if isinstance(owner, dict):
        found.setdefault(id(owner), owner)
    elif isinstance(value, Call):
        kinds.add(value.name)
        for _, arg in value.args:
            _referenced(arg, found, kinds)
    elif isinstance(value, list):
        for item in value:
            _referenced(item, found, kinds)
    elif isinstance(value, dict):
        for item in value.values():
            _referenced(item, found, kinds)


def app_source(plan: Plan) -> str:
    """The Python declaration of the planned Apps.

    Every value is written by the template's literal filter. A Service that an Ingress, route or
    monitor refers to gets a variable, declared before its App.
    """
    taken: set[str] = set()
    tried: dict[str, int] = {}
    apps = plan.apps
    for app in apps:
        for service in app.services:
            service["var"] = (
                ""  # written again when app.py is (a workload kept after all refers to none)
            )
        for container in app.containers:
            for port in container.ports:
                port.var = ""
            container.var = _identifier(
                f"{app.name}_{container.name}" if len(apps) > 1 else container.name, taken, tried
            )
    referenced: dict[int, dict[str, Any]] = {}
    kinds: set[str] = set()
    for app in apps:
        _referenced([app.consumers, app.declared, app.pod], referenced, kinds)
    for service in referenced.values():
        service["var"] = _identifier(f"{service['name']}_service", taken, tried)
    for app in apps:
        app.containers = [c for c in app.containers if c.ports or c.image]
        for service in app.services:
            service.setdefault("var", "")
            for port in service["ports"]:
                port["container"] = (
                    port.pop("_container").var if "_container" in port else port["container"]
                )
        app.var = _identifier(app.name, taken, tried)
        for container in app.containers:
            for _, value in container.fields:
                _referenced(value, referenced, kinds)
                for port in _probe_ports(value):
                    port.var = port.var or _identifier(
                        f"{container.var}_{port.name or port.number}", taken, tried
                    )
    names = sorted({"App", "Container", "Port", "Service", *kinds})
    imports = ", ".join(names)
    if len(imports) > _WIDTH - len("from svcgen import "):
        imports = "(\n" + "".join(f"    {name},\n" for name in names) + ")"
    return render_template(
        "import/app.py.jinja",
        {
            "apps": [(app.var, app, [layout(c, 8) for c in app.consumers]) for app in apps],
            "imports": imports,
            "fields": {
                c.var: [(key, layout(v, 4, 5 + len(key or ""))) for key, v in c.fields]
                for app in apps
                for c in app.containers
            },
            "workloads": {app.var: _workload(app) for app in apps},
            "kept_file": KEPT_FILE,
            "kept": any(app.kept for app in apps),
        },
    )


def _probe_ports(value: Any) -> list[Any]:
    if isinstance(value, Call):
        return [arg.port for _, arg in value.args if isinstance(arg, PortVar)]
    return []


def _workload(app: AppPlan) -> dict[str, Any]:
    """The template's view of an App's workload: calls and containers, or why it is kept as YAML."""
    init = [c for c in app.containers if app.declared is not None and "initContainers" in c.path]
    source = app.source
    return {
        "containers": [c.var for c in app.containers if all(c is not i for i in init)],
        "declared": layout(app.declared, 4, 13) if app.declared is not None else "",
        "pod": layout(app.pod, 4, 8) if app.pod is not None else "",
        "kept": [_comment(reason) for reason in app.kept],
        "title": _comment(f"{source.kind}/{source.name}") if source is not None else "",
    }


def _comment(text: str) -> str:
    """``text`` for one line of a comment, its line breaks escaped.

    A line break (or any control character) a value holds is escaped.
    """
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
