"""``svcgen new``: a ready project for one service, from the jinja2 templates in ``templates/``.

Values are checked with the DSL's own rules before anything is rendered, and every value enters
generated Python through the ``py`` filter of :mod:`svcgen.templating`, so no name or image can
inject code. Pure apart from reading the templates: returns file names and texts.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass

from svcgen.dsl.model import App, Container, Port, Service
from svcgen.dsl.validate import validate
from svcgen.errors import DeclarationError, Problem, UsageError
from svcgen.templating import render_template

__all__ = ["PortSpec", "ScaffoldError", "parse_port_spec", "scaffold_files"]

_PORT_SPEC = re.compile(
    r"(?P<name>[^:/]+):(?P<container>\d+)(?::(?P<service>\d+))?(?:/(?P<protocol>[A-Za-z]+))?"
)


class ScaffoldError(UsageError):
    """The scaffold cannot be made: a name, port, type or namespace breaks the rules."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        self.problems = problems or []
        super().__init__(message)


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
        raise ScaffoldError(
            f'--port "{text}": expected NAME:CONTAINER_PORT[:SERVICE_PORT][/PROTOCOL], '
            "e.g. http:5000:8080 or dns:53/UDP"
        )
    container = int(match["container"])
    return PortSpec(
        match["name"],
        container,
        int(match["service"] or container),
        (match["protocol"] or "TCP").upper(),
    )


def _check(
    name: str, ports: list[PortSpec], service_type: str, image: str, namespace: str | None
) -> None:
    """Build the App the scaffold declares and apply the DSL's rules to it."""
    try:
        container = Container(
            name,
            image=image,
            ports=[
                Port(p.name, p.container_port, p.protocol)  # type: ignore[call-overload]
                for p in ports
            ],
        )
        app = App(
            name,
            namespace=namespace,
            labels={"app.kubernetes.io/name": name},
            containers=[container],
            services=[
                Service(
                    name,
                    type=service_type,  # type: ignore[arg-type]
                    ports=[container.port(p.name).expose(p.service_port) for p in ports],
                )
            ],
        )
    except DeclarationError as exc:
        raise _problems(exc.problems) from None
    errors = [p for p in validate([app]) if p.severity == "error"]
    if errors:
        raise _problems(errors)


_ARGUMENT_HINTS = {
    "NAME": "NAME names the App, its container and its Service: at most 63 of a-z 0-9 '-', "
    "starting and ending with a letter or digit, e.g. billing",
    "--type": "--type is ClusterIP, NodePort or LoadBalancer",
    "--namespace": "--namespace is at most 63 of a-z 0-9 '-', starting and ending with a letter "
    "or digit, e.g. shop",
    "--port name": "a port's NAME is at most 15 of a-z 0-9 '-', with a letter, e.g. --port "
    "http:8080",
    "--port number": "--port NAME:CONTAINER_PORT[:SERVICE_PORT] takes numbers from 1 to 65535, "
    "e.g. http:8080:80",
    "--port protocol": "--port NAME:PORT/PROTOCOL takes TCP, UDP or SCTP, e.g. dns:53/UDP",
}

_DUPLICATE_HINTS = {
    "--port name": "give each --port its own NAME, e.g. --port http:8080 --port admin:9000",
    "--port number": "give each --port its own CONTAINER_PORT (per protocol), e.g. --port "
    "http:8080 --port admin:9000",
}
"""The fix when two --port arguments collide (the argument's rule is not what was broken)."""


def _argument(problem: Problem) -> str:
    """Which argument of ``svcgen new`` a problem of the scaffold's declarations comes from."""
    if problem.field == "metadata.namespace":
        return "--namespace"
    if problem.field == "type":
        return "--type"
    if "port" in problem.subject or "port" in problem.field:
        if problem.field.endswith("protocol"):
            return "--port protocol"
        if problem.field in ("name", "spec.ports[0].name") or problem.field.endswith("].name"):
            return "--port name"
        return "--port number"
    return "NAME"


def _problems(problems: list[Problem]) -> ScaffoldError:
    """One problem per argument of ``svcgen new``, with a fix in the command's words.

    One bad NAME breaks the App, the container and the Service at once: it is said once. The
    problems' locations are svcgen's own code, so none is shown.
    """
    chosen: dict[str, Problem] = {}
    # The Service's name rule is the strictest of the three: say that one.
    for problem in sorted(problems, key=lambda p: not p.subject.startswith("Service")):
        argument = _argument(problem)
        hint = _ARGUMENT_HINTS[argument]
        if problem.message.startswith("Duplicate value"):
            hint = _DUPLICATE_HINTS.get(argument, hint)
        chosen.setdefault(
            argument, problem._replace(subject=argument, field="", location=None, hint=hint)
        )
    plain = list(chosen.values())
    return ScaffoldError("\n".join(str(p) for p in plain), plain)


def scaffold_files(
    name: str,
    ports: list[PortSpec],
    *,
    service_type: str = "ClusterIP",
    image: str | None = None,
    namespace: str | None = None,
) -> dict[str, str]:
    """The files of a new service project (``app.py``, ``test_app.py``, ``README.md``), by name.

    Raises:
        ScaffoldError: a name, port, type or namespace breaks the rules (checked before rendering).
    """
    if not ports:
        raise ScaffoldError(
            "give at least one --port NAME:CONTAINER_PORT[:SERVICE_PORT][/PROTOCOL]"
        )
    image = image if image is not None else f"{name}:latest"
    _check(name, ports, service_type, image, namespace)
    var = re.sub(r"[^A-Za-z0-9_]", "_", name)
    var = var if var.isidentifier() and not var[0].isdigit() else f"c_{var}"
    if (
        keyword.iskeyword(var)
        or keyword.issoftkeyword(var)
        or var in ("App", "Container", "Port", "Service", "app")
    ):
        var = f"{var}_container"
    context = {
        "name": name,
        "ports": ports,
        "type": service_type,
        "image": image,
        "namespace": namespace,
        "var": var,
    }
    return {
        template: render_template(f"app/{template}.jinja", context)
        for template in ("app.py", "test_app.py", "README.md")
    }
