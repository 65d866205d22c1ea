"""Wrong types, one problem per argument in svcgen's words, with the nearest valid value."""

from __future__ import annotations

import pytest

from svcgen import App, Container, DeclarationError, Port, Service

api = Container("api", ports=[Port("http", 8080)])
side = Container("side", ports=[Port("metrics", 9090)])  # module level, as in a declaration file


def _problems(build: object) -> list[str]:
    with pytest.raises(DeclarationError) as info:
        build()  # type: ignore[operator]
    return [f"{p.field}: {p.message} | {p.hint}" for p in info.value.problems]


def test_a_value_that_fits_no_member_of_a_union_is_one_problem() -> None:
    assert _problems(lambda: api.port("http").expose(node_port="30000")) == [  # type: ignore[arg-type]
        "node_port: expected a port number, AUTO or None, got str '30000' | pass a port number, "
        "AUTO or None"
    ]


def test_one_object_where_a_list_goes_is_one_problem_with_the_fix() -> None:
    assert _problems(lambda: Service("web", ports=api.port("http").expose())) == [  # type: ignore[arg-type]
        "ports: expected a list of container.port(NAME).expose(...), got a ServicePort | put it "
        "in a list: ports=[...]"
    ]
    assert _problems(lambda: Container("c", ports=Port("x", 1))) == [  # type: ignore[arg-type]
        "ports: expected a list of Port(...), got a Port | put it in a list: ports=[...]"
    ]
    assert _problems(lambda: App("a", services=Service("s"))) == [  # type: ignore[arg-type]
        "services: expected a list of Service(...), got a Service | put it in a list: "
        "services=[...]"
    ]


@pytest.mark.parametrize(
    ("build", "near"),
    [
        (lambda: Service("web", type="Nodeport"), "NodePort"),  # type: ignore[arg-type]
        (lambda: Service("web", type="loadbalancer"), "LoadBalancer"),  # type: ignore[arg-type]
        (lambda: Port("dns", 53, "udp"), "UDP"),  # type: ignore[call-overload]
        (lambda: Service("web", session_affinity="ClientIp"), "ClientIP"),  # type: ignore[arg-type]
        (lambda: App("a", workload="deployment"), "Deployment"),  # type: ignore[arg-type]
    ],
)
def test_the_nearest_valid_value_is_suggested(build: object, near: str) -> None:
    (problem,) = _problems(build)
    assert problem.endswith(f'| did you mean "{near}"?')


def test_an_item_of_a_list_or_a_mapping_is_named() -> None:
    assert _problems(lambda: Service("web", ports=[api.port("http").expose(), "x"])) == [  # type: ignore[list-item]
        "ports[1]: expected container.port(NAME).expose(...), got str 'x' | each item of ports is "
        "container.port(NAME).expose(...)"
    ]
    assert _problems(lambda: Service("web", labels={"a": 1})) == [  # type: ignore[dict-item]
        'labels["a"]: expected a string, got int 1 | labels map strings to strings: quote it'
    ]


def test_the_port_a_container_lacks_is_found_nearby() -> None:
    (near,) = _problems(lambda: api.port("htp"))
    assert near.endswith('| did you mean "http"? api.port("http")')
    (sibling,) = _problems(lambda: api.port("metrics"))
    assert sibling.endswith('| container "side" has a port "metrics": side.port("metrics")')
