"""The ``app.py`` that ``svcgen import`` writes: the plan through ``templates/import/app.py.jinja``."""

from __future__ import annotations

import keyword
import re

from svcgen.importer.plan import Plan
from svcgen.templating import render_template

__all__ = ["app_source"]

_RESERVED = {"App", "Container", "Port", "Service", "AUTO"}


def _identifier(name: str, taken: set[str]) -> str:
    """A Python variable name for ``name``, not a keyword, not one of svcgen's names, not taken."""
    base = re.sub(r"[^A-Za-z0-9_]", "_", name) or "c"
    if base[0].isdigit():
        base = f"c_{base}"
    var, n = base, 2
    while var in taken or var in _RESERVED or keyword.iskeyword(var) or keyword.issoftkeyword(var):
        var, n = f"{base}_{n}", n + 1
    taken.add(var)
    return var


def app_source(plan: Plan) -> str:
    """The Python declaration of the planned Apps (every value written by the template's literal filter)."""
    taken: set[str] = set()
    apps = plan.apps
    for app in apps:
        for container in app.containers:
            container.var = _identifier(f"{app.name}_{container.name}" if len(apps) > 1 else container.name, taken)
    for app in apps:
        app.containers = [c for c in app.containers if c.ports or c.image]
        for service in app.services:
            for port in service["ports"]:
                port["container"] = port.pop("_container").var
        app.var = _identifier(app.name, taken)
    return render_template("import/app.py.jinja", {"apps": [(app.var, app) for app in apps]})
