"""The DSL objects: construction, defaults, type errors at the user's line, references."""

from __future__ import annotations

import sys

import pytest

from svcgen import AUTO, App, Container, DeclarationError, Port, Service
from svcgen.dsl import model


def _line() -> int:
    return sys._getframe(1).f_lineno


def test_port_defaults_to_tcp() -> None:
    assert Port("http", 80).protocol == "TCP"
    assert Port("dns", 53, protocol="UDP").protocol == "UDP"


def test_objects_remember_the_users_line() -> None:
    line = _line() + 1
    port = Port("http", 80)
    assert port.location is not None
    assert port.location.line == line
    assert port.location.file.endswith("test_dsl_model.py")


def test_expose_defaults_follow_the_container_port() -> None:
    api = Container("api", ports=[Port("http", 5000)])
    sp = api.port("http").expose()
    assert (sp.service_port, sp.port_name, sp.protocol, sp.node_port, sp.target_by) == (
        5000, "http", "TCP", AUTO, None)
    sp = api.port("http").expose(80, name="web", node_port=30080, target_by="name")
    assert (sp.service_port, sp.port_name, sp.node_port, sp.target_by) == (80, "web", 30080, "name")
    assert sp.container is api and sp.target is api.ports[0]


def test_service_port_location_is_the_expose_call() -> None:
    api = Container("api", ports=[Port("http", 5000)])
    line = _line() + 1
    sp = api.port("http").expose()
    assert sp.location is not None and sp.location.line == line


def test_unknown_port_name_is_reported_at_the_call() -> None:
    api = Container("api", ports=[Port("http", 5000), Port("metrics", 6000)])
    line = _line() + 2
    with pytest.raises(DeclarationError) as info:
        api.port("htp")
    (problem,) = info.value.problems
    assert problem.location is not None and problem.location.line == line
    assert 'no port named "htp"' in problem.message and '"http", "metrics"' in problem.message


@pytest.mark.parametrize(("build", "field"), [
    (lambda: Port("http", "80"), "number"),  # type: ignore[arg-type]
    (lambda: Port("http", True), "number"),
    (lambda: Port(80, 80), "name"),  # type: ignore[arg-type]
    (lambda: Port("http", 80, protocol="tcp"), "protocol"),  # type: ignore[arg-type]
    (lambda: Service("web", type="Nodeport"), "type"),  # type: ignore[arg-type]
    (lambda: Service("web", headless="yes"), "headless"),  # type: ignore[arg-type]
    (lambda: App("a", labels={"app": 1}), 'labels["app"]'),  # type: ignore[dict-item]
    (lambda: Container("c", ports=[80]), "ports[0]"),  # type: ignore[list-item]
])
def test_wrong_types_raise_declaration_errors(build: object, field: str) -> None:
    with pytest.raises(DeclarationError) as info:
        build()  # type: ignore[operator]
    (problem,) = info.value.problems
    assert problem.field == field
    assert problem.location is not None


def test_models_are_frozen() -> None:
    port = Port("http", 80)
    with pytest.raises(Exception):  # noqa: B017 - pydantic's frozen-instance error
        port.number = 81  # type: ignore[misc]


def test_sequences_and_mappings_are_copied() -> None:
    ports = [Port("http", 80)]
    labels = {"app": "x"}
    api = Container("api", ports=ports)
    app = App("x", labels=labels, containers=(c for c in [api]))
    ports.append(Port("other", 81))
    labels["app"] = "changed"
    assert len(api.ports) == 1 and app.labels == {"app": "x"} and app.containers == (api,)


def test_arguments_at_their_default_are_not_kept_but_wrong_types_still_fail() -> None:
    """pydantic keeps a set of given fields per object: defaults are not given, to keep large projects small."""
    port = Port("http", 80, "TCP")
    assert port.model_fields_set == {"name", "number", "location"}
    assert port.protocol == "TCP"
    with pytest.raises(DeclarationError) as caught:
        Service("s", headless=0)  # type: ignore[arg-type]  # 0 is not False: still refused
    assert [p.field for p in caught.value.problems] == ["headless"]


def test_objects_declared_on_one_line_share_one_location() -> None:
    ports = [Port(f"p{i}", 8000 + i) for i in range(3)]
    assert ports[0].location is ports[1].location is ports[2].location


def test_the_loader_hears_of_every_app_made_and_only_those() -> None:
    made: list[App] = []
    saved, model.new_app_hook = model.new_app_hook, made.append
    try:
        app = App("a")
        with pytest.raises(DeclarationError):
            App("b", replicas="2")  # type: ignore[arg-type]
    finally:
        model.new_app_hook = saved
    assert len(made) == 1 and made[0] is app
