"""``svcgen new``: a ready project for one service, from the jinja2 templates in ``templates/``.

Values are checked with the DSL's own rules before anything is rendered, and every value enters
generated Python as a literal made by ``repr`` (the ``py`` filter), so no name or image can
inject code. Pure apart from reading the templates: returns file names and texts.
"""

from __future__ import annotations

import json
import keyword
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from svcgen.errors import DeclarationError, SvcgenError
from svcgen.model import App, Container, Port, Service
from svcgen.validate import validate

__all__ = ["PortSpec", "ScaffoldError", "parse_port_spec", "render_template", "scaffold_files", "templates_dir"]

_PORT_SPEC = re.compile(r"(?P<name>[^:/]+):(?P<container>\d+)(?::(?P<service>\d+))?(?:/(?P<protocol>[A-Za-z]+))?")


class ScaffoldError(SvcgenError):
    """The scaffold cannot be made (bad arguments, missing templates)."""


@dataclass(frozen=True)
class PortSpec:
    """One ``--port NAME:CONTAINER_PORT[:SERVICE_PORT][/PROTOCOL]``."""

    name: str
    container_port: int
    service_port: int
    protocol: str


def parse_port_spec(text: str) -> PortSpec:
    """Parse ``http:5000:8080`` or ``dns:53/UDP``; the protocol is upper-cased, TCP by default."""
    match = _PORT_SPEC.fullmatch(text)
    if not match:
        raise ScaffoldError(f'--port "{text}": expected NAME:CONTAINER_PORT[:SERVICE_PORT][/PROTOCOL], '
                            "e.g. http:5000:8080 or dns:53/UDP")
    container = int(match["container"])
    return PortSpec(match["name"], container, int(match["service"] or container),
                    (match["protocol"] or "TCP").upper())


def templates_dir() -> Path:
    """The templates: inside the installed package, or ``templates/`` of a source checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "templates", here.parent / "templates"):
        if (candidate / "app" / "app.py.jinja").is_file():
            return candidate
    raise ScaffoldError(f"svcgen's templates are missing (looked in {here / 'templates'}); reinstall svcgen")


def _environment() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["py"] = _literal
    env.filters["pydict"] = lambda d: "{" + ", ".join(f"{_literal(k)}: {_literal(v)}" for k, v in d.items()) + "}"
    return env


def render_template(name: str, context: dict[str, Any]) -> str:
    """Render one template of ``templates/`` (e.g. ``import/app.py.jinja``) with ``context``."""
    return str(_environment().get_template(name).render(context))


def _literal(value: object) -> str:
    """A Python literal for a str (double-quoted: JSON's string syntax is Python's too), int or None."""
    if isinstance(value, str):
        return json.dumps(value)
    if value is None or isinstance(value, int):
        return repr(value)
    raise ScaffoldError(f"cannot write {type(value).__name__} values into generated code")


def _check(name: str, ports: list[PortSpec], service_type: str, image: str, namespace: str | None) -> None:
    """Build the App the scaffold declares and apply the DSL's rules to it."""
    try:
        container = Container(name, image=image, ports=[Port(p.name, p.container_port, p.protocol)  # type: ignore[arg-type]
                                                       for p in ports])
        app = App(name, namespace=namespace, labels={"app.kubernetes.io/name": name}, containers=[container],
                  services=[Service(name, type=service_type,  # type: ignore[arg-type]
                                    ports=[container.port(p.name).expose(p.service_port) for p in ports])])
    except DeclarationError as exc:
        raise ScaffoldError("\n".join(f"error: {p.subject}: {p.field}: {p.message}" for p in exc.problems)) from None
    errors = [p for p in validate([app]) if p.severity == "error"]
    if errors:
        raise ScaffoldError("\n".join(f"error: {p.subject}: {p.field}: {p.message}. Fix: {p.hint}" for p in errors))


def scaffold_files(
    name: str, ports: list[PortSpec], *, service_type: str = "ClusterIP", image: str | None = None,
    namespace: str | None = None,
) -> dict[str, str]:
    """The files of a new service project (``app.py``, ``test_app.py``, ``README.md``), by name.

    Raises:
        ScaffoldError: a name, port, type or namespace breaks the rules (checked before rendering).
    """
    if not ports:
        raise ScaffoldError("give at least one --port NAME:CONTAINER_PORT[:SERVICE_PORT][/PROTOCOL]")
    image = image if image is not None else f"{name}:latest"
    _check(name, ports, service_type, image, namespace)
    var = re.sub(r"\W", "_", name)
    var = var if var.isidentifier() and not var[0].isdigit() else f"c_{var}"
    if keyword.iskeyword(var) or keyword.issoftkeyword(var) or var in ("App", "Container", "Port", "Service", "app"):
        var = f"{var}_container"
    context = {"name": name, "ports": ports, "type": service_type, "image": image, "namespace": namespace,
               "var": var}
    env = _environment()
    files = {}
    for template in ("app.py", "test_app.py", "README.md"):
        files[template] = env.get_template(f"app/{template}.jinja").render(context)
    return files
