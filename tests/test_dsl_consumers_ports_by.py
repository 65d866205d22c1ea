"""An Ingress's backends by Service port number (``ports_by="number"``), as many real Ingresses
write them."""

from __future__ import annotations

import pytest
from ruamel.yaml import YAML

from svcgen import App, Container, DeclarationError, Ingress, IngressRule, Port, Service, render

api = Container("api", ports=[Port("http", 8080)])
web = Service("web", ports=[api.port("http").expose(80)])


def _backends(ingress: Ingress) -> list[object]:
    app = App("web", labels={"app": "web"}, containers=[api], services=[web], consumers=[ingress])
    (built,) = [d for d in YAML(typ="safe").load_all(render([app]).yaml) if d["kind"] == "Ingress"]
    return [
        built["spec"]["defaultBackend"],
        *(p["backend"] for p in built["spec"]["rules"][0]["http"]["paths"]),
    ]


def test_backends_are_written_by_name_unless_asked_by_number() -> None:
    rules = [IngressRule(paths={"/": web.port("http")})]
    by_name = {"service": {"name": "web", "port": {"name": "http"}}}
    by_number = {"service": {"name": "web", "port": {"number": 80}}}
    assert _backends(Ingress("web", default_backend=web.port("http"), rules=rules)) == [
        by_name,
        by_name,
    ]
    assert _backends(
        Ingress("web", default_backend=web.port("http"), rules=rules, ports_by="number")
    ) == [by_number, by_number]


def test_ports_by_takes_name_or_number_only() -> None:
    with pytest.raises(DeclarationError) as caught:
        Ingress("web", default_backend=web.port("http"), ports_by="port")  # type: ignore[arg-type]
    assert [p.field for p in caught.value.problems] == ["ports_by"]
