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
        5000,
        "http",
        "TCP",
        AUTO,
        None,
    )
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


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: Port("http", "80"), "number"),  # type: ignore[call-overload]
        (lambda: Port("http", True), "number"),
        (lambda: Port(80, 80), "name"),  # type: ignore[call-overload]
        (lambda: Port("http", 80, protocol="tcp"), "protocol"),  # type: ignore[call-overload]
        (lambda: Service("web", type="Nodeport"), "type"),  # type: ignore[arg-type]
        (lambda: Service("web", headless="yes"), "headless"),  # type: ignore[arg-type]
        (lambda: App("a", labels={"app": 1}), 'labels["app"]'),  # type: ignore[dict-item]
        (lambda: Container("c", ports=[80]), "ports[0]"),  # type: ignore[list-item]
    ],
)
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
    """pydantic keeps a set of given fields per object: defaults are not given, to keep large
    projects
    small."""
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


def test_a_port_may_have_no_name_as_in_kubernetes() -> None:
    unnamed, named = Port(number=8080), Port("http", 8080)
    assert (unnamed.name, unnamed.number, unnamed.protocol) == (None, 8080, "TCP")
    assert (named.name, named.number) == ("http", 8080)  # positional order unchanged: name, number
    assert Port(None, 53, "UDP") == Port(number=53, protocol="UDP")
    assert (unnamed.label, named.label) == ("8080", '"http"')


def test_a_port_without_its_number_is_an_error_at_the_users_line() -> None:
    line = _line() + 2
    with pytest.raises(DeclarationError) as info:
        Port("http")  # type: ignore[call-overload]
    (problem,) = info.value.problems
    assert (problem.subject, problem.field, problem.message, problem.hint) == (
        'port "http"',
        "number",
        "Required value: missing",
        "pass number=...",
    )
    assert problem.location is not None and problem.location.line == line


def test_a_number_given_as_the_only_argument_says_how_to_write_an_unnamed_port() -> None:
    with pytest.raises(DeclarationError) as info:
        Port(8080)  # type: ignore[call-overload]
    (problem,) = info.value.problems  # one mistake, one problem (not also "number missing")
    assert (problem.field, problem.hint) == ("name", "a port without a name is Port(number=8080)")


def test_an_unnamed_port_is_referred_to_by_its_number() -> None:
    api = Container(
        "api",
        ports=[
            Port(number=8080),
            Port("http", 9000),
            Port(number=53),
            Port(number=53, protocol="UDP"),
        ],
    )
    assert api.port(8080).port is api.ports[0]
    assert api.port(9000).port is api.port("http").port is api.ports[1]  # a named one too
    assert api.port(53, "UDP").port is api.ports[3]
    sp = api.port(8080).expose(80)
    assert (sp.port_name, sp.label, sp.service_port) == ("", "80", 80)  # no name of its own
    assert api.port(8080).expose(name="web").port_name == "web"


@pytest.mark.parametrize(
    ("number", "protocol", "message", "hint"),
    [
        (53, None, "has 2 ports 53 (TCP, UDP)", 'say which: .port(53, "UDP")'),
        (
            8081,
            None,
            'has no port 8081 (its ports: 8080, "http", 53, 53/UDP)',
            "refer to one of its ports, or declare Port(number=...) on the container",
        ),
        (
            8080,
            "UDP",
            'has no port 8080/UDP (its ports: 8080, "http", 53, 53/UDP)',
            "refer to one of its ports, or declare Port(number=...) on the container",
        ),
    ],
)
def test_a_number_that_names_no_port_or_two_is_an_error_at_the_call(
    number: int, protocol: model.Protocol | None, message: str, hint: str
) -> None:
    api = Container(
        "api",
        ports=[
            Port(number=8080),
            Port("http", 9000),
            Port(number=53),
            Port(number=53, protocol="UDP"),
        ],
    )
    line = _line() + 2
    with pytest.raises(DeclarationError) as info:
        api.port(number, protocol)
    (problem,) = info.value.problems
    assert (problem.subject, problem.message, problem.hint) == ('container "api"', message, hint)
    assert problem.location is not None and problem.location.line == line


def test_a_service_port_is_referred_to_by_name_or_by_the_number_it_listens_on() -> None:
    api = Container("api", ports=[Port(number=8080), Port("metrics", 9090)])
    web = Service(
        "web", ports=[api.port(8080).expose(80, name="http"), api.port("metrics").expose()]
    )
    bare = Service("bare", ports=[api.port(8080).expose(80)])
    assert web.port(80).port is web.port("http").port is web.ports[0]
    assert bare.port(80).port is bare.ports[0]
    with pytest.raises(DeclarationError) as info:
        bare.port(81)
    assert [(p.message, p.hint) for p in info.value.problems] == [
        (
            "has no port 81 (its ports: 80)",
            "refer to one of its ports (by the port the Service listens on)",
        )
    ]
    with pytest.raises(DeclarationError) as info:
        bare.port("http")
    assert [p.message for p in info.value.problems] == ['has no port named "http" (its ports: 80)']


def test_a_service_number_of_two_protocols_is_referred_to_by_name() -> None:
    dns = Container("dns", ports=[Port(number=53), Port(number=53, protocol="UDP")])
    svc = Service(
        "dns",
        ports=[dns.port(53, "TCP").expose(name="tcp"), dns.port(53, "UDP").expose(name="udp")],
    )
    with pytest.raises(DeclarationError) as info:
        svc.port(53)
    assert [(p.message, p.hint) for p in info.value.problems] == [
        ("has 2 ports 53 (TCP, UDP)", 'refer to one by its name: .port("udp")')
    ]
    assert svc.port("udp").port.protocol == "UDP"
